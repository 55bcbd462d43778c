"""Cluster-wide jobs on SQLite and PostgreSQL: two schedulers (separate engines and writer
threads, as two hub processes have) run the same jobs; each job runs once per interval and
never in both at once, a stopping process hands its jobs over at once, a crashed one's after
the lease's TTL. The first test drives a fake clock tick by tick; the second runs real loops
for about a second."""

from __future__ import annotations

import asyncio
import itertools
import os
import socket
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from crossdock.adapters.sql.job_leases import SqlJobLeases
from crossdock.adapters.sql.tables import job_leases
from crossdock.adapters.sql.uow import SqlUnitOfWorkFactory
from crossdock.adapters.sqlite.engine import sqlite_url
from crossdock.bootstrap import build_hub
from crossdock.bootstrap.store import make_engine
from crossdock.config import Settings
from crossdock.hub.cluster_jobs import Job, LeasedJobs, ProcessIdentity, per_host
from crossdock.hub.store_runner import StoreRunner


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_765_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return sqlite_url(tmp_path)
    return str(request.getfixturevalue("postgres_url"))


class Process:
    """What a hub process brings to its cluster-wide jobs: an engine, a writer thread, an id."""

    def __init__(
        self,
        url: str,
        name: str,
        jobs: list[Job],
        ttl: float,
        clock: FakeClock | None,
        host: str = "host-1",
    ) -> None:
        self.name = name
        me = ProcessIdentity(host, 1000, name)
        self.engine: Engine = make_engine(url)
        self.runner = StoreRunner(SqlUnitOfWorkFactory(self.engine))
        leases = SqlJobLeases(self.engine) if clock is None else SqlJobLeases(self.engine, clock)
        if clock is None:
            self.leased = LeasedJobs(leases, me, self.runner, jobs, ttl=ttl)
        else:
            self.leased = LeasedJobs(leases, me, self.runner, jobs, ttl=ttl, clock=clock)

    def close(self) -> None:
        self.runner.close()
        self.engine.dispose()


@pytest.fixture
def processes() -> Iterator[list[Process]]:
    started: list[Process] = []
    yield started
    for process in started:
        process.close()


def recording(
    runs: list[tuple[str, str, float]], who: str, clock: Callable[[], float]
) -> list[Job]:
    def job(name: str) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            runs.append((name, who, clock()))

        run.__name__ = name
        return run

    return [(1.0, job("fire_flow_timers")), (1.0, job("fetch_proofs_of_delivery"))]


async def test_two_schedulers_run_each_job_once_per_tick_and_hand_over(
    store_url: str, processes: list[Process]
) -> None:
    clock = FakeClock()
    runs: list[tuple[str, str, float]] = []
    ttl = 10.0
    a = Process(store_url, "A", recording(runs, "A", clock), ttl, clock)
    b = Process(store_url, "B", recording(runs, "B", clock), ttl, clock)
    processes.extend([a, b])

    async def tick(*alive: Process) -> None:
        order = alive if int(clock.now) % 2 else tuple(reversed(alive))
        for process in order:
            for _, job in process.leased.jobs:
                await job()
        clock.now += 1.0

    def per_tick(since: float) -> dict[tuple[str, float], list[str]]:
        seen: dict[tuple[str, float], list[str]] = {}
        for name, who, at in runs:
            if at >= since:
                seen.setdefault((name, at), []).append(who)
        return seen

    start = clock.now
    for _ in range(25):  # both alive: one runs each job, every tick, and keeps it
        await tick(a, b)
    seen = per_tick(start)
    assert len(seen) == 2 * 25
    assert all(len(who) == 1 for who in seen.values()), seen
    holders = {who[0] for who in seen.values()}
    assert len(holders) == 1  # the first to ask kept both jobs (renewed, never lost)
    first = a if holders == {"A"} else b
    other = b if first is a else a
    assert first.leased.holding() == {"fire_flow_timers", "fetch_proofs_of_delivery"}

    await first.leased.release()  # a process that stops: the other takes over at once
    handed = clock.now
    await tick(other)
    assert {who for _, who, at in runs if at == handed} == {other.name}

    for _ in range(5):
        await tick(a, b)
    crashed = clock.now  # `other` dies without releasing: nothing runs until its TTL ran out
    while not [r for r in runs if r[2] >= crashed]:
        await tick(first)
        assert clock.now - crashed <= ttl + 1.0, "the lease of a crashed process never expired"
    resumed = min(at for _, _, at in runs if at >= crashed)
    assert resumed - crashed >= ttl - ttl / 3 - 1.0  # not before the lease could have expired
    assert {who for _, who, at in runs if at >= crashed} == {first.name}


