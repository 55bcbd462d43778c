"""The sandbox ERP over real loopback HTTP: its own API shape, its state, its events to the hub."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from crossdock.sandbox.erp import ErpService
from tests.integration.sandbox_helpers import FAST, Recorder, recording_hub, serve, wait_for


@pytest.fixture(scope="module")
def hub() -> Iterator[tuple[Recorder, str]]:
    with recording_hub() as running:
        yield running


@pytest.fixture(scope="module")
def erp_url(hub: tuple[Recorder, str]) -> Iterator[str]:
    service = ErpService(
        hub_url=hub[1], retry=FAST, settings={"opening_stock": {"DC-ATL": {"HP-100231": 40}}}
    )
    with serve(service) as url:
        yield url


@pytest.fixture
def erp(erp_url: str, hub: tuple[Recorder, str]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=erp_url, timeout=5.0) as client:
        client.post("/_reset").raise_for_status()
        hub[0].settle_and_clear()
        yield client


def purchase_order(doc_no: str = "PO-1001") -> dict[str, Any]:
    return {
        "docNo": doc_no,
        "vendorId": "V-10023",
        "shipToSite": "DC-ATL",
        "expectedDate": "2026-12-04",
        "lines": [
            {"lineNo": 1, "itemNo": "HP-100231", "qty": 10, "uom": "CS", "unitCost": 12.5},
            {"lineNo": 2, "itemNo": "HP-100232", "qty": 4, "uom": "EA", "unitCost": 3.25},
        ],
    }


def test_a_released_po_is_sent_to_the_hub_in_the_erps_own_shape(
    erp: httpx.Client, hub: tuple[Recorder, str]
) -> None:
    created = erp.post("/api/purchase-orders", json=purchase_order())
    assert created.status_code == 201
    assert created.json() == {"docNo": "PO-1001", "status": "Released"}

    recorder = hub[0]
    (sent,) = wait_for(lambda: recorder.on("/v1/messages/purchase_order"))
    assert sent.headers["idempotency-key"] == "erp-po-PO-1001-v1"
    assert sent.headers["x-crossdock-source"] == "erp"
    assert sent.body["eventType"] == "purchaseOrder.released"
    assert sent.body["vendorId"] == "V-10023"
    assert [ln["itemNo"] for ln in sent.body["lines"]] == ["HP-100231", "HP-100232"]
    assert "po_number" not in sent.body  # never the canonical model

    assert erp.post("/api/purchase-orders", json=purchase_order()).json()["duplicate"] is True
    changed = {**purchase_order(), "vendorId": "V-99999"}
    assert erp.post("/api/purchase-orders", json=changed).status_code == 409
    po = erp.get("/api/purchase-orders/PO-1001").json()
    assert po["status"] == "Released" and po["version"] == 1


def test_validation_names_every_missing_field(erp: httpx.Client) -> None:
    body = {"docNo": "PO-X", "lines": [{"lineNo": 1, "itemNo": "A"}]}
    response = erp.post("/api/purchase-orders", json=body)
    assert response.status_code == 422
    details = response.json()["details"]
    assert "vendorId: required" in details and "shipToSite: required" in details
    assert erp.post("/api/purchase-orders", content=b"{nope").status_code == 400
    assert erp.get("/api/purchase-orders/NOPE").status_code == 404


def test_procure_to_pay_state(erp: httpx.Client) -> None:
    erp.post("/api/purchase-orders", json=purchase_order()).raise_for_status()
    confirmation = {
        "confirmationNo": "ACK-1",
        "lines": [
            {"lineNo": 1, "status": "accepted", "qty": 10, "promisedDate": "2026-12-04"},
            {"lineNo": 2, "status": "changed", "qty": 3, "unitCost": 3.40},
        ],
    }
    path = "/api/purchase-orders/PO-1001/confirmations"
    assert erp.post(path, json=confirmation).status_code == 201
    assert erp.post(path, json=confirmation).json()["duplicate"] is True

    receipt = {
        "receiptNo": "GR-1",
        "docNo": "PO-1001",
        "site": "DC-ATL",
        "lines": [{"lineNo": 1, "itemNo": "HP-100231", "qtyReceived": 10, "qtyDamaged": 1}],
    }
    assert erp.post("/api/goods-receipts", json=receipt).json()["poStatus"] == "PartiallyReceived"
    assert erp.post("/api/goods-receipts", json=receipt).json()["duplicate"] is True
    receipt2 = {**receipt, "receiptNo": "GR-2", "lines": [{"lineNo": 2, "qtyReceived": 3}]}
    assert erp.post("/api/goods-receipts", json=receipt2).json()["poStatus"] == "Received"
    bad = {**receipt, "receiptNo": "GR-3", "docNo": "PO-NONE"}
    assert erp.post("/api/goods-receipts", json=bad).status_code == 422

    invoice = {
        "invoiceNo": "INV-77",
        "vendorId": "V-10023",
        "docNo": "PO-1001",
        "lines": [
            {"lineNo": 1, "qty": 10, "unitCost": 12.5},
            {"lineNo": 2, "qty": 3, "unitCost": 3.4},
        ],
        "total": 135.2,
    }
    assert erp.post("/api/ap/invoices", json={**invoice, "total": 99}).status_code == 422
    assert erp.post("/api/ap/invoices", json=invoice).json()["status"] == "ApprovedForPayment"
    assert erp.post("/api/ap/invoices", json=invoice).json()["duplicate"] is True

    po = erp.get("/api/purchase-orders/PO-1001").json()
    line1, line2 = po["lines"]
    assert (line1["qtyReceived"], line1["qtyDamaged"], line1["qtyInvoiced"]) == (10, 1, 10)
    assert (line2["lineStatus"], line2["qtyConfirmed"], line2["confirmedCost"]) == (
        "Changed",
        3,
        3.4,
    )
    assert po["receipts"] == ["GR-1", "GR-2"] and po["invoices"] == ["INV-77"]
    stock = {r["itemNo"]: r["onHand"] for r in erp.get("/api/inventory?site=DC-ATL").json()}
    assert stock == {"HP-100231": 40 + 9, "HP-100232": 3}
    state = erp.get("/_state").json()
    assert state["stats"]["duplicates"] == 3
    assert [i["invoiceNo"] for i in erp.get("/api/ap/invoices").json()] == ["INV-77"]


def test_po_change_and_cancel_are_new_versions(
    erp: httpx.Client, hub: tuple[Recorder, str]
) -> None:
    erp.post("/api/purchase-orders", json=purchase_order("PO-2")).raise_for_status()
    change = {"lines": [{"lineNo": 1, "qty": 6}, {"lineNo": 2, "cancel": True}]}
    assert erp.patch("/api/purchase-orders/PO-2", json=change).json()["version"] == 2
    assert erp.post("/api/purchase-orders/PO-2/cancel").json()["status"] == "Cancelled"
    assert erp.patch("/api/purchase-orders/PO-2", json=change).status_code == 409
    keys = wait_for(lambda: len(hub[0].keys()) == 3 and hub[0].keys())
    assert keys == ["erp-po-PO-2-v1", "erp-po-PO-2-v2", "erp-po-PO-2-v3"]
    assert [b["eventType"] for b in hub[0].bodies()][1:] == ["purchaseOrder.changed"] * 2


def test_order_to_cash_state(erp: httpx.Client, hub: tuple[Recorder, str]) -> None:
    order = {
        "orderNo": "SO-5001",
        "customerId": "C-88",
        "shipFromSite": "DC-ATL",
        "lines": [{"lineNo": 1, "itemNo": "HP-100231", "qty": 5, "uom": "CS", "unitPrice": 20.0}],
    }
    assert erp.post("/api/sales-orders", json=order).status_code == 201
    (released,) = wait_for(lambda: hub[0].on("/v1/messages/fulfillment_order"))
    assert released.body["eventType"] == "salesOrder.released"
    shipment = {"shipmentNo": "SH-1", "lines": [{"lineNo": 1, "qtyShipped": 4}]}
    assert erp.post("/api/sales-orders/SO-5001/shipments", json=shipment).status_code == 201
    assert erp.post("/api/sales-orders/SO-5001/shipments", json=shipment).json()["duplicate"]
    trigger = {"orderNo": "SO-5001", "deliveredAt": "2026-12-01T10:00:00Z", "signedBy": "KIM"}
    assert erp.post("/api/billing-triggers", json=trigger).json() == {
        "invoiceNo": "CI-SO-5001",
        "amount": 80.0,
    }
    again = erp.post("/api/billing-triggers", json={**trigger, "deliveredAt": "later"}).json()
    assert again["duplicate"] is True
    so = erp.get("/api/sales-orders/SO-5001").json()
    assert (so["status"], so["customerInvoice"], so["lines"][0]["qtyShipped"]) == (
        "Invoiced",
        "CI-SO-5001",
        4,
    )
    adjustment = {"movementId": "WMS-9", "site": "DC-ATL", "itemNo": "HP-100231", "qtyDelta": -2}
    assert erp.post("/api/inventory/adjustments", json=adjustment).status_code == 201
    assert erp.post("/api/inventory/adjustments", json=adjustment).json()["duplicate"]
    assert erp.get("/api/inventory").json() == [
        {"site": "DC-ATL", "itemNo": "HP-100231", "onHand": 40 - 4 - 2}
    ]


def test_a_document_naming_an_unknown_line_changes_nothing(erp: httpx.Client) -> None:
    erp.post("/api/purchase-orders", json=purchase_order("PO-9")).raise_for_status()
    receipt = {
        "receiptNo": "GR-9",
        "docNo": "PO-9",
        "site": "DC-ATL",
        "lines": [{"lineNo": 1, "qtyReceived": 10}, {"lineNo": 7, "qtyReceived": 1}],
    }
    rejected = erp.post("/api/goods-receipts", json=receipt)
    assert rejected.status_code == 422 and "[7]" in rejected.json()["error"]
    assert erp.get("/api/purchase-orders/PO-9").json()["lines"][0]["qtyReceived"] == 0
    receipt["lines"] = receipt["lines"][:1]  # the corrected resend under the same number is new
    assert erp.post("/api/goods-receipts", json=receipt).status_code == 201
