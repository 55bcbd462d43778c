"""Procure-to-pay: a change to an open purchase order (860) and the supplier's answer (865).

A change is the buyer's word: it updates the order in the book at once (``lines``: new
quantity, price or date per line, added lines, cancelled lines), so the receipt checks and
the three-way match judge against the changed order. What the supplier said it would ship
(``ack``) still bounds what is expected until it answers the change: a quantity raised from
80 to 100 is expected at 80 until the supplier accepts 100 — the flow does not assume
goods the supplier never agreed to send.

The answer (``purchase_order_change_acknowledgment``) is matched to the change it names
(BCA05, the change number; else the latest change not answered yet). Per line: accepted
makes the changed line the supplier's new promise; changed records the supplier's own
quantity and date as its promise (the order keeps the buyer's values: a counter-proposal
binds only once the buyer confirms it with a change of its own); rejected puts the line
back as it was before the change. An answer without lines answers every changed line the
same. An answer naming no known change is a seller-initiated request: recorded, and sent on
to the ERP, changing nothing.

The handlers (``change``, ``answer``, ``unknown_order`` for either before any order) are
wired into ``procure_to_pay.definition``.

Layout added to the book (``p2p_ledger``)::

    changes: {change key: {"message", "before": {"1": line | None}, "answer": {...} | None}}
    change_requests: [{"message", "status"}]
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from crossdock.hub.flows import p2p_checks as checks
from crossdock.hub.flows import p2p_ledger as ledger
from crossdock.hub.flows.exceptions import ExceptionCategory, RaisedException
from crossdock.hub.flows.model import (
    EmittedDocument,
    FlowEvent,
    FlowState,
    MessageEvent,
    Reaction,
    hold,
)
from crossdock.hub.flows.p2p_policy import ProcureToPayPolicy
from crossdock.hub.flows.p2p_state import Handler, after, asn_timer

#: Change types that only carry new values for an existing line.
_VALUE_CHANGES = frozenset(
    {
        "quantity_increase",
        "quantity_decrease",
        "price_change",
        "price_and_quantity_change",
        "date_change",
        "quantity_and_date_change",
        "price_and_date_change",
        "change",
        "replace",
    }
)


def change_key(document: Mapping[str, Any], message_id: str) -> str:
    """The change's own number (BCH05) when it has one, else its message."""
    return str(document.get("change_number") or message_id)


def apply_change(
    data: dict[str, Any], change: Mapping[str, Any], message_id: str, po_number: str
) -> list[RaisedException]:
    """Apply the buyer's `change` to the book's order lines; lines it names that the order
    does not have (and does not add) are raised, the rest still applied."""
    lines: dict[str, Any] = {k: dict(v) for k, v in (data.get("lines") or {}).items()}
    before: dict[str, Any] = {}
    unknown: list[str] = []
    for line in change.get("lines") or []:
        number = str(line["line_number"])
        kind = line["change"]
        old = lines.get(number)
        if kind == "no_change":
            continue
        if kind != "add" and old is None:
            unknown.append(number)
            continue
        before[number] = dict(old) if old is not None else None
        if kind == "add" and old is None:
            lines[number] = _added(line)
        elif kind == "cancel":
            lines[number] = {**lines[number], "cancelled": True}
        elif kind in _VALUE_CHANGES or kind == "add":
            lines[number] = _changed(lines[number], line)
    header_date = change.get("requested_delivery_date")
    if header_date:
        dated = {str(line["line_number"]) for line in change.get("lines") or []}
        for number, entry in lines.items():
            if number not in dated and not entry["cancelled"]:
                before.setdefault(number, dict(entry))
                lines[number] = {**entry, "date": header_date}
    data["lines"] = lines
    key = change_key(change, message_id)
    data["changes"] = {
        **(data.get("changes") or {}),
        key: {"message": message_id, "before": before, "answer": None},
    }
    if not unknown:
        return []
    return [
        RaisedException(
            ExceptionCategory.UNKNOWN_REFERENCE,
            f"change {key} of purchase order {po_number} names line(s) {', '.join(unknown)} "
            "the order does not have; the rest of the change was applied",
            evidence=[message_id],
            owner_role="buyer",
            data={"change": key, "unknown_lines": [int(n) for n in unknown]},
        )
    ]


def _added(line: Mapping[str, Any]) -> dict[str, Any]:
    quantity = line["quantity"]
    return {
        "qty": str(Decimal(str(quantity["value"]))),
        "unit": quantity["unit"],
        "price": str(line["unit_price"]["amount"]),
        "currency": line["unit_price"]["currency"],
        "item": line["item"],
        "date": line.get("requested_delivery_date"),
        "cancelled": Decimal(str(quantity["value"])) == 0,
    }


def _changed(entry: Mapping[str, Any], line: Mapping[str, Any]) -> dict[str, Any]:
    """`entry` with the new values `line` carries (a quantity of zero cancels the line)."""
    out = dict(entry)
    quantity = line.get("quantity")
    if quantity is not None:
        qty = Decimal(str(quantity["value"]))
        out.update(qty=str(qty), unit=quantity["unit"], cancelled=qty == 0)
    price = line.get("unit_price")
    if price is not None:
        out.update(price=str(price["amount"]), currency=price["currency"])
    if line.get("requested_delivery_date"):
        out["date"] = line["requested_delivery_date"]
    return out


