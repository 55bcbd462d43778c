"""Routing: an accepted message becomes one delivery per matching route.

The router is a consumer of the accepted-document subjects. For each message it evaluates the
routes, encodes the body for each receiver and records a delivery plus its announcement on the
endpoint's subject, all in the unit of work that also marks the message as processed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol

import orjson

from crossdock.canonical.versions import VersionError, convert, current_version
from crossdock.hub.delivery_wire import encode_delivery
from crossdock.hub.flows.exceptions import to_record
from crossdock.hub.ids import new_id
from crossdock.hub.ports import UnitOfWork
from crossdock.hub.records import BusEntry, Delivery, MessageStatus, StoredMessage
from crossdock.hub.routing_outcomes import (
    UnroutedPolicy,
    raise_unrouted,
    sort_unmatched,
    transform_failed,
)
from crossdock.mapping.transforms import EnvelopeInfo, TransformError, apply_transform, lookup
from crossdock.observability.tracing import tracing

DELIVERY_SUBJECT = "deliver.{lane}.{endpoint}"


@dataclass(slots=True, frozen=True)
class Route:
    """When `document_type` (from `sources`, with `where` equalities) -> `endpoint`."""

    name: str
    document_type: str
    endpoint: str
    transform: str = "canonical"
    lane: str = "critical"
    sources: tuple[str, ...] = ()
    where: Mapping[str, Any] = field(default_factory=dict)
    fields: Mapping[str, str] = field(default_factory=dict)
    partner: str | None = None
    map: str | None = None
    #: The document schema version this route's receiver is pinned to (None: the current).
    schema_version: int | None = None

    def matches(self, message: StoredMessage, document: Any | None) -> bool:
        summary = message.summary
        if summary.document_type != self.document_type:
            return False
        if self.sources and summary.source not in self.sources:
            return False
        if self.where:
            if document is None:
                return False
            for path, expected in self.where.items():
                try:
                    if lookup(document, path) != expected:
                        return False
                except KeyError:
                    return False
        return True


class Finisher(Protocol):
    """Completes a delivery's body inside the routing transaction (e.g. X12 control numbers)."""

    def __call__(self, uow: UnitOfWork, delivery: Delivery) -> bytes: ...


class DeferredEncoder(Protocol):
    """A transform that needs the store: the pure part runs while planning (and may fail the
    message alone), the part that reserves numbers runs once the message is claimed."""

    content_type: str

    def prepare(self, route: Route, canonical: bytes, info: EnvelopeInfo) -> Finisher: ...


def delivery_key(message_id: str, route: str, replay: int) -> str:
    """Stable across redeliveries (receivers dedupe on it); new for a deliberate replay."""
    return f"{message_id}.{route}" if replay == 0 else f"{message_id}.{route}.r{replay}"


def enqueue_delivery(uow: UnitOfWork, delivery: Delivery) -> None:
    """Log a delivery and announce it on its endpoint's subject, in the caller's transaction."""
    uow.deliveries.add(delivery)
    subject = DELIVERY_SUBJECT.format(lane=delivery.lane, endpoint=delivery.endpoint)
    uow.outbox.publish(
        subject, delivery.correlation_key, delivery.message_id, encode_delivery(delivery)
    )


@dataclass(slots=True)
class RoutingResult:
    """What one batch did: deliveries created, entries that failed with why (retried), and
    entries whose message cannot be transformed (dead-lettered at once: `dead`)."""

    created: int = 0
    failed: list[tuple[BusEntry, str]] = field(default_factory=list)
    dead: list[tuple[BusEntry, str]] = field(default_factory=list)
    unrouted: int = 0


def versioned(
    message: StoredMessage, route: Route, info: EnvelopeInfo
) -> tuple[bytes, EnvelopeInfo]:
    """The message's document in the schema version the route's receiver takes: the current
    one (a document stored under an older version is upcast), or the route's pinned version
    (downcast). The common case, a current document to an unpinned route, costs a lookup."""
    assert message.canonical is not None
    kind = message.summary.document_type
    stored = message.schema_version
    target = route.schema_version or current_version(kind)
    if stored in (0, target):
        return message.canonical, info
    data = convert(kind, orjson.loads(message.canonical), stored, target)
    return orjson.dumps(data), replace(info, schema_version=target)


