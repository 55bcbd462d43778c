"""Record prepared interchanges: duplicates, messages, inbound acks, and our own ack.

Runs inside one unit of work per prepared interchange (or chunk). Everything it writes
commits together: the messages, the outbound documents an inbound 997/999 settles, the
acknowledgment we answer with (as a message of its own, plus its delivery to the partner),
and the interchange's entry in the duplicate ledger.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from crossdock.hub import intake
from crossdock.hub.edi.partners import TradingPartner
from crossdock.hub.edi.prepare import EDI_CONTENT_TYPE, PreparedInterchange
from crossdock.hub.edi_records import OutboundStatus, SeenInterchange
from crossdock.hub.ids import new_id
from crossdock.hub.intake import IntakeOutcome, stamp_trace
from crossdock.hub.ports import UnitOfWork
from crossdock.hub.records import Delivery, InboundMessage, MessageStatus
from crossdock.hub.routing import enqueue_delivery
from crossdock.x12.ack_reader import AckReport

ACK_ROUTE = "x12-ack"


@dataclass(slots=True)
class RenderedAck:
    """Our acknowledgment of one interchange: its X12 text and what kind it is."""

    kind: str  # "997", "999", "TA1" or combinations like "999+TA1"
    text: str


# (uow, prepared interchange) -> our acknowledgment, or None when the partner wants none.
AckRenderer = Callable[[UnitOfWork, PreparedInterchange], RenderedAck | None]


@dataclass(slots=True)
class InterchangeReceipt:
    """What the channel tells the sender about one interchange."""

    sender: str
    control_number: str
    source: str
    duplicate: bool = False
    unreadable: bool = False
    messages: list[IntakeOutcome] = field(default_factory=list)
    ack: RenderedAck | None = None
    ack_message_id: str | None = None
    settled_outbound: int = 0
    errors: list[str] = field(default_factory=list)
    #: Why the interchange was refused (its sender is not the proven partner's), else None.
    refused: str | None = None
    #: Why groups were refused (GS02 not the proven partner's), one line each.
    refused_groups: list[str] = field(default_factory=list)


def record_interchange(
    uow: UnitOfWork,
    prepared: PreparedInterchange,
    *,
    received_at: datetime,
    render_ack: AckRenderer,
    earlier_ids: Sequence[str] = (),
) -> InterchangeReceipt:
    """Write one prepared interchange (or chunk). The caller commits."""
    receipt = InterchangeReceipt(
        sender=prepared.sender,
        control_number=prepared.control_number,
        source=prepared.source,
        unreadable=prepared.unreadable,
        errors=[str(i) for i in prepared.issues],
        refused=prepared.refusal.reason if prepared.refusal else None,
        refused_groups=[r.reason for r in prepared.refused_groups.values()],
    )
    # A refused interchange never touches the duplicate ledger: it is not the claimed
    # sender's, so it may neither read that sender's earlier answers nor block its numbers.
    if not prepared.unreadable and prepared.refusal is None:
        seen = uow.edi.find_interchange(prepared.sender, prepared.control_number)
        if seen is not None:
            receipt.duplicate = True
            receipt.ack = RenderedAck(kind="previous", text=seen.ack) if seen.ack else None
            receipt.messages = [
                IntakeOutcome(m, "duplicate", duplicate=True) for m in seen.message_ids
            ]
            return receipt
    receipt.messages = intake.record(uow, prepared.messages)
    for report, message_id in prepared.inbound_acks:
        if prepared.partner is not None:
            receipt.settled_outbound += settle_functional_ack(
                uow, prepared.partner, report, message_id
            )
    if not prepared.final or prepared.unreadable:
        return receipt
    ack = render_ack(uow, prepared)
    if ack is not None:
        receipt.ack = ack
        receipt.ack_message_id = _record_ack(uow, prepared, ack, received_at)
    if prepared.refusal is not None:
        return receipt
    ids = [*earlier_ids, *(o.message_id for o in receipt.messages)]
    uow.edi.add_interchange(
        SeenInterchange(
            sender=prepared.sender,
            control_number=prepared.control_number,
            partner=prepared.partner.name if prepared.partner else None,
            received_at=received_at,
            message_ids=ids,
            ack=ack.text if ack else None,
        )
    )
    return receipt


_STATUS = {
    "A": OutboundStatus.ACCEPTED,
    "E": OutboundStatus.ACCEPTED_WITH_ERRORS,
    "P": OutboundStatus.ACCEPTED_WITH_ERRORS,
    "M": OutboundStatus.REJECTED,
    "R": OutboundStatus.REJECTED,
    "W": OutboundStatus.REJECTED,
    "X": OutboundStatus.REJECTED,
}


def settle_functional_ack(
    uow: UnitOfWork, partner: TradingPartner, report: AckReport, ack_message_id: str
) -> int:
    """Mark the documents a partner's 997/999 answers; a group without AK2s settles whole."""
    try:
        group = int(report.group_control)
    except ValueError:
        return 0
    settled = 0
    for answered in report.transactions:
        try:
            control = int(answered.control_number)
        except ValueError:
            continue
        status = _STATUS.get(answered.status, OutboundStatus.REJECTED)
        reason = "; ".join(answered.errors) or None
        settled += uow.edi.settle_outbound(
            partner.name, group, control, status, reason, ack_message_id
        )
    if not report.transactions:
        status = _STATUS.get(report.group_status, OutboundStatus.REJECTED)
        reason = "; ".join(report.group_errors) or None
        settled += uow.edi.settle_outbound(
            partner.name, group, None, status, reason, ack_message_id
        )
    return settled


def _record_ack(
    uow: UnitOfWork, prepared: PreparedInterchange, ack: RenderedAck, received_at: datetime
) -> str:
    """Keep our acknowledgment in the log and queue it to the partner's ack endpoint."""
    raw = ack.text.encode("utf-8")
    endpoint = prepared.partner.ack_endpoint if prepared.partner else None
    causation = prepared.messages[0].id if prepared.messages else None
    message = InboundMessage(
        id=new_id(),
        document_type=f"x12_{ack.kind.split('+')[0].lower()}",
        schema_version=0,
        source="crossdock",
        channel="edi-ack",
        received_at=received_at,
        content_type=EDI_CONTENT_TYPE,
        raw=raw,
        body_sha256=hashlib.sha256(raw).hexdigest(),
        status=MessageStatus.ROUTED if endpoint else MessageStatus.UNROUTED,
        lane="critical",
        correlation_key=f"{prepared.sender}:{prepared.control_number}",
        causation_id=causation,
        # the partner it answers may read it
        partner=prepared.partner.name if prepared.partner else prepared.confine,
    )
    stamp_trace([message])  # the interchange's trace: the request's context is current
    uow.messages.add_many([message])
    if endpoint:
        enqueue_delivery(
            uow,
            Delivery(
                id=new_id(),
                message_id=message.id,
                route=ACK_ROUTE,
                endpoint=endpoint,
                lane="critical",
                idempotency_key=f"{message.id}.{ACK_ROUTE}",
                correlation_key=message.correlation_key or message.id,
                content_type=EDI_CONTENT_TYPE,
                body=raw,
                trace_context=message.trace_context,
            ),
        )
    return message.id
