"""The KPI measures: pure functions of the records `hub/kpis.KpiQueries` returns.

Kept apart from the queries so each definition can be read, and tested, on its own. Times are
epoch seconds. Rejected messages never start or end a measurement: they are not the business
event, only a failed attempt to report one (they count in the failure rate instead).
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the records live with the port; importing them at runtime would be a cycle
    from crossdock.hub.kpis import (
        KpiDelivery,
        KpiFlowInstance,
        KpiMessage,
        KpiReplay,
        KpiWindow,
    )

REJECTED = "rejected"
# The milestones a complete shipment history shows, in the order they happen.
EXPECTED_MILESTONES = ("booked", "picked_up", "in_transit", "delivered")


def durations(values: Iterable[float], reason: str, **extra: Any) -> dict[str, Any] | str:
    """``{n, median_s, p95_s, max_s}`` (p95 by nearest rank) plus `extra`, or ``n/a (reason)``."""
    ordered = sorted(values)
    if not ordered:
        return f"n/a ({reason})"
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return {
        "n": len(ordered),
        "median_s": round(statistics.median(ordered), 3),
        "p95_s": round(p95, 3),
        "max_s": round(ordered[-1], 3),
        **extra,
    }


def _first_by_key(messages: Iterable[KpiMessage]) -> dict[str, KpiMessage]:
    """The earliest accepted message per correlation key."""
    first: dict[str, KpiMessage] = {}
    for m in messages:
        if m.status == REJECTED or not m.correlation_key:
            continue
        known = first.get(m.correlation_key)
        if known is None or m.received_at < known.received_at:
            first[m.correlation_key] = m
    return first


def _first_delivered(deliveries: Iterable[KpiDelivery]) -> dict[str, float | None]:
    """Per delivered message: the end of its first successful attempt to any endpoint, or
    None while none succeeded (pending or dead-lettered)."""
    first: dict[str, float | None] = {}
    for d in deliveries:
        best = first.get(d.message_id)
        if d.delivered_at is not None and (best is None or d.delivered_at < best):
            first[d.message_id] = d.delivered_at
        else:
            first.setdefault(d.message_id, None)
    return first


def partner_latency(
    documents: Sequence[KpiMessage],
    deliveries: Sequence[KpiDelivery],
    answers: Sequence[KpiMessage],
    *,
    what: str,
    answer: str,
) -> dict[str, Any] | str:
    """The partner's part: the hub delivered the document to the partner → the partner's
    first answer with the same correlation key (by hub receive time), so the hub's own
    backlog before the delivery is not in it (that is the matching `*_delivery_latency`).

    Per correlation key, the clock starts at the earliest successful delivery of any of its
    documents (a changed PO does not restart it). A key none of whose documents any route
    delivers starts at its first document's receipt instead, counted in `from_received` (the
    partner got it some other way); one whose deliveries have not succeeded yet is not the
    partner's to answer, counted in `undelivered`. An answer that came before the delivery
    was settled (a partner answering within the delivery call) counts as 0 s.
    """
    first = _first_by_key(documents)
    keys = {m.id: m.correlation_key for m in documents if m.status != REJECTED}
    delivered: dict[str, float | None] = {}
    for message_id, at in _first_delivered(deliveries).items():
        key = keys.get(message_id)
        if key is None:
            continue
        known = delivered.get(key)
        delivered[key] = at if known is None else (known if at is None else min(known, at))
    replies = _first_by_key(answers)
    samples: list[float] = []
    undelivered = from_received = 0
    for key, document in first.items():
        if key in delivered:
            start = delivered[key]
        else:
            start, from_received = document.received_at, from_received + 1
        if start is None:
            undelivered += 1
            continue
        if key in replies:
            samples.append(max(0.0, replies[key].received_at - start))
    waiting = len(first) - undelivered - len(samples)
    reason = f"no {what}s in the window" if not first else f"no {what} {answer}"
    return durations(
        samples, reason, **{f"un{answer}": waiting}, undelivered=undelivered,
        from_received=from_received,
    )  # fmt: skip


def po_acknowledgment_latency(
    orders: Sequence[KpiMessage],
    deliveries: Sequence[KpiDelivery],
    acknowledgments: Sequence[KpiMessage],
) -> dict[str, Any] | str:
    """Purchase order delivered to the supplier → its first acknowledgment (same PO number):
    the supplier's part (`partner_latency`); `unacknowledged` counts delivered POs not
    acknowledged yet. The hub's part is `po_delivery_latency`."""
    return partner_latency(
        orders, deliveries, acknowledgments, what="purchase order", answer="acknowledged"
    )


