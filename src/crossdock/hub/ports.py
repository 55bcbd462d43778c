"""The ports the hub needs from the outside world, as Protocols.

Adapters implement them (`Sql...` on SQLite or PostgreSQL, later `Nats...`); the hub never
imports an adapter. The store ports are synchronous: the runtime runs a whole unit of work
(handler plus writes) on a database thread, so one transaction is one function call and the
event loop only ever waits for it once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Protocol

from crossdock.hub.audit import AuditRecorder
from crossdock.hub.bus_ports import Bus, JobLeases, ReplayFilter, WriteExecutor
from crossdock.hub.edi_records import (
    ControlLevel,
    OutboundDocument,
    OutboundStatus,
    SeenInterchange,
)
from crossdock.hub.endpoint_ports import (
    Endpoint,
    FetchResponse,
    HttpGetter,
    OutboundRequest,
    SendResult,
)
from crossdock.hub.flows.ports import ExceptionLog, FlowStore
from crossdock.hub.kpis import KpiQueries
from crossdock.hub.records import (
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    EndpointState,
    InboundMessage,
    MessageFilter,
    MessageStatus,
    MessageSummary,
    StoredMessage,
)
from crossdock.hub.webhook_records import WebhookStore


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...


class MessageLog(Protocol):
    """The durable record of every inbound message, accepted or rejected."""

    def find_idempotent(
        self, keys: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], tuple[str, str, str]]:
        """Look up (source, idempotency key) pairs: -> (message id, body sha256, status)."""
        ...

    def add_many(self, messages: Sequence[InboundMessage]) -> None:
        """Record new messages (the caller has ruled out duplicates)."""
        ...

    def count_duplicate(self, message_ids: Sequence[str]) -> None:
        """Count one more duplicate submission against each message."""
        ...

    def get(self, message_id: str) -> StoredMessage | None: ...

    def get_many(
        self, message_ids: Sequence[str], *, with_raw: bool = True
    ) -> dict[str, StoredMessage]:
        """Messages by id; `with_raw=False` leaves the received bytes unread (raw = b"")."""
        ...

    def summaries(self, message_ids: Sequence[str]) -> dict[str, MessageSummary]:
        """Messages' summaries by id (primary-key reads, no bodies): what a delivery's
        latency metric needs to know of its message."""
        ...

    def find(
        self, flt: MessageFilter, limit: int = 100, offset: int = 0
    ) -> list[MessageSummary]: ...

    def ids(self, flt: MessageFilter, limit: int = 100_000) -> list[tuple[str, str, str]]:
        """(id, correlation key, lane) of matching messages, oldest first, for replays."""
        ...

    def set_status(self, message_ids: Sequence[str], status: MessageStatus) -> None: ...

    def counts_by_status(self) -> dict[str, int]: ...


class Outbox(Protocol):
    """Messages a unit of work announces; they become visible to consumers at commit."""

    def publish(self, subject: str, key: str, message_id: str, payload: bytes = b"") -> None: ...


class Inbox(Protocol):
    """What each consumer has already processed, so redelivery has no second effect."""

    def claim(self, consumer: str, message_id: str, replay: int = 0) -> bool:
        """Record that `consumer` processes `message_id`; False when it already did."""
        ...

    def claim_many(self, consumer: str, items: Sequence[tuple[str, int]]) -> set[tuple[str, int]]:
        """Claim (message id, replay) pairs at once; returns the ones not processed before."""
        ...


class DeliveryLog(Protocol):
    """Deliveries (message x route x endpoint) and every attempt made for them.

    The encoded body is not kept here: it travels in the delivery's bus entry
    (`crossdock.hub.delivery_wire`), so deliveries read back from this log have `body == b""`.
    """

    def add(self, delivery: Delivery) -> None: ...

    def get(self, delivery_id: str) -> Delivery | None: ...

    def get_many(self, delivery_ids: Sequence[str]) -> dict[str, Delivery]: ...

    def for_message(self, message_id: str) -> list[Delivery]: ...

    def attempts(self, delivery_ids: Sequence[str]) -> list[DeliveryAttempt]: ...

    def record_attempts(self, attempts: Sequence[DeliveryAttempt]) -> None: ...

    def set_status(
        self, delivery_id: str, status: DeliveryStatus, attempts: int, last_error: str | None
    ) -> None: ...

    def set_statuses(self, updates: Sequence[tuple[str, DeliveryStatus, int, str | None]]) -> None:
        """(delivery id, status, attempts, last error) for many deliveries in one statement."""
        ...

    def open_for_messages(self, message_ids: Sequence[str]) -> dict[str, tuple[int, int]]:
        """message id -> (pending deliveries, dead-lettered deliveries)."""
        ...


class EndpointStates(Protocol):
    """Circuit state per endpoint, persisted so operators can see it from another process."""

    def save(self, state: EndpointState) -> None: ...

    def all(self) -> list[EndpointState]: ...


class EdiLedger(Protocol):
    """What the hub remembers about X12 traffic: interchanges in, control numbers, documents out."""

    def find_interchange(self, sender: str, control_number: str) -> SeenInterchange | None:
        """The interchange already received from this sender with this ISA13, if any."""
        ...

    def add_interchange(self, seen: SeenInterchange) -> None:
        """Remember an interchange; (sender, control number) is unique."""
        ...

    def next_controls(self, partner: str, level: ControlLevel, count: int = 1) -> list[int]:
        """Reserve `count` control numbers for a partner and level, increasing, never reused
        within the transaction's lifetime (wrapping after 999,999,999). Safe under concurrent
        writers: the reservation commits with the unit of work that uses it."""
        ...

    def add_outbound(self, documents: Sequence[OutboundDocument]) -> None: ...

    def settle_outbound(
        self,
        partner: str,
        group_control: int,
        transaction_control: int | None,
        status: OutboundStatus,
        reason: str | None,
        ack_message_id: str,
    ) -> int:
        """Mark what a 997/999 answers (one transaction, or the whole group when
        `transaction_control` is None); returns how many documents it marked."""
        ...

    def outbound(
        self, *, partner: str | None = None, message_id: str | None = None, limit: int = 100
    ) -> list[OutboundDocument]: ...


class FileDrop(Protocol):
    """A partner's drop folder: files to read, and where they go once read."""

    name: str

    def leftovers(self) -> list[Path]:
        """Files claimed by a process that stopped before settling them."""
        ...

    def ready(self) -> list[Path]:
        """Files completely written and not yet claimed."""
        ...

    def claim(self, path: Path) -> Path | None:
        """Take a file atomically; None when another process took it first."""
        ...

    def open(self, claimed: Path) -> BinaryIO:
        """A claimed file for reading; an OSError when it must not be read (a link, a FIFO,
        a device...), to be set aside with the reason."""
        ...

    def archive(self, claimed: Path, report: dict[str, Any]) -> Path: ...

    def reject(self, claimed: Path, report: dict[str, Any]) -> Path: ...


