"""The sandbox WMS over real loopback HTTP: inbound schedule, receipts with variances, put-away,
pick / pack / ship with short picks, stock movements and inventory positions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from crossdock.sandbox.wms import WmsService
from tests.integration.sandbox_helpers import FAST, Recorder, recording_hub, serve, wait_for

STOCK = {"DC-ATL": {"SKU-1": 10, "SKU-2": 0}}


@pytest.fixture(scope="module")
def hub() -> Iterator[tuple[Recorder, str]]:
    with recording_hub() as running:
        yield running


@pytest.fixture(scope="module")
def wms_url(hub: tuple[Recorder, str]) -> Iterator[str]:
    with serve(WmsService(hub_url=hub[1], retry=FAST, settings={"opening_stock": STOCK})) as url:
        yield url


@pytest.fixture
def wms(wms_url: str, hub: tuple[Recorder, str]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=wms_url, timeout=5.0) as client:
        client.post("/_reset").raise_for_status()
        hub[0].settle_and_clear()
        client.post("/_config", json={"settings": {"auto_receive_after": None}})
        client.post("/_config", json={"settings": {"auto_fulfil_after": None}})
        yield client


def expected(ref: str = "ER-1", asn: str | None = None) -> dict[str, Any]:
    return {
        "receipt_ref": ref,
        "po_ref": "PO-1001",
        "asn_ref": asn,
        "site": "DC-ATL",
        "supplier": "CASCADE",
        "eta": "2026-12-04",
        "lines": [
            {"line_ref": "1", "sku": "SKU-1", "qty_expected": 10, "uom": "CS"},
            {"line_ref": "2", "sku": "SKU-2", "qty_expected": 5, "uom": "EA"},
        ],
    }


def on_hand(wms: httpx.Client, sku: str) -> Any:
    return wms.get("/wms/v1/inventory", params={"site": "DC-ATL", "sku": sku}).json()[0]


def test_receiving_reports_variances_damage_and_put_away(
    wms: httpx.Client, hub: tuple[Recorder, str]
) -> None:
    assert wms.post("/wms/v1/expected-receipts", json=expected()).status_code == 201
    updated = wms.post("/wms/v1/expected-receipts", json=expected(asn="ASN-9")).json()
    assert updated["version"] == 2
    got = {
        "lines": [
            {"line_ref": "1", "qty_received": 10, "qty_damaged": 2},
            {"line_ref": "2", "qty_received": 3},
        ],
        "close": True,
    }
    event = wms.post("/wms/v1/expected-receipts/ER-1/receive", json=got).json()["event_id"]
    receipt, putaway = wait_for(lambda: len(hub[0].received) == 2 and hub[0].bodies())
    assert receipt["event_id"] == event and receipt["event_type"] == "RECEIPT_CONFIRMED"
    assert (receipt["po_ref"], receipt["asn_ref"]) == ("PO-1001", "ASN-9")
    line1, line2 = receipt["lines"]
    assert (line1["qty_damaged"], line1["variance_code"]) == (2, "NONE")
    assert (line2["variance_code"], line2["variance_qty"]) == ("SHORT", -2)
    assert putaway["event_type"] == "PUTAWAY_COMPLETE"
    assert [ln["qty"] for ln in putaway["lines"]] == [8, 3]
    assert hub[0].keys() == [f"wms-{receipt['event_id']}", f"wms-{putaway['event_id']}"]
    assert hub[0].on("/v1/messages/goods_receipt")
    assert on_hand(wms, "SKU-1") == {"site": "DC-ATL", "sku": "SKU-1", "on_hand": 18, "damaged": 2}
    assert wms.get("/wms/v1/expected-receipts/ER-1").json()["status"] == "RECEIVED"
    assert wms.post("/wms/v1/expected-receipts", json=expected()).status_code == 409


def test_partial_receipts_stay_open_and_over_receipts_are_flagged(wms: httpx.Client) -> None:
    wms.post("/wms/v1/expected-receipts", json=expected("ER-2")).raise_for_status()
    first = {"lines": [{"line_ref": "1", "qty_received": 4}]}
    wms.post("/wms/v1/expected-receipts/ER-2/receive", json=first).raise_for_status()
    assert wms.get("/wms/v1/expected-receipts/ER-2").json()["status"] == "PARTIALLY_RECEIVED"
    second = {"lines": [{"line_ref": "1", "qty_received": 7}, {"line_ref": "2", "qty_received": 5}]}
    wms.post("/wms/v1/expected-receipts/ER-2/receive", json=second).raise_for_status()
    er = wms.get("/wms/v1/expected-receipts/ER-2").json()
    assert er["status"] == "RECEIVED" and er["lines"][0]["qty_received"] == 11
    bad = {"lines": [{"line_ref": "9", "qty_received": 1}]}
    assert wms.post("/wms/v1/expected-receipts/ER-2/receive", json=bad).status_code == 422


def test_auto_receive_unloads_shipped_receipts_only(wms: httpx.Client) -> None:
    wms.post("/_config", json={"settings": {"auto_receive_after": 0.05}}).raise_for_status()
    wms.post("/wms/v1/expected-receipts", json=expected("ER-3")).raise_for_status()
    wms.post("/wms/v1/expected-receipts", json=expected("ER-4", asn="ASN-4")).raise_for_status()
    wait_for(lambda: wms.get("/wms/v1/expected-receipts/ER-4").json()["status"] == "RECEIVED")
    assert wms.get("/wms/v1/expected-receipts/ER-3").json()["status"] == "EXPECTED"
    assert on_hand(wms, "SKU-2")["on_hand"] == 5


def test_pick_pack_ship_with_a_short_pick(wms: httpx.Client, hub: tuple[Recorder, str]) -> None:
    order = {
        "order_ref": "SO-1",
        "site": "DC-ATL",
        "ship_to": {"name": "Acme"},
        "lines": [
            {"line_ref": "1", "sku": "SKU-1", "qty": 4},
            {"line_ref": "2", "sku": "SKU-2", "qty": 2},
        ],
    }
    assert wms.post("/wms/v1/shipping-orders", json=order).status_code == 201
    assert wms.post("/wms/v1/shipping-orders", json=order).json()["duplicate"] is True
    assert wms.post("/wms/v1/shipping-orders/SO-1/ship").status_code == 409
    assert wms.post("/wms/v1/shipping-orders/SO-1/pick", json={}).json()["status"] == "PICKED"
    assert wms.post("/wms/v1/shipping-orders/SO-1/pack", json={"cartons": 2}).status_code == 200
    wms.post("/wms/v1/shipping-orders/SO-1/ship").raise_for_status()
    (confirm,) = wait_for(lambda: hub[0].on("/v1/messages/shipment"))
    body = confirm.body
    assert body["event_type"] == "SHIP_CONFIRM" and body["cartons"] == 2
    assert [(ln["qty_shipped"], ln["qty_short"]) for ln in body["lines"]] == [(4, 0), (0, 2)]
    assert on_hand(wms, "SKU-1")["on_hand"] == 6
    assert wms.get("/wms/v1/shipping-orders/SO-1").json()["status"] == "SHIPPED"


def test_auto_fulfil_ships_what_stock_allows(wms: httpx.Client) -> None:
    wms.post("/_config", json={"settings": {"auto_fulfil_after": 0.02}}).raise_for_status()
    order = {
        "order_ref": "SO-2",
        "site": "DC-ATL",
        "lines": [{"line_ref": "1", "sku": "SKU-1", "qty": 15}],
    }
    wms.post("/wms/v1/shipping-orders", json=order).raise_for_status()
    shipped = wait_for(
        lambda: (o := wms.get("/wms/v1/shipping-orders/SO-2").json())["status"] == "SHIPPED" and o
    )
    assert shipped["lines"][0]["qty_shipped"] == 10
    assert on_hand(wms, "SKU-1")["on_hand"] == 0


def test_adjustments_are_stock_movements_and_snapshots_list_positions(
    wms: httpx.Client, hub: tuple[Recorder, str]
) -> None:
    adj = {"site": "DC-ATL", "sku": "SKU-1", "qty_delta": -3, "reason_code": "CYCLE_COUNT"}
    assert wms.post("/wms/v1/inventory/adjustments", json=adj).json()["on_hand"] == 7
    wms.post("/wms/v1/inventory/snapshot").raise_for_status()
    movement, snapshot = wait_for(lambda: len(hub[0].received) == 2 and hub[0].received)
    assert movement.path == "/v1/messages/stock_movement"
    assert (movement.body["reason_code"], movement.body["on_hand_after"]) == ("CYCLE_COUNT", 7)
    assert snapshot.path == "/v1/messages/inventory_position"
    assert {p["sku"]: p["on_hand"] for p in snapshot.body["positions"]} == {"SKU-1": 7, "SKU-2": 0}


def test_a_resent_expected_receipt_is_a_duplicate(wms: httpx.Client) -> None:
    assert wms.post("/wms/v1/expected-receipts", json=expected("ER-5")).json()["version"] == 1
    again = wms.post("/wms/v1/expected-receipts", json=expected("ER-5")).json()
    assert (again["version"], again["duplicate"]) == (1, True)
    assert wms.get("/_state").json()["stats"]["duplicates"] == 1
    bad = {"lines": [{"line_ref": "1", "qty_received": 4}, {"line_ref": "X", "qty_received": 1}]}
    assert wms.post("/wms/v1/expected-receipts/ER-5/receive", json=bad).status_code == 422
    assert wms.get("/wms/v1/expected-receipts/ER-5").json()["lines"][0]["qty_received"] == 0
