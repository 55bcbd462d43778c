"""Business systems' own JSON into a real hub process (`crossdock up`), and the sandbox landscape
wired through the hub by `crossdock.sandbox.yaml`: a PO released in the sandbox ERP reaches the
supplier portal, its acknowledgment confirms the PO in the ERP, the ASN schedules the WMS
receipt and the WMS receipt is booked in the ERP, every hop mapped by a declarative system map."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from crossdock.sandbox.landscape import Landscape, start_landscape
from tests.integration.hubproc import HubProcess, wait_for
from tests.integration.sandbox_helpers import FAST

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "systems"
SANDBOX_PORTS = {"erp": 9200, "wms": 9201, "tms": 9202, "parcelwave": 9203, "ridgeline": 9204}
SANDBOX_PORTS["supplier"] = 9205
FAST_RETRY = {"max_attempts": 50, "initial_backoff_seconds": 0.05, "max_backoff_seconds": 0.3}


def sandbox_config(urls: dict[str, str] | None = None) -> dict[str, Any]:
    """`crossdock.sandbox.yaml`, with the landscape's real URLs and fast retries for tests."""
    config: dict[str, Any] = yaml.safe_load((ROOT / "crossdock.sandbox.yaml").read_text())
    config.pop("hub")
    for endpoint in config["endpoints"].values():
        endpoint["retry"] = FAST_RETRY
        endpoint["circuit"] = {"failure_threshold": 50, "reset_timeout_seconds": 0.2}
        for name, port in SANDBOX_PORTS.items():
            if urls is not None:
                endpoint["url"] = endpoint["url"].replace(f"http://127.0.0.1:{port}", urls[name])
    return config


def event(name: str) -> tuple[bytes, dict[str, str]]:
    data = json.loads((FIXTURES / f"{name}.json").read_text())
    return json.dumps(data["body"]).encode(), dict(data["headers"])


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubProcess]:
    process = HubProcess(tmp_path, sandbox_config()).start()
    yield process
    process.stop()


