"""Intake: turn partner bytes into a recorded message, accepted or rejected, exactly once.

`prepare` is pure (decode + validate, no I/O) and runs on the request's thread; `record` runs
inside a unit of work and settles idempotency against the log: the same (source, key) with the
same body is a duplicate that returns the first outcome, with another body it is a conflict.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from pydantic import ValidationError

from crossdock.canonical.base import CanonicalDocument
from crossdock.canonical.json_numbers import validate_json
from crossdock.canonical.registry import document_model
from crossdock.hub.ids import new_id
from crossdock.hub.ports import UnitOfWork
from crossdock.hub.records import FieldError, InboundMessage, MessageStatus
from crossdock.observability.tracing import tracing

ACCEPTED_SUBJECT = "doc.{lane}.{document_type}"
REJECTED_SUBJECT = "rejected.{document_type}"


class UnknownDocumentType(LookupError):
    """The channel named a document type the hub has no model for."""


@dataclass(slots=True)
class IntakeRequest:
    document_type: str
    raw: bytes
    content_type: str
    source: str
    channel: str
    received_at: datetime
    idempotency_key: str | None = None
    causation_id: str | None = None
    #: Who the channel proved sent it (`intake_pipeline.Sender`), recorded on the message.
    sender: str | None = None
    partner: str | None = None


@dataclass(slots=True)
class IntakeOutcome:
    """What the channel tells the sender: the message id and how it stands."""

    message_id: str
    status: str
    duplicate: bool = False
    conflict: bool = False
    errors: list[FieldError] = field(default_factory=list)
    correlation_key: str | None = None
    #: for a conflict: the refused body's own (rejected) message — nothing is dropped
    recorded_as: str | None = None


#: Keys longer than this are digested: the log keeps 256 characters of a key.
MAX_KEY = 200

# C0, DEL and C1 control characters: refused in keys and source names (they would reach HTTP
# headers, file names and log lines downstream; PostgreSQL refuses a NUL in text outright).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def has_control_characters(value: str) -> bool:
    """True when ``value`` holds a control character; ``isprintable`` (C) answers most calls."""
    return not value.isprintable() and _CONTROL.search(value) is not None


def fitted_key(key: str) -> str:
    """Keep a key within the log's column, and free of control characters; a digest names an
    over-long key, or one derived from a payload that carried control characters, as well."""
    if len(key) <= MAX_KEY and not has_control_characters(key):
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


#: The error type of a body refused because its idempotency key named another body.
IDEMPOTENCY_CONFLICT = "idempotency_conflict"


def conflicting_copy(message: InboundMessage, first_id: str) -> InboundMessage:
    """A body that reused another body's idempotency key, as a rejected message of its own.

    Its key is derived from the original key and this body's hash, so a sender retrying the
    same conflicting request records it once; the error names the message that owns the key.
    """
    key = fitted_key(f"{message.idempotency_key}#conflict:{message.body_sha256[:16]}")
    reason = f"Idempotency-Key already used by message {first_id} with a different body"
    return replace(
        message,
        id=new_id(),
        idempotency_key=key,
        status=MessageStatus.REJECTED,
        canonical=None,
        errors=[FieldError(path="Idempotency-Key", reason=reason, type=IDEMPOTENCY_CONFLICT)],
    )


def error_path(loc: Sequence[int | str]) -> str:
    """('lines', 0, 'quantity') -> 'lines[0].quantity' — the way users write paths."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "$"


def validation_errors(exc: ValidationError) -> list[FieldError]:
    return [
        FieldError(path=error_path(err["loc"]), reason=err["msg"], type=err["type"])
        for err in exc.errors(include_url=False, include_input=False)
    ]