class Router:
    """Consumer group handler for accepted documents, a batch per transaction."""

    def __init__(
        self,
        routes: Sequence[Route],
        encoders: Mapping[str, DeferredEncoder] | None = None,
        *,
        unrouted: UnroutedPolicy | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.routes = list(routes)
        self.unrouted = unrouted or UnroutedPolicy()
        self._clock = clock
        self._encoders = dict(encoders or {})
        self._finishers: dict[str, Finisher] = {}
        self._by_type: dict[str, list[Route]] = {}
        for route in self.routes:
            self._by_type.setdefault(route.document_type, []).append(route)

    def document_types(self) -> list[str]:
        """The document types routing subscribes to: those some route takes, and those no
        other consumer takes (so a message nobody acts on is marked `unrouted`)."""
        return sorted({*self._by_type, *self.unrouted.watched_types()})

    def plan(self, message: StoredMessage, replay: int) -> list[Delivery]:
        """The deliveries one message needs (pure: no I/O)."""
        if message.canonical is None:
            raise LookupError(f"message {message.summary.id} has no canonical form")
        candidates = self._by_type.get(message.summary.document_type, [])
        document = orjson.loads(message.canonical) if any(r.where for r in candidates) else None
        key = message.summary.correlation_key or message.summary.id
        info = EnvelopeInfo(
            message_id=message.summary.id,
            document_type=message.summary.document_type,
            schema_version=message.schema_version,
            source=message.summary.source,
            correlation_key=key,
            received_at=message.summary.received_at.isoformat(),
        )
        planned = []
        for route in candidates:
            if not route.matches(message, document):
                continue
            delivery_id = new_id()
            encoder = self._encoders.get(route.transform)
            try:
                canonical, shaped = versioned(message, route, info)
                if encoder is not None:
                    self._finishers[delivery_id] = encoder.prepare(route, canonical, shaped)
                    content_type, body = encoder.content_type, b""
                else:
                    content_type, body = apply_transform(
                        route.transform, canonical, shaped, route.fields
                    )
            except (TransformError, VersionError) as exc:
                text = str(exc)
                raise TransformError(
                    text if text.startswith("route ") else f"route {route.name!r}: {text}"
                ) from exc
            planned.append(
                Delivery(
                    id=delivery_id,
                    message_id=message.summary.id,
                    route=route.name,
                    endpoint=route.endpoint,
                    lane=route.lane,
                    idempotency_key=delivery_key(message.summary.id, route.name, replay),
                    correlation_key=key,
                    content_type=content_type,
                    body=body,
                    trace_context=message.trace_context,
                )
            )
        return planned

    def handle_batch(
        self, uow: UnitOfWork, consumer: str, entries: Sequence[BusEntry]
    ) -> RoutingResult:
        """Route a batch: plan every message first, then claim and write only what planned.

        A message that cannot be planned fails alone and is not claimed: a transform error is
        the message's fault, so it is `failed` with a `mapping` exception and its entry goes
        to the dead letters at once (`result.dead`; a retry after fixing the route routes it);
        any other error is retried by redelivery. The inbox makes redelivery of the others
        harmless. A message no route matches is `unrouted` unless another consumer takes its
        type (`UnroutedPolicy`; see `crossdock.hub.routing_outcomes`).
        """
        self._finishers.clear()
        stored = uow.messages.get_many([e.message_id for e in entries], with_raw=False)
        # Recording traces: one CONSUMER span for the batch, linked to each message's producer
        # context (the conventions' batch receive); each delivery continues its message's own.
        span = tracing().process_batch([m.trace_context for m in stored.values()], consumer)
        try:
            return self._route(uow, consumer, entries, stored)
        finally:
            if span is not None:
                span.end()

    def _route(
        self,
        uow: UnitOfWork,
        consumer: str,
        entries: Sequence[BusEntry],
        stored: Mapping[str, StoredMessage],
    ) -> RoutingResult:
        result = RoutingResult()
        plans: dict[tuple[str, int], list[Delivery]] = {}
        untransformable: list[str] = []
        for entry in entries:
            message = stored.get(entry.message_id)
            try:
                if message is None:
                    raise LookupError(f"message {entry.message_id} is not in the log")
                plans[(entry.message_id, entry.replay)] = self.plan(message, entry.replay)
            except TransformError as exc:
                assert message is not None  # a missing message is a LookupError
                raised = transform_failed(message, str(exc))
                uow.exceptions.add(to_record(raised, id=new_id(), created_at=self._clock()))
                untransformable.append(entry.message_id)
                result.dead.append((entry, f"TransformError: {exc}"))
            except Exception as exc:
                result.failed.append((entry, f"{type(exc).__name__}: {exc}"))
        fresh = uow.inbox.claim_many(consumer, list(plans))
        routed: list[str] = []
        unmatched: list[StoredMessage] = []
        for claim, deliveries in plans.items():
            if claim not in fresh:
                continue
            if deliveries:
                routed.append(claim[0])
            else:
                unmatched.append(stored[claim[0]])
            for delivery in deliveries:
                finish = self._finishers.pop(delivery.id, None)
                if finish is not None:
                    delivery.body = finish(uow, delivery)
                enqueue_delivery(uow, delivery)
                result.created += 1
        uow.messages.set_status(routed, MessageStatus.ROUTED)
        uow.messages.set_status(untransformable, MessageStatus.FAILED)
        if unmatched:
            outcome = sort_unmatched(self.unrouted, unmatched)
            uow.messages.set_status(outcome.unrouted, MessageStatus.UNROUTED)
            raise_unrouted(uow, outcome.unexpected, self._clock)
            result.unrouted = len(outcome.unrouted)
        return result
