"""Procure-to-pay: one purchase order from the ERP to a matched invoice released for payment.

Keyed by the PO number. The purchase order opens the instance (documents that come first are
held until it does); the "acknowledgment due" timer starts when the hub delivered the PO to
the supplier (a `delivered:purchase_order` event through one of the policy's supplier routes —
the hub's backlog before it is not the supplier's; with no supplier route, when the PO opens
the instance); the acknowledgment records
what the supplier promised per line, keeps the inbound schedule (expected quantity and date
per line, for the WMS) and starts the "ASN due" timer; its changes and rejections raise
nothing but are emitted so a route takes them back to the ERP. Ship notices and goods
receipts are booked per document number (`p2p_ledger`), so partial and out-of-order
deliveries add up; notices that shipped a line short of the order (or the acknowledged
promise) raise short_shipment for the buyer, so does a receipt short of its ship notice, and
receiving more than expected beyond tolerance raises over_receipt (`p2p_checks`). The
warehouse's put-away (a `putaway` stock movement naming the PO line) is booked per line as
its own step; it moves counted goods, so it never counts them again. The invoice waits while
goods it bills may still arrive, then is matched line by line (`three_way_match`) against
what was received, so a short-shipped order is billed and closed for what came (the short
exception carries the balance; a backordered line keeps the flow open for the rest):
matched, an `invoice_approval` goes to the ERP and the flow completes; otherwise one
exception per failed rule. A changed PO (purpose replace) updates the lines and the schedule; a cancelled one ends
the flow. A purchase_order_change (860) changes the order line by line and the supplier's
purchase_order_change_acknowledgment (865) answers it (`p2p_change`); a cancelling change ends
the flow as cancelled; either one for a PO the flow has not seen is kept and raised as
unknown_reference. Whatever arrives after the end is kept as evidence, not treated as an error.

States (derived from the book, so the order of arrival does not matter): new,
awaiting_acknowledgment, acknowledgment_late, acknowledged, shipped, receiving, received,
put_away (received, and every accepted unit stored), awaiting_receipt (an invoice waits), mismatch, partially_matched (an invoice approved, more
to bill), matched (complete: everything received is billed), cancelled (complete).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from crossdock.hub.flows import p2p_change as changes
from crossdock.hub.flows import p2p_checks as checks
from crossdock.hub.flows import p2p_clock as clock
from crossdock.hub.flows import p2p_ledger as ledger
from crossdock.hub.flows.exceptions import ExceptionCategory, RaisedException
from crossdock.hub.flows.model import (
    ANY_STATE,
    EmittedDocument,
    FlowDefinition,
    FlowEvent,
    FlowState,
    MessageEvent,
    Reaction,
    SetTimer,
    by_field,
    by_fields,
    hold,
)
from crossdock.hub.flows.p2p_policy import ProcureToPayPolicy
from crossdock.hub.flows.p2p_state import Handler
from crossdock.hub.flows.p2p_state import after as _after
from crossdock.hub.flows.p2p_state import asn_timer as _asn_timer
from crossdock.hub.flows.three_way_match import match

NAME = "procure_to_pay"
FOLLOWERS = (
    "purchase_order_acknowledgment",
    "advance_ship_notice",
    "goods_receipt",
    "stock_movement",
    "invoice",
    "purchase_order_change",
    "purchase_order_change_acknowledgment",
)


def _purchase_order(policy: ProcureToPayPolicy) -> Handler:
    def react(state: FlowState, event: MessageEvent, data: dict[str, Any]) -> Reaction:
        po = event.canonical
        if po.get("purpose") == "cancel":
            data["cancelled"] = event.message_id
            return _after(data, complete=True)
        first = "lines" not in data
        data["lines"] = ledger.po_lines(po, data.get("lines"))
        data["schedule"] = ledger.schedule(data["lines"], data.get("ack") or {})
        data["orders"] = [*data.get("orders", []), event.message_id]
        if first:
            data["supplier"] = po.get("supplier")
            data["partner"] = policy.partner_for(po.get("supplier"))
        terms = policy.terms(data.get("partner"))
        if all(line["cancelled"] for line in data["lines"].values()):
            data["cancelled"] = event.message_id
            return _after(data, complete=True)
        timers = _asn_timer(data, terms)
        raised = checks.short_against_order(data)
        if first and not data.get("ack") and not policy.supplier_routes:
            assert terms.ack_due is not None  # no route delivers POs: the clock starts now
            timers.append(SetTimer("ack_due", event.at + terms.ack_due))
        return _after(data, exceptions=raised, set_timers=timers, release_held=first)

    return react


def _acknowledgment(policy: ProcureToPayPolicy) -> Handler:
    def react(state: FlowState, event: MessageEvent, data: dict[str, Any]) -> Reaction:
        data["ack"] = ledger.ack_lines(event.canonical)
        data["ack_message"] = event.message_id
        data["schedule"] = ledger.schedule(data["lines"], data["ack"])
        changed = any(a["status"] != "accepted" for a in data["ack"].values())
        emit = (
            [EmittedDocument("purchase_order_acknowledgment", event.canonical)] if changed else []
        )
        timers = _asn_timer(data, policy.terms(data.get("partner")))
        raised = checks.short_against_order(data)
        return _after(
            data, emit=emit, exceptions=raised, set_timers=timers, cancel_timers=["ack_due"]
        )

    return react


def _ship_notice(policy: ProcureToPayPolicy) -> Handler:
    def react(state: FlowState, event: MessageEvent, data: dict[str, Any]) -> Reaction:
        number = event.canonical["asn_number"]
        lines = ledger.asn_lines(event.canonical, state.key)
        data["asns"] = {
            **data.get("asns", {}),
            number: {"message": event.message_id, "lines": lines},
        }
        raised = checks.short_against_order(data) + checks.short_against_notices(data)
        return _after(data, exceptions=raised, cancel_timers=["asn_due"])

    return react


def _receipt(policy: ProcureToPayPolicy) -> Handler:
    def react(state: FlowState, event: MessageEvent, data: dict[str, Any]) -> Reaction:
        receipt = event.canonical
        entry = {
            "message": event.message_id,
            "asn": receipt.get("asn_number"),
            "lines": ledger.receipt_lines(receipt, state.key),
        }
        data["receipts"] = {**data.get("receipts", {}), receipt["receipt_number"]: entry}
        terms = policy.terms(data.get("partner"))
        raised = checks.short_against_order(data) + checks.short_against_notices(data)
        raised += checks.over_receipts(data, terms)
        return _after(data, exceptions=raised, release_held=True)

    return react


def _putaway(state: FlowState, event: MessageEvent, data: dict[str, Any]) -> Reaction:
    """Book a line's put-away under its movement id (a resend replaces itself): the step after
    the receipt, which moves goods already counted and so adds nothing to the received
    quantity. One before its receipt is simply booked; the state shows it once both are in."""
    entry = ledger.putaway_entry(event.canonical, event.message_id)
    data["putaways"] = {**data.get("putaways", {}), event.canonical["movement_id"]: entry}
    return _after(data)


def _invoice(policy: ProcureToPayPolicy) -> Handler:
    def react(state: FlowState, event: MessageEvent, data: dict[str, Any]) -> Reaction:
        invoice = event.canonical
        number = invoice["invoice_number"]
        invoices = dict(data.get("invoices") or {})
        if invoices.get(number) == "approved":
            return _duplicate_invoice(state, event, data)  # never paid twice
        lines = ledger.billed_lines(invoice, state.key)
        if ledger.invoice_waits(data, lines):
            data["invoices"] = {**invoices, number: "waiting"}
            return _after({**data, **hold(state, event)})
        terms = policy.terms(data.get("partner"))
        assert terms.tolerances is not None
        billed = {int(k): Decimal(v) for k, v in (data.get("billed") or {}).items()}
        got = {int(k): v for k, v in ledger.received(data).items()}
        result = match(
            ledger.ordered_lines(data),
            got,
            lines,
            billed_before=billed,
            tolerances=terms.tolerances,
        )
        if not result.matched:
            data["invoices"] = {**invoices, number: "mismatch"}
            raised = [
                RaisedException(
                    m.category,
                    f"invoice {number}: {m.detail}",
                    data={"invoice_number": number, **m.as_dict()},
                )
                for m in result.mismatches
            ]
            return _after(data, exceptions=raised)
        data["invoices"] = {**invoices, number: "approved"}
        data["approved_by"] = {**(data.get("approved_by") or {}), number: event.message_id}
        data["billed"] = {str(k): str(v) for k, v in result.billed.items()}
        data["closed"] = ledger.fully_billed(data)
        approval = checks.approval(invoice, state.key, lines, got, event)
        emit = [EmittedDocument("invoice_approval", approval)]
        return _after(data, emit=emit, complete=data["closed"])

    return react


def _evidence(data: dict[str, Any], event: MessageEvent) -> Reaction:
    """Keep a document that came after the flow ended: evidence, not an error."""
    late = [
        *data.get("late_events", []),
        {"message_id": event.message_id, "document_type": event.document_type},
    ]
    return Reaction(data={"late_events": late})


def _duplicate_invoice(state: FlowState, event: MessageEvent, data: dict[str, Any]) -> Reaction:
    """An invoice in a new message whose number was already approved: a second bill for the
    same goods (re-sent through another channel, or billed twice). It is kept as evidence and
    never paid again, and accounts payable hears of it — a silent drop would hide a supplier
    that double-bills. Anything else arriving after the end is plain evidence."""
    number = event.canonical.get("invoice_number")
    if (data.get("invoices") or {}).get(number) != "approved":
        return _evidence(data, event)
    first = (data.get("approved_by") or {}).get(number)
    seen = f" (message {first})" if first else ""
    duplicate = RaisedException(
        ExceptionCategory.DUPLICATE,
        f"invoice {number} for PO {state.key} was already approved{seen}; this copy is kept, "
        "not paid",
        evidence=[m for m in (first, event.message_id) if m],
        owner_role="accounts_payable",
        data={"invoice_number": number, "approved_message": first},
    )
    return Reaction(data=_evidence(data, event).data, exceptions=[duplicate])


def _message(handler: Handler) -> Callable[[FlowState, FlowEvent], Reaction]:
    """Adapt a handler: documents after the end are evidence; the handler gets a data copy."""

    def react(state: FlowState, event: FlowEvent) -> Reaction:
        assert isinstance(event, MessageEvent)
        if state.completed:
            if event.document_type == "invoice":
                return _duplicate_invoice(state, event, dict(state.data))
            return _evidence(dict(state.data), event)
        return handler(state, event, dict(state.data))

    return react


def _early(state: FlowState, event: FlowEvent) -> Reaction:
    """A document before its purchase order: keep it until the order opens the flow."""
    assert isinstance(event, MessageEvent)
    return Reaction(data=hold(state, event))


def _ack_late(state: FlowState, event: FlowEvent) -> Reaction:
    if state.data.get("ack") or state.completed:
        return Reaction()
    data = {**state.data, "ack_late": True, "flagged": list(state.data.get("flagged") or [])}
    clock = state.data.get("ack_clock") or {}
    since = f" (delivered to the supplier at {clock['delivered_at']})" if clock else ""
    late = RaisedException(
        ExceptionCategory.LATE_ACKNOWLEDGMENT,
        f"purchase order {state.key} not acknowledged by {event.at.isoformat()}{since}",
        evidence=list(state.data.get("orders") or [])[:1],
        data=clock,
    )  # without an acknowledgment, the order is what the ship notices are judged against
    return _after(data, exceptions=[late, *checks.short_against_order(data)])


def _asn_missing(state: FlowState, event: FlowEvent) -> Reaction:
    if state.data.get("asns") or state.completed:
        return Reaction()
    return Reaction(
        data={"asn_late": True},
        exceptions=[
            RaisedException(
                ExceptionCategory.MISSING_MILESTONE,
                f"purchase order {state.key}: no ship notice before the promised date",
                evidence=list(state.data.get("orders") or [])[:1],
                owner_role="buyer",
            )
        ],
    )


def definition(policy: ProcureToPayPolicy | None = None) -> FlowDefinition:
    """The procure-to-pay flow under `policy` (defaults: 24 h acknowledgment SLA, ASN due a
    day before the promised date, exact quantities, prices within a cent)."""
    policy = policy or ProcureToPayPolicy()
    return FlowDefinition(
        name=NAME,
        keys={
            "purchase_order": by_field("po_number"),
            "purchase_order_acknowledgment": by_field("po_number"),
            "advance_ship_notice": by_fields("orders", "po_number"),
            "goods_receipt": by_fields("lines", "po_number"),
            "stock_movement": ledger.putaway_keys,
            "invoice": ledger.invoice_keys,
            "purchase_order_change": by_field("po_number"),
            "purchase_order_change_acknowledgment": by_field("po_number"),
        },
        initial_state="new",
        transitions={
            **{("new", kind): _early for kind in FOLLOWERS},
            ("new", "purchase_order_change"): changes.unknown_order,
            ("new", "purchase_order_change_acknowledgment"): changes.unknown_order,
            ("new", "purchase_order"): _message(_purchase_order(policy)),
            (ANY_STATE, "purchase_order"): _message(_purchase_order(policy)),
            (ANY_STATE, "purchase_order_acknowledgment"): _message(_acknowledgment(policy)),
            (ANY_STATE, "advance_ship_notice"): _message(_ship_notice(policy)),
            (ANY_STATE, "goods_receipt"): _message(_receipt(policy)),
            (ANY_STATE, "stock_movement"): _message(_putaway),
            (ANY_STATE, "invoice"): _message(_invoice(policy)),
            (ANY_STATE, "purchase_order_change"): _message(changes.change(policy)),
            (ANY_STATE, "purchase_order_change_acknowledgment"): _message(changes.answer(policy)),
            (ANY_STATE, "delivered:purchase_order"): clock.delivered(policy),
            (ANY_STATE, "timer:ack_due"): _ack_late,
            (ANY_STATE, "timer:asn_due"): _asn_missing,
        },
    )
