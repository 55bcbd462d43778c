"""Invoice payment: what the remittances say was paid against each invoice.

A remittance advice (X12 820) is keyed by its payment's trace number, but accounts
receivable, and the supplier asking "was invoice X paid?", look for an invoice. This small
flow keeps that index: one instance per open item number a remittance names (the bare
number, which is the invoice's own correlation key, so an invoice's partner sees the
instance as the flow of its own document), advanced by every remittance naming it. Each
instance books, per trace number, what was paid, the discount taken and the adjustments
with their reason codes; a remittance seen again (same trace number, e.g. re-sent through
another channel) is booked once.

States, from the book: ``remitted`` (no invoice amount was stated), ``paid`` (paid plus
discount cover the invoice amount), ``short_paid`` (the difference is explained by
deductions, ADX adjustments: a dispute for AR to work), ``partially_paid`` (money still
outstanding). Nothing completes the instance: a later remittance or credit may follow.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from crossdock.hub.flows.model import (
    ANY_STATE,
    FlowDefinition,
    FlowEvent,
    FlowState,
    MessageEvent,
    Reaction,
)

NAME = "invoice_payment"
DOCUMENT_TYPE = "remittance_advice"
ZERO = Decimal(0)


def remitted_numbers(document: Mapping[str, Any]) -> list[str]:
    """Every open item (invoice, credit or debit memo) a remittance applies money to."""
    numbers = [item.get("invoice_number") for item in document.get("invoices") or []]
    return [str(number) for number in numbers if number]


def _amount(money: Any) -> Decimal:
    if not isinstance(money, Mapping):
        return ZERO
    try:
        return Decimal(str(money.get("amount", 0)))
    except InvalidOperation:
        return ZERO


def booking(document: Mapping[str, Any], number: str, message_id: str) -> dict[str, Any]:
    """What one remittance applies to the open item ``number`` (summed if it names it twice)."""
    items = [i for i in document.get("invoices") or [] if i.get("invoice_number") == number]
    adjustments = [a for i in items for a in i.get("adjustments") or []]
    stated = [i["invoice_amount"] for i in items if i.get("invoice_amount")]
    entry: dict[str, Any] = {
        "message": message_id,
        "payment_date": document.get("payment_date"),
        "payment_method": document.get("payment_method"),
        "kind": items[0].get("kind", "invoice") if items else "invoice",
        "paid": str(sum((_amount(i.get("paid_amount")) for i in items), ZERO)),
        "discount": str(sum((_amount(i.get("discount_amount")) for i in items), ZERO)),
        "adjustments": [
            {"amount": str(_amount(a.get("amount"))), "reason_code": a.get("reason_code")}
            for a in adjustments
        ],
    }
    if stated:
        entry["invoice_amount"] = str(_amount(stated[-1]))
    po_numbers = [i["po_number"] for i in items if i.get("po_number")]
    if po_numbers:
        entry["po_number"] = po_numbers[0]
    return entry


def derive_state(data: Mapping[str, Any]) -> str:
    """The state the book shows (see the module docstring)."""
    if data.get("invoice_amount") is None:
        return "remitted"
    due = Decimal(data["invoice_amount"])
    covered = Decimal(data["paid"]) + Decimal(data["discount"])
    if covered >= due:
        return "paid"
    if covered - Decimal(data["adjusted"]) >= due:
        return "short_paid"
    return "partially_paid"


def applied(state: FlowState, event: FlowEvent) -> Reaction:
    """A remittance naming this open item: book it under its trace number, once."""
    assert isinstance(event, MessageEvent)
    document = event.canonical
    trace = str(document.get("trace_number") or event.message_id)
    remittances = dict(state.data.get("remittances") or {})
    if trace in remittances:
        return Reaction()  # the same payment again: booked already
    entry = booking(document, state.key, event.message_id)
    remittances[trace] = entry
    books = remittances.values()
    data: dict[str, Any] = {
        "remittances": remittances,
        "currency": document.get("currency"),
        "paid": str(sum((Decimal(b["paid"]) for b in books), ZERO)),
        "discount": str(sum((Decimal(b["discount"]) for b in books), ZERO)),
        "adjusted": str(sum((Decimal(a["amount"]) for b in books for a in b["adjustments"]), ZERO)),
        "invoice_amount": entry.get("invoice_amount", state.data.get("invoice_amount")),
    }
    return Reaction(state=derive_state(data), data=data)


def definition() -> FlowDefinition:
    """The invoice payment index."""
    return FlowDefinition(
        name=NAME,
        keys={DOCUMENT_TYPE: remitted_numbers},
        initial_state="new",
        transitions={(ANY_STATE, DOCUMENT_TYPE): applied},
    )
