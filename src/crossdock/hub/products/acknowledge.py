"""A supplier acknowledges a purchase order through the API (`AcknowledgePurchaseOrder`).

The answer is checked against the PO's own lines (every open line answered once, in the
PO's unit and currency, a date where a backorder or a date change needs one); then it becomes
a canonical ``purchase_order_acknowledgment`` recorded exactly as intake records one (`hub.
intake.prepare` + `record`: source = the supplier, channel ``api``), so the procure-to-pay
flow advances as if the supplier had sent an 855: promised lines, schedule, "ASN due" timer,
changes and rejections sent back to the ERP. Nothing here touches the flow itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

import orjson

from crossdock.hub.identity import Principal
from crossdock.hub.intake import IntakeOutcome, IntakeRequest, prepare, record
from crossdock.hub.ports import UnitOfWork
from crossdock.hub.products.ownership import PartnerIdentifiers, partner_of
from crossdock.hub.products.purchase_orders import PurchaseOrderView
from crossdock.hub.records import FieldError, InboundMessage

ACK = "purchase_order_acknowledgment"
Action = Literal["accept", "change", "reject", "backorder"]
_LINE_STATUS = {
    "accept": "accepted",
    "change": "changed",
    "reject": "rejected",
    "backorder": "backordered",
}


@dataclass(slots=True, frozen=True)
class LineAnswer:
    line_number: int
    action: Action
    quantity: Decimal | None = None
    unit: str | None = None
    unit_price: Decimal | None = None
    currency: str | None = None
    promised_date: date | None = None
    reason: str | None = None


@dataclass(slots=True, frozen=True)
class AcknowledgePurchaseOrder:
    po_number: str
    lines: list[LineAnswer]
    acknowledgment_number: str | None = None
    sales_order_number: str | None = None
    notes: list[str] = field(default_factory=list)
    idempotency_key: str | None = None
    #: The answer as the supplier sent it (recorded as the message's raw bytes).
    raw: bytes = b""


def check(command: AcknowledgePurchaseOrder, po: PurchaseOrderView) -> list[FieldError]:
    """Every way the answer contradicts the PO, with the path of the field at fault."""
    errors: list[FieldError] = []
    document = po.document
    ordered = {int(line["line_number"]): line for line in document.get("lines") or []}
    cancelled = {int(n) for n, line in po.book.items() if line.get("cancelled")}
    seen: set[int] = set()
    for index, answer in enumerate(command.lines):
        path = f"lines.{index}"
        line = ordered.get(answer.line_number)
        if line is None or answer.line_number in cancelled:
            errors.append(
                FieldError(
                    f"{path}.line_number",
                    f"purchase order {po.po_number} has no open line {answer.line_number}",
                    "unknown_line",
                )
            )
            continue
        if answer.line_number in seen:
            errors.append(FieldError(f"{path}.line_number", "line answered twice", "duplicate"))
        seen.add(answer.line_number)
        errors += _check_line(path, answer, line, document.get("currency"))
    missing = sorted(set(ordered) - cancelled - seen)
    if missing:
        numbers = ", ".join(str(n) for n in missing)
        errors.append(FieldError("lines", f"lines not answered: {numbers}", "missing_lines"))
    return errors


def _check_line(
    path: str, answer: LineAnswer, line: dict[str, Any], currency: str | None
) -> list[FieldError]:
    errors: list[FieldError] = []
    unit = line["quantity"]["unit"]
    if answer.unit is not None and answer.unit != unit:
        errors.append(FieldError(f"{path}.unit", f"the PO line is in {unit}", "unit_mismatch"))
    if answer.currency is not None and answer.currency != currency:
        errors.append(
            FieldError(f"{path}.currency", f"the PO is in {currency}", "currency_mismatch")
        )
    if answer.action == "change" and (
        answer.quantity is None and answer.unit_price is None and answer.promised_date is None
    ):
        errors.append(
            FieldError(path, "a change names a quantity, a unit price or a date", "empty_change")
        )
    if answer.action == "backorder" and answer.promised_date is None:
        errors.append(
            FieldError(f"{path}.promised_date", "a backorder needs a promised date", "missing")
        )
    if answer.action == "reject" and answer.quantity not in (None, Decimal(0)):
        errors.append(
            FieldError(f"{path}.quantity", "a rejected line promises nothing", "not_allowed")
        )
    if answer.action == "accept" and (answer.quantity is not None or answer.unit_price is not None):
        errors.append(
            FieldError(path, "accept takes the line as ordered; use change", "not_allowed")
        )
    return errors


def canonical_ack(
    command: AcknowledgePurchaseOrder, po: PurchaseOrderView, now: datetime
) -> dict[str, Any]:
    """The canonical acknowledgment the answer amounts to."""
    document = po.document
    ordered = {int(line["line_number"]): line for line in document.get("lines") or []}
    lines = [_ack_line(answer, ordered[answer.line_number]) for answer in command.lines]
    statuses = {line["status"] for line in lines}
    status = (
        "accepted"
        if statuses == {"accepted"}
        else "rejected"
        if statuses == {"rejected"}
        else "accepted_with_changes"
    )
    out: dict[str, Any] = {
        "acknowledgment_number": command.acknowledgment_number,
        "po_number": po.po_number,
        "po_date": str(document["issued_at"])[:10],
        "status": status,
        "acknowledged_at": now.isoformat(),
        "currency": document.get("currency"),
        "supplier": document["supplier"],
        "buyer": document["buyer"],
        "sales_order_number": command.sales_order_number,
        "notes": list(command.notes),
        "lines": lines,
    }
    return {k: v for k, v in out.items() if v is not None}


def _ack_line(answer: LineAnswer, line: dict[str, Any]) -> dict[str, Any]:
    quantity = line["quantity"]
    promised: dict[str, Any] | None = quantity
    if answer.action == "reject":
        promised = None
    elif answer.quantity is not None:
        promised = {"value": str(answer.quantity), "unit": quantity["unit"]}
    price = None
    if answer.unit_price is not None:
        price = {"amount": str(answer.unit_price), "currency": line["unit_price"]["currency"]}
    when = answer.promised_date or line.get("requested_delivery_date")
    out = {
        "line_number": answer.line_number,
        "status": _LINE_STATUS[answer.action],
        "item": line["item"],
        "ordered_quantity": quantity,
        "promised_quantity": promised,
        "promised_date": None if answer.action == "reject" or when is None else str(when),
        "unit_price": price,
        "reason": answer.reason,
    }
    return {k: v for k, v in out.items() if v is not None}


def source_for(principal: Principal, po: PurchaseOrderView, known: PartnerIdentifiers) -> str:
    """Whom the acknowledgment is from: the supplier itself, or (an operator answering on
    its behalf, e.g. from a phone call) the PO's supplier partner, else the operator."""
    supplier = po.partner or partner_of(po.document.get("supplier"), known)
    return principal.partner or supplier or principal.subject


