"""The business KPIs (`crossdock.hub.kpis`) computed from a real SQLite store: messages,
deliveries and attempts, flow instances, exceptions and replays written through the store's
own ports, then read back through `uow.kpis`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from crossdock.hub.flows.exceptions import ExceptionCategory, ExceptionRecord
from crossdock.hub.flows.model import FlowState
from crossdock.hub.ids import new_id
from crossdock.hub.intake import record
from crossdock.hub.kpis import KpiWindow, compute_kpis
from crossdock.hub.records import (
    ConsumerGroup,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    InboundMessage,
    MessageStatus,
)
from tests.conftest import SqlStore

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def message(
    store: SqlStore,
    document_type: str,
    key: str | None,
    seconds: float,
    *,
    canonical: dict[str, Any] | None = None,
    status: MessageStatus = MessageStatus.ACCEPTED,
    source: str = "erp",
) -> str:
    """Record one message received at T0 + seconds (published on the bus like intake does)."""
    body = json.dumps(canonical or {}).encode()
    msg = InboundMessage(
        id=new_id(),
        document_type=document_type,
        schema_version=1,
        source=source,
        channel="api",
        received_at=at(seconds),
        content_type="application/json",
        raw=body,
        body_sha256="0" * 64,
        status=status,
        lane="critical",
        correlation_key=key,
        idempotency_key=new_id(),
        canonical=None if status is MessageStatus.REJECTED else body,
    )
    with store.uow() as uow:
        record(uow, [msg])
        uow.commit()
    return msg.id


def delivery(
    store: SqlStore, message_id: str, attempts: list[tuple[float, float, str]], status: str
) -> None:
    """A delivery of the message to the ERP with attempts (start seconds, duration ms, outcome)."""
    delivery_id = new_id()
    with store.uow() as uow:
        uow.deliveries.add(
            Delivery(
                delivery_id,
                message_id,
                "r",
                "erp",
                "critical",
                f"{message_id}.r",
                "k",
                "application/json",
                b"",
            )
        )
        uow.deliveries.record_attempts(
            [
                DeliveryAttempt(delivery_id, n + 1, at(s), ms, outcome)
                for n, (s, ms, outcome) in enumerate(attempts)
            ]
        )
        uow.deliveries.set_status(delivery_id, DeliveryStatus(status), len(attempts), None)
        uow.commit()


def flow(store: SqlStore, name: str, key: str, state: str, data: dict[str, Any]) -> None:
    with store.uow() as uow:
        uow.flows.save(FlowState(name, key, state, data, 1, at(0), at(1), state == "completed"), 0)
        uow.commit()


def kpis(store: SqlStore, window: KpiWindow | None = None) -> dict[str, Any]:
    with store.uow.reader() as uow:
        return compute_kpis(uow.kpis, window)


def test_an_empty_store_says_why_each_kpi_has_no_value(store: SqlStore) -> None:
    result = kpis(store)
    for name in (
        "po_delivery_latency",
        "po_acknowledgment_latency",
        "asn_delivery_latency",
        "asn_receipt_latency",
        "receipt_posting_time",
        "inventory_sync_lag",
        "shipment_event_completeness",
        "pod_update_speed",
        "invoice_match_cycle_time",
        "integration_failure_rate",
    ):
        assert result[name].startswith("n/a ("), name
    assert result["replay_volume"] == {"replays": 0, "entries": 0, "by_kind": {}}
    assert result["exceptions_raised"] == {"n": 0, "by_category": {}}
    assert result["window"] == {"since": None, "until": None}


def test_po_acknowledgment_latency_pairs_the_first_po_and_ack_by_po_number(
    store: SqlStore,
) -> None:
    message(store, "purchase_order", "PO-A", 0)
    message(store, "purchase_order", "PO-A", 20)  # a change: the clock does not restart
    message(store, "purchase_order_acknowledgment", "PO-A", 10, source="supplier")
    message(store, "purchase_order", "PO-B", 5)
    message(store, "purchase_order_acknowledgment", "PO-B", 65, source="supplier")
    message(store, "purchase_order", "PO-C", 1)  # never acknowledged
    message(store, "purchase_order_acknowledgment", "PO-C", 2, status=MessageStatus.REJECTED)

    latency = kpis(store)["po_acknowledgment_latency"]
    assert latency == {
        "n": 2,
        "median_s": 35.0,
        "p95_s": 60.0,
        "max_s": 60.0,
        "unacknowledged": 1,
        "undelivered": 0,
        "from_received": 3,  # no route delivers these POs: the clock starts at their receipt
    }

    # The window selects POs; their acknowledgments count even after `until`.
    windowed = kpis(store, KpiWindow(since=at(3), until=at(6)))["po_acknowledgment_latency"]
    assert windowed["n"] == 1 and windowed["max_s"] == 60.0
    assert kpis(store, KpiWindow(since=at(100)))["po_acknowledgment_latency"] == (
        "n/a (no purchase orders in the window)"
    )


def test_the_hubs_part_and_the_partners_part_are_split_at_the_delivery(store: SqlStore) -> None:
    """Issue 10: a PO the hub took 30 s to deliver (its own backlog, and a retry) and that
    the supplier acknowledged 10 s after it got it is a 30 s delivery and a 10 s acknowledgment,
    not a 40 s acknowledgment; the same split for a ship notice and its goods receipt."""
    slow = message(store, "purchase_order", "PO-A", 0)
    delivery(store, slow, [(1, 100, "retry"), (29.5, 500, "ok")], "delivered")  # ends at 30 s
    message(store, "purchase_order_acknowledgment", "PO-A", 40, source="supplier")
    fast = message(store, "purchase_order", "PO-B", 0)
    delivery(store, fast, [(5, 100, "ok")], "delivered")  # the supplier answered in the call:
    message(store, "purchase_order_acknowledgment", "PO-B", 5.05, source="supplier")  # 0 s
    stuck = message(store, "purchase_order", "PO-C", 0)
    delivery(store, stuck, [(1, 100, "retry")], "pending")  # the supplier never had it
    asn = message(store, "advance_ship_notice", "ASN-1", 100, source="supplier")
    delivery(store, asn, [(101.5, 500, "ok")], "delivered")
    message(store, "goods_receipt", "ASN-1", 162, source="wms")

    result = kpis(store)
    assert result["po_delivery_latency"] == {
        "n": 2, "median_s": 17.55, "p95_s": 30.0, "max_s": 30.0, "undelivered": 1
    }  # fmt: skip
    assert result["po_acknowledgment_latency"] == {
        "n": 2, "median_s": 5.0, "p95_s": 10.0, "max_s": 10.0,
        "unacknowledged": 0, "undelivered": 1, "from_received": 0,
    }  # fmt: skip
    assert result["asn_delivery_latency"]["max_s"] == 2.0
    assert result["asn_receipt_latency"] == {
        "n": 1, "median_s": 60.0, "p95_s": 60.0, "max_s": 60.0,
        "unreceived": 0, "undelivered": 0, "from_received": 0,
    }  # fmt: skip


def test_receipt_posting_time_ends_with_the_first_successful_attempt(store: SqlStore) -> None:
    posted = message(store, "goods_receipt", "ASN-1", 0, source="wms")
    delivery(store, posted, [(1, 100, "retry"), (4, 500, "ok")], "delivered")
    waiting = message(store, "goods_receipt", "ASN-2", 0, source="wms")
    delivery(store, waiting, [(1, 100, "retry")], "pending")
    message(store, "goods_receipt", "ASN-3", 0, source="wms")  # no route: not counted

    receipt = kpis(store)["receipt_posting_time"]
    assert receipt == {"n": 1, "median_s": 4.5, "p95_s": 4.5, "max_s": 4.5, "undelivered": 1}
    assert kpis(store)["inventory_sync_lag"] == (
        "n/a (no stock_movement was routed to an endpoint in the window)"
    )


def test_inventory_sync_lag_is_per_stock_movement_delivery(store: SqlStore) -> None:
    for n, seconds in enumerate((2, 3, 7)):
        moved = message(store, "stock_movement", f"WH1/SKU{n}", 0, source="wms")
        delivery(store, moved, [(seconds, 0, "ok")], "delivered")
    dead = message(store, "stock_movement", "WH1/SKU9", 0, source="wms")
    delivery(store, dead, [(1, 10, "rejected")], "dead_lettered")

    lag = kpis(store)["inventory_sync_lag"]
    assert lag == {"n": 3, "median_s": 3.0, "p95_s": 7.0, "max_s": 7.0, "undelivered": 1}


def test_shipment_event_completeness_counts_delivered_orders_only(store: SqlStore) -> None:
    def seen(*names: str) -> list[dict[str, str]]:
        return [{"milestone": n, "at": at(0).isoformat(), "message": "m"} for n in names]

    flow(
        store,
        "order_to_delivery",
        "SO-1",
        "completed",
        {
            "shipments": {"S1": {"booked": True}},
            "pod": {"message": "p"},
            "milestones": seen("picked_up", "in_transit", "delivered"),
        },
    )
    flow(
        store,
        "order_to_delivery",
        "SO-2",
        "delivered",
        {
            "shipments": {"S2": {"booked": False}},
            "milestones": seen("booked", "out_for_delivery", "delivered"),
        },
    )
    flow(
        store,
        "order_to_delivery",
        "SO-3",
        "in_transit",
        {"milestones": seen("booked", "picked_up", "in_transit")},
    )
    flow(store, "shipment_tracking", "tracking:1Z", "linked", {"orders": ["SO-1"]})

    completeness = kpis(store)["shipment_event_completeness"]
    assert completeness == {
        "ratio": 0.5,
        "complete": 1,
        "n": 2,
        "not_yet_delivered": 1,
        "missing": {"picked_up": 1},
    }


def test_pod_update_speed_matches_by_shipment_id_or_tracking_number(store: SqlStore) -> None:
    def milestone(shipment: str, tracking: str | None, name: str, seconds: float) -> None:
        doc = {"shipment_id": shipment, "tracking_number": tracking, "milestone": name}
        message(store, "shipment_milestone", shipment, seconds, canonical=doc, source="ridgeline")

    def pod(shipment: str, tracking: str | None, delivered: float, seconds: float) -> None:
        doc = {
            "shipment_id": shipment,
            "tracking_number": tracking,
            "delivered_at": at(delivered).isoformat(),
        }
        message(store, "proof_of_delivery", shipment, seconds, canonical=doc, source="ridgeline")

    milestone("S1", None, "in_transit", 50)
    milestone("S1", None, "delivered", 100)
    pod("S1", None, 95, 160)  # 60 s after the delivered milestone
    pod("S1", None, 95, 500)  # a second proof for S1: only the first counts
    milestone("TMS-2", "TRK2", "delivered", 200)
    pod("S2", "TRK2", 190, 230)  # matched by tracking number: 30 s
    pod("S3", None, 300, 400)  # no delivered milestone: from delivered_at, 100 s

    speed = kpis(store)["pod_update_speed"]
    assert speed == {
        "n": 3,
        "median_s": 60.0,
        "p95_s": 100.0,
        "max_s": 100.0,
        "from_delivered_at": 1,
    }
    later = kpis(store, KpiWindow(since=at(250)))["pod_update_speed"]
    assert later["n"] == 1 and later["from_delivered_at"] == 1


def test_invoice_match_cycle_time_has_one_sample_per_approved_po(store: SqlStore) -> None:
    message(store, "invoice", "INV-1", 0, source="supplier")
    message(store, "invoice", "INV-2", 5, source="supplier")  # not approved (a mismatch)
    for po, seconds in (("PO-1", 8), ("PO-2", 12), ("PO-2", 30)):
        doc = {"invoice_number": "INV-1", "po_number": po}
        message(
            store,
            "invoice_approval",
            "INV-1",
            seconds,
            canonical=doc,
            source="crossdock.flow.procure_to_pay",
        )

    cycle = kpis(store)["invoice_match_cycle_time"]
    assert cycle == {"n": 2, "median_s": 10.0, "p95_s": 12.0, "max_s": 12.0, "unapproved": 1}


def test_integration_failure_rate_counts_rejected_and_dead_lettered_messages(
    store: SqlStore,
) -> None:
    message(store, "purchase_order", "PO-1", 0)
    message(store, "purchase_order", "PO-2", 1)
    message(store, "purchase_order", None, 2, status=MessageStatus.REJECTED)
    failed = message(store, "purchase_order", "PO-3", 3)
    delivery(store, failed, [(4, 10, "rejected")], "dead_lettered")
    delivery(store, failed, [(4, 10, "rejected")], "dead_lettered")  # one message, counted once

    rate = kpis(store)["integration_failure_rate"]
    assert rate == {
        "ratio": 0.5,
        "failed": 2,
        "rejected": 1,
        "dead_lettered": 1,
        "total": 4,
        "basis": "messages",
    }


def test_replay_volume_counts_what_the_bus_recorded(store: SqlStore) -> None:
    group = ConsumerGroup(name="route.critical", subjects=("doc.critical.>",))
    store.bus.ensure_group(group)
    ids = [message(store, "purchase_order", f"PO-{n}", n) for n in range(3)]
    store.bus.fetch(group.name, 10)  # pull the log into the group

    assert store.bus.replay(group.name, ids[:2]) == 2
    assert store.bus.replay(group.name, ["NOT-A-MESSAGE"]) == 0  # nothing replayed: no record
    assert store.bus.replay_from(group.name, seq=1) == 3
    assert store.bus.retry_dead_letters(None, None) == 0

    volume = kpis(store)["replay_volume"]
    assert volume == {"replays": 2, "entries": 5, "by_kind": {"messages": 2, "from": 3}}
    future = KpiWindow(since=datetime.now(UTC) + timedelta(hours=1))
    assert kpis(store, future)["replay_volume"]["replays"] == 0


def test_exceptions_raised_by_category(store: SqlStore) -> None:
    with store.uow() as uow:
        for category, seconds in (
            (ExceptionCategory.PRICE_MISMATCH, 1),
            (ExceptionCategory.PRICE_MISMATCH, 2),
            (ExceptionCategory.SHORT_SHIPMENT, 50),
        ):
            uow.exceptions.add(ExceptionRecord(new_id(), category, "buyer", "d", at(seconds)))
        uow.commit()
    assert kpis(store)["exceptions_raised"] == {
        "n": 3,
        "by_category": {"price_mismatch": 2, "short_shipment": 1},
    }
    assert kpis(store, KpiWindow(until=at(10)))["exceptions_raised"]["n"] == 2
