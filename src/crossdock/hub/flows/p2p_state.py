"""The procure-to-pay flow's state as its book shows it, and the reaction every step returns.

Shared by the flow's handlers (``procure_to_pay``, ``p2p_change``): the state is derived from
the book, never stored by the order of events, so each handler just updates the book.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from crossdock.hub.flows import p2p_ledger as ledger
from crossdock.hub.flows.model import FlowState, MessageEvent, Reaction, SetTimer
from crossdock.hub.flows.p2p_policy import PartnerTerms

Handler = Callable[[FlowState, MessageEvent, dict[str, Any]], Reaction]


def derive_state(data: Mapping[str, Any]) -> str:
    """The state the book shows, whatever order the documents came in."""
    invoices = set((data.get("invoices") or {}).values())
    if data.get("cancelled"):
        return "cancelled"
    if data.get("closed"):
        return "matched"
    if "mismatch" in invoices:
        return "mismatch"
    if "waiting" in invoices:
        return "awaiting_receipt"
    if "approved" in invoices:
        return "partially_matched"
    if data.get("receipts"):
        got = ledger.received(data, "counted")
        plan = data.get("schedule") or {}
        done = all(got.get(n, ledger.ZERO) >= Decimal(e["expected"]) for n, e in plan.items())
        stored = ledger.put_away(data)
        if done and all(stored.get(n, ledger.ZERO) >= q for n, q in ledger.received(data).items()):
            return "put_away"
        return "received" if done else "receiving"
    if data.get("asns"):
        return "shipped"
    if data.get("ack"):
        return "acknowledged"
    return "acknowledgment_late" if data.get("ack_late") else "awaiting_acknowledgment"


def after(data: dict[str, Any], *, complete: bool = False, **effects: Any) -> Reaction:
    """The reaction writing the whole book back, in the state it shows."""
    return Reaction(state=derive_state(data), data=data, complete=complete, **effects)


def asn_timer(data: Mapping[str, Any], terms: PartnerTerms) -> list[SetTimer]:
    """The "ASN due" timer for the schedule, unless a ship notice is in already."""
    assert terms.asn_due_before_promised is not None
    due = ledger.asn_due(data.get("schedule") or {}, terms.asn_due_before_promised)
    return [SetTimer("asn_due", due)] if due is not None and not data.get("asns") else []
