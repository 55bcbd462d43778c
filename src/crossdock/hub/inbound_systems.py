"""Business systems posting their own JSON events: one payload in, canonical messages recorded.

A configured system (``systems.<name>``) names its format; the format reads the event type from
the payload (or a header) and maps the event with the format's declarative map
(``crossdock.mapping.systems``). Each resulting document becomes a message whose source is the
system's name and whose raw bytes are the payload as sent, so what the system said is kept
verbatim next to what the hub understood.

Idempotency: the request's ``Idempotency-Key`` (real systems resend with the same one), else
the document's own number from the map. A payload that yields several documents (an inventory
snapshot) suffixes each key with the document's own key. Nothing is dropped: an unknown event,
a body that is not JSON or a document that fails mapping or validation is recorded as rejected
with the reason, under a ``rejected:`` key so that, once the map is fixed, the same event
can be accepted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from crossdock.hub.ids import new_id
from crossdock.hub.intake import IntakeOutcome, has_control_characters, record
from crossdock.hub.intake_pipeline import (
    NOBODY,
    IntakePipeline,
    Sender,
    Verified,
)
from crossdock.hub.ports import UnitOfWork
from crossdock.hub.records import FieldError, InboundMessage, MessageStatus
from crossdock.hub.store_runner import StoreRunner
from crossdock.hub.webhooks import (
    BadSignature,
    Signature,
    WebhookRefused,
    event_key,
    verify_channel,
)
from crossdock.mapping.systems import MappedDocument, Problem, SystemFormat, to_canonical

CHANNEL = "api"
UNMAPPED_TYPE = "system_event"  # the document type of a payload no map could even start on

__all__ = [
    "CHANNEL",
    "BadSignature",
    "DocumentOutcome",
    "InboundReceipt",
    "InboundSystemService",
    "SystemChannel",
    "UnknownSystem",
    "WebhookRefused",
    "prepare_inbound",
]


class UnknownSystem(LookupError):
    """The path names a system that is not configured."""


@dataclass(frozen=True, slots=True)
class SystemChannel:
    """One configured system: its name (the message source), format, defaults and signature."""

    name: str
    format: SystemFormat
    defaults: Mapping[str, Any] = field(default_factory=dict)
    signature: Signature | None = None


@dataclass(slots=True)
class DocumentOutcome:
    """What became of one document of the payload (``path`` ``""``: the payload itself)."""

    path: str
    document_type: str
    message_id: str
    status: str
    duplicate: bool = False
    conflict: bool = False
    correlation_key: str | None = None
    errors: list[FieldError] = field(default_factory=list)


@dataclass(slots=True)
class InboundReceipt:
    system: str
    event: str | None
    documents: list[DocumentOutcome]

    @property
    def rejected(self) -> list[DocumentOutcome]:
        return [d for d in self.documents if d.status == MessageStatus.REJECTED.value]

    @property
    def conflicts(self) -> list[DocumentOutcome]:
        return [d for d in self.documents if d.conflict]


def prepare_inbound(
    channel: SystemChannel,
    headers: Mapping[str, str],
    body: bytes,
    *,
    received_at: datetime,
    lane_for: Callable[[str], str],
) -> tuple[str | None, list[MappedDocument], list[InboundMessage]]:
    """Decode, pick the event's map and map it (pure: no I/O, never raises for content).

    ``headers`` has lower-case names. Returns the event name (None when unreadable), the mapped
    documents and one message per document, in the same order.
    """
    digest = hashlib.sha256(body).hexdigest()
    given_key = headers.get("idempotency-key") or None
    if given_key is not None and has_control_characters(given_key):
        problem = Problem("Idempotency-Key", "contains control characters", "system.header")
        return None, *_unmapped(channel, body, digest, None, problem, received_at, lane_for)
    try:
        # Decimal, not float: a float has already rounded 1e-400 to 0 and 1.0000000000000000001
        # to 1, which the canonical bounds could then no longer refuse.
        payload = json.loads(body, parse_float=Decimal)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        problem = Problem("$", f"the body is not JSON: {exc}", "system.json")
        return None, *_unmapped(channel, body, digest, given_key, problem, received_at, lane_for)
    event = channel.format.event_of(payload, headers) if isinstance(payload, dict) else None
    system_map = channel.format.events.get(event) if event is not None else None
    if system_map is None:
        known = ", ".join(sorted(channel.format.events))
        sources = list(channel.format.event_paths)
        if channel.format.event_header:
            sources.append(f"header {channel.format.event_header}")
        where = " or ".join(sources) or "nothing"
        reason = (
            f"unknown event {event!r} (known: {known})"
            if event is not None
            else f"no event type (read from {where})"
        )
        problem = Problem("$", reason, "system.event")
        return event, *_unmapped(channel, body, digest, given_key, problem, received_at, lane_for)
    ctx = {
        **channel.defaults,
        "system": channel.name,
        "event": event,
        "received_at": received_at.isoformat(),
    }
    mapped = to_canonical(system_map, payload, ctx)
    several = len(mapped) > 1
    messages = []
    for index, doc in enumerate(mapped):
        key = given_key or doc.key or f"payload:{digest}"
        if several:
            key = f"{key}:{doc.key or index}"
        message = _message(channel, doc.document_type, body, digest, received_at, lane_for)
        if doc.document is None:
            message.status = MessageStatus.REJECTED
            message.schema_version = 0
            message.errors = [FieldError(p.path, p.reason, p.type) for p in doc.problems]
            message.idempotency_key = event_key(f"rejected:{key}")
        else:
            message.idempotency_key = event_key(key)
            message.schema_version = doc.document.schema_version
            message.correlation_key = doc.document.correlation_key()
            message.canonical = doc.document.model_dump_json(exclude_none=True).encode()
        messages.append(message)
    return event, mapped, messages


def _message(
    channel: SystemChannel,
    document_type: str,
    body: bytes,
    digest: str,
    received_at: datetime,
    lane_for: Callable[[str], str],
) -> InboundMessage:
    return InboundMessage(
        id=new_id(),
        document_type=document_type,
        schema_version=1,
        source=channel.name,
        channel=CHANNEL,
        received_at=received_at,
        content_type="application/json",
        raw=body,
        body_sha256=digest,
        status=MessageStatus.ACCEPTED,
        lane=lane_for(document_type),
    )


def _unmapped(
    channel: SystemChannel,
    body: bytes,
    digest: str,
    key: str | None,
    problem: Problem,
    received_at: datetime,
    lane_for: Callable[[str], str],
) -> tuple[list[MappedDocument], list[InboundMessage]]:
    message = _message(channel, UNMAPPED_TYPE, body, digest, received_at, lane_for)
    message.status = MessageStatus.REJECTED
    message.schema_version = 0
    message.errors = [FieldError(problem.path, problem.reason, problem.type)]
    message.idempotency_key = event_key(f"rejected:{key or 'payload:' + digest}")
    return [MappedDocument("", UNMAPPED_TYPE, None, problems=(problem,))], [message]


@dataclass(slots=True)
class SystemCall:
    system: str
    headers: Mapping[str, str]  # lower-case names
    body: bytes


class _SystemSteps:
    """The inbound systems channel's steps for `IntakePipeline`."""

    def __init__(self, channels: Mapping[str, SystemChannel], lane_for: Callable[[str], str]):
        self._channels = channels
        self._lane_for = lane_for

    def verify(self, call: SystemCall, proven: Sender) -> Verified:
        channel = self._channels.get(call.system)
        if channel is None:
            raise UnknownSystem(call.system)
        return verify_channel(
            channel.signature, "system", channel.name, call.headers, call.body, proven
        )

    def prepare(
        self, call: SystemCall
    ) -> tuple[str | None, list[MappedDocument], list[InboundMessage]]:
        channel = self._channels[call.system]
        return prepare_inbound(
            channel, call.headers, call.body, received_at=datetime.now(UTC), lane_for=self._lane_for
        )

    def messages(
        self, prepared: tuple[str | None, list[MappedDocument], list[InboundMessage]]
    ) -> list[InboundMessage]:
        return prepared[2]

    def record(self, uow: UnitOfWork, messages: Sequence[InboundMessage]) -> list[IntakeOutcome]:
        return record(uow, messages)