async def test_two_real_schedulers_never_run_a_job_at_once(
    store_url: str, processes: list[Process]
) -> None:
    """Real loops, real clocks: each run takes a while, so overlapping runs would show. The
    lease lasts a second: a shorter one lapsed between two renewals on a loaded CI machine
    (a legitimate hand-over, but not the one this test watches for)."""
    spans: list[tuple[str, float, float]] = []
    loop = asyncio.get_running_loop()
    interval, ttl = 0.02, 1.0

    def jobs(who: str) -> list[Job]:
        async def fire_flow_timers() -> None:
            begun = loop.time()
            await asyncio.sleep(0.01)
            spans.append((who, begun, loop.time()))

        return [(interval, fire_flow_timers)]

    a = Process(store_url, "A", jobs("A"), ttl, None)
    b = Process(store_url, "B", jobs("B"), ttl, None)
    processes.extend([a, b])

    async def every(process: Process) -> None:
        [(_, job)] = process.leased.jobs
        while True:
            await asyncio.sleep(interval)
            await job()

    loops = {p.name: asyncio.ensure_future(every(p)) for p in (a, b)}
    try:
        await asyncio.sleep(0.8)
        holder = spans[0][0]
        loops[holder].cancel()  # crashed: no release
        crashed = loop.time()
        await asyncio.sleep(ttl + 0.8)
    finally:
        for task in loops.values():
            task.cancel()
        await asyncio.gather(*loops.values(), return_exceptions=True)
    spans.sort(key=lambda s: s[1])
    for before, after in itertools.pairwise(spans):
        assert after[1] >= before[2], f"{before} and {after} overlap"
    survivor = "B" if holder == "A" else "A"
    assert {who for who, begun, _ in spans if begun < crashed} == {holder}
    taken_over = [begun for who, begun, _ in spans if who == survivor]
    assert taken_over, "nobody took over the crashed process's job"
    assert taken_over[0] - crashed <= ttl + 0.3
    assert len(spans) >= 20  # ran about once per interval (plus its 10 ms) all along


async def test_a_hub_holds_its_cluster_wide_jobs_and_releases_them_when_it_stops(
    tmp_path: Path,
) -> None:
    settings = Settings(
        hub={"data_dir": tmp_path / "data"},
        flows={"procure_to_pay": {"enabled": True}},
    )
    hub = build_hub(settings)
    await hub.start()
    try:
        await asyncio.sleep(1.5)  # the timer job ticks every second
        with hub.store.engine.connect() as conn:
            rows = {r.name: r for r in conn.execute(select(job_leases))}
    finally:
        await hub.stop()
    assert "fire_flow_timers" in rows  # the dead-letter sweep ticks every 5 s: not yet
    assert rows["fire_flow_timers"].expires_at > time.time()  # held while the hub runs
    owner = rows["fire_flow_timers"].owner
    assert owner.startswith(f"{socket.gethostname()[:80]}/{os.getpid()}/")
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            after = conn.execute(select(job_leases.c.expires_at)).scalars().all()
        assert after and all(expires <= time.time() for expires in after)  # released
        assert SqlJobLeases(engine).acquire("fire_flow_timers", "next-process", 30.0)
    finally:
        engine.dispose()


def test_the_process_identity_names_host_and_pid_and_differs_per_start() -> None:
    one, two = ProcessIdentity.of_this_process(), ProcessIdentity.of_this_process()
    assert (one.host, one.pid) == (socket.gethostname(), os.getpid())
    assert str(one) != str(two)


def test_cluster_wide_jobs_need_unique_names() -> None:
    async def job() -> None: ...

    with pytest.raises(ValueError, match="unique names"):
        LeasedJobs(
            SqlJobLeases.__new__(SqlJobLeases),
            ProcessIdentity.of_this_process(),
            None,  # type: ignore[arg-type]
            [(1.0, job), (2.0, job)],
            ttl=1,
        )


async def test_a_per_host_job_runs_once_per_host(store_url: str, processes: list[Process]) -> None:
    """Drop folders are on each host's disk: one process per host polls them."""
    clock = FakeClock()
    runs: list[tuple[str, str, float]] = []

    def polls(who: str) -> list[Job]:
        async def poll_partner_folders() -> None:
            runs.append(("poll", who, clock.now))

        return [(0.5, per_host(poll_partner_folders))]

    for name, host in (("A1", "host-a"), ("A2", "host-a"), ("B1", "host-b")):
        processes.append(Process(store_url, name, polls(name), 10.0, clock, host=host))
    for _ in range(3):
        for process in processes:
            [(_, job)] = process.leased.jobs
            await job()
        clock.now += 0.5
    by_tick: dict[float, set[str]] = {}
    for _, who, at in runs:
        by_tick.setdefault(at, set()).add(who)
    assert len(by_tick) == 3
    assert all(len(who) == 2 and "B1" in who for who in by_tick.values()), by_tick
    with processes[0].engine.connect() as conn:
        names = set(conn.execute(select(job_leases.c.name)).scalars())
    assert names == {"poll_partner_folders@host-a", "poll_partner_folders@host-b"}