def answer_change(data: dict[str, Any], answer: Mapping[str, Any], message_id: str) -> bool:
    """Book the supplier's `answer`; False when it answers no change the flow knows (a
    seller-initiated request: recorded in ``change_requests``, nothing else changes)."""
    changes = dict(data.get("changes") or {})
    key = str(answer.get("change_number") or "")
    if key not in changes:  # unnumbered, or numbered its own way: the latest unanswered one
        key = next((k for k in reversed(changes) if changes[k]["answer"] is None), "")
    if not key:
        requests = list(data.get("change_requests") or [])
        requests.append({"message": message_id, "status": answer.get("status")})
        data["change_requests"] = requests
        return False
    change = dict(changes[key])
    lines: dict[str, Any] = {k: dict(v) for k, v in (data.get("lines") or {}).items()}
    ack: dict[str, Any] = dict(data.get("ack") or {})
    answered = {str(line["line_number"]): line for line in answer.get("lines") or []}
    if not answered:  # no line detail: the header's answer holds for every changed line
        status = "rejected" if answer.get("status") == "rejected" else "accepted"
        answered = {n: {"status": status} for n in change["before"]}
    for number, line in answered.items():
        status = line["status"]
        if status == "rejected":
            _revert(lines, number, change["before"])
            continue
        entry = lines.get(number)
        if entry is None:
            continue
        promised = line.get("quantity") if status != "accepted" else None
        ack[number] = {
            "status": "accepted" if status == "accepted" else status,
            "promised": str(promised["value"]) if promised else entry["qty"],
            "date": line.get("promised_date") or entry.get("date"),
        }
    change["answer"] = {"message": message_id, "status": answer.get("status")}
    data["changes"] = {**changes, key: change}
    data["lines"] = lines
    data["ack"] = ack
    return True


def _revert(lines: dict[str, Any], number: str, before: Mapping[str, Any]) -> None:
    """Put a line back as it was before the change; a rejected added line is cancelled."""
    if number not in before:
        return
    old = before[number]
    if old is None:
        if number in lines:
            lines[number] = {**lines[number], "cancelled": True}
        return
    lines[number] = dict(old)


def change(policy: ProcureToPayPolicy) -> Handler:
    """The buyer's change: a cancel ends the flow; otherwise the order changes and the
    schedule, ASN timer and shipping checks follow it."""

    def react(state: FlowState, event: MessageEvent, data: dict[str, Any]) -> Reaction:
        if event.canonical.get("purpose") == "cancel":
            data["cancelled"] = event.message_id
            return after(data, complete=True)
        raised = apply_change(data, event.canonical, event.message_id, state.key)
        return _replanned(policy, event, data, raised)

    return react


def answer(policy: ProcureToPayPolicy) -> Handler:
    """The supplier's 865: booked against its change (or as a request of its own)."""

    def react(state: FlowState, event: MessageEvent, data: dict[str, Any]) -> Reaction:
        answered = answer_change(data, event.canonical, event.message_id)
        # The ERP hears of a request, a refusal or a counter-proposal; a plain yes, not.
        forward = not answered or event.canonical.get("status") != "accepted"
        kind = "purchase_order_change_acknowledgment"
        emit = [EmittedDocument(kind, event.canonical)] if forward else []
        return _replanned(policy, event, data, [], emit=emit)

    return react


def _replanned(
    policy: ProcureToPayPolicy,
    event: MessageEvent,
    data: dict[str, Any],
    raised: list[RaisedException],
    emit: list[EmittedDocument] | None = None,
) -> Reaction:
    """After the order or the promise changed: a new schedule, ASN timer and checks; every
    line cancelled ends the flow as cancelled."""
    data["schedule"] = ledger.schedule(data["lines"], data.get("ack") or {})
    if all(line["cancelled"] for line in data["lines"].values()):
        data["cancelled"] = event.message_id
        return after(data, complete=True, exceptions=raised, emit=emit or [])
    timers = asn_timer(data, policy.terms(data.get("partner")))
    raised = [*raised, *checks.short_against_order(data)]
    return after(data, exceptions=raised, set_timers=timers, emit=emit or [])


def unknown_order(state: FlowState, event: FlowEvent) -> Reaction:
    """A change (or its answer) before any purchase order: kept for the order, and raised,
    since a change to an order the hub never saw usually means a wrong PO number."""
    assert isinstance(event, MessageEvent)
    raised = RaisedException(
        ExceptionCategory.UNKNOWN_REFERENCE,
        f"{event.document_type} for purchase order {state.key}, which the hub has not seen; "
        "it is kept and applied if the order arrives",
        evidence=[event.message_id],
        owner_role="buyer",
        data={"po_number": state.key, "document_type": event.document_type},
    )
    return Reaction(data=hold(state, event), exceptions=[raised])