def prepare(request: IntakeRequest, lane_for: Callable[[str], str]) -> InboundMessage:
    """Decode and validate one document. Never raises for bad content: it is recorded."""
    model = document_model(request.document_type)
    if model is None:
        raise UnknownDocumentType(request.document_type)
    message = InboundMessage(
        id=new_id(),
        document_type=request.document_type,
        schema_version=model.schema_version,
        source=request.source,
        channel=request.channel,
        received_at=request.received_at,
        content_type=request.content_type,
        raw=request.raw,
        body_sha256=hashlib.sha256(request.raw).hexdigest(),
        status=MessageStatus.ACCEPTED,
        lane=lane_for(request.document_type),
        idempotency_key=request.idempotency_key,
        causation_id=request.causation_id,
        sender=request.sender,
        partner=request.partner,
    )
    try:
        document: CanonicalDocument = validate_json(model, request.raw)
    except ValidationError as exc:
        message.status = MessageStatus.REJECTED
        message.errors = validation_errors(exc)
        return message
    message.correlation_key = document.correlation_key()
    message.canonical = document.model_dump_json(exclude_none=True).encode()
    return message


def reject(request: IntakeRequest, lane: str, errors: list[FieldError]) -> InboundMessage:
    """Record a document the channel could not even decode (e.g. a bad NDJSON line)."""
    return InboundMessage(
        id=new_id(),
        document_type=request.document_type,
        schema_version=0,
        source=request.source,
        channel=request.channel,
        received_at=request.received_at,
        content_type=request.content_type,
        raw=request.raw,
        body_sha256=hashlib.sha256(request.raw).hexdigest(),
        status=MessageStatus.REJECTED,
        lane=lane,
        idempotency_key=request.idempotency_key,
        causation_id=request.causation_id,
        errors=errors,
        sender=request.sender,
        partner=request.partner,
    )


def stamp_trace(messages: Sequence[InboundMessage]) -> None:
    """The producer's trace context on each message that has none yet: a child of the caller's
    context (`StoreRunner.write` carries it to the store thread), else a new trace."""
    for span in tracing().stamp(messages):
        span.end()


def record(uow: UnitOfWork, batch: Sequence[InboundMessage]) -> list[IntakeOutcome]:
    """Write new messages and their announcements; settle duplicates. Caller commits."""
    keys = [(m.source, m.idempotency_key) for m in batch if m.idempotency_key]
    known = uow.messages.find_idempotent(keys) if keys else {}
    fresh: list[InboundMessage] = []
    duplicates: list[str] = []
    outcomes: list[IntakeOutcome] = []
    for message in batch:
        if message.idempotency_key:
            key = (message.source, message.idempotency_key)
            first = known.get(key)
            if first is not None:
                first_id, first_sha, first_status = first
                if first_sha == message.body_sha256:
                    duplicates.append(first_id)
                    outcomes.append(IntakeOutcome(first_id, first_status, duplicate=True))
                    continue
                copy = conflicting_copy(message, first_id)
                copy_key = (copy.source, str(copy.idempotency_key))
                seen = known.get(copy_key) or uow.messages.find_idempotent([copy_key]).get(copy_key)
                if seen is None:
                    known[copy_key] = (copy.id, copy.body_sha256, copy.status.value)
                    fresh.append(copy)
                else:
                    duplicates.append(seen[0])
                recorded = copy.id if seen is None else seen[0]
                outcomes.append(
                    IntakeOutcome(first_id, first_status, conflict=True, recorded_as=recorded)
                )
                continue
            known[key] = (message.id, message.body_sha256, message.status.value)
        fresh.append(message)
        outcomes.append(
            IntakeOutcome(
                message.id,
                message.status.value,
                errors=message.errors,
                correlation_key=message.correlation_key,
            )
        )
    stamp_trace(fresh)
    uow.messages.add_many(fresh)
    for message in fresh:
        if message.status is MessageStatus.ACCEPTED:
            subject = ACCEPTED_SUBJECT.format(
                lane=message.lane, document_type=message.document_type
            )
        else:
            subject = REJECTED_SUBJECT.format(document_type=message.document_type)
        uow.outbox.publish(subject, message.correlation_key or message.id, message.id)
    if duplicates:
        uow.messages.count_duplicate(duplicates)
    return outcomes
