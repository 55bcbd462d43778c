"""Decode, validate and map an X12 stream into messages, without touching the store.

Pure and streaming: it yields one `PreparedInterchange` per interchange (or per chunk of a
very large one), so a file of any size is recorded in bounded memory. Every transaction set
becomes a message: accepted when it validates and maps, rejected with located errors when
not. Input that is not X12 at all still becomes one rejected message, so nothing is lost.
A set's warnings (e.g. a code outside a code list the hub carries only in part, which the
997/999 does not mention) are kept on its message (``InboundMessage.warnings``).

Findings are bounded: a message stores at most ``max_findings_per_set`` located errors plus
one that counts the rest (type ``x12.omitted``); the outcome our 997/999 is built from also
lists at most ``max_findings_per_interchange`` in all (``crossdock.x12.findings``). A set of
more than ``max_set_segments`` segments is rejected whole, raw text kept, segments not held.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import ValidationError

from crossdock.canonical.registry import document_model
from crossdock.hub.edi.excerpt import excerpt
from crossdock.hub.edi.partners import PartnerDirectory, TradingPartner, sender_key
from crossdock.hub.edi.sender_check import (
    SENDER_MISMATCH,
    SenderRefusal,
    group_refusal,
    interchange_refusal,
    refused_outcome,
)
from crossdock.hub.edi.unknown_sets import DOCUMENT_TYPE as UNMAPPED_TYPE
from crossdock.hub.edi.unknown_sets import document_of as unmapped_document
from crossdock.hub.edi.unknown_sets import is_mapped, set_findings
from crossdock.hub.ids import new_id
from crossdock.hub.records import FieldError, FieldWarning, InboundMessage, MessageStatus
from crossdock.mapping.x12 import X12Mapper
from crossdock.x12 import reader as x12_reader
from crossdock.x12.ack_reader import AckReport, read_functional_ack
from crossdock.x12.codes import SegmentError
from crossdock.x12.envelope import MAX_SET_SEGMENTS
from crossdock.x12.events import Event, InterchangeStart
from crossdock.x12.findings import (
    MAX_FINDINGS_PER_INTERCHANGE,
    MAX_FINDINGS_PER_SET,
    capped,
    limit_note,
)
from crossdock.x12.model import InterchangeHeader, Issue, IssueLevel, Severity, Transaction
from crossdock.x12.outcome import InterchangeOutcome, OutcomeCollector

EDI_CONTENT_TYPE = "application/edi-x12"
ACK_CODES = frozenset({"997", "999"})
CHUNK_TRANSACTIONS = 500


@dataclass(slots=True)
class PreparedInterchange:
    """One interchange's messages and findings, ready to record in one unit of work.

    ``final`` is False for the leading chunks of an interchange too large for one unit of
    work: those carry messages only; the final chunk carries the outcome for the ack.
    """

    sender: str
    control_number: str
    source: str
    partner: TradingPartner | None
    messages: list[InboundMessage] = field(default_factory=list)
    inbound_acks: list[tuple[AckReport, str]] = field(default_factory=list)
    outcome: InterchangeOutcome | None = None
    issues: list[Issue] = field(default_factory=list)
    final: bool = True
    unreadable: bool = False
    #: Set when the interchange names a sender that is not the proven partner's (refused).
    refusal: SenderRefusal | None = None
    #: Groups refused for a GS02 that is not the proven partner's, by GS06.
    refused_groups: dict[str, SenderRefusal] = field(default_factory=dict)
    #: The partner the channel proved sent it (None: an operator, or nobody proven).
    confine: str | None = None


def control_key(value: str) -> str:
    """ISA13 as compared for duplicates: '000003438' and '3438' are the same interchange."""
    stripped = value.strip()
    return str(int(stripped)) if stripped.isascii() and stripped.isdigit() else stripped


def _split(current: PreparedInterchange) -> PreparedInterchange:
    """Hand over the messages gathered so far; the interchange keeps collecting."""
    chunk = PreparedInterchange(
        sender=current.sender,
        control_number=current.control_number,
        source=current.source,
        partner=current.partner,
        messages=current.messages,
        inbound_acks=current.inbound_acks,
        final=False,
        refusal=current.refusal,
        confine=current.confine,
    )
    current.messages = []
    current.inbound_acks = []
    return chunk


def issue_errors(issues: Iterable[Issue]) -> list[FieldError]:
    return [
        FieldError(path=issue.location() or "$", reason=issue.message, type=_issue_type(issue))
        for issue in issues
        if issue.severity is Severity.ERROR
    ]


def _issue_type(issue: Issue) -> str:
    return "x12.omitted" if issue.omitted else f"x12.{issue.level.value}.{issue.code}"


def issue_warnings(issues: Iterable[Issue]) -> list[FieldWarning]:
    """The warnings among ``issues``, as the message record keeps them.

    Above all the codes outside a code list the hub carries only in part, which the 997/999
    leaves out (``Issue.in_ack``): here they stay visible, element named as people name it
    (``REF01``), the code found, and why. Only a set with findings gets here, so the usual
    clean set pays nothing.
    """
    return [
        FieldWarning(
            path=issue.location() or "$",
            reason=issue.message,
            type=_issue_type(issue),
            element=(
                f"{issue.segment_id}{issue.element_position:02d}"
                if issue.segment_id and issue.element_position is not None
                else None
            ),
            code=issue.bad_value,
        )
        for issue in issues
        if issue.severity is Severity.WARNING and not _element_header(issue)
    ]


def _element_header(issue: Issue) -> bool:
    """'REF: segment has data element errors': the AK3 line of an ack, which says nothing
    its element findings (REF01 ...) do not say better; a record need not keep it."""
    return issue.level is IssueLevel.SEGMENT and issue.code == SegmentError.HAS_ELEMENT_ERRORS


class EdiPreparer:
    """Turns bytes into prepared interchanges for one channel."""

    def __init__(
        self,
        partners: PartnerDirectory,
        lane_for: Callable[[str], str],
        mappers: Callable[[TradingPartner | None], X12Mapper],
        *,
        max_findings_per_set: int = MAX_FINDINGS_PER_SET,
        max_findings_per_interchange: int = MAX_FINDINGS_PER_INTERCHANGE,
        max_set_segments: int = MAX_SET_SEGMENTS,
    ) -> None:
        self._partners = partners
        self._lane_for = lane_for
        self._mappers = mappers
        self._per_set = max_findings_per_set
        self._per_interchange = max_findings_per_interchange
        self._max_set_segments = max_set_segments

    def prepare(
        self,
        source: object,
        *,
        channel: str,
        received_at: datetime,
        flush: Callable[[PreparedInterchange], None] | None = None,
        confine: str | None = None,
    ) -> Iterator[PreparedInterchange]:
        """Yield each interchange once its trailer is read, ready to record.

        `source` is bytes, a path or a binary file, as `crossdock.x12.reader.read` takes.
        `flush` receives the leading chunks of an interchange with more than
        CHUNK_TRANSACTIONS transaction sets, so they are recorded before it ends.
        `confine` is the partner the channel proved sent the input (None: an operator, who
        may send for anyone): an interchange or group naming another sender is refused
        (`hub/edi/sender_check`).
        """
        open_: deque[tuple[PreparedInterchange, X12Mapper]] = deque()

        def tap(events: Iterable[Event]) -> Iterator[Event]:
            for event in events:
                if isinstance(event, InterchangeStart):
                    open_.append(self._begin(event.header, confine))
                yield event

        def on_transaction(transaction: Transaction) -> list[Issue]:
            if not open_:  # the reader always starts an interchange first; be safe anyway
                open_.append(self._begin(transaction.interchange, confine))
            current, mapper = open_[-1]
            mapped = is_mapped(mapper, transaction)
            found = set_findings(transaction, mapped, current.partner, self._per_set)
            refusal = current.refusal or self._group_refusal(current, transaction)
            message, ack = self._message(
                transaction, found, current, mapper, mapped, channel, received_at, refusal
            )
            current.messages.append(message)
            if ack is not None:
                current.inbound_acks.append((ack, message.id))
            if flush is not None and len(current.messages) >= CHUNK_TRANSACTIONS:
                flush(_split(current))
            return found

        collector = OutcomeCollector(
            on_transaction,
            max_per_set=self._per_set,
            max_per_interchange=self._per_interchange,
        )
        events = x12_reader.read(source, max_set_segments=self._max_set_segments)  # type: ignore[arg-type]
        for outcome in collector.feed(tap(events)):
            if open_:
                prepared, _ = open_.popleft()
            else:
                prepared = self._begin(outcome.header, confine)[0]
            prepared.outcome = refused_outcome(outcome, prepared)
            prepared.issues = list(prepared.outcome.issues)
            yield prepared
        if collector.unreadable:
            found = [i for span in collector.unreadable for i in span.issues]
            issues = list(capped(found, self._per_set, limit_note(self._per_set, "input")))
            yield self._unreadable(source, issues, channel, received_at)

    def _begin(
        self, header: InterchangeHeader, confine: str | None
    ) -> tuple[PreparedInterchange, X12Mapper]:
        partner = self._partners.by_sender(header.sender_qualifier, header.sender_id)
        refusal = interchange_refusal(self._partners, header, confine)
        if refusal is not None:
            # Never the claimed partner's: not its source, acks, counters or settlements.
            partner = None
        prepared = PreparedInterchange(
            sender=sender_key(header.sender_qualifier, header.sender_id),
            control_number=control_key(header.control_number),
            source=(
                confine
                if refusal is not None and confine is not None
                else partner.name
                if partner
                else f"x12:{header.sender_id.strip()}"
            ),
            partner=partner,
            refusal=refusal,
            confine=confine,
        )
        return prepared, self._mappers(partner)

    def _group_refusal(
        self, current: PreparedInterchange, transaction: Transaction
    ) -> SenderRefusal | None:
        if current.confine is None:
            return None
        return group_refusal(
            current.partner, transaction.group, current.confine, current.refused_groups
        )

    def _message(
        self,
        transaction: Transaction,
        spec_issues: list[Issue],
        current: PreparedInterchange,
        mapper: X12Mapper,
        mapped: bool,
        channel: str,
        received_at: datetime,
        refusal: SenderRefusal | None = None,
    ) -> tuple[InboundMessage, AckReport | None]:
        why = limit_note(self._per_set, "transaction set")
        issues = capped([*transaction.issues, *spec_issues], self._per_set, why)
        rejected = any(i.severity is Severity.ERROR for i in issues)
        errors = issue_errors(issues)
        warnings = issue_warnings(issues) if issues else []
        key_prefix = "x12"
        if refusal is not None:  # not this sender's to send: recorded, never mapped
            rejected = True
            errors.insert(0, FieldError(refusal.path, refusal.reason, SENDER_MISMATCH))
            key_prefix = f"x12-refused:{current.sender}"
        document_type = (
            mapper.document_type_for(transaction.code) or f"x12_{transaction.code}"
            if mapped
            else UNMAPPED_TYPE
        )
        canonical: bytes | None = None
        correlation: str | None = None
        ack: AckReport | None = None
        if refusal is not None:
            pass
        elif transaction.code in ACK_CODES:
            if not rejected:
                ack = read_functional_ack(transaction)
        elif not mapped:
            if not rejected:
                try:
                    document = unmapped_document(transaction)
                except ValidationError as exc:
                    rejected = True
                    errors.extend(
                        FieldError(
                            path=".".join(map(str, e["loc"])) or "$",
                            reason=e["msg"],
                            type="x12.mapping",
                        )
                        for e in exc.errors(include_url=False)
                    )
                else:
                    canonical = document.model_dump_json(exclude_none=True).encode()
                    correlation = document.correlation_key()
        elif not rejected:
            # A code the map has no meaning for names the partner: it is theirs to fix, or
            # ours to add to their map's code table.
            who = f"partner {current.source}"
            result = mapper.to_canonical(transaction)
            if result.document is None:
                rejected = True
                errors.extend(
                    FieldError(
                        path=str(e.location()),
                        reason=e.reason if e.code is None else f"{e.reason}; sent by {who}",
                        type="x12.mapping",
                    )
                    for e in result.errors
                )
            else:
                canonical = result.document.model_dump_json(exclude_none=True).encode()
                correlation = result.document.correlation_key()
        raw = transaction.raw.encode("utf-8", "surrogateescape")
        model = document_model(document_type)
        message = InboundMessage(
            id=new_id(),
            document_type=document_type,
            schema_version=model.schema_version if model is not None else 0,
            source=current.source,
            channel=channel,
            received_at=received_at,
            content_type=EDI_CONTENT_TYPE,
            raw=raw,
            body_sha256=hashlib.sha256(raw).hexdigest(),
            status=MessageStatus.REJECTED if rejected else MessageStatus.ACCEPTED,
            lane=self._lane_for(document_type),
            correlation_key=correlation,
            idempotency_key=(
                f"{key_prefix}:{current.control_number}:{transaction.group.control_number.strip()}"
                f":{transaction.control_number.strip()}"
            ),
            canonical=canonical,
            errors=errors if rejected else [],
            warnings=warnings,
        )
        return message, ack

    def _unreadable(
        self, source: object, issues: list[Issue], channel: str, received_at: datetime
    ) -> PreparedInterchange:
        """Not X12 (or no usable ISA): keep the first bytes as a rejected message."""
        raw = excerpt(source)
        digest = hashlib.sha256(raw).hexdigest()
        message = InboundMessage(
            id=new_id(),
            document_type="x12_interchange",
            schema_version=0,
            source="x12:unknown",
            channel=channel,
            received_at=received_at,
            content_type=EDI_CONTENT_TYPE,
            raw=raw,
            body_sha256=digest,
            status=MessageStatus.REJECTED,
            lane="critical",
            errors=issue_errors(issues) or [FieldError("$", "not an X12 interchange")],
        )
        return PreparedInterchange(
            sender="unknown",
            control_number=digest[:16],
            source="x12:unknown",
            partner=None,
            messages=[message],
            issues=list(issues),
            unreadable=True,
        )
