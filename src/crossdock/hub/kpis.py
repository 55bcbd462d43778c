"""Business KPIs, computed from what the store already records.

The hub records every message (with its receive time), every delivery attempt, flow instance,
exception and replay; these KPIs are read from those records on demand rather than counted by
a projection, so they can be computed for any past window and need no state of their own.
`GET /v1/kpis`, `crossdock kpis` and the demo summary all call `compute_kpis`.

Where the hub delivers a document to a partner and waits for the partner's answer, the time
is split in two: the hub's part (`po_delivery_latency`: PO received → delivered to the
supplier; `asn_delivery_latency`: ship notice received → delivered to the warehouse) and the
partner's (`po_acknowledgment_latency`: delivered → acknowledgment; `asn_receipt_latency`:
delivered → goods receipt), so a busy hub never shows up as a slow supplier.

Every duration KPI is ``{"n", "median_s", "p95_s", "max_s"}`` (seconds, nearest-rank p95);
every ratio KPI carries its numerator and denominator. A KPI without data is the string
``"n/a (<reason>)"``, so a reader sees why rather than a misleading zero.

The window (``since`` inclusive, ``until`` exclusive) applies to the *start* event of each
measurement (the purchase order, the receipt, the invoice...), so a PO received just before
``until`` still counts its acknowledgment that came after it. The data access is the
`KpiQueries` port (implemented in `adapters/sql/kpi_queries.py`); the measures themselves are
pure functions in `hub/kpi_measures.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from crossdock.hub import kpi_measures as measures


@dataclass(slots=True, frozen=True)
class KpiWindow:
    """Which start events count: received at or after `since` and before `until`."""

    since: datetime | None = None
    until: datetime | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }


@dataclass(slots=True, frozen=True)
class KpiMessage:
    """A message as the KPIs need it. Times are epoch seconds: the KPIs only subtract them.

    `canonical` is filled only when the query asked for it (milestones, proofs of delivery and
    invoice approvals carry the fields their KPIs match on).
    """

    id: str
    document_type: str
    source: str
    correlation_key: str | None
    status: str
    received_at: float
    canonical: dict[str, Any] | None = None


@dataclass(slots=True, frozen=True)
class KpiDelivery:
    """One delivery of a message: its status and when its first successful attempt ended."""

    message_id: str
    document_type: str
    endpoint: str
    status: str
    message_received_at: float
    delivered_at: float | None


@dataclass(slots=True, frozen=True)
class KpiFlowInstance:
    flow: str
    key: str
    state: str
    completed: bool
    created_at: float
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True, frozen=True)
class KpiReplay:
    """One replay the bus performed: `kind` is messages, from (sequence / time) or
    dead_letters (a dead-letter retry); `entries` how many log entries it handed back."""

    at: float
    kind: str
    group: str | None
    entries: int


class KpiQueries(Protocol):
    """Read-only queries over the store for the KPIs (one read transaction)."""

    def messages(
        self, document_types: Sequence[str], window: KpiWindow, *, canonical: bool = False
    ) -> list[KpiMessage]:
        """Messages of these types received in the window (rejected ones included)."""
        ...

    def deliveries(self, document_types: Sequence[str], window: KpiWindow) -> list[KpiDelivery]:
        """Deliveries of the messages of these types received in the window."""
        ...

    def message_outcomes(self, window: KpiWindow) -> tuple[int, int, int]:
        """(messages received, rejected at intake, failed after intake: at least one
        dead-lettered delivery, or no route could transform it) for the messages received
        in the window."""
        ...

    def unrouted_counts(self, window: KpiWindow) -> dict[tuple[str, str], int]:
        """(document type, source) -> messages received in the window that no route (nor
        other consumer) took: status `unrouted`."""
        ...

    def flow_instances(self, flow: str, window: KpiWindow) -> list[KpiFlowInstance]:
        """Instances of a flow created in the window, with their data."""
        ...

    def replays(self, window: KpiWindow) -> list[KpiReplay]:
        """Replays performed in the window."""
        ...

    def exception_counts(self, window: KpiWindow) -> dict[str, int]:
        """Exceptions raised in the window, by category."""
        ...

    def onboarding(self, window: KpiWindow) -> tuple[list[float], int]:
        """For registered partners created in the window: the seconds from creation to
        going live of those that went live, and how many have not gone live yet."""
        ...


def compute_kpis(queries: KpiQueries, window: KpiWindow | None = None) -> dict[str, Any]:
    """Every KPI for the window (default: everything recorded), with the window itself."""
    window = window or KpiWindow()
    # Ends (acknowledgments, approvals, proofs) are looked up from the window's start on only:
    # they never come before what they answer, and `until` must not cut them off.
    open_ended = KpiWindow(since=window.since)
    pos = queries.messages(["purchase_order"], window)
    po_deliveries = queries.deliveries(["purchase_order"], window)
    acks = queries.messages(["purchase_order_acknowledgment"], open_ended)
    asns = queries.messages(["advance_ship_notice"], window)
    asn_deliveries = queries.deliveries(["advance_ship_notice"], window)
    receipts = queries.messages(["goods_receipt"], open_ended)
    invoices = queries.messages(["invoice"], window)
    approvals = queries.messages(["invoice_approval"], open_ended, canonical=True)
    milestones = queries.messages(["shipment_milestone"], window, canonical=True)
    proofs = queries.messages(["proof_of_delivery"], open_ended, canonical=True)
    total, rejected, dead = queries.message_outcomes(window)
    return {
        "window": window.as_dict(),
        "po_delivery_latency": measures.delivery_time(po_deliveries, "purchase_order"),
        "po_acknowledgment_latency": measures.po_acknowledgment_latency(pos, po_deliveries, acks),
        "asn_delivery_latency": measures.delivery_time(asn_deliveries, "advance_ship_notice"),
        "asn_receipt_latency": measures.partner_latency(
            asns, asn_deliveries, receipts, what="ship notice", answer="received"
        ),
        "receipt_posting_time": measures.delivery_time(
            queries.deliveries(["goods_receipt"], window), "goods_receipt"
        ),
        "inventory_sync_lag": measures.delivery_time(
            queries.deliveries(["stock_movement"], window), "stock_movement"
        ),
        "shipment_event_completeness": measures.shipment_event_completeness(
            queries.flow_instances("order_to_delivery", window)
        ),
        "pod_update_speed": measures.pod_update_speed(milestones, proofs, window),
        "invoice_match_cycle_time": measures.invoice_match_cycle_time(invoices, approvals),
        "integration_failure_rate": measures.failure_rate(total, rejected, dead),
        "unrouted_messages": measures.unrouted_messages(queries.unrouted_counts(window)),
        "replay_volume": measures.replay_volume(queries.replays(window)),
        "exceptions_raised": measures.exceptions_raised(queries.exception_counts(window)),
        "onboarding_duration": measures.onboarding_duration(*queries.onboarding(window)),
    }
