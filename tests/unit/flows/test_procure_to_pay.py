"""Procure-to-pay on the real engine and a SQLite store: each real-world case of issue 4."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from crossdock.hub.flows.model import HELD
from crossdock.hub.flows.p2p_policy import PartnerTerms, ProcureToPayPolicy
from crossdock.hub.flows.procure_to_pay import NAME, definition
from crossdock.hub.flows.three_way_match import Tolerance, Tolerances
from crossdock.hub.records import MessageFilter
from tests.conftest import SqlStore
from tests.unit.flows.flow_driver import Driver
from tests.unit.flows.helpers import T0, recorded
from tests.unit.flows.p2p_documents import (
    FULL_ASN,
    FULL_INVOICE,
    PO,
    accepted,
    acknowledgment,
    invoice,
    purchase_order,
    receipt,
    ship_notice,
    shipped,
)


@pytest.fixture
def p2p(store: SqlStore) -> Driver:
    return Driver(store, [definition()])


def run(driver: Driver, *steps: tuple[str, dict[str, object]]) -> None:
    for document_type, document in steps:
        driver.send(document_type, dict(document))


def test_the_happy_path_ends_in_an_approved_invoice(p2p: Driver) -> None:
    po = p2p.send("purchase_order", purchase_order())
    state = p2p.state(NAME, PO)
    assert state.state == "awaiting_acknowledgment"
    asn_due = datetime(2026, 12, 3, tzinfo=UTC) - timedelta(days=1)  # a day before line 2
    assert p2p.timers(NAME, PO) == {"ack_due": T0 + timedelta(hours=24), "asn_due": asn_due}

    ack = p2p.send("purchase_order_acknowledgment", acknowledgment())
    state = p2p.state(NAME, PO)
    assert state.state == "acknowledged"
    assert state.data["schedule"]["2"] == {"expected": "60", "unit": "CS", "date": "2026-12-02"}
    assert state.data["ack"]["2"]["status"] == "changed"
    assert p2p.timers(NAME, PO) == {"asn_due": datetime(2026, 12, 1, tzinfo=UTC)}
    [forwarded] = p2p.emitted(NAME, "purchase_order_acknowledgment")  # the change, to the ERP
    assert forwarded["lines"][1]["promised_quantity"]["value"] == "60"

    p2p.send("advance_ship_notice", ship_notice("ASN-1", FULL_ASN))
    assert p2p.state(NAME, PO).state == "shipped"
    p2p.send("goods_receipt", receipt("RCV-1", "ASN-1", FULL_ASN))
    assert p2p.state(NAME, PO).state == "received"
    inv = p2p.send("invoice", invoice("INV-1", FULL_INVOICE))

    state = p2p.state(NAME, PO)
    assert (state.state, state.completed) == ("matched", True)
    assert p2p.timers(NAME, PO) == {}
    assert p2p.exceptions() == []
    [approval] = p2p.emitted(NAME, "invoice_approval")
    assert (approval["invoice_number"], approval["po_number"]) == ("INV-1", PO)
    assert Decimal(approval["approved_amount"]["amount"]) == Decimal("7033.50")
    assert [line["po_line_number"] for line in approval["lines"]] == [1, 2, 3]
    assert (state.data["orders"], state.data["ack_message"]) == ([po.id], ack.id)
    assert state.data["invoices"] == {"INV-1": "approved"}
    with p2p.store.uow.reader() as uow:  # the approval names the invoice as its cause
        [summary] = uow.messages.find(MessageFilter(document_type="invoice_approval"))
        stored = uow.messages.get(summary.id)
    assert stored is not None and stored.causation_id == inv.id
    assert summary.correlation_key == "INV-1"


def test_an_acknowledgment_without_changes_is_not_sent_back(p2p: Driver) -> None:
    run(p2p, ("purchase_order", purchase_order()), ("purchase_order_acknowledgment", accepted()))
    assert p2p.state(NAME, PO).state == "acknowledged"
    assert p2p.emitted(NAME) == []


def test_a_rejected_line_expects_nothing_and_is_sent_back(p2p: Driver) -> None:
    ack = acknowledgment()
    ack["lines"][2].update(status="rejected", promised_quantity=None, reason="discontinued")
    del ack["lines"][2]["promised_quantity"]
    run(p2p, ("purchase_order", purchase_order()), ("purchase_order_acknowledgment", ack))
    assert p2p.state(NAME, PO).data["schedule"]["3"]["expected"] == "0"
    assert len(p2p.emitted(NAME, "purchase_order_acknowledgment")) == 1
    assert p2p.exceptions() == []


def test_duplicate_events_are_harmless(p2p: Driver) -> None:
    p2p.send("purchase_order", purchase_order())
    p2p.send("purchase_order_acknowledgment", acknowledgment(), key="ack")
    p2p.send("purchase_order_acknowledgment", acknowledgment(), key="ack")  # intake dedup
    asn = ship_notice("ASN-1", FULL_ASN)
    p2p.send("advance_ship_notice", asn)
    p2p.send("advance_ship_notice", asn)  # resent under another key: booked once
    p2p.send("goods_receipt", receipt("RCV-1", "ASN-1", {1: 120, 2: 58, 3: 60}))
    p2p.send("goods_receipt", receipt("RCV-1", "ASN-1", {1: 120, 2: 58, 3: 60}))
    state = p2p.state(NAME, PO)
    assert list(state.data["asns"]) == ["ASN-1"] and list(state.data["receipts"]) == ["RCV-1"]
    assert [e.category for e in p2p.exceptions()] == ["short_shipment"]  # raised once
    assert len(p2p.emitted(NAME, "purchase_order_acknowledgment")) == 1


def test_a_redelivered_bus_entry_is_claimed_once(p2p: Driver) -> None:
    p2p.send("purchase_order", purchase_order())
    recorded(p2p.store, "purchase_order_acknowledgment", acknowledgment(), key="ack")
    entries = p2p.store.bus.fetch(p2p.group.name, 10)
    for _ in range(2):  # handled, then handed out again (a crash before the bus ack)
        with p2p.store.uow() as uow:
            result = p2p.engine.handle_batch(uow, p2p.group.name, entries)
            uow.commit()
    assert (result.duplicates, result.advanced, result.emitted) == (1, 0, 0)
    assert p2p.state(NAME, PO).version == 2
    assert len(p2p.emitted(NAME, "purchase_order_acknowledgment")) == 1


def test_documents_before_their_purchase_order_wait_for_it(p2p: Driver) -> None:
    p2p.send("purchase_order_acknowledgment", acknowledgment())
    p2p.send("advance_ship_notice", ship_notice("ASN-1", FULL_ASN))
    early = p2p.state(NAME, PO)
    assert early.state == "new" and len(early.data[HELD]) == 2

    p2p.send("purchase_order", purchase_order())
    state = p2p.state(NAME, PO)
    assert state.state == "shipped" and HELD not in state.data
    assert "ack" in state.data and "ASN-1" in state.data["asns"]
    assert p2p.timers(NAME, PO) == {}  # ack due and ASN due both answered


def test_a_ship_notice_before_the_acknowledgment(p2p: Driver) -> None:
    run(
        p2p,
        ("purchase_order", purchase_order()),
        ("advance_ship_notice", ship_notice("ASN-1", FULL_ASN)),
    )
    assert p2p.state(NAME, PO).state == "shipped"
    p2p.send("purchase_order_acknowledgment", acknowledgment())
    state = p2p.state(NAME, PO)
    assert state.state == "shipped" and state.data["ack"]["2"]["promised"] == "60"
    assert p2p.timers(NAME, PO) == {}  # the acknowledgment does not restart "ASN due"
    assert p2p.exceptions() == []


def test_a_receipt_before_its_ship_notice_is_checked_when_the_notice_comes(p2p: Driver) -> None:
    run(
        p2p,
        ("purchase_order", purchase_order()),
        ("purchase_order_acknowledgment", acknowledgment()),
    )
    p2p.send("goods_receipt", receipt("RCV-1", "ASN-1", {1: 110, 2: 60, 3: 60}))
    assert p2p.state(NAME, PO).state == "receiving" and p2p.exceptions() == []
    p2p.send("advance_ship_notice", ship_notice("ASN-1", FULL_ASN))
    [short] = p2p.exceptions()
    assert short.category == "short_shipment" and short.correlation_key == PO
    assert short.data == {
        "asn_number": "ASN-1",
        "po_line_number": 1,
        "shipped": "120",
        "received": "110",
        "difference": "10",
    }


def test_an_invoice_before_the_goods_waits_for_the_receipt(p2p: Driver) -> None:
    run(
        p2p,
        *shipped(),
    )
    p2p.send("invoice", invoice("INV-1", FULL_INVOICE))
    state = p2p.state(NAME, PO)
    assert state.state == "awaiting_receipt" and len(state.data[HELD]) == 1
    assert p2p.emitted(NAME, "invoice_approval") == [] and p2p.exceptions() == []

    p2p.send("goods_receipt", receipt("RCV-1", "ASN-1", FULL_ASN))
    state = p2p.state(NAME, PO)
    assert (state.state, state.completed) == ("matched", True)
    assert len(p2p.emitted(NAME, "invoice_approval")) == 1


def test_partial_quantities_over_several_notices_and_receipts(p2p: Driver) -> None:
    """Two trucks, both announced before the first is unloaded: a split, not a short."""
    run(
        p2p,
        ("purchase_order", purchase_order()),
        ("purchase_order_acknowledgment", acknowledgment()),
        ("advance_ship_notice", ship_notice("ASN-1", {1: 60, 2: 60})),
        ("advance_ship_notice", ship_notice("ASN-2", {1: 60, 3: 60})),
        ("goods_receipt", receipt("RCV-1", "ASN-1", {1: 60})),
        ("goods_receipt", receipt("RCV-2", "ASN-1", {2: 60})),
    )
    assert p2p.state(NAME, PO).state == "receiving"
    p2p.send("invoice", invoice("INV-1", FULL_INVOICE))
    assert p2p.state(NAME, PO).state == "awaiting_receipt"  # line 3 not here yet
    p2p.send("goods_receipt", receipt("RCV-3", "ASN-2", {1: 60, 3: 60}))
    state = p2p.state(NAME, PO)
    assert (state.state, state.completed) == ("matched", True)
    assert p2p.exceptions() == []
    [approval] = p2p.emitted(NAME, "invoice_approval")
    assert approval["lines"][0]["received_quantity"]["value"] == "120"


def test_partial_invoices_complete_the_flow_when_everything_is_billed(p2p: Driver) -> None:
    run(
        p2p,
        *shipped(),
        ("goods_receipt", receipt("RCV-1", "ASN-1", FULL_ASN)),
        ("invoice", invoice("INV-1", {1: (120, "24.85"), 2: (60, "38.40")})),
    )
    state = p2p.state(NAME, PO)
    assert (state.state, state.completed) == ("partially_matched", False)
    p2p.send("invoice", invoice("INV-2", {3: (60, "29.125")}))
    assert p2p.state(NAME, PO).state == "matched"
    assert [a["invoice_number"] for a in p2p.emitted(NAME, "invoice_approval")] == [
        "INV-1",
        "INV-2",
    ]


def test_a_changed_order_updates_quantities_dates_and_cancels_lines(p2p: Driver) -> None:
    p2p.send("purchase_order", purchase_order())
    changed = purchase_order("replace", requested_delivery_date="2026-12-10")
    changed["lines"][0]["quantity"]["value"] = "100"
    del changed["lines"][1]["requested_delivery_date"]
    changed["lines"] = changed["lines"][:2]  # line 3 dropped: cancelled
    p2p.send("purchase_order", changed)

    state = p2p.state(NAME, PO)
    assert state.data["lines"]["3"]["cancelled"] is True
    assert {n: e["expected"] for n, e in state.data["schedule"].items()} == {
        "1": "100",
        "2": "80",
        "3": "0",
    }
    assert p2p.timers(NAME, PO)["asn_due"] == datetime(2026, 12, 9, tzinfo=UTC)  # moved
    assert p2p.timers(NAME, PO)["ack_due"] == T0 + timedelta(hours=24)  # not restarted

    run(
        p2p,
        ("purchase_order_acknowledgment", accepted()),
        ("advance_ship_notice", ship_notice("ASN-1", {1: 100, 2: 80})),
        ("goods_receipt", receipt("RCV-1", "ASN-1", {1: 100, 2: 80})),
    )
    assert p2p.state(NAME, PO).state == "received"
    p2p.send("invoice", invoice("INV-1", {1: (100, "24.85"), 2: (80, "38.40"), 3: (60, "29.125")}))
    [mismatch] = p2p.exceptions()
    assert (mismatch.category, mismatch.data["rule"], mismatch.data["po_line_number"]) == (
        "quantity_mismatch",
        "po_line",
        3,
    )
    assert p2p.state(NAME, PO).state == "mismatch"


def test_a_cancelled_order_ends_the_flow_and_later_events_are_evidence(p2p: Driver) -> None:
    p2p.send("purchase_order", purchase_order())
    p2p.send("purchase_order", purchase_order("cancel"))
    state = p2p.state(NAME, PO)
    assert (state.state, state.completed) == ("cancelled", True)
    assert p2p.timers(NAME, PO) == {}

    late = p2p.send("advance_ship_notice", ship_notice("ASN-1", FULL_ASN))
    state = p2p.state(NAME, PO)
    assert state.state == "cancelled"
    assert state.data["late_events"] == [
        {"message_id": late.id, "document_type": "advance_ship_notice"}
    ]
    assert p2p.advance(timedelta(days=30)).fired == 0
    assert p2p.exceptions() == []


def test_an_event_after_the_match_is_kept_not_an_error(p2p: Driver) -> None:
    run(
        p2p,
        *shipped(),
        ("goods_receipt", receipt("RCV-1", "ASN-1", FULL_ASN)),
        ("invoice", invoice("INV-1", FULL_INVOICE)),
    )
    late = p2p.send("goods_receipt", receipt("RCV-9", "ASN-1", FULL_ASN))
    state = p2p.state(NAME, PO)
    assert state.state == "matched" and state.data["late_events"][0]["message_id"] == late.id
    assert len(p2p.emitted(NAME, "invoice_approval")) == 1 and p2p.exceptions() == []


def test_an_approved_invoice_billed_again_is_a_duplicate_never_paid_twice(p2p: Driver) -> None:
    run(
        p2p,
        *shipped(),
        ("goods_receipt", receipt("RCV-1", "ASN-1", FULL_ASN)),
    )
    first = p2p.send("invoice", invoice("INV-1", FULL_INVOICE), key="inv-edi")
    again = p2p.send("invoice", invoice("INV-1", FULL_INVOICE))  # another channel, new key
    p2p.send("invoice", invoice("INV-1", FULL_INVOICE), key="inv-edi")  # a retry: no news
    assert p2p.state(NAME, PO).state == "matched"
    assert len(p2p.emitted(NAME, "invoice_approval")) == 1
    [duplicate] = p2p.exceptions()
    assert (duplicate.category, duplicate.owner_role, duplicate.evidence) == (
        "duplicate",
        "accounts_payable",
        [first.id, again.id],
    )
    assert "INV-1" in duplicate.detail and "not paid" in duplicate.detail


def test_a_late_acknowledgment_raises_when_the_timer_fires(p2p: Driver) -> None:
    po = p2p.send("purchase_order", purchase_order())
    assert p2p.advance(timedelta(hours=23)).fired == 0
    assert p2p.advance(timedelta(hours=2)).fired == 1
    [late] = p2p.exceptions()
    assert (late.category, late.owner_role, late.evidence) == (
        "late_acknowledgment",
        "buyer",
        [po.id],
    )
    assert p2p.state(NAME, PO).state == "acknowledgment_late"

    p2p.send("purchase_order_acknowledgment", acknowledgment())
    assert p2p.state(NAME, PO).state == "acknowledged"


def test_the_acknowledgment_sla_is_per_partner(store: SqlStore) -> None:
    policy = ProcureToPayPolicy(
        partners={"cascadepaper": PartnerTerms(ack_due=timedelta(hours=48))}
    )
    driver = Driver(store, [definition(policy)])
    driver.send("purchase_order", purchase_order())  # supplier's X12 id is CASCADEPAPER
    assert driver.timers(NAME, PO)["ack_due"] == T0 + timedelta(hours=48)
    assert driver.state(NAME, PO).data["partner"] == "cascadepaper"


def test_no_ship_notice_before_the_promised_date_raises(p2p: Driver) -> None:
    run(
        p2p,
        ("purchase_order", purchase_order()),
        ("purchase_order_acknowledgment", acknowledgment()),
    )
    p2p.at(datetime(2026, 12, 1, 0, 1, tzinfo=UTC) - timedelta(minutes=2))
    assert p2p.advance(timedelta(minutes=2)).fired == 1
    [missing] = p2p.exceptions()
    assert missing.category == "missing_milestone" and "no ship notice" in missing.detail


def test_a_short_shipment_names_the_notice_line_and_quantities(p2p: Driver) -> None:
    run(
        p2p,
        *shipped(),
    )
    rcv = p2p.send("goods_receipt", receipt("RCV-1", "ASN-1", {1: 120, 2: (57, "short"), 3: 60}))
    [short] = p2p.exceptions()
    assert short.category == "short_shipment" and short.owner_role == "buyer"
    assert "PO line 2" in short.detail and "short 3" in short.detail
    assert rcv.id in short.evidence
    assert p2p.state(NAME, PO).state == "receiving"


def test_damaged_goods_are_counted_but_not_accepted_for_payment(p2p: Driver) -> None:
    run(
        p2p,
        *shipped(),
        (
            "goods_receipt",
            receipt("RCV-1", "ASN-1", FULL_ASN | {1: 110}, extra=((1, 10, "damaged"),)),
        ),
    )
    assert p2p.exceptions() == []  # all 120 counted against the notice
    p2p.send("invoice", invoice("INV-1", FULL_INVOICE))
    [mismatch] = p2p.exceptions()
    assert (mismatch.category, mismatch.data["rule"], mismatch.data["difference"]) == (
        "quantity_mismatch",
        "quantity_received",
        "10",
    )


def test_receiving_more_than_expected_beyond_tolerance_is_an_over_receipt(p2p: Driver) -> None:
    run(
        p2p,
        ("purchase_order", purchase_order()),
        ("purchase_order_acknowledgment", acknowledgment()),
    )
    p2p.send("goods_receipt", receipt("RCV-1", None, {2: 70}))
    [over] = p2p.exceptions()
    assert (over.category, over.owner_role) == ("over_receipt", "receiving")
    assert over.data == {
        "po_line_number": 2,
        "expected": "60",
        "received": "70",
        "difference": "10",
    }


def test_an_over_receipt_within_tolerance_passes(store: SqlStore) -> None:
    loose = Tolerances(quantity=Tolerance(percent=Decimal(20)))
    driver = Driver(store, [definition(ProcureToPayPolicy(tolerances=loose))])
    run(
        driver,
        ("purchase_order", purchase_order()),
        ("purchase_order_acknowledgment", acknowledgment()),
        ("goods_receipt", receipt("RCV-1", None, {2: 70})),
    )
    assert driver.exceptions() == []


def test_a_price_mismatch_names_the_line_both_prices_the_difference_and_the_rule(
    p2p: Driver,
) -> None:
    run(
        p2p,
        *shipped(),
        ("goods_receipt", receipt("RCV-1", "ASN-1", FULL_ASN)),
    )
    inv = p2p.send("invoice", invoice("INV-1", {**FULL_INVOICE, 2: (60, "39.90")}))
    [mismatch] = p2p.exceptions()
    assert (mismatch.category, mismatch.owner_role) == ("price_mismatch", "accounts_payable")
    assert mismatch.data == {
        "invoice_number": "INV-1",
        "rule": "price",
        "invoice_line_number": 2,
        "po_line_number": 2,
        "expected": "38.40 USD",
        "actual": "39.90 USD",
        "difference": "1.50",
        "tolerance": "0% or 0.01",
    }
    assert mismatch.evidence == [inv.id]
    state = p2p.state(NAME, PO)
    assert (state.state, state.completed) == ("mismatch", False)
    assert p2p.emitted(NAME, "invoice_approval") == []

    p2p.send("invoice", invoice("INV-1-C", FULL_INVOICE))  # the corrected invoice
    assert p2p.state(NAME, PO).state == "matched"


def test_a_quantity_mismatch_when_billing_more_than_was_received(p2p: Driver) -> None:
    run(
        p2p,
        *shipped(),
        ("goods_receipt", receipt("RCV-1", "ASN-1", {1: 100, 2: 60, 3: 60})),
    )
    p2p.send("invoice", invoice("INV-1", FULL_INVOICE))
    categories = sorted((e.category, e.data.get("rule")) for e in p2p.exceptions())
    assert categories == [("quantity_mismatch", "quantity_received"), ("short_shipment", None)]
    [mismatch] = p2p.exceptions("quantity_mismatch")
    assert (mismatch.data["expected"], mismatch.data["actual"], mismatch.data["difference"]) == (
        "at most 100 CS",
        "120 CS",
        "20",
    )
    assert "invoice line 1 (PO line 1)" in mismatch.detail


DOCUMENTS = {
    "ack": ("purchase_order_acknowledgment", acknowledgment),
    "asn": ("advance_ship_notice", lambda: ship_notice("ASN-1", FULL_ASN)),
    "receipt": ("goods_receipt", lambda: receipt("RCV-1", "ASN-1", FULL_ASN)),
    "invoice": ("invoice", lambda: invoice("INV-1", FULL_INVOICE)),
    "po": ("purchase_order", purchase_order),
}
ORDERS = [
    *(("po", *rest) for rest in itertools.permutations(["ack", "asn", "receipt", "invoice"])),
    ("invoice", "receipt", "asn", "ack", "po"),
    ("receipt", "po", "invoice", "asn", "ack"),
    ("asn", "invoice", "ack", "po", "receipt"),
]


@pytest.mark.parametrize("order", ORDERS, ids="-".join)
def test_any_arrival_order_ends_in_the_same_match(store: SqlStore, order: tuple[str, ...]) -> None:
    """Out-of-order events: the book, not the arrival order, decides."""
    driver = Driver(store, [definition()])
    for name in order:
        document_type, build = DOCUMENTS[name]
        driver.send(document_type, build())
    state = driver.state(NAME, PO)
    assert (state.state, state.completed) == ("matched", True)
    assert HELD not in state.data
    assert driver.exceptions() == []
    assert len(driver.emitted(NAME, "invoice_approval")) == 1
    # The match completes with the last of PO, receipt and invoice; an acknowledgment after
    # that is kept as evidence (its changes are moot), before it its changes go to the ERP.
    done = max(order.index(name) for name in ("po", "receipt", "invoice"))
    forwarded = driver.emitted(NAME, "purchase_order_acknowledgment")
    assert len(forwarded) == (1 if order.index("ack") < done else 0)
    if order.index("ack") > done:
        late = [e["document_type"] for e in state.data["late_events"]]
        assert "purchase_order_acknowledgment" in late
