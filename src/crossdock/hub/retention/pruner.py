"""The retention job: archive, then prune, old messages and completed flows in small batches.

Each batch is one short transaction of at most `batch_size` messages (or flow instances), so
a prune of a million rows never holds the store for long: on SQLite the batches queue on the
writer thread behind intake commits (which jump the queue), on PostgreSQL they lock only the
rows they delete. Between batches the job sleeps `pause` seconds. The archive is written
inside the batch's transaction, before the delete: a failed write rolls the batch back, and a
failed commit after a written archive leaves lines that a rerun writes again (readers take
the last line of an id; nothing is lost either way).

In the hub the job runs in one process at a time (its lease, `hub.cluster_jobs`); the CLI
runs the same `Pruner` directly on the store.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from crossdock.hub.retention.archive_lines import flow_line, message_line
from crossdock.hub.retention.model import (
    Archive,
    BatchCursor,
    Cutoffs,
    RetentionRun,
    RetentionStore,
)

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """Ages in days (None: kept for ever), as configured."""

    default_days: float | None = None
    per_type_days: Mapping[str, float | None] | None = None
    flow_days: float | None = None

    def cutoffs(self, now: float) -> Cutoffs:
        return Cutoffs.at(
            now,
            default_days=self.default_days,
            per_type_days=dict(self.per_type_days or {}),
            flow_days=self.flow_days,
        )


@dataclass(frozen=True, slots=True)
class Batch:
    """What one batch read: message records or flow records."""

    kind: str  # messages | flows
    records: Sequence[dict[str, Any]]


class StoreCall(Protocol):
    """Runs a blocking store call off the event loop (`StoreRunner.call`)."""

    def __call__(self, fn: Callable[[], T], /) -> Awaitable[T]: ...


class RunState:
    """One run in progress: its cutoffs, where it stands, what it has pruned so far."""

    def __init__(self, cutoffs: Cutoffs, run: RetentionRun) -> None:
        self.cutoffs = cutoffs
        self.run = run
        self.cursor = BatchCursor()
        self.messages_done = not cutoffs.prunes_messages
        self.flows_done = cutoffs.flows is None
        self.name = datetime.fromtimestamp(run.started_at, UTC).strftime("%Y%m%dT%H%M%SZ")
        self.name += "-" + secrets.token_hex(3)

    @property
    def done(self) -> bool:
        return self.messages_done and self.flows_done


class Pruner:
    """Archives and prunes what `policy` says is old enough, `batch_size` at a time."""

    def __init__(
        self,
        store: RetentionStore,
        archive: Archive | None,
        policy: RetentionPolicy,
        *,
        batch_size: int = 200,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.store = store
        self.archive = archive
        self.policy = policy
        self.batch_size = batch_size
        self.clock = clock

    def eligible(self) -> dict[str, int]:
        """What a run would prune now, per document type (and completed flows)."""
        return self.store.eligible(self.policy.cutoffs(self.clock()))

    def start(self, trigger: str = "job") -> RunState:
        now = self.clock()
        return RunState(self.policy.cutoffs(now), RetentionRun(started_at=now, trigger=trigger))

    def step(self, state: RunState) -> int:
        """One batch: read, archive, delete. Returns the rows it pruned; `state.done` says
        when nothing is left."""
        batch = self.read(state)
        if batch is None:
            return 0
        self.archive_batch(state, batch)
        return self.delete(state, batch)

    def read(self, state: RunState) -> Batch | None:
        """The next batch to prune (messages first, then completed flows), None when this
        run is done with both (then `state.done`)."""
        if not state.messages_done:
            records = self.store.message_batch(state.cutoffs, state.cursor, self.batch_size)
            if records is not None:
                return Batch("messages", records)
            state.messages_done = True
        if not state.flows_done and state.cutoffs.flows is not None:
            flows = self.store.flow_batch(state.cutoffs.flows, self.batch_size)
            if flows:
                return Batch("flows", flows)
        state.flows_done = True
        return None

    def archive_batch(self, state: RunState, batch: Batch) -> None:
        """Write the batch to the archive (nothing without one); raises when it cannot, and
        then nothing of the batch is deleted."""
        if self.archive is None or not batch.records:
            return
        make_line = message_line if batch.kind == "messages" else flow_line
        group = "document_type" if batch.kind == "messages" else "flow"
        by_name: dict[str, list[dict[str, Any]]] = {}
        for record in batch.records:
            by_name.setdefault(str(record[group]), []).append(make_line(record))
        for name, lines in sorted(by_name.items()):
            path = self.archive.write(state.name, batch.kind, name, lines)
            if path not in state.run.archives:
                state.run.archives.append(path)

    def delete(self, state: RunState, batch: Batch) -> int:
        """Delete what `batch` read and is still eligible (one short write transaction)."""
        run = state.run
        run.batches += 1
        if not batch.records:
            return 0
        if batch.kind == "messages":
            ids = [str(r["id"]) for r in batch.records]
            messages, deliveries, attempts = self.store.delete_messages(ids)
            run.messages += messages
            run.deliveries += deliveries
            run.attempts += attempts
            return messages
        assert state.cutoffs.flows is not None
        keys = [(str(r["flow"]), str(r["key"])) for r in batch.records]
        flows = self.store.delete_flows(keys, state.cutoffs.flows)
        run.flows += flows
        if flows < len(keys):
            # some became ineligible since the read: the next read no longer returns them
            log.info("retention kept %d flow instance(s) changed since read", len(keys) - flows)
        return flows

    def finish(
        self, state: RunState, error: BaseException | None = None, *, quiet: bool = False
    ) -> RetentionRun:
        """Close the run and record it; with `quiet`, a run that pruned nothing and did not
        fail is not recorded (the job looks every `interval_seconds`: its idle looks would
        push the runs that did something out of `crossdock retention status`)."""
        run = state.run
        run.finished_at = self.clock()
        if error is not None:
            run.error = f"{type(error).__name__}: {error}"[:2000]
        if not quiet or run.error is not None or run.messages or run.flows:
            run.id = self.store.record_run(run)
        return run

    def run(
        self,
        trigger: str = "cli",
        *,
        pause: float = 0.0,
        share: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> RetentionRun:
        """A whole run in this thread (the CLI), paced like `run_async`; recorded in the
        store, also when it fails."""
        if not 0 < share <= 1:
            raise ValueError("share must be in (0, 1]")
        state = self.start(trigger)
        try:
            while not state.done:
                began = time.monotonic()
                self.step(state)
                rest = max(pause, (time.monotonic() - began) * (1 - share) / share)
                if rest > 0 and not state.done:
                    sleep(rest)
        except Exception as exc:
            self.finish(state, exc)
            raise
        return self.finish(state)

    async def run_async(
        self,
        call: StoreCall,
        *,
        pause: float,
        share: float = 1.0,
        trigger: str = "job",
    ) -> RetentionRun:
        """A whole run from the event loop: each batch through `call` (the store runner's
        writer), then a sleep of at least `pause` seconds, and long enough that batches take
        at most `share` of the run's time. A batch that took long (a busy machine, a writer
        queue full of intake) so makes the job wait longer: it backs off under load."""
        if not 0 < share <= 1:
            raise ValueError("share must be in (0, 1]")
        state = self.start(trigger)
        try:
            while not state.done:
                began = time.monotonic()
                # reading and archiving off the writer, in a thread of their own; the delete
                # (the only write) through `call`, the store's writer
                batch = await asyncio.to_thread(self.read, state)
                if batch is not None:
                    await asyncio.to_thread(self.archive_batch, state, batch)
                    await call(functools.partial(self.delete, state, batch))
                busy = time.monotonic() - began
                rest = max(pause, busy * (1 - share) / share)
                if rest > 0 and not state.done:
                    await asyncio.sleep(rest)
        except Exception as exc:
            failure = exc
            await call(lambda: self.finish(state, failure))
            raise
        run = await call(lambda: self.finish(state, quiet=True))
        if run.messages or run.flows:
            log.info(
                "retention pruned %d messages, %d flow instances in %d batches",
                run.messages,
                run.flows,
                run.batches,
            )
        return run