def delivery_time(deliveries: Sequence[KpiDelivery], document_type: str) -> dict[str, Any] | str:
    """Message received at the hub → end of its first successful delivery attempt (to any
    endpoint its routes name; in the sandbox configuration receipts and stock movements each
    have one route, to the ERP): the hub's part. Messages no route delivers have no
    deliveries and are not counted; `undelivered` counts routed ones not delivered yet
    (pending or dead-lettered)."""
    received = {d.message_id: d.message_received_at for d in deliveries}
    first = _first_delivered(deliveries)
    samples = [max(0.0, at - received[m]) for m, at in first.items() if at is not None]
    reason = (
        f"no {document_type} was routed to an endpoint in the window"
        if not first
        else f"no {document_type} delivered yet"
    )
    return durations(samples, reason, undelivered=len(first) - len(samples))


def _seen_milestones(data: Mapping[str, Any]) -> set[str]:
    seen = {str(m.get("milestone")) for m in data.get("milestones") or []}
    if any(s.get("booked") for s in (data.get("shipments") or {}).values()):
        seen.add("booked")
    if "out_for_delivery" in seen:
        seen.add("in_transit")
    if data.get("delivered") or data.get("pod"):
        seen.add("delivered")
    return seen


def shipment_event_completeness(instances: Sequence[KpiFlowInstance]) -> dict[str, Any] | str:
    """Share of delivered orders whose history shows every expected milestone.

    Counted over `order_to_delivery` instances (one per fulfillment order; the
    `shipment_tracking` link instances are not orders) created in the window that reached
    delivery (state delivered or completed: a delivered milestone or a proof of delivery) —
    an order still moving cannot be complete yet. An order is complete when its flow saw:
    booked (a shipment with a tracking or PRO number, or a booked status), picked_up (a
    picked_up status), in_transit (an in_transit or out_for_delivery status) and delivered (a
    delivered status or the proof of delivery). `missing` says which milestones the others
    lacked (a parcel carrier that never scans a pickup shows up there).
    """
    delivered = [
        i
        for i in instances
        if i.state in ("delivered", "completed") or i.data.get("delivered") or i.data.get("pod")
    ]
    if not delivered:
        return "n/a (no order in the window reached delivery)"
    missing: Counter[str] = Counter()
    complete = 0
    for instance in delivered:
        lacking = [m for m in EXPECTED_MILESTONES if m not in _seen_milestones(instance.data)]
        missing.update(lacking)
        complete += not lacking
    return {
        "ratio": round(complete / len(delivered), 4),
        "complete": complete,
        "n": len(delivered),
        "not_yet_delivered": len(instances) - len(delivered),
        "missing": dict(missing),
    }


def _epoch(value: Any) -> float | None:
    try:
        return datetime.fromisoformat(str(value)).timestamp()
    except ValueError:
        return None


def _in_window(at: float, window: KpiWindow) -> bool:
    since = window.since.timestamp() if window.since else -math.inf
    until = window.until.timestamp() if window.until else math.inf
    return since <= at < until


