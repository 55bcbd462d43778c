"""Procure-to-pay: the put-away step (not a second receipt) and short shipments that the
supplier's own ship notices declare, including duplicates and out-of-order arrival."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest

from crossdock.hub.flows import p2p_ledger as ledger
from crossdock.hub.flows.model import HELD
from crossdock.hub.flows.procure_to_pay import NAME, definition
from tests.conftest import SqlStore
from tests.unit.flows.flow_driver import Driver
from tests.unit.flows.p2p_documents import (
    FULL_ASN,
    FULL_INVOICE,
    PO,
    accepted,
    acknowledgment,
    invoice,
    purchase_order,
    putaway,
    receipt,
    ship_notice,
)

RECEIVED = ("goods_receipt", receipt("RCV-1", "ASN-1", FULL_ASN))
STORED = [
    ("stock_movement", putaway(f"PA-{line}", "RCV-1", line, qty)) for line, qty in FULL_ASN.items()
]


@pytest.fixture
def p2p(store: SqlStore) -> Driver:
    return Driver(store, [definition()])


def run(driver: Driver, *steps: tuple[str, dict[str, Any]]) -> None:
    for document_type, document in steps:
        driver.send(document_type, copy.deepcopy(document))


def opened(driver: Driver, ack: dict[str, Any] | None = None) -> None:
    run(
        driver,
        ("purchase_order", purchase_order()),
        ("purchase_order_acknowledgment", ack or acknowledgment()),
    )


# -- put-away ----------------------------------------------------------------------------------


def test_a_put_away_is_its_own_step_and_counts_nothing_again(p2p: Driver) -> None:
    opened(p2p)
    run(p2p, ("advance_ship_notice", ship_notice("ASN-1", FULL_ASN)), RECEIVED)
    assert p2p.state(NAME, PO).state == "received"
    run(p2p, *STORED[:2])
    assert p2p.state(NAME, PO).state == "received"  # line 3 not stored yet
    run(p2p, STORED[2])
    state = p2p.state(NAME, PO)
    assert state.state == "put_away"
    assert ledger.put_away(state.data) == {"1": 120, "2": 60, "3": 60}
    assert ledger.received(state.data, "counted") == {"1": 120, "2": 60, "3": 60}
    assert state.data["putaways"]["PA-2"]["receipt"] == "RCV-1"
    assert p2p.exceptions() == []  # no over_receipt
    p2p.send("invoice", invoice("INV-1", FULL_INVOICE))
    assert p2p.state(NAME, PO).state == "matched"
    assert len(p2p.emitted(NAME, "invoice_approval")) == 1


def test_a_put_away_before_its_receipt_is_booked_and_counts_nothing(p2p: Driver) -> None:
    opened(p2p)
    run(p2p, ("advance_ship_notice", ship_notice("ASN-1", FULL_ASN)), *STORED)
    state = p2p.state(NAME, PO)
    assert state.state == "shipped" and "receipts" not in state.data
    assert ledger.put_away(state.data) == {"1": 120, "2": 60, "3": 60}
    run(p2p, RECEIVED)
    assert p2p.state(NAME, PO).state == "put_away"
    assert p2p.exceptions() == []


def test_a_put_away_before_its_purchase_order_waits_for_it(p2p: Driver) -> None:
    run(p2p, STORED[0])
    assert p2p.state(NAME, PO).state == "new" and len(p2p.state(NAME, PO).data[HELD]) == 1
    opened(p2p)
    state = p2p.state(NAME, PO)
    assert HELD not in state.data and list(state.data["putaways"]) == ["PA-1"]


def test_a_resent_put_away_is_booked_once(p2p: Driver) -> None:
    opened(p2p)
    run(p2p, ("advance_ship_notice", ship_notice("ASN-1", FULL_ASN)), RECEIVED)
    p2p.send(*STORED[0], key="same")
    p2p.send(*STORED[0], key="same")  # intake dedup
    p2p.send(*STORED[0])  # resent under another key: replaces itself
    state = p2p.state(NAME, PO)
    assert list(state.data["putaways"]) == ["PA-1"] and ledger.put_away(state.data) == {"1": 120}
    assert p2p.exceptions() == []


def test_other_stock_movements_are_not_the_orders_business(p2p: Driver) -> None:
    opened(p2p)
    adjustment = putaway("ADJ-1", None, 1, 5) | {"movement_type": "adjustment_in"}
    p2p.send("stock_movement", adjustment)
    assert "putaways" not in p2p.state(NAME, PO).data
    assert ledger.putaway_keys(adjustment) == []
    assert ledger.putaway_keys(putaway("PA-1", "RCV-1", 1, 5)) == [PO]


def test_a_put_away_after_the_match_is_evidence(p2p: Driver) -> None:
    opened(p2p)
    run(
        p2p,
        ("advance_ship_notice", ship_notice("ASN-1", FULL_ASN)),
        RECEIVED,
        ("invoice", invoice("INV-1", FULL_INVOICE)),
    )
    late = p2p.send(*STORED[0])
    state = p2p.state(NAME, PO)
    assert state.state == "matched" and state.data["late_events"] == [
        {"message_id": late.id, "document_type": "stock_movement"}
    ]


# -- short shipment declared in the ship notice ------------------------------------------------

SHORT_ASN = {1: 120, 2: 60, 3: 30}  # the acknowledgment promised 60 on line 3


def test_a_notice_shipping_less_than_acknowledged_raises_short_shipment(p2p: Driver) -> None:
    opened(p2p)
    po = p2p.state(NAME, PO).data["orders"][0]
    asn = p2p.send("advance_ship_notice", ship_notice("ASN-1", SHORT_ASN))
    assert p2p.exceptions() == []  # not judged before the goods land
    p2p.send("goods_receipt", receipt("RCV-1", "ASN-1", SHORT_ASN))
    [short] = p2p.exceptions()
    assert (short.category, short.owner_role, short.correlation_key) == (
        "short_shipment",
        "buyer",
        PO,
    )
    assert po in short.evidence and asn.id in short.evidence
    assert short.data == {
        "po_line_number": 3,
        "ordered": "60",
        "acknowledged": "60",
        "expected": "60",
        "shipped": "30",
        "difference": "30",
        "asn_numbers": ["ASN-1"],
    }
    # Billed for what came: the short order still matches and closes (the balance is the
    # buyer's, through the exception).
    p2p.send("invoice", invoice("INV-1", {**FULL_INVOICE, 3: (30, "29.125")}))
    state = p2p.state(NAME, PO)
    assert (state.state, state.completed) == ("matched", True)
    assert len(p2p.emitted(NAME, "invoice_approval")) == 1
    assert len(p2p.exceptions()) == 1


def test_the_short_is_judged_against_the_acknowledged_promise(p2p: Driver) -> None:
    opened(p2p)  # line 2: ordered 80, the supplier promised 60
    lines = {1: 120, 2: 50, 3: 60}
    run(
        p2p,
        ("advance_ship_notice", ship_notice("ASN-1", lines)),
        ("goods_receipt", receipt("RCV-1", "ASN-1", lines)),
    )
    [short] = p2p.exceptions()
    assert (short.data["ordered"], short.data["acknowledged"]) == ("80", "60")
    assert (short.data["shipped"], short.data["difference"]) == ("50", "10")


@pytest.mark.parametrize("first", ["receipt", "asn"])
def test_short_shipment_once_across_duplicates_and_order(p2p: Driver, first: str) -> None:
    opened(p2p, accepted())  # line 2: 80 promised
    lines = {**SHORT_ASN, 2: 80}
    notice = ("advance_ship_notice", ship_notice("ASN-1", lines))
    got = ("goods_receipt", receipt("RCV-1", "ASN-1", lines))
    steps = [got, notice] if first == "receipt" else [notice, got]
    run(p2p, *steps, *steps, *STORED[:2])  # the receipt before its notice, then both resent
    [short] = p2p.exceptions()
    assert short.data["po_line_number"] == 3 and short.data["difference"] == "30"


def test_documents_before_the_acknowledgment_wait_for_its_promise(p2p: Driver) -> None:
    """The acknowledgment cut line 2 to 60 and the notice shipped 60: not short, even when
    the acknowledgment comes after the goods."""
    run(
        p2p,
        ("purchase_order", purchase_order()),
        ("advance_ship_notice", ship_notice("ASN-1", FULL_ASN)),
        RECEIVED,
    )
    assert p2p.exceptions() == []
    p2p.send("purchase_order_acknowledgment", acknowledgment())
    assert p2p.exceptions() == []


def test_without_an_acknowledgment_the_order_is_the_reference(p2p: Driver) -> None:
    run(
        p2p,
        ("purchase_order", purchase_order()),
        ("advance_ship_notice", ship_notice("ASN-1", FULL_ASN)),
        RECEIVED,
    )
    p2p.advance(timedelta(hours=25))  # the acknowledgment is overdue
    categories = sorted(e.category for e in p2p.exceptions())
    assert categories == ["late_acknowledgment", "short_shipment"]
    [short] = p2p.exceptions("short_shipment")
    assert (short.data["po_line_number"], short.data["difference"]) == (2, "20")


def test_an_unannounced_second_truck_is_reported_short_once(p2p: Driver) -> None:
    opened(p2p, accepted())
    run(
        p2p,
        ("advance_ship_notice", ship_notice("ASN-1", {1: 60, 2: 80, 3: 60})),
        ("goods_receipt", receipt("RCV-1", "ASN-1", {1: 60, 2: 80, 3: 60})),
    )
    [short] = p2p.exceptions()
    assert short.data["po_line_number"] == 1 and short.data["difference"] == "60"
    run(
        p2p,
        ("advance_ship_notice", ship_notice("ASN-2", {1: 60})),
        ("goods_receipt", receipt("RCV-2", "ASN-2", {1: 60})),
        ("invoice", invoice("INV-1", {1: (120, "24.85"), 2: (80, "38.40"), 3: (60, "29.125")})),
    )
    assert p2p.state(NAME, PO).state == "matched" and len(p2p.exceptions()) == 1


def test_a_backordered_line_is_not_short_and_keeps_the_order_open(p2p: Driver) -> None:
    ack = accepted()
    ack["status"] = "accepted_with_changes"
    ack["lines"][2].update(status="backordered", promised_date="2026-12-20")
    opened(p2p, ack)
    first = {1: 120, 2: 80, 3: 20}
    run(
        p2p,
        ("advance_ship_notice", ship_notice("ASN-1", first)),
        ("goods_receipt", receipt("RCV-1", "ASN-1", first)),
        ("invoice", invoice("INV-1", {1: (120, "24.85"), 2: (80, "38.40"), 3: (20, "29.125")})),
    )
    assert p2p.exceptions() == []
    state = p2p.state(NAME, PO)
    assert (state.state, state.completed) == ("partially_matched", False)  # the rest is due
    run(
        p2p,
        ("advance_ship_notice", ship_notice("ASN-2", {3: 40})),
        ("goods_receipt", receipt("RCV-2", "ASN-2", {3: 40})),
        ("invoice", invoice("INV-2", {3: (40, "29.125")})),
    )
    assert p2p.state(NAME, PO).state == "matched" and p2p.exceptions() == []