class UnitOfWork(Protocol):
    """One transaction over the store. Leaving the block without `commit()` rolls back."""

    @property
    def messages(self) -> MessageLog: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def inbox(self) -> Inbox: ...

    @property
    def deliveries(self) -> DeliveryLog: ...

    @property
    def endpoints(self) -> EndpointStates: ...

    @property
    def edi(self) -> EdiLedger: ...

    @property
    def flows(self) -> FlowStore: ...

    @property
    def exceptions(self) -> ExceptionLog: ...

    @property
    def kpis(self) -> KpiQueries:
        """Read-only queries for the business KPIs (`crossdock.hub.kpis`)."""
        ...

    @property
    def webhooks(self) -> WebhookStore:
        """Webhook subscriptions, their deliveries, the inbound replay cache."""
        ...

    @property
    def audit(self) -> AuditRecorder:
        """Audit entries committed with this unit of work's changes."""
        ...

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def savepoint(self) -> Savepoint:
        """A nested transaction: one failing handler in a batch leaves the others intact."""
        ...


class Savepoint(Protocol):
    def __enter__(self) -> object: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...


__all__ = [
    "Bus",
    "Clock",
    "DeliveryLog",
    "EdiLedger",
    "Endpoint",
    "EndpointStates",
    "ExceptionLog",
    "FetchResponse",
    "FileDrop",
    "FlowStore",
    "HttpGetter",
    "Inbox",
    "JobLeases",
    "KpiQueries",
    "MessageLog",
    "OutboundRequest",
    "Outbox",
    "ReplayFilter",
    "Savepoint",
    "SendResult",
    "UnitOfWork",
    "UnitOfWorkFactory",
    "WebhookStore",
    "WriteExecutor",
]