def pod_update_speed(
    milestones: Sequence[KpiMessage], proofs: Sequence[KpiMessage], window: KpiWindow
) -> dict[str, Any] | str:
    """Delivered milestone → proof of delivery for the same shipment, by hub receive time.

    A `proof_of_delivery` matches the earliest `shipment_milestone` with milestone delivered
    that names its shipment id or its tracking number (carriers key by either). A proof with
    no delivered milestone starts the clock at its own ``delivered_at`` (the carrier's delivery
    time) instead, counted in `from_delivered_at`. The first proof per shipment counts; a
    proof reported before the delivered scan counts as 0 s.
    """
    delivered: dict[str, float] = {}
    for m in milestones:
        doc = m.canonical or {}
        if m.status == REJECTED or doc.get("milestone") != "delivered":
            continue
        for key in (f"s:{doc.get('shipment_id')}", f"t:{doc.get('tracking_number')}"):
            if not key.endswith(":None"):
                delivered[key] = min(delivered.get(key, math.inf), m.received_at)
    samples: list[float] = []
    fallback = 0
    seen: set[str] = set()
    for p in sorted(proofs, key=lambda m: m.received_at):
        doc = p.canonical or {}
        shipment = str(doc.get("shipment_id"))
        if p.status == REJECTED or shipment in seen:
            continue
        seen.add(shipment)
        start = min(
            delivered.get(f"s:{shipment}", math.inf),
            delivered.get(f"t:{doc.get('tracking_number')}", math.inf),
        )
        if start == math.inf:
            at = _epoch(doc.get("delivered_at"))
            if at is None or not _in_window(at, window):
                continue
            start, fallback = at, fallback + 1
        samples.append(max(0.0, p.received_at - start))
    reason = "no proof_of_delivery for a shipment delivered in the window"
    return durations(samples, reason, from_delivered_at=fallback)


def invoice_match_cycle_time(
    invoices: Sequence[KpiMessage], approvals: Sequence[KpiMessage]
) -> dict[str, Any] | str:
    """Invoice received → `invoice_approval` recorded (emitted by procure-to-pay after a
    successful three-way match). One sample per approved (invoice, PO) pair: an invoice
    billing several POs gets one approval per PO, each measured from the invoice's first
    receipt. `unapproved` counts invoices in the window with no approval yet."""
    first = _first_by_key(invoices)
    done: dict[tuple[str, str], float] = {}
    for a in approvals:
        doc = a.canonical or {}
        invoice = a.correlation_key or str(doc.get("invoice_number"))
        if a.status == REJECTED or invoice not in first:
            continue
        pair = (invoice, str(doc.get("po_number")))
        done[pair] = min(done.get(pair, math.inf), a.received_at)
    samples = [max(0.0, at - first[invoice].received_at) for (invoice, _po), at in done.items()]
    approved = {invoice for invoice, _po in done}
    reason = "no invoices in the window" if not first else "no invoice approved"
    return durations(samples, reason, unapproved=len(first) - len(approved))


def failure_rate(total: int, rejected: int, dead_lettered: int) -> dict[str, Any] | str:
    """Over messages: (rejected at intake + messages with a dead-lettered delivery or a
    transform error) / messages received in the window. A message with one dead letter among
    several deliveries counts once; a dead letter later retried successfully no longer
    counts."""
    if not total:
        return "n/a (no messages in the window)"
    failed = rejected + dead_lettered
    return {
        "ratio": round(failed / total, 4),
        "failed": failed,
        "rejected": rejected,
        "dead_lettered": dead_lettered,
        "total": total,
        "basis": "messages",
    }


def unrouted_messages(counts: Mapping[tuple[str, str], int]) -> dict[str, Any]:
    """Messages nobody acted on (status `unrouted`), by document type and source: a sender
    or document type the routes forgot, or one declared unrouted on purpose."""
    return {
        "n": sum(counts.values()),
        "by_type_and_source": {f"{t} from {s}": n for (t, s), n in sorted(counts.items())},
    }


def replay_volume(replays: Sequence[KpiReplay]) -> dict[str, Any]:
    """Replays performed in the window (`crossdock messages replay`, `/v1/replay`, exception
    replays, `dlq retry`): how many operations and how many log entries they handed back, by
    kind (messages, from, dead_letters). Zero is data here: the bus records every replay."""
    by_kind: Counter[str] = Counter()
    for r in replays:
        by_kind[r.kind] += r.entries
    return {"replays": len(replays), "entries": sum(by_kind.values()), "by_kind": dict(by_kind)}


def exceptions_raised(counts: Mapping[str, int]) -> dict[str, Any]:
    """Exceptions raised in the window, by category (open and resolved alike)."""
    return {"n": sum(counts.values()), "by_category": dict(sorted(counts.items()))}


def onboarding_duration(went_live: Sequence[float], onboarding: int) -> dict[str, Any] | str:
    """Registered partner created → live (the file's partners have no onboarding)."""
    return durations(
        went_live,
        f"no registered partner went live; {onboarding} onboarding",
        onboarding=onboarding,
    )