class InboundSystemService:
    """The channel: verify, map off the event loop, record in one unit of work."""

    def __init__(
        self,
        channels: Mapping[str, SystemChannel],
        runner: StoreRunner,
        lane_for: Callable[[str], str],
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self._channels = dict(channels)
        self._steps = _SystemSteps(self._channels, lane_for)
        self._pipeline = IntakePipeline(runner, on_commit)

    def systems(self) -> list[str]:
        return sorted(self._channels)

    async def receive(
        self, system: str, headers: Mapping[str, str], body: bytes, proven: Sender = NOBODY
    ) -> InboundReceipt:
        """Record one payload. Raises UnknownSystem, or BadSignature (nothing recorded).

        The verified secret is the sender (``system:<name>``); a system without a secret is
        recorded as whoever the HTTP credential (`proven`) says sent it.
        """
        lowered = {k.lower(): v for k, v in headers.items()}
        call = SystemCall(system, lowered, body)
        (event, mapped, messages), outcomes = await self._pipeline.take(self._steps, call, proven)
        documents = [
            DocumentOutcome(
                doc.path,
                message.document_type,
                outcome.message_id,
                outcome.status,
                outcome.duplicate,
                outcome.conflict,
                message.correlation_key,
                message.errors,
            )
            for doc, message, outcome in zip(mapped, messages, outcomes, strict=True)
        ]
        return InboundReceipt(system, event, documents)
