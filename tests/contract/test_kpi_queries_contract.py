"""Contract of the KpiQueries port (`uow.kpis`), on every backend (`backends`): what each
query selects, the window (``since`` inclusive, ``until`` exclusive, on the start event),
and the aggregates. Also `compute_kpis` over each backend gives the same answer."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from crossdock.hub.flows.exceptions import ExceptionCategory, ExceptionRecord
from crossdock.hub.flows.model import FlowState
from crossdock.hub.kpis import KpiWindow, compute_kpis
from crossdock.hub.records import (
    ConsumerGroup,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    InboundMessage,
    MessageStatus,
)
from tests.contract.backends import ContractStore

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
E0 = T0.timestamp()


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def message(
    n: int,
    document_type: str,
    minutes: float,
    status: MessageStatus = MessageStatus.ROUTED,
    *,
    source: str = "erp",
    canonical: bytes | None = None,
) -> InboundMessage:
    return InboundMessage(
        id=f"01K{n:023d}",
        document_type=document_type,
        schema_version=1,
        source=source,
        channel="http",
        received_at=at(minutes),
        content_type="application/json",
        raw=b"RAW",
        body_sha256="0" * 64,
        status=status,
        lane="critical",
        correlation_key=f"PO-{n}",
        canonical=canonical,
    )


def delivery(
    n: int, message_id: str, status: DeliveryStatus, endpoint: str = "supplier"
) -> Delivery:
    return Delivery(
        id=f"D{n:025d}",
        message_id=message_id,
        route="r",
        endpoint=endpoint,
        lane="critical",
        idempotency_key=f"k{n}",
        correlation_key="PO",
        content_type="application/json",
        body=b"",
        status=status,
    )


def mid(n: int) -> str:
    return f"01K{n:023d}"


@pytest.fixture
def recorded(store: ContractStore) -> ContractStore:
    """POs at minutes 0, 10 and 20 (one rejected), an ack, a milestone with a canonical body,
    unrouted and failed messages, deliveries with attempts, flows and exceptions."""
    with store.uow() as uow:
        uow.messages.add_many(
            [
                message(1, "purchase_order", 0),
                message(2, "purchase_order", 10, MessageStatus.REJECTED),
                message(3, "purchase_order", 20, MessageStatus.FAILED),
                message(4, "purchase_order_acknowledgment", 30, source="supplier"),
                message(
                    5,
                    "shipment_milestone",
                    15,
                    canonical='{"shipment_id": "S-ü", "qty": "999999999999999999.999999"}'.encode(),
                ),
                message(6, "invoice", 5, MessageStatus.UNROUTED, source="api"),
                message(7, "invoice", 25, MessageStatus.UNROUTED, source="api"),
                message(8, "invoice", 26, MessageStatus.UNROUTED, source="erp"),
            ]
        )
        uow.deliveries.add(delivery(1, mid(1), DeliveryStatus.DELIVERED))
        uow.deliveries.add(delivery(2, mid(1), DeliveryStatus.DEAD_LETTERED, "archive"))
        uow.deliveries.add(delivery(3, mid(3), DeliveryStatus.PENDING))
        uow.deliveries.record_attempts(
            [
                DeliveryAttempt(f"D{1:025d}", 1, at(1), 500.0, "error", 503),
                DeliveryAttempt(f"D{1:025d}", 2, at(2), 1500.0, "ok", 200),
                DeliveryAttempt(f"D{1:025d}", 3, at(3), 10.0, "ok", 200),  # a later success
                DeliveryAttempt(f"D{2:025d}", 1, at(1), 1.0, "error", 500),
            ]
        )
        for n, minutes in ((1, 0), (2, 20)):
            state = FlowState(
                "order_to_delivery",
                f"SO-{n}",
                "shipped",
                {"events": ["x"] * n},
                1,
                at(minutes),
                at(minutes),
            )
            state.completed = n == 2
            uow.flows.save(state, 0)
        uow.flows.save(FlowState("p2p", "PO-1", "open", {}, 1, at(0), at(0)), 0)
        for n, (category, minutes) in enumerate(
            [
                (ExceptionCategory.ROUTING, 0),
                (ExceptionCategory.ROUTING, 21),
                (ExceptionCategory.PRICE_MISMATCH, 22),
            ]
        ):
            uow.exceptions.add(ExceptionRecord(f"01X{n}", category, "ops", "d", at(minutes)))
        uow.commit()
    return store


WHOLE = KpiWindow()
LATER = KpiWindow(since=at(10), until=at(25))


def test_messages_of_the_types_in_the_window_oldest_first(recorded: ContractStore) -> None:
    with recorded.uow.reader() as uow:
        pos = uow.kpis.messages(["purchase_order"], WHOLE)
        later = uow.kpis.messages(["purchase_order", "invoice"], LATER)
        milestones = uow.kpis.messages(["shipment_milestone"], WHOLE, canonical=True)
        without = uow.kpis.messages(["shipment_milestone"], WHOLE)
        assert uow.kpis.messages([], WHOLE) == []
    assert [(m.id, m.status, m.source) for m in pos] == [
        (mid(1), "routed", "erp"),
        (mid(2), "rejected", "erp"),
        (mid(3), "failed", "erp"),
    ]
    assert pos[0].received_at == pytest.approx(E0, abs=1e-6)
    assert pos[0].canonical is None and pos[0].correlation_key == "PO-1"
    # since inclusive (10), until exclusive (25)
    assert [m.id for m in later] == [mid(2), mid(3)]
    assert milestones[0].canonical == {"shipment_id": "S-ü", "qty": "999999999999999999.999999"}
    assert without[0].canonical is None


def test_deliveries_with_their_first_successful_attempt(recorded: ContractStore) -> None:
    with recorded.uow.reader() as uow:
        found = sorted(
            (d for d in uow.kpis.deliveries(["purchase_order"], WHOLE) if d.message_id == mid(1)),
            key=lambda d: d.endpoint,
        )
        later = uow.kpis.deliveries(["purchase_order"], LATER)
        none = uow.kpis.deliveries(["invoice"], WHOLE)
    archive, supplier = found
    assert (archive.message_id, archive.status, archive.delivered_at) == (
        mid(1),
        "dead_lettered",
        None,
    )
    assert supplier.document_type == "purchase_order" and supplier.status == "delivered"
    assert supplier.delivered_at == pytest.approx(at(2).timestamp() + 1.5, abs=1e-6)
    assert supplier.message_received_at == pytest.approx(E0, abs=1e-6)
    assert [(d.message_id, d.delivered_at) for d in later] == [(mid(3), None)]
    assert none == []


def test_message_outcomes_and_unrouted_counts(recorded: ContractStore) -> None:
    with recorded.uow.reader() as uow:
        # 8 messages; 1 rejected; failed: PO 3 (failed) and PO 1 (a dead-lettered delivery)
        assert uow.kpis.message_outcomes(WHOLE) == (8, 1, 2)
        assert uow.kpis.message_outcomes(LATER) == (3, 1, 1)  # POs 2, 3 and the milestone
        assert uow.kpis.message_outcomes(KpiWindow(since=at(100))) == (0, 0, 0)
        assert uow.kpis.unrouted_counts(WHOLE) == {("invoice", "api"): 2, ("invoice", "erp"): 1}
        assert uow.kpis.unrouted_counts(LATER) == {}
        assert uow.kpis.unrouted_counts(KpiWindow(until=at(25.5))) == {("invoice", "api"): 2}


def test_flow_instances_and_exception_counts_in_the_window(recorded: ContractStore) -> None:
    with recorded.uow.reader() as uow:
        flows = sorted(uow.kpis.flow_instances("order_to_delivery", WHOLE), key=lambda f: f.key)
        later = uow.kpis.flow_instances("order_to_delivery", LATER)
        assert uow.kpis.flow_instances("nothing", WHOLE) == []
        assert uow.kpis.exception_counts(WHOLE) == {"routing": 2, "price_mismatch": 1}
        assert uow.kpis.exception_counts(KpiWindow(since=at(21), until=at(22))) == {"routing": 1}
    assert [(f.key, f.state, f.completed, f.data) for f in flows] == [
        ("SO-1", "shipped", False, {"events": ["x"]}),
        ("SO-2", "shipped", True, {"events": ["x", "x"]}),
    ]
    assert flows[0].created_at == pytest.approx(E0, abs=1e-6)
    assert [f.key for f in later] == ["SO-2"]


def test_dead_letter_retries_are_listed_as_replays(store: ContractStore) -> None:
    before = time.time()
    store.bus.ensure_group(ConsumerGroup("g", ("doc.>",), max_deliver=1))
    with store.uow() as uow:
        uow.outbox.publish("doc.x", "k1", "m1")
        uow.outbox.publish("doc.x", "k2", "m2")
        uow.commit()
    for entry in store.bus.fetch("g", 10):
        store.bus.nak("g", entry, 0, "boom")
    assert store.bus.retry_dead_letters("g", None) == 2
    assert store.bus.retry_dead_letters("g", None) == 0  # nothing: not a replay
    after = time.time() + 1
    since = datetime.fromtimestamp(before, UTC)
    with store.uow.reader() as uow:
        [replay] = uow.kpis.replays(KpiWindow(since=since))
        assert uow.kpis.replays(KpiWindow(since=datetime.fromtimestamp(after, UTC))) == []
    assert (replay.kind, replay.group, replay.entries) == ("dead_letters", "g", 2)
    assert before <= replay.at <= after


def test_message_replays_are_listed_with_their_entry_count(store: ContractStore) -> None:
    before = time.time()
    store.bus.ensure_group(ConsumerGroup("g", ("doc.>",)))
    with store.uow() as uow:
        for n in range(3):
            uow.outbox.publish("doc.x", f"k{n}", f"m{n}")
        uow.commit()
    store.bus.ack("g", store.bus.fetch("g", 10))
    store.bus.replay("g", ["m0", "m1", "nope"])
    store.bus.ack("g", store.bus.fetch("g", 10))
    store.bus.replay_from("g", seq=1)
    with store.uow.reader() as uow:
        replays = uow.kpis.replays(KpiWindow(since=datetime.fromtimestamp(before, UTC)))
    assert [(r.kind, r.group, r.entries) for r in replays] == [
        ("messages", "g", 2),
        ("from", "g", 3),
    ]


def test_compute_kpis_answers_the_same_on_every_backend(recorded: ContractStore) -> None:
    with recorded.uow.reader() as uow:
        kpis = compute_kpis(uow.kpis)
    assert kpis["po_delivery_latency"] == {
        "n": 1,
        "median_s": 121.5,
        "p95_s": 121.5,
        "max_s": 121.5,
        "undelivered": 1,
    }
    assert kpis["integration_failure_rate"] == {
        "ratio": 0.375,
        "failed": 3,
        "rejected": 1,
        "dead_lettered": 2,
        "total": 8,
        "basis": "messages",
    }
    assert kpis["unrouted_messages"] == {
        "n": 3,
        "by_type_and_source": {"invoice from api": 2, "invoice from erp": 1},
    }
    assert kpis["exceptions_raised"] == {
        "n": 3,
        "by_category": {"price_mismatch": 1, "routing": 2},
    }
