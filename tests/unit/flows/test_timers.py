"""SLA timers: stored, fired after a restart, once, even with two workers racing."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from crossdock.hub.flows.exceptions import ExceptionCategory, ExceptionStatus
from crossdock.hub.flows.timers import TimerJob, TimerRun
from tests.conftest import SqlStore
from tests.unit.flows.helpers import FLOW, T0, Clock, drain, engine, example, lane_for, recorded
from tests.unit.flows.toy_flow import ACK_DUE, NAME

PO_NUMBER = example("purchase_order")["po_number"]
AFTER_DUE = T0 + ACK_DUE + timedelta(minutes=1)


def timer_job(store: SqlStore, clock: Clock, *, lease_seconds: float = 60.0) -> TimerJob:
    return TimerJob([FLOW], store.uow, lane_for=lane_for, clock=clock, lease_seconds=lease_seconds)


def open_orders(store: SqlStore, count: int = 1) -> list[str]:
    """Record `count` POs and let the flow open them at T0 (each sets "ack due")."""
    po = example("purchase_order")
    ids = []
    for n in range(count):
        number = PO_NUMBER if count == 1 else f"PO-{n:04d}"
        ids.append(recorded(store, "purchase_order", po | {"po_number": number}).id)
    drain(store, engine(Clock(T0)))
    return ids


def test_a_timer_is_not_fired_before_it_is_due(store: SqlStore) -> None:
    open_orders(store)
    run = timer_job(store, Clock(T0 + ACK_DUE - timedelta(seconds=1))).run_once()
    assert (run.leased, run.fired) == (0, 0)


def test_a_timer_set_before_a_restart_fires_after_it_and_only_once(tmp_path: Path) -> None:
    before = SqlStore(tmp_path)
    [po_id] = open_orders(before)
    before.engine.dispose()  # the hub stops; the timer is a row in the file

    after = SqlStore(tmp_path)
    try:
        job = timer_job(after, Clock(AFTER_DUE))
        run = job.run_once()
        again = job.run_once()
        with after.uow.reader() as uow:
            state = uow.flows.get(NAME, PO_NUMBER)
            [timer] = uow.flows.timers(NAME, PO_NUMBER)
            [raised] = uow.exceptions.find()
    finally:
        after.engine.dispose()

    assert (run.leased, run.fired, run.exceptions, run.failed) == (1, 1, 1, 0)
    assert (again.leased, again.fired) == (0, 0)
    assert state is not None and state.state == "late" and state.version == 2
    assert timer.fired_at == AFTER_DUE
    assert raised.category is ExceptionCategory.LATE_ACKNOWLEDGMENT
    assert raised.owner_role == "buyer"  # the category's default owner
    assert (raised.flow, raised.correlation_key, raised.evidence) == (NAME, PO_NUMBER, [po_id])
    assert raised.status is ExceptionStatus.OPEN
    assert "not acknowledged" in raised.detail


def test_two_workers_racing_fire_each_timer_exactly_once(tmp_path: Path) -> None:
    setup = SqlStore(tmp_path)
    open_orders(setup, count=20)
    setup.engine.dispose()
    workers = [SqlStore(tmp_path), SqlStore(tmp_path)]  # two processes on one store
    jobs = [timer_job(w, Clock(AFTER_DUE)) for w in workers]
    jobs[0]._batch_size = jobs[1]._batch_size = 5  # several rounds each, interleaved
    start = threading.Barrier(2)

    def work(job: TimerJob) -> list[TimerRun]:
        start.wait()
        runs = []
        while (run := job.run_once()).leased:
            runs.append(run)
        return runs

    try:
        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(work, jobs))
        with workers[0].uow.reader() as uow:
            raised = uow.exceptions.find(limit=1000)
            states = {s.state for s in uow.flows.find(flow=NAME, limit=1000)}
    finally:
        for w in workers:
            w.engine.dispose()

    fired = [run.fired for runs in results for run in runs]
    assert sum(fired) == 20
    assert all(run.skipped == 0 and run.failed == 0 for runs in results for run in runs)
    assert len(raised) == 20
    assert len({r.correlation_key for r in raised}) == 20
    assert states == {"late"}


def test_a_lease_held_by_a_dead_worker_expires_and_the_timer_fires_once(store: SqlStore) -> None:
    open_orders(store)
    clock = Clock(AFTER_DUE)
    dead, alive = timer_job(store, clock), timer_job(store, clock)
    [leased] = dead.lease()  # leased, then the worker dies before firing it

    assert alive.run_once().leased == 0  # the lease keeps others off
    clock.now = AFTER_DUE + timedelta(seconds=61)  # past the 60 s lease
    assert alive.run_once().fired == 1

    late = TimerRun()
    dead.fire(leased, late)  # the first worker wakes up: its lease is no longer the timer's
    assert (late.fired, late.skipped) == (0, 1)
    with store.uow.reader() as uow:
        assert len(uow.exceptions.find()) == 1


def test_a_timer_cancelled_after_it_was_leased_does_not_fire(store: SqlStore) -> None:
    open_orders(store)
    clock = Clock(AFTER_DUE)
    job = timer_job(store, clock)
    [leased] = job.lease()
    recorded(store, "purchase_order_acknowledgment")  # arrives while the timer is leased
    drain(store, engine(clock))

    run = TimerRun()
    job.fire(leased, run)
    assert (run.fired, run.skipped) == (0, 1)
    with store.uow.reader() as uow:
        state = uow.flows.get(NAME, PO_NUMBER)
        assert uow.exceptions.find() == []
    assert state is not None and state.state == "acknowledged"


def test_a_timer_set_again_after_firing_fires_again(store: SqlStore) -> None:
    open_orders(store)
    job = timer_job(store, Clock(AFTER_DUE))
    assert job.run_once().fired == 1
    later = AFTER_DUE + timedelta(hours=1)
    with store.uow() as uow:
        uow.flows.set_timer(NAME, PO_NUMBER, "ack_due", later)
        uow.commit()
    run = timer_job(store, Clock(later)).run_once()
    assert run.fired == 1  # no transition for ("late", timer) in the toy: nothing else happens
    with store.uow.reader() as uow:
        [timer] = uow.flows.timers(NAME, PO_NUMBER)
    assert timer.fired_at == later