def recorded_ack(
    command: AcknowledgePurchaseOrder,
    po: PurchaseOrderView,
    supplier: str,
    now: datetime,
    lane_for: Callable[[str], str],
) -> tuple[InboundMessage, dict[str, Any]]:
    """The message intake would record for this answer (prepared, not yet written).

    Validated as intake validates (`prepare`: the canonical model), then the raw bytes are
    the supplier's answer itself (`command.raw`), as for every channel: a retry of the same
    answer under the same Idempotency-Key is then a duplicate, not a conflict, although the
    document built from it carries a new ``acknowledged_at``."""
    document = canonical_ack(command, po, now)
    request = IntakeRequest(
        document_type=ACK,
        raw=orjson.dumps(document),
        content_type="application/json",
        source=supplier,
        channel="api",
        received_at=now,
        idempotency_key=command.idempotency_key,
    )
    message = prepare(request, lane_for)
    if command.raw:
        message.raw = command.raw
        message.body_sha256 = hashlib.sha256(command.raw).hexdigest()
    return message, document


def write(
    uow: UnitOfWork,
    message: InboundMessage,
    audited: Callable[[UnitOfWork, IntakeOutcome], None] | None = None,
) -> IntakeOutcome:
    """Record the prepared acknowledgment (accepted or, if it failed validation, rejected
    with its errors: nothing is lost) and commit; `audited` adds its audit entry to the same
    transaction."""
    outcome = record(uow, [message])[0]
    if audited is not None:
        audited(uow, outcome)
    uow.commit()
    return outcome