def test_a_system_event_becomes_canonical_messages_in_a_real_hub(hub: HubProcess) -> None:
    body, headers = event("erp_purchaseOrder_released")
    response = httpx.post(
        f"{hub.url}/v1/inbound/erp", content=body, headers={**hub.headers, **headers}
    )
    assert response.status_code == 202, response.text
    reply = response.json()
    assert reply["event"] == "purchaseOrder.released"
    (message_id,) = reply["message_ids"]
    message = httpx.get(f"{hub.url}/v1/messages/{message_id}", headers=hub.headers).json()
    assert (message["source"], message["channel"], message["document_type"]) == (
        "erp", "api", "purchase_order")  # fmt: skip
    again = httpx.post(
        f"{hub.url}/v1/inbound/erp", content=body, headers={**hub.headers, **headers}
    )
    assert again.status_code == 202 and again.headers["Idempotent-Replayed"] == "true"
    other = json.dumps({**json.loads(body), "expectedDate": "2027-01-04"}).encode()
    conflict = httpx.post(
        f"{hub.url}/v1/inbound/erp", content=other, headers={**hub.headers, **headers}
    )
    assert conflict.status_code == 409, conflict.text

    snapshot, headers = event("wms_INVENTORY_SNAPSHOT")
    response = httpx.post(
        f"{hub.url}/v1/inbound/wms", content=snapshot, headers={**hub.headers, **headers}
    )
    assert response.status_code == 202 and len(response.json()["message_ids"]) == 2

    bad = httpx.post(
        f"{hub.url}/v1/inbound/wms", json={"event_type": "CYCLE_COUNT"}, headers=hub.headers
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert "unknown event 'CYCLE_COUNT'" in bad.json()["errors"][0]["reason"]
    (rejected_id,) = bad.json()["message_ids"]
    assert (
        httpx.get(f"{hub.url}/v1/messages/{rejected_id}", headers=hub.headers).json()["status"]
        == "rejected"
    )
    assert httpx.post(f"{hub.url}/v1/inbound/crm", json={}, headers=hub.headers).status_code == 404


LANDSCAPE_SETTINGS: dict[str, dict[str, Any]] = {
    "supplier": {"defaults": {"auto": True, "ack_after": 0.01, "ship_after": 0.01,
                              "invoice_after": 0.01, "late_by": 0, "late_days": 0}},
    "wms": {"auto_receive_after": 0.01},
}  # fmt: skip
INBOUND_TARGETS = {
    "erp": ["purchaseOrder.released", "purchaseOrder.changed", "salesOrder.released"],
    "wms": ["receipt", "movement", "shipment", "inventory"],
    "tms": ["shipment.booked"],
    "supplier": ["acknowledgment", "asn", "invoice"],
}


@pytest.fixture
def wired(tmp_path: Path) -> Iterator[tuple[Landscape, HubProcess]]:
    hub = HubProcess(tmp_path, {})  # reserves the hub's port, so the landscape knows its URL
    with start_landscape(
        hub.url,
        state_dir=tmp_path / "sandbox",
        settings=LANDSCAPE_SETTINGS,
        opening_stock={"DC-ATL": {"HP-1": 5}},
        retry=FAST,
        hub_keys=hub.admin_key,
    ) as land:
        for system, kinds in INBOUND_TARGETS.items():
            targets = {kind: f"/v1/inbound/{system}" for kind in kinds}
            httpx.post(f"{land.urls[system]}/_config", json={"targets": targets}).raise_for_status()
        hub.config_path.write_text(yaml.safe_dump(sandbox_config(land.urls)))
        hub.start()
        try:
            yield land, hub
        finally:
            hub.stop()


def test_a_po_released_in_the_erp_travels_the_landscape_through_the_hub(
    wired: tuple[Landscape, HubProcess],
) -> None:
    land, _ = wired
    erp = httpx.Client(base_url=land.urls["erp"])
    lines = [{"lineNo": 1, "itemNo": "HP-1", "description": "Pallet jack", "qty": 10, "uom": "EA",
              "unitCost": 2.5},
             {"lineNo": 2, "itemNo": "HP-2", "qty": 4, "uom": "EA", "unitCost": 1.25}]  # fmt: skip
    erp.post("/api/purchase-orders", json={"docNo": "PO-77", "vendorId": "S-1",
             "shipToSite": "DC-ATL", "expectedDate": "2026-12-01", "lines": lines}
             ).raise_for_status()  # fmt: skip

    portal = f"{land.urls['supplier']}/portal/api/orders/S-1/PO-77"
    order = wait_for(lambda: (r := httpx.get(portal)).status_code == 200 and r.json())
    assert order["order"]["lines"][0]["buyerPartNumber"] == "HP-1"
    assert order["order"]["shipTo"] == "DC-ATL"

    def po() -> dict[str, Any]:
        return erp.get("/api/purchase-orders/PO-77").json()  # type: ignore[no-any-return]

    wait_for(lambda: po()["confirmations"] == ["ACK-PO-77-1"])  # the supplier's acknowledgment
    receipt = f"{land.urls['wms']}/wms/v1/expected-receipts/ASN-PO-77"
    wait_for(lambda: httpx.get(receipt).json().get("status") == "RECEIVED", timeout=30)
    wait_for(lambda: po()["status"] == "Received", timeout=30)  # the WMS receipt, in the ERP
    assert [ln["qtyReceived"] for ln in po()["lines"]] == [10, 4]
    erp_stock = {r["itemNo"]: r["onHand"] for r in erp.get("/api/inventory").json()}
    wms_stock = {
        r["sku"]: r["on_hand"] for r in httpx.get(f"{land.urls['wms']}/wms/v1/inventory").json()
    }
    assert erp_stock == wms_stock == {"HP-1": 15, "HP-2": 4}
    assert len(po()["receipts"]) == 1  # the put-away report did not book the goods again


def test_a_sales_order_is_picked_shipped_booked_and_delivered_through_the_hub(
    wired: tuple[Landscape, HubProcess],
) -> None:
    """Order to delivery without the flows: ERP order -> WMS shipping order -> ship confirm to
    the ERP and the TMS -> carrier booking -> Ridgeline's milestones -> TMS status."""
    land, _ = wired
    erp = httpx.Client(base_url=land.urls["erp"])
    ship_to = {"name": "Acme Clinic", "street": "1 Main St", "city": "Augusta", "state": "GA",
               "postalCode": "30901", "country": "US"}  # fmt: skip
    httpx.post(f"{land.urls['wms']}/_config", json={"settings": {"auto_fulfil_after": 0.01}})
    httpx.post(f"{land.urls['ridgeline']}/_config", json={"settings": {"step_seconds": 0.05}})
    httpx.post(f"{land.urls['wms']}/wms/v1/inventory/adjustments",
               json={"site": "DC-ATL", "sku": "HP-1", "qty_delta": 55}).raise_for_status()  # fmt: skip
    erp.post("/api/sales-orders", json={"orderNo": "SO-5", "customerId": "C-1",
             "shipFromSite": "DC-ATL", "shipTo": ship_to,
             "lines": [{"lineNo": 1, "itemNo": "HP-1", "qty": 60, "uom": "EA", "unitPrice": 3}]}
             ).raise_for_status()  # fmt: skip

    def order() -> dict[str, Any]:
        return erp.get("/api/sales-orders/SO-5").json()  # type: ignore[no-any-return]

    wait_for(lambda: order()["status"] == "Shipped", timeout=30)
    assert order()["lines"][0]["qtyShipped"] == 60
    tms = f"{land.urls['tms']}/tms/api/shipments/SO-5"
    shipment = wait_for(lambda: (r := httpx.get(tms)).status_code == 200 and r.json())
    assert shipment["carrier"] == "RDGL"  # 60 units = 72 kg: the TMS chose LTL
    assert shipment["destination"]["city"] == "Augusta"
    wait_for(lambda: httpx.get(tms).json()["status"] == "DELIVERED", timeout=30)
    erp_stock = {r["itemNo"]: r["onHand"] for r in erp.get("/api/inventory").json()}
    assert erp_stock["HP-1"] == 0  # 5 opening + 55 adjusted in the WMS (and the ERP) - 60
