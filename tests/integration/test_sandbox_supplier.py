"""The sandbox supplier portal over real loopback HTTP: each supplier behaviour, driven by its own
schedule or by hand, and the acknowledgment / ASN / invoice documents it sends to the hub."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from crossdock.sandbox.supplier import SupplierPortal, sscc
from tests.integration.sandbox_helpers import FAST, Recorder, recording_hub, serve, wait_for

FAST_SUPPLIERS = {
    "defaults": {"auto": True, "ack_after": 0.01, "ship_after": 0.01, "invoice_after": 0.01,
                 "late_by": 3600.0, "late_days": 3, "short_ratio": 0.5, "price_delta": "0.25"},
    "suppliers": {
        "S-LATE": {"behaviour": "late"},
        "S-SILENT": {"behaviour": "silent"},
        "S-SHORT": {"behaviour": "short_ship"},
        "S-PRICE": {"behaviour": "price_mismatch"},
        "S-REJECT": {"behaviour": "reject_line"},
        "S-MANUAL": {"auto": False},
    },
}  # fmt: skip


@pytest.fixture(scope="module")
def hub() -> Iterator[tuple[Recorder, str]]:
    with recording_hub() as running:
        yield running


@pytest.fixture(scope="module")
def portal_url(hub: tuple[Recorder, str]) -> Iterator[str]:
    with serve(SupplierPortal(hub_url=hub[1], retry=FAST, settings=FAST_SUPPLIERS)) as url:
        yield url


@pytest.fixture
def portal(portal_url: str, hub: tuple[Recorder, str]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=portal_url, timeout=5.0) as client:
        client.post("/_reset").raise_for_status()
        hub[0].settle_and_clear()
        yield client


def order(supplier: str, po: str = "PO-1", **more: Any) -> dict[str, Any]:
    return {
        "poNumber": po,
        "supplierId": supplier,
        "requestedDelivery": "2026-12-10",
        "currency": "USD",
        "lines": [
            {"lineNumber": 1, "partNumber": "CP-MF250W", "buyerPartNumber": "HP-1", "quantity": 10,
             "unitOfMeasure": "CS", "price": "12.50"},
            {"lineNumber": 2, "buyerPartNumber": "HP-2", "quantity": 7, "unitOfMeasure": "EA",
             "price": 3.1},
        ],
        **more,
    }  # fmt: skip


def documents(hub: tuple[Recorder, str], n: int) -> list[Any]:
    return wait_for(lambda: len(hub[0].received) >= n and hub[0].received)[:n]


def test_on_time_supplier_acknowledges_ships_and_invoices(
    portal: httpx.Client, hub: tuple[Recorder, str]
) -> None:
    assert portal.post("/portal/api/orders", json=order("S-GOOD")).status_code == 201
    assert portal.post("/portal/api/orders", json=order("S-GOOD")).json()["duplicate"] is True
    ack, asn, invoice = documents(hub, 3)
    assert [ack.path, asn.path, invoice.path] == [
        "/v1/messages/purchase_order_acknowledgment",
        "/v1/messages/advance_ship_notice",
        "/v1/messages/invoice",
    ]
    assert (
        ack.headers["x-supplier-id"] == "S-GOOD"
        and ack.headers["x-crossdock-source"] == "supplier-portal"
    )
    assert ack.body["status"] == "ACCEPTED"
    assert [ln["promisedDate"] for ln in ack.body["lines"]] == ["2026-12-10"] * 2
    assert [ln["partNumber"] for ln in ack.body["lines"]] == ["CP-MF250W", "HP-2"]
    shipped = [ln["quantity"] for p in asn.body["packages"] for ln in p["lines"]]
    assert shipped == [10, 7]
    assert all(len(p["sscc"]) == 18 for p in asn.body["packages"])
    assert invoice.body["total"] == "146.70" and invoice.body["asnNumber"] == asn.body["asnNumber"]
    assert invoice.headers["idempotency-key"] == "s-good-inv-po-1"
    state = portal.get("/portal/api/orders/S-GOOD/PO-1").json()
    assert state["status"] == "INVOICED"
    assert portal.get("/_state").json()["stats"]["duplicates"] == 1


def test_short_shipping_supplier_ships_and_bills_half_the_last_line(
    portal: httpx.Client, hub: tuple[Recorder, str]
) -> None:
    portal.post("/portal/api/orders", json=order("S-SHORT")).raise_for_status()
    _, asn, invoice = documents(hub, 3)
    assert [ln["quantity"] for p in asn.body["packages"] for ln in p["lines"]] == [10, 3]
    assert [ln["quantity"] for ln in invoice.body["lines"]] == [10, 3]


def test_price_mismatch_supplier_invoices_above_the_po_price(
    portal: httpx.Client, hub: tuple[Recorder, str]
) -> None:
    portal.post("/portal/api/orders", json=order("S-PRICE")).raise_for_status()
    ack, _, invoice = documents(hub, 3)
    assert ack.body["lines"][0]["price"] == "12.50"
    assert invoice.body["lines"][0]["unitPrice"] == "12.75"
    assert Decimal(invoice.body["total"]) == Decimal("12.75") * 10 + Decimal("3.10") * 7


def test_reject_line_supplier_rejects_and_never_ships_the_last_line(
    portal: httpx.Client, hub: tuple[Recorder, str]
) -> None:
    portal.post("/portal/api/orders", json=order("S-REJECT")).raise_for_status()
    ack, asn, _ = documents(hub, 3)
    assert ack.body["status"] == "ACCEPTED_WITH_CHANGES"
    assert [ln["status"] for ln in ack.body["lines"]] == ["ACCEPTED", "REJECTED"]
    assert [ln["lineNumber"] for p in asn.body["packages"] for ln in p["lines"]] == [1]


def test_silent_supplier_never_answers(portal: httpx.Client, hub: tuple[Recorder, str]) -> None:
    portal.post("/portal/api/orders", json=order("S-SILENT")).raise_for_status()
    portal.post("/_clock", json={"advance": 86400 * 30}).raise_for_status()
    assert hub[0].received == []
    assert portal.get("/portal/api/orders/S-SILENT/PO-1").json()["status"] == "RECEIVED"


def test_late_supplier_answers_after_its_delay_with_a_later_date(
    portal: httpx.Client, hub: tuple[Recorder, str]
) -> None:
    portal.post("/portal/api/orders", json=order("S-LATE")).raise_for_status()
    assert portal.get("/_state").json()["scheduled"] == 1
    assert hub[0].received == []
    portal.post("/_clock", json={"advance": 3601}).raise_for_status()
    (ack,) = documents(hub, 1)
    assert [ln["promisedDate"] for ln in ack.body["lines"]] == ["2026-12-13"] * 2
    assert len(hub[0].received) == 1  # shipping is another hour late
    portal.post("/_clock", json={"advance": 3600}).raise_for_status()
    documents(hub, 3)


def test_manual_supplier_is_stepped_by_the_driver(
    portal: httpx.Client, hub: tuple[Recorder, str]
) -> None:
    portal.post("/portal/api/orders", json=order("S-MANUAL")).raise_for_status()
    base = "/portal/api/orders/S-MANUAL/PO-1"
    change = {"lines": [{"lineNumber": 2, "status": "CHANGED", "quantity": 5}]}
    assert (
        portal.post(f"{base}/acknowledge", json=change).json()["status"] == "ACCEPTED_WITH_CHANGES"
    )
    asn = portal.post(f"{base}/ship", json={"lines": [{"lineNumber": 1, "quantity": 8}]}).json()
    assert [ln["quantity"] for p in asn["packages"] for ln in p["lines"]] == [8, 5]
    invoice = portal.post(f"{base}/invoice", json={}).json()
    assert invoice["total"] == str(Decimal("12.50") * 8 + Decimal("3.10") * 5)
    assert len(documents(hub, 3)) == 3
    assert (
        portal.post("/portal/api/orders", json=order("S-MANUAL", currency="EUR")).status_code == 409
    )


def test_change_order_supersedes_the_pending_acknowledgment(
    portal: httpx.Client, hub: tuple[Recorder, str]
) -> None:
    portal.post("/_config", json={"settings": {"suppliers": {**FAST_SUPPLIERS["suppliers"],
                "S-CHG": {"ack_after": 3600}}}}).raise_for_status()  # fmt: skip
    portal.post("/portal/api/orders", json=order("S-CHG")).raise_for_status()
    changed = order("S-CHG", purpose="change")
    changed["lines"][0]["quantity"] = 4
    assert portal.post("/portal/api/orders", json=changed).json()["status"] == "RECEIVED"
    portal.post("/_clock", json={"advance": 3601}).raise_for_status()
    ack = documents(hub, 1)[0]
    assert ack.body["ackNumber"] == "ACK-PO-1-2" and ack.body["lines"][0]["quantity"] == 4
    cancel = order("S-CHG", po="PO-2", purpose="cancel")
    assert portal.post("/portal/api/orders", json=cancel).json()["status"] == "CANCELLED"


def test_portal_validation(portal: httpx.Client) -> None:
    response = portal.post("/portal/api/orders", json={"poNumber": "X", "lines": [{}]})
    assert response.status_code == 422
    assert "supplierId: required" in response.json()["details"]
    assert portal.get("/portal/api/orders/NOPE/X").status_code == 404


def test_sscc_check_digit() -> None:
    assert sscc(123456789, prefix="0614141", extension="1") == "106141411234567897"  # GS1's example
    codes = {sscc(n) for n in range(200)}
    assert len(codes) == 200 and all(len(c) == 18 and c.isdigit() for c in codes)


def test_x12_supplier_reads_an_850_and_answers_855_856_810(
    portal: httpx.Client, hub: tuple[Recorder, str]
) -> None:
    from crossdock.x12.reader import read_transactions
    from crossdock.x12.validator import validate
    from tests.conftest import ROOT

    settings = {"suppliers": {**FAST_SUPPLIERS["suppliers"], "PARTNERTEST": {"channel": "x12"}}}
    portal.post("/_config", json={"settings": settings}).raise_for_status()
    interchange = (ROOT / "tests" / "fixtures" / "x12" / "850.edi").read_bytes()
    answer = portal.post("/portal/edi", content=interchange)
    assert answer.status_code == 202 and answer.json()["orders"][0]["status"] == "RECEIVED"
    order = portal.get("/portal/api/orders/PARTNERTEST/HP-PO-2024-018734").json()["order"]
    assert order["requestedDelivery"] == "2024-11-13" and order["currency"] == "USD"
    assert [(ln["buyerPartNumber"], ln["partNumber"], ln["quantity"]) for ln in order["lines"]] == [
        ("HP-100231", "CP-MF250W", 120), ("HP-100877", "CP-NG100L", 80), ("HP-101502", "CP-TL4046B", 60),
    ]  # fmt: skip
    sent = documents(hub, 3)
    assert {r.path for r in sent} == {"/v1/edi"}
    assert all(r.headers["content-type"] == "application/edi-x12" for r in sent)
    codes = []
    for received in sent:
        (tx,) = list(read_transactions(received.body))
        result = validate(tx)
        assert result.accepted, [str(i) for i in result.issues]
        codes.append(tx.code)
    assert codes == ["855", "856", "810"]
    assert "IT1*3*60*CS*29.125**" in sent[2].body
    assert "TDS*780150~" in sent[2].body  # 120 * 24.85 + 80 * 38.40 + 60 * 29.125, in cents
    assert portal.post("/portal/edi", content=b"not x12").status_code == 400
