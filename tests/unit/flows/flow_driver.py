"""Drive real flow definitions through the real engine and timer job on a SQLite store.

`Driver` records documents like intake does, drains the flows' consumer group, fires due
timers at a settable clock and reads back states, exceptions and what the flows emitted.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from crossdock.hub.flows.engine import FlowEngine, flow_group
from crossdock.hub.flows.exceptions import ExceptionRecord
from crossdock.hub.flows.model import FlowDefinition, FlowState
from crossdock.hub.flows.timers import TimerJob, TimerRun
from crossdock.hub.records import InboundMessage, MessageFilter
from tests.conftest import SqlStore
from tests.unit.flows.helpers import T0, Clock, Drained, lane_for, recorded

_keys = itertools.count(1)


@dataclass
class Driver:
    store: SqlStore
    definitions: Sequence[FlowDefinition]
    clock: Clock = field(default_factory=lambda: Clock(T0))

    def __post_init__(self) -> None:
        self.engine = FlowEngine(self.definitions, lane_for=lane_for, clock=self.clock)
        self.group = flow_group("critical", self.definitions, lane_for)
        self.store.bus.ensure_group(self.group)

    def send(
        self,
        document_type: str,
        document: dict[str, Any],
        *,
        source: str = "erp",
        key: str | None = None,
    ) -> InboundMessage:
        """Record a document (a fresh idempotency key unless given) and let the flows run."""
        message = recorded(
            self.store, document_type, document, source=source, key=key or f"k{next(_keys)}"
        )
        self.drain()
        return message

    def drain(self) -> Drained:
        out = Drained()
        for _ in range(50):
            entries = self.store.bus.fetch(self.group.name, 100)
            if not entries:
                break
            with self.store.uow() as uow:
                result = self.engine.handle_batch(uow, self.group.name, entries)
                uow.commit()
            assert result.failed == [], result.failed
            out.results.append(result)
            out.entries.extend(entries)
            self.store.bus.ack(self.group.name, entries)
        return out

    def advance(self, delta: timedelta) -> TimerRun:
        """Move the clock and fire what came due (then let the flows handle emissions)."""
        self.clock.now = self.clock.now + delta
        job = TimerJob(self.definitions, self.store.uow, lane_for=lane_for, clock=self.clock)
        run = job.run_once()
        assert run.failed == 0
        self.drain()
        return run

    def at(self, when: datetime) -> None:
        self.clock.now = when

    def state(self, flow: str, key: str) -> FlowState:
        with self.store.uow.reader() as uow:
            found = uow.flows.get(flow, key)
        assert found is not None, f"no {flow} instance {key}"
        return found

    def timers(self, flow: str, key: str) -> dict[str, datetime]:
        with self.store.uow.reader() as uow:
            return {t.name: t.due_at for t in uow.flows.timers(flow, key) if t.fired_at is None}

    def exceptions(self, category: str | None = None) -> list[ExceptionRecord]:
        with self.store.uow.reader() as uow:
            found = uow.exceptions.find()
        return [e for e in found if category is None or e.category == category]

    def emitted(self, flow: str, document_type: str | None = None) -> list[dict[str, Any]]:
        """Canonical documents a flow emitted, oldest first."""
        import orjson

        with self.store.uow.reader() as uow:
            summaries = uow.messages.find(MessageFilter(source=f"crossdock.flow.{flow}"))
            out = []
            for summary in sorted(summaries, key=lambda s: (s.received_at, s.id)):
                if document_type and summary.document_type != document_type:
                    continue
                stored = uow.messages.get(summary.id)
                assert stored is not None and stored.canonical is not None
                out.append(orjson.loads(stored.canonical))
        return out
