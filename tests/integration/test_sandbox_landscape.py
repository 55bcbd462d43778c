"""The whole landscape over real loopback HTTP: start, a procure-to-pay pass with the test playing
the hub's part, persistence across a restart, and `crossdock sandbox up` as a real process."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from crossdock.sandbox.landscape import Landscape, start_landscape
from tests.integration.sandbox_helpers import FAST, Recorder, recording_hub, wait_for

FAST_SETTINGS: dict[str, dict[str, Any]] = {
    "supplier": {"defaults": {"auto": True, "ack_after": 0.01, "ship_after": 0.01, "invoice_after": 0.01,
                              "late_by": 0, "late_days": 0, "short_ratio": 0.5, "price_delta": "0"},
                 "suppliers": {"S-SHORT": {"behaviour": "short_ship"}}},
    "wms": {"auto_receive_after": 0.01},
    "parcelwave": {"step_seconds": 0.01},
    "ridgeline": {"step_seconds": 0.01},
}  # fmt: skip


@pytest.fixture
def hub() -> Iterator[tuple[Recorder, str]]:
    with recording_hub() as running:
        yield running


@pytest.fixture
def land(hub: tuple[Recorder, str], tmp_path: Path) -> Iterator[Landscape]:
    with start_landscape(
        hub[1],
        state_dir=tmp_path,
        settings=FAST_SETTINGS,
        opening_stock={"DC-ATL": {"HP-1": 5}},
        retry=FAST,
    ) as running:
        yield running


def one(recorder: Recorder, path: str, handled: set[int]) -> Any:
    """The next unhandled body the 'hub' received on ``path``."""

    def find() -> Any:
        for i, r in enumerate(recorder.received):
            if path in r.path and i not in handled:
                handled.add(i)
                return r.body
        return None

    return wait_for(find)


def test_every_service_is_up_on_its_own_port(land: Landscape) -> None:
    urls = land.urls
    assert list(urls) == ["erp", "wms", "tms", "parcelwave", "ridgeline", "supplier"]
    assert len({u.rsplit(":", 1)[1] for u in urls.values()}) == 6
    for name, url in urls.items():
        health = httpx.get(f"{url}/_health").json()
        assert health["up"] is True, name
    tms_carriers = httpx.get(f"{urls['tms']}/_config").json()["settings"]["carriers"]
    assert tms_carriers["PWVE"]["url"] == urls["parcelwave"]


def test_procure_to_pay_with_a_short_shipment_ends_in_agreement(
    land: Landscape, hub: tuple[Recorder, str]
) -> None:
    """The test maps between the systems the way the hub's flows will, then checks that ERP and
    WMS agree on what was received and the ERP approved exactly what was shipped."""
    urls, recorder, seen = land.urls, hub[0], set[int]()
    erp, wms, portal = (httpx.Client(base_url=urls[n]) for n in ("erp", "wms", "supplier"))
    lines = [{"lineNo": 1, "itemNo": "HP-1", "qty": 10, "uom": "CS", "unitCost": 2.5},
             {"lineNo": 2, "itemNo": "HP-2", "qty": 4, "uom": "EA", "unitCost": 1.25}]  # fmt: skip
    erp.post("/api/purchase-orders", json={"docNo": "PO-7", "vendorId": "S-SHORT",
             "shipToSite": "DC-ATL", "lines": lines}).raise_for_status()  # fmt: skip
    po = one(recorder, "/purchase_order", seen)
    portal.post("/portal/api/orders", json={
        "poNumber": po["docNo"], "supplierId": po["vendorId"], "shipTo": po["shipToSite"],
        "lines": [{"lineNumber": ln["lineNo"], "buyerPartNumber": ln["itemNo"],
                   "quantity": ln["qty"], "price": ln["unitCost"]} for ln in po["lines"]],
    }).raise_for_status()  # fmt: skip
    ack = one(recorder, "/purchase_order_acknowledgment", seen)
    erp.post("/api/purchase-orders/PO-7/confirmations", json={
        "confirmationNo": ack["ackNumber"],
        "lines": [{"lineNo": ln["lineNumber"], "status": ln["status"].lower(),
                   "qty": ln["quantity"]} for ln in ack["lines"]],
    }).raise_for_status()  # fmt: skip
    asn = one(recorder, "/advance_ship_notice", seen)
    shipped = [ln for p in asn["packages"] for ln in p["lines"]]
    wms.post("/wms/v1/expected-receipts", json={
        "receipt_ref": asn["asnNumber"], "po_ref": asn["poNumber"], "asn_ref": asn["asnNumber"],
        "site": "DC-ATL", "lines": [{"line_ref": str(ln["lineNumber"]), "sku": ln["buyerPartNumber"],
                                     "qty_expected": ln["quantity"]} for ln in shipped],
    }).raise_for_status()  # fmt: skip
    receipt = one(recorder, "/goods_receipt", seen)
    erp.post("/api/goods-receipts", json={
        "receiptNo": receipt["event_id"], "docNo": receipt["po_ref"], "site": receipt["site"],
        "lines": [{"lineNo": int(ln["line_ref"]), "qtyReceived": ln["qty_received"]}
                  for ln in receipt["lines"]],
    }).raise_for_status()  # fmt: skip
    invoice = one(recorder, "/invoice", seen)
    erp.post("/api/ap/invoices", json={
        "invoiceNo": invoice["invoiceNumber"], "vendorId": invoice["supplierId"],
        "docNo": invoice["poNumber"], "total": float(invoice["total"]),
        "lines": [{"lineNo": ln["lineNumber"], "qty": ln["quantity"],
                   "unitCost": float(ln["unitPrice"])} for ln in invoice["lines"]],
    }).raise_for_status()  # fmt: skip

    po_state = erp.get("/api/purchase-orders/PO-7").json()
    assert [ln["qtyReceived"] for ln in po_state["lines"]] == [10, 2]  # short-shipped line 2
    assert [ln["qtyInvoiced"] for ln in po_state["lines"]] == [10, 2]
    assert po_state["status"] == "PartiallyReceived"
    erp_stock = {r["itemNo"]: r["onHand"] for r in erp.get("/api/inventory").json()}
    wms_stock = {r["sku"]: r["on_hand"] for r in wms.get("/wms/v1/inventory").json()}
    assert erp_stock == wms_stock == {"HP-1": 15, "HP-2": 2}
    assert erp.get("/api/ap/invoices").json()[0]["total"] == 27.5


def test_a_restarted_service_keeps_its_state_and_its_undelivered_events(
    land: Landscape, hub: tuple[Recorder, str], tmp_path: Path
) -> None:
    erp_url = land.urls["erp"]
    httpx.post(f"{erp_url}/_faults", json={"outbound_down": True}).raise_for_status()
    body = {"docNo": "PO-R", "vendorId": "V", "shipToSite": "DC-ATL",
            "lines": [{"lineNo": 1, "itemNo": "HP-1", "qty": 1, "uom": "EA", "unitCost": 1}]}  # fmt: skip
    httpx.post(f"{erp_url}/api/purchase-orders", json=body).raise_for_status()
    land.restart("erp")  # comes back healthy: faults are not persisted
    assert land.urls["erp"] == erp_url
    assert (tmp_path / "erp.json").exists()
    assert httpx.get(f"{erp_url}/api/purchase-orders/PO-R").json()["status"] == "Released"
    (sent,) = wait_for(lambda: hub[0].on("/purchase_order"))
    assert sent.headers["idempotency-key"] == "erp-po-PO-R-v1"
    stock = httpx.get(f"{erp_url}/api/inventory").json()
    assert stock == [{"site": "DC-ATL", "itemNo": "HP-1", "onHand": 5}]
    duplicate = httpx.post(f"{erp_url}/api/purchase-orders", json=body).json()
    assert duplicate["duplicate"] is True


def free_base_port() -> int:
    """A run of six free ports (best effort: probe them)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = int(s.getsockname()[1])
        if base + 6 >= 65535:
            continue
        probes = []
        try:
            for offset in range(6):
                p = socket.socket()
                probes.append(p)
                p.bind(("127.0.0.1", base + offset))
            return base
        except OSError:
            continue
        finally:
            for p in probes:
                p.close()
    raise RuntimeError("no run of free ports")


def test_cli_sandbox_up_serves_until_terminated(tmp_path: Path) -> None:
    base = free_base_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    cmd = [sys.executable, "-c", "from crossdock.entrypoints.cli import main; main()",
           "sandbox", "up", "--base-port", str(base), "--hub-url", "http://127.0.0.1:9",
           "--state-dir", str(tmp_path), "--json"]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        lines = [first]
        while not lines[-1].startswith("}"):
            lines.append(proc.stdout.readline())
        printed = json.loads("".join(lines))
        assert printed["urls"]["erp"] == f"http://127.0.0.1:{base}"
        assert printed["urls"]["supplier"] == f"http://127.0.0.1:{base + 5}"
        assert httpx.get(f"http://127.0.0.1:{base + 1}/_health").json()["service"] == "wms"
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "erp.json", "parcelwave.json", "ridgeline.json", "supplier.json", "tms.json", "wms.json",
    ]  # fmt: skip
