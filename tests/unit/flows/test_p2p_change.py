"""Procure-to-pay with PO changes (860) and the supplier's answers (865), on the real engine
and a SQLite store: what the flow expects follows the change, receipts and the three-way
match judge against it, a cancel ends the flow, an unknown PO is an exception."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from crossdock.hub.flows.model import HELD
from crossdock.hub.flows.procure_to_pay import NAME, definition
from tests.conftest import SqlStore
from tests.unit.flows.flow_driver import Driver
from tests.unit.flows.helpers import example
from tests.unit.flows.p2p_documents import (
    PO,
    accepted,
    invoice,
    purchase_order,
    receipt,
    ship_notice,
)

ITEMS = {line["line_number"]: line["item"] for line in example("purchase_order")["lines"]}


@pytest.fixture
def p2p(store: SqlStore) -> Driver:
    return Driver(store, [definition()])


def line(number: int, change: str, **values: Any) -> dict[str, Any]:
    """A change line: quantity / price as numbers, dates as ISO text."""
    out: dict[str, Any] = {"line_number": number, "change": change}
    out["item"] = ITEMS.get(number) or {"sku": f"HP-NEW-{number}", "description": "new item"}
    if "qty" in values:
        out["quantity"] = {"value": str(values["qty"]), "unit": "CS"}
    if "price" in values:
        out["unit_price"] = {"amount": values["price"], "currency": "USD"}
    if "date" in values:
        out["requested_delivery_date"] = values["date"]
    return out


def change(*lines: dict[str, Any], po_number: str = PO, **header: Any) -> dict[str, Any]:
    doc = copy.deepcopy(example("purchase_order_change"))
    doc.update(po_number=po_number, changed_at="2026-11-28T09:00:00+00:00", lines=list(lines))
    doc.update(header)
    return doc


def answer(*lines: dict[str, Any], status: str = "accepted", **header: Any) -> dict[str, Any]:
    doc = copy.deepcopy(example("purchase_order_change_acknowledgment"))
    doc.update(po_number=PO, status=status, acknowledged_at="2026-11-28T15:00:00+00:00")
    doc["lines"] = list(lines)
    doc.update(header)
    return doc


def answered(number: int, status: str, **values: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"line_number": number, "status": status, "item": ITEMS[number]}
    if "qty" in values:
        out["quantity"] = {"value": str(values["qty"]), "unit": "CS"}
    if "date" in values:
        out["promised_date"] = values["date"]
    return out


def opened(p2p: Driver) -> None:
    """The PO (120 / 80 / 60 cases) and an acknowledgment accepting it as ordered."""
    p2p.send("purchase_order", purchase_order())
    p2p.send("purchase_order_acknowledgment", accepted())


def test_a_change_is_what_receipts_and_the_invoice_match_are_judged_against(
    p2p: Driver,
) -> None:
    opened(p2p)
    p2p.send(
        "purchase_order_change",
        change(
            line(1, "price_change", price="23.00"),
            line(2, "quantity_decrease", qty=50),
            line(3, "cancel"),
        ),
    )
    state = p2p.state(NAME, PO)
    assert state.data["lines"]["1"]["price"] == "23.00"
    assert state.data["lines"]["3"]["cancelled"] is True
    schedule = {n: e["expected"] for n, e in state.data["schedule"].items()}
    assert schedule == {"1": "120", "2": "50", "3": "0"}

    p2p.send("advance_ship_notice", ship_notice("ASN-1", {1: 120, 2: 50}))
    p2p.send("goods_receipt", receipt("RCV-1", "ASN-1", {1: 120, 2: 50}))
    assert p2p.state(NAME, PO).state == "received"
    p2p.send("invoice", invoice("INV-1", {1: (120, "23.00"), 2: (50, "38.40")}))

    state = p2p.state(NAME, PO)
    assert (state.state, state.completed) == ("matched", True)
    assert p2p.exceptions() == []  # no short shipment for the cut line 2, none for line 3
    [approval] = p2p.emitted(NAME, "invoice_approval")
    assert Decimal(approval["approved_amount"]["amount"]) == Decimal(
        "4680.00"
    )  # 120 x 23.00 + 50 x 38.40


def test_an_invoice_at_the_price_before_the_change_is_a_price_mismatch(p2p: Driver) -> None:
    opened(p2p)
    p2p.send("purchase_order_change", change(line(1, "price_change", price="23.00")))
    p2p.send("advance_ship_notice", ship_notice("ASN-1", {1: 120, 2: 80, 3: 60}))
    p2p.send("goods_receipt", receipt("RCV-1", "ASN-1", {1: 120, 2: 80, 3: 60}))

    p2p.send("invoice", invoice("INV-1", {1: (120, "24.85"), 2: (80, "38.40"), 3: (60, "29.125")}))

    assert p2p.state(NAME, PO).state == "mismatch"
    [mismatch] = p2p.exceptions("price_mismatch")
    assert mismatch.data["po_line_number"] == 1


def test_a_raise_is_expected_once_the_supplier_accepts_it(p2p: Driver) -> None:
    opened(p2p)
    p2p.send(
        "purchase_order_change",
        change(
            line(1, "quantity_increase", qty=150),
            line(4, "add", qty=40, price="31.20", date="2026-12-03"),
            change_number="7",
        ),
    )
    state = p2p.state(NAME, PO)
    # The supplier promised 120 of line 1: more is not expected before it says yes.
    assert state.data["schedule"]["1"]["expected"] == "120"
    assert state.data["schedule"]["4"] == {"expected": "40", "unit": "CS", "date": "2026-12-03"}
    assert state.data["changes"]["7"]["answer"] is None

    p2p.send("purchase_order_change_acknowledgment", answer(change_number="7"))

    state = p2p.state(NAME, PO)
    assert state.data["schedule"]["1"]["expected"] == "150"
    assert state.data["changes"]["7"]["answer"]["status"] == "accepted"
    assert p2p.emitted(NAME, "purchase_order_change_acknowledgment") == []  # a plain yes


def test_a_rejected_line_is_put_back_and_the_erp_hears_of_it(p2p: Driver) -> None:
    opened(p2p)
    p2p.send(
        "purchase_order_change",
        change(line(2, "quantity_increase", qty=100), line(3, "date_change", date="2026-12-01")),
    )
    assert p2p.state(NAME, PO).data["lines"]["2"]["qty"] == "100"

    reply = answer(
        answered(2, "rejected"),
        answered(3, "changed", qty=40, date="2026-12-05"),
        status="accepted_with_changes",
    )
    p2p.send("purchase_order_change_acknowledgment", reply)

    state = p2p.state(NAME, PO)
    assert state.data["lines"]["2"]["qty"] == "80"  # as before the change
    assert state.data["schedule"]["2"]["expected"] == "80"
    # The counter-proposal is a promise: 40 expected on 2026-12-05; the order keeps 60.
    assert state.data["schedule"]["3"] == {"expected": "40", "unit": "CS", "date": "2026-12-05"}
    assert state.data["lines"]["3"]["qty"] == "60"
    [forwarded] = p2p.emitted(NAME, "purchase_order_change_acknowledgment")
    assert forwarded["status"] == "accepted_with_changes"


def test_a_cancelling_change_closes_the_flow_as_cancelled(p2p: Driver) -> None:
    p2p.send("purchase_order", purchase_order())
    assert p2p.timers(NAME, PO)

    cancel = p2p.send("purchase_order_change", change(purpose="cancel"))

    state = p2p.state(NAME, PO)
    assert (state.state, state.completed) == ("cancelled", True)
    assert state.data["cancelled"] == cancel.id
    assert p2p.timers(NAME, PO) == {}
    p2p.send("advance_ship_notice", ship_notice("ASN-1", {1: 120}))  # after the end: evidence
    assert p2p.state(NAME, PO).data["late_events"][0]["document_type"] == "advance_ship_notice"


def test_cancelling_every_line_cancels_the_order(p2p: Driver) -> None:
    opened(p2p)
    p2p.send(
        "purchase_order_change", change(line(1, "cancel"), line(2, "cancel"), line(3, "cancel"))
    )
    state = p2p.state(NAME, PO)
    assert (state.state, state.completed) == ("cancelled", True)


def test_a_change_for_an_unknown_po_is_an_exception_and_waits_for_the_order(
    p2p: Driver,
) -> None:
    message = p2p.send("purchase_order_change", change(line(2, "quantity_decrease", qty=50)))

    [raised] = p2p.exceptions("unknown_reference")
    assert PO in raised.detail and raised.evidence == [message.id]
    assert raised.owner_role == "buyer"
    state = p2p.state(NAME, PO)
    assert state.state == "new" and len(state.data[HELD]) == 1

    p2p.send("purchase_order", purchase_order())  # the order after all: the change applies

    assert p2p.state(NAME, PO).data["lines"]["2"]["qty"] == "50"


def test_a_change_naming_a_line_the_order_lacks_raises_it_and_applies_the_rest(
    p2p: Driver,
) -> None:
    opened(p2p)
    p2p.send(
        "purchase_order_change",
        change(line(9, "quantity_decrease", qty=5), line(2, "quantity_decrease", qty=70)),
    )
    [raised] = p2p.exceptions("unknown_reference")
    assert raised.data["unknown_lines"] == [9]
    assert p2p.state(NAME, PO).data["lines"]["2"]["qty"] == "70"


def test_a_seller_initiated_request_changes_nothing_and_goes_to_the_erp(p2p: Driver) -> None:
    opened(p2p)
    before = p2p.state(NAME, PO).data["schedule"]

    p2p.send(
        "purchase_order_change_acknowledgment",
        answer(answered(2, "changed", qty=60), status="accepted_with_changes"),
    )

    state = p2p.state(NAME, PO)
    assert state.data["schedule"] == before
    assert len(state.data["change_requests"]) == 1
    assert len(p2p.emitted(NAME, "purchase_order_change_acknowledgment")) == 1


def test_a_rejection_without_lines_puts_the_whole_change_back(p2p: Driver) -> None:
    opened(p2p)
    before = p2p.state(NAME, PO).data["lines"]
    p2p.send(
        "purchase_order_change",
        change(line(1, "price_change", price="20.00"), line(3, "cancel"), change_number="3"),
    )
    assert p2p.state(NAME, PO).data["lines"] != before

    p2p.send("purchase_order_change_acknowledgment", answer(status="rejected", change_number="3"))

    state = p2p.state(NAME, PO)
    assert state.data["lines"] == before
    assert state.data["changes"]["3"]["answer"]["status"] == "rejected"
    assert len(p2p.emitted(NAME, "purchase_order_change_acknowledgment")) == 1


def test_a_new_header_date_moves_the_lines_the_change_does_not_date(p2p: Driver) -> None:
    p2p.send("purchase_order", purchase_order())
    p2p.send(
        "purchase_order_change",
        change(line(2, "date_change", date="2026-12-08"), requested_delivery_date="2026-12-09"),
    )

    schedule = p2p.state(NAME, PO).data["schedule"]
    assert {n: e["date"] for n, e in schedule.items()} == {
        "1": "2026-12-09",
        "2": "2026-12-08",
        "3": "2026-12-09",
    }
    # The ship notice is due a day before the earliest date goods are now expected.
    assert p2p.timers(NAME, PO)["asn_due"].isoformat() == "2026-12-07T00:00:00+00:00"
