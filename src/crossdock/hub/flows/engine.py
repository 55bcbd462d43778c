"""The flow consumer: recorded messages advance the flow instances they name.

`FlowEngine` is a consumer-group handler like `routing.Router`: for a batch of bus entries it
loads the messages and, per message, claims (consumer, message id, replay) in the inbox and
advances every interested instance, in a savepoint of the caller's unit of work. Because the
inbox row commits with the effects, a redelivered message is claimed a second time in vain
and does nothing; a message whose flow fails (a conflict, a bug) rolls back alone and is
retried by the bus. The savepoint is the batch's while nothing fails (one, not one per
message); a failure rolls it back and the batch runs again with a savepoint per message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime

import orjson

from crossdock.hub.delivered import DeliveredNotice, delivered_subject
from crossdock.hub.flows.advance import Advanced, Advancer, message_event
from crossdock.hub.flows.model import DeliveredEvent, FlowDefinition
from crossdock.hub.ports import UnitOfWork
from crossdock.hub.records import BusEntry, ConsumerGroup, StoredMessage

log = logging.getLogger(__name__)

FLOW_GROUP = "flow.{lane}"
DELIVERED = "delivered."


@dataclass(slots=True)
class FlowResult:
    """What one batch did. `emitted` counts documents the flows issued (routes deliver them)."""

    advanced: int = 0
    emitted: int = 0
    exceptions: int = 0
    duplicates: int = 0
    failed: list[tuple[BusEntry, str]] = field(default_factory=list)

    @property
    def created(self) -> int:
        """Downstream work created (the runtime wakes the routing loops when non-zero)."""
        return self.emitted


def flow_group(
    lane: str, definitions: Sequence[FlowDefinition], lane_for: Callable[[str], str]
) -> ConsumerGroup:
    """The consumer group of the flows in `lane`, subscribed to exactly the document types
    they name (on the subject intake announces each type on), and to the delivered notices
    of the types whose deliveries they wait for."""
    in_lane = [d for d in definitions if d.lane == lane]
    types = sorted({t for d in in_lane for t in d.document_types})
    delivered = sorted({t for d in in_lane for t in d.delivered_types})
    return ConsumerGroup(
        name=FLOW_GROUP.format(lane=lane),
        subjects=tuple(f"doc.{lane_for(t)}.{t}" for t in types)
        + tuple(delivered_subject(lane_for(t), t) for t in delivered),
        lane=lane,
        max_deliver=20,
    )


class _EntryFailed(Exception):
    """An entry failed while the batch ran in one savepoint: run it again entry by entry."""


class FlowEngine:
    """Consumer-group handler that advances flow instances, a batch per transaction."""

    def __init__(
        self,
        definitions: Sequence[FlowDefinition],
        *,
        lane_for: Callable[[str], str],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        names = [d.name for d in definitions]
        if len(set(names)) != len(names):
            raise ValueError(f"flow names must be unique: {names}")
        self.definitions = list(definitions)
        self._clock = clock
        self._advancer = Advancer(lane_for, clock)
        self._by_type: dict[str, list[FlowDefinition]] = {}
        for definition in self.definitions:
            for document_type in definition.document_types:
                self._by_type.setdefault(document_type, []).append(definition)
        self._delivered_by_type: dict[str, list[FlowDefinition]] = {}
        for definition in self.definitions:
            for document_type in definition.delivered_types:
                self._delivered_by_type.setdefault(document_type, []).append(definition)

    @property
    def document_types(self) -> list[str]:
        return sorted(self._by_type)

    def handle_batch(
        self, uow: UnitOfWork, consumer: str, entries: Sequence[BusEntry]
    ) -> FlowResult:
        """Advance flows for each entry; failures are reported per entry, never raised.

        The common case, a batch where nothing fails, runs in one savepoint. When an entry
        fails, that savepoint rolls back and the batch runs again with one savepoint per
        entry, so the failing entry rolls back alone (flows are pure and everything they
        did is in the rolled-back savepoint, so running them again is safe).
        """
        stored = uow.messages.get_many([e.message_id for e in entries], with_raw=False)
        try:
            with uow.savepoint():
                return self._run(uow, consumer, entries, stored, isolate=False)
        except _EntryFailed:
            return self._run(uow, consumer, entries, stored, isolate=True)

    def _run(
        self,
        uow: UnitOfWork,
        consumer: str,
        entries: Sequence[BusEntry],
        stored: Mapping[str, StoredMessage],
        *,
        isolate: bool,
    ) -> FlowResult:
        """Handle each entry; `isolate`: each in its own savepoint, a failure reported, else
        a failure raises `_EntryFailed` (the caller's savepoint rolls the batch back)."""
        result = FlowResult()
        for entry in entries:
            message = stored.get(entry.message_id)
            if message is None:
                result.failed.append((entry, f"message {entry.message_id} is not in the log"))
                continue
            try:
                with uow.savepoint() if isolate else nullcontext():
                    if entry.subject.startswith(DELIVERED):
                        done = self._delivered(uow, consumer, message, entry)
                    elif not uow.inbox.claim(consumer, entry.message_id, entry.replay):
                        result.duplicates += 1
                        continue
                    else:
                        done = self._handle(uow, message, entry.replay)
            except Exception as exc:
                if not isolate:
                    raise _EntryFailed from exc
                log.warning("flow handling of %s failed: %s", entry.message_id, exc)
                result.failed.append((entry, f"{type(exc).__name__}: {exc}"))
                continue
            result.advanced += done.advanced
            result.duplicates += done.duplicates
            result.emitted += done.emitted
            result.exceptions += done.exceptions
        return result

    def _delivered(
        self, uow: UnitOfWork, consumer: str, message: StoredMessage, entry: BusEntry
    ) -> FlowResult:
        """A delivered notice: the delivery's own inbox claim (the message's is the
        document's), then every flow waiting for this type's deliveries reacts."""
        done = FlowResult()
        notice = DeliveredNotice.decode(entry.message_id, entry.payload)
        if not uow.inbox.claim(consumer + ":delivered", notice.delivery_id, entry.replay):
            done.duplicates += 1
            return done
        summary = message.summary
        if message.canonical is None:
            return done
        event = DeliveredEvent(
            message_id=summary.id,
            document_type=summary.document_type,
            canonical=orjson.loads(message.canonical),
            delivery_id=notice.delivery_id,
            route=notice.route,
            endpoint=notice.endpoint,
            delivered_at=notice.delivered_at,
            at=self._clock(),
            replay=entry.replay,
        )
        for definition in self._delivered_by_type.get(summary.document_type, []):
            for key in definition.keys_for(summary.document_type, event.canonical):
                self._count(done, self._advancer.advance(uow, definition, key, event))
        return done

    @staticmethod
    def _count(done: FlowResult, outcome: Advanced) -> None:
        if outcome.state is not None:
            done.advanced += 1
        done.emitted += len(outcome.emitted)
        done.exceptions += len(outcome.exceptions)

    def _handle(self, uow: UnitOfWork, message: StoredMessage, replay: int) -> FlowResult:
        done = FlowResult()
        summary = message.summary
        definitions = [
            d for d in self._by_type.get(summary.document_type, []) if d.source != summary.source
        ]  # a flow never reacts to what it emitted itself (no feedback loops)
        if not definitions or message.canonical is None:
            return done
        event = message_event(
            summary.id,
            summary.document_type,
            summary.source,
            message.canonical,
            summary.received_at,
            self._clock(),
            summary.correlation_key,
            replay,
            message.schema_version,
        )
        for definition in definitions:
            for key in definition.keys_for(summary.document_type, event.canonical):
                self._count(done, self._advancer.advance(uow, definition, key, event))
        return done
