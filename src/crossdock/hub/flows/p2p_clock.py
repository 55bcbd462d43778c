"""Procure-to-pay's acknowledgment clock: it starts when the supplier got the order.

The supplier is late when it has had the PO for longer than its acknowledgment SLA, so the
clock starts at the first successful delivery of the PO through a supplier route (the
dispatcher's delivered notice, `hub/delivered.py`) — the hub's backlog before that, an
endpoint outage, a retry, are the hub's and never raise late_acknowledgment. A PO that is
never delivered starts no clock: its dead letter is the exception (endpoint_unavailable).
"""

from __future__ import annotations

from collections.abc import Callable

from crossdock.hub.flows.model import DeliveredEvent, FlowEvent, FlowState, Reaction, SetTimer
from crossdock.hub.flows.p2p_policy import ProcureToPayPolicy


def delivered(policy: ProcureToPayPolicy) -> Callable[[FlowState, FlowEvent], Reaction]:
    """The PO reached the supplier: the acknowledgment clock starts at the first such
    delivery. Not when the supplier already answered (a fast supplier's acknowledgment can
    come before the delivery's success is settled), nor again for a later delivery (a
    changed PO, a second route): the supplier has had the order since the first."""

    def react(state: FlowState, event: FlowEvent) -> Reaction:
        assert isinstance(event, DeliveredEvent)
        data = state.data
        if event.route not in policy.supplier_routes or state.completed:
            return Reaction()
        if data.get("ack") or data.get("ack_clock"):
            return Reaction()
        terms = policy.terms(
            data.get("partner") or policy.partner_for(event.canonical.get("supplier"))
        )
        assert terms.ack_due is not None
        clock = {"delivered_at": event.delivered_at.isoformat(), "route": event.route,
                 "endpoint": event.endpoint, "message": event.message_id}  # fmt: skip
        return Reaction(
            data={"ack_clock": clock},
            set_timers=[SetTimer("ack_due", event.delivered_at + terms.ack_due)],
        )

    return react
