"""Plain records that cross the hub's ports.

They are slotted dataclasses rather than pydantic models because they are built on the hot
intake path, where every microsecond counts, and they never come from untrusted input
directly (the canonical documents do the validation).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class MessageStatus(enum.StrEnum):
    """Where a recorded message stands. Rejected messages are kept, with their errors."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    ROUTED = "routed"
    UNROUTED = "unrouted"
    DELIVERED = "delivered"
    FAILED = "failed"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD_LETTERED = "dead_lettered"


@dataclass(slots=True)
class FieldError:
    """One validation problem: where (a dotted/indexed path) and why."""

    path: str
    reason: str
    type: str = "invalid"

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "reason": self.reason, "type": self.type}


@dataclass(slots=True)
class FieldWarning:
    """A finding that did not reject the message, kept on its record for the hub's users.

    For X12: a code outside a code list the hub carries only in part (the hub cannot judge
    it, so the partner's 997/999 does not mention it), a release validated by the nearest
    spec, and the like. ``element`` is the element as people name it (``REF01``) and ``code``
    the value found, when the finding has them.
    """

    path: str
    reason: str
    type: str
    element: str | None = None
    code: str | None = None

    def as_dict(self) -> dict[str, str]:
        found = {"path": self.path, "reason": self.reason, "type": self.type}
        if self.element is not None:
            found["element"] = self.element
        if self.code is not None:
            found["code"] = self.code
        return found


@dataclass(slots=True)
class InboundMessage:
    """Everything intake knows about one inbound message, written to the log in one go."""

    id: str
    document_type: str
    schema_version: int
    source: str
    channel: str
    received_at: datetime
    content_type: str
    raw: bytes
    body_sha256: str
    status: MessageStatus
    lane: str
    correlation_key: str | None = None
    causation_id: str | None = None
    idempotency_key: str | None = None
    canonical: bytes | None = None
    errors: list[FieldError] = field(default_factory=list)
    #: Findings that did not reject it (``FieldWarning``); empty for almost every message.
    warnings: list[FieldWarning] = field(default_factory=list)
    #: Who sent it, as the channel proved it (`Principal.subject`: ``partner:acme``,
    #: ``folder:acme``, ``system:erp``, ``carrier:ups``); None when the channel proved nobody.
    sender: str | None = None
    #: The partner it belongs to (logical name), which decides who may read it.
    partner: str | None = None
    #: The producer's W3C ``traceparent`` (`observability.tracing`): set when it is recorded.
    trace_context: str | None = None


@dataclass(slots=True)
class MessageSummary:
    """A message as lists show it (no bodies)."""

    id: str
    document_type: str
    source: str
    channel: str
    correlation_key: str | None
    status: str
    received_at: datetime
    duplicates: int = 0
    sender: str | None = None
    partner: str | None = None


@dataclass(slots=True)
class StoredMessage:
    """A message read back from the log, bodies included."""

    summary: MessageSummary
    schema_version: int
    causation_id: str | None
    idempotency_key: str | None
    content_type: str
    raw: bytes
    body_sha256: str
    lane: str
    canonical: bytes | None
    errors: list[dict[str, Any]]
    warnings: list[dict[str, Any]] = field(default_factory=list)
    #: The producer's ``traceparent`` stored with it (None for messages from before tracing).
    trace_context: str | None = None


@dataclass(slots=True)
class MessageFilter:
    """Selects messages for lists and replays; every field narrows, None means any."""

    document_type: str | None = None
    source: str | None = None
    correlation_key: str | None = None
    status: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    ids: list[str] | None = None
    #: Only this partner's messages (a partner principal's reads are confined to it).
    partner: str | None = None
    #: Any of these correlation keys (which of a page's flows are a partner's documents).
    correlation_keys: list[str] | None = None


@dataclass(slots=True)
class Delivery:
    """One message's journey to one endpoint through one route."""

    id: str
    message_id: str
    route: str
    endpoint: str
    lane: str
    idempotency_key: str
    correlation_key: str
    content_type: str
    body: bytes
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: int = 0
    last_error: str | None = None
    #: Its message's stored ``traceparent``: travels in the bus entry (not the log row).
    trace_context: str | None = None

    def identity(self) -> dict[str, str]:
        """Who, what and where: the fields that travel with the body and fill the log row."""
        return {
            "id": self.id,
            "message_id": self.message_id,
            "route": self.route,
            "endpoint": self.endpoint,
            "lane": self.lane,
            "idempotency_key": self.idempotency_key,
            "correlation_key": self.correlation_key,
            "content_type": self.content_type,
        }


@dataclass(slots=True)
class DeliveryAttempt:
    delivery_id: str
    attempt: int
    started_at: datetime
    duration_ms: float
    outcome: str
    status_code: int | None = None
    error: str | None = None


@dataclass(slots=True)
class BusEntry:
    """One message handed to one consumer group by the bus."""

    seq: int
    subject: str
    key: str
    message_id: str
    payload: bytes
    published_at: datetime
    deliveries: int
    replay: int = 0
    pending_id: int = 0


@dataclass(slots=True)
class ConsumerGroup:
    """A durable consumer: which subjects it reads, in which lane, and when to give up.

    The same fields as a JetStream durable consumer (filter subjects, max deliver, ack wait),
    so a NATS bus can be configured from it unchanged.
    """

    name: str
    subjects: tuple[str, ...]
    lane: str = "critical"
    max_deliver: int = 10
    ack_wait_seconds: float = 60.0


@dataclass(slots=True)
class DeadLetter:
    group: str
    pending_id: int
    seq: int
    message_id: str
    subject: str
    key: str
    deliveries: int
    last_error: str | None
    dead_at: datetime | None


@dataclass(slots=True)
class EndpointState:
    name: str
    circuit: str
    consecutive_failures: int
    opened_at: datetime | None
    backlog: int = 0
    dead_letters: int = 0
