"""Flow timers fire once across processes, on SQLite (a real file) and PostgreSQL (skips
without a server), even when their leases run out mid-way and another process takes them over:
a timer is fired by a conditional UPDATE (still leased by me, not fired) in the transaction
that applies its reaction, so a lease hand-over can delay a timer, never double its effect."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from crossdock.adapters.sql.uow import SqlUnitOfWorkFactory
from crossdock.adapters.sqlite.engine import sqlite_url
from crossdock.bootstrap.store import make_engine
from crossdock.hub.flows.model import FlowState
from crossdock.hub.flows.timers import TimerJob, TimerRun
from tests.unit.flows.helpers import FLOW, T0, lane_for
from tests.unit.flows.toy_flow import ACK_DUE, NAME

TIMERS = 40
DUE = T0 + ACK_DUE


class SteppingClock:
    """Every reading is a second later: with 2 s leases, timers leased by one worker expire
    while it is still firing its batch, and the other worker leases them again."""

    def __init__(self, start: datetime) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        time.sleep(0.002)  # each step of a worker takes a moment: the two interleave
        with self._lock:
            self._now += timedelta(seconds=1)
            return self._now


@pytest.fixture(params=["sqlite", "postgresql"])
def engines(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[Engine]]:
    url = (
        sqlite_url(tmp_path)
        if request.param == "sqlite"
        else str(request.getfixturevalue("postgres_url"))
    )
    made = [make_engine(url), make_engine(url)]  # two hub processes on one store
    yield made
    for engine in made:
        engine.dispose()


def open_orders(engine: Engine) -> None:
    """TIMERS follow-ups waiting for their acknowledgment, each with its "ack due" timer."""
    with SqlUnitOfWorkFactory(engine)() as uow:
        for n in range(TIMERS):
            key = f"PO-{n:04d}"
            state = FlowState(NAME, key, "sent", {"po_message": f"m{n}", "lines": 1}, 1, T0, T0)
            uow.flows.save(state, 0)
            # due one after another: a lease round takes the oldest unfired, expired ones first
            uow.flows.set_timer(NAME, key, "ack_due", DUE + timedelta(milliseconds=n))
        uow.commit()


def test_a_stalled_process_and_the_one_taking_over_fire_each_timer_once(
    engines: list[Engine],
) -> None:
    open_orders(engines[0])
    clock = SteppingClock(DUE + timedelta(seconds=1))
    jobs = [
        TimerJob(
            [FLOW],
            SqlUnitOfWorkFactory(engine),
            lane_for=lane_for,
            clock=clock,
            lease_seconds=2.0,
            batch_size=batch,
        )
        # one leases many at a time, the other one: it keeps taking over the first's expired
        for engine, batch in zip(engines, (8, 1), strict=True)
    ]
    stale = jobs[0].lease()  # the first process leased a batch, then stalled past its lease
    assert len(stale) == 8
    start = threading.Barrier(len(jobs))

    def wake_up(job: TimerJob) -> list[TimerRun]:
        """The stalled process fires what it leased long ago, then goes on as usual."""
        start.wait()
        late = TimerRun(leased=len(stale))
        for timer in stale:
            job.fire(timer, late)
        return [late, *work(job)]

    def work(job: TimerJob) -> list[TimerRun]:
        runs = []
        while (run := job.run_once()).leased:
            runs.append(run)
        return runs

    def take_over(job: TimerJob) -> list[TimerRun]:
        start.wait()
        return work(job)

    with ThreadPoolExecutor(len(jobs)) as pool:
        first, second = pool.submit(wake_up, jobs[0]), pool.submit(take_over, jobs[1])
        runs = [*first.result(timeout=120), *second.result(timeout=120)]
    with SqlUnitOfWorkFactory(engines[1]).reader() as uow:
        raised = uow.exceptions.find(limit=1000)
        states = [uow.flows.get(NAME, f"PO-{n:04d}") for n in range(TIMERS)]
        timers = [t for n in range(TIMERS) for t in uow.flows.timers(NAME, f"PO-{n:04d}")]

    assert sum(run.failed for run in runs) == 0
    assert sum(run.fired for run in runs) == TIMERS
    assert sum(run.skipped for run in runs) == sum(run.leased for run in runs) - TIMERS
    assert sorted(r.correlation_key or "" for r in raised) == [f"PO-{n:04d}" for n in range(TIMERS)]
    assert all(s is not None and s.state == "late" and s.version == 2 for s in states)
    assert all(t.fired_at is not None for t in timers) and len(timers) == TIMERS
