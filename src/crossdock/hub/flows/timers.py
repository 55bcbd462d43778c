"""Firing SLA timers: stored rows, leased, each fired once in its own unit of work.

Timers are rows in the store (`FlowStore.set_timer`), so a timer set before a restart fires
after it. The job runs periodically in the hub process holding its job lease (`hub.cluster_jobs`;
a lease hand-over may briefly let two run): it leases the timers that came due
(a lease, not a lock, so a process that dies mid-way gives its timers back when the lease
expires), then fires each one in its own transaction that also marks it fired — only if it is
still the timer it leased (not moved, cancelled, or re-leased after its lease ran out). Two
processes therefore never fire the same timer twice, and a failing flow delays its own timer
only.

A timer waits for the flows to catch up: it fires only once the flow consumer has handled
every document the hub received before it came due (`caught_up`, the publish time of the
oldest entry the flow groups still have to handle). Otherwise a busy hub would raise a late
acknowledgment for an acknowledgment it already holds but has not handed to the flow yet —
its own backlog, charged to the supplier.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from crossdock.hub.flows.advance import Advancer, timer_event
from crossdock.hub.flows.model import FlowDefinition, FlowTimer
from crossdock.hub.ids import new_id
from crossdock.hub.ports import UnitOfWorkFactory

log = logging.getLogger(__name__)


@dataclass(slots=True)
class TimerRun:
    """One pass of the job."""

    leased: int = 0
    fired: int = 0
    skipped: int = 0  # moved, cancelled or taken over since it was leased, or an unknown flow
    failed: int = 0
    emitted: int = 0
    exceptions: int = 0


class TimerJob:
    """Fires due flow timers. `run_once` is blocking: run it on the store's writer thread."""

    def __init__(
        self,
        definitions: Sequence[FlowDefinition],
        uow_factory: UnitOfWorkFactory,
        *,
        lane_for: Callable[[str], str],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        lease_seconds: float = 60.0,
        batch_size: int = 100,
        owner: str | None = None,
        caught_up: Callable[[], datetime | None] | None = None,
    ) -> None:
        self._definitions = {d.name: d for d in definitions}
        self._uow = uow_factory
        self._clock = clock
        self._advancer = Advancer(lane_for, clock)
        self._lease_seconds = lease_seconds
        self._batch_size = batch_size
        self.owner = owner or f"timers-{new_id()}"
        self._caught_up = caught_up or (lambda: None)

    def lease(self) -> list[FlowTimer]:
        """Lease due timers for this job, in one short transaction: due by now, and before
        what the flows have still to handle."""
        now = self._clock()
        backlog = self._caught_up()
        with self._uow() as uow:
            leased = uow.flows.lease_due_timers(
                now,
                now.timestamp() + self._lease_seconds,
                self.owner,
                self._batch_size,
                due_by=backlog,
            )
            uow.commit()
        return leased

    def fire(self, timer: FlowTimer, run: TimerRun) -> None:
        """Fire one leased timer: mark it and apply the flow's reaction, in one transaction."""
        definition = self._definitions.get(timer.flow)
        now = self._clock()
        with self._uow() as uow:
            if not uow.flows.claim_fire(timer, now):
                run.skipped += 1
                return
            if definition is None:
                # A flow removed from the configuration: its timers are spent, not retried.
                log.warning("timer %s of unknown flow %s dropped", timer.name, timer.flow)
                uow.commit()
                run.skipped += 1
                return
            event = timer_event(timer.name, timer.due_at, now)
            outcome = self._advancer.advance(uow, definition, timer.key, event)
            uow.commit()
        run.fired += 1
        run.emitted += len(outcome.emitted)
        run.exceptions += len(outcome.exceptions)

    def run_once(self) -> TimerRun:
        """Lease what is due and fire it. A timer whose reaction fails stays leased until
        the lease expires, then the next pass tries it again."""
        run = TimerRun()
        leased = self.lease()
        run.leased = len(leased)
        for timer in leased:
            try:
                self.fire(timer, run)
            except Exception:
                log.exception("timer %s of %s/%s failed", timer.name, timer.flow, timer.key)
                run.failed += 1
        return run
