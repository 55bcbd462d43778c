"""JobLeases contract on SQLite (a real file) and PostgreSQL (skips without a server): take,
renew, contend, expire and take over, release; with an injected clock, so nothing sleeps.

Each "process" is an engine of its own, as separate hub processes would have; the concurrent
cases start their contenders on a barrier so their statements really meet in the database."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from crossdock.adapters.sql.job_leases import SqlJobLeases
from crossdock.adapters.sql.tables import job_leases
from crossdock.adapters.sqlite.engine import sqlite_url
from crossdock.bootstrap.store import make_engine

TTL = 30.0


class FakeClock:
    def __init__(self, now: float = 1_765_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return sqlite_url(tmp_path)
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def processes(store_url: str) -> Iterator[Callable[[], Engine]]:
    """A factory of engines on one store: one per simulated hub process."""
    engines: list[Engine] = []

    def process() -> Engine:
        engines.append(make_engine(store_url))
        return engines[-1]

    yield process
    for engine in engines:
        engine.dispose()


def row(engine: Engine, name: str) -> dict[str, object]:
    with engine.connect() as conn:
        found = conn.execute(select(job_leases).where(job_leases.c.name == name)).mappings()
        return dict(found.one())


def test_a_free_lease_is_taken_renewed_by_its_holder_and_refused_to_others(
    processes: Callable[[], Engine],
) -> None:
    clock = FakeClock()
    a, b = SqlJobLeases(processes(), clock), SqlJobLeases(processes(), clock)
    assert a.acquire("timers", "A", TTL)
    assert not b.acquire("timers", "B", TTL)
    taken = clock.now
    clock.now += TTL - 1  # still A's
    assert not b.acquire("timers", "B", TTL)
    assert a.acquire("timers", "A", TTL)  # renewed: now good for another TTL
    clock.now += TTL - 1
    assert not b.acquire("timers", "B", TTL)
    lease = row(a._engine, "timers")
    assert lease["owner"] == "A" and lease["acquired_at"] == taken
    assert lease["expires_at"] == taken + TTL - 1 + TTL
    assert a.acquire("pod", "A", TTL) and b.acquire("reconcile", "B", TTL)  # names apart


def test_an_expired_lease_is_taken_over_and_its_old_holder_loses_it(
    processes: Callable[[], Engine],
) -> None:
    clock = FakeClock()
    a, b = SqlJobLeases(processes(), clock), SqlJobLeases(processes(), clock)
    assert a.acquire("timers", "A", TTL)
    clock.now += TTL  # A crashed: nobody renewed
    assert b.acquire("timers", "B", TTL)
    assert not a.acquire("timers", "A", TTL)  # back from a pause: B holds it now
    assert not a.release("timers", "A")  # and A cannot free B's lease
    assert not a.acquire("timers", "A", TTL)
    lease = row(b._engine, "timers")
    assert (lease["owner"], lease["acquired_at"]) == ("B", clock.now)


def test_a_released_lease_is_free_at_once(processes: Callable[[], Engine]) -> None:
    clock = FakeClock()
    a, b = SqlJobLeases(processes(), clock), SqlJobLeases(processes(), clock)
    assert a.acquire("timers", "A", TTL)
    assert a.release("timers", "A")
    assert b.acquire("timers", "B", TTL)
    assert not a.acquire("timers", "A", TTL)
    assert not a.release("never-leased", "A")


def contend(leases: list[SqlJobLeases], name: str) -> list[str]:
    """Every contender asks for `name` at the same moment; who got it."""
    barrier = threading.Barrier(len(leases))
    won: list[str] = []
    errors: list[BaseException] = []

    def ask(n: int) -> None:
        try:
            barrier.wait()
            if leases[n].acquire(name, f"P{n}", TTL):
                won.append(f"P{n}")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(len(leases))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return won


def test_contenders_for_a_new_or_an_expired_lease_get_exactly_one_winner(
    processes: Callable[[], Engine],
) -> None:
    clock = FakeClock()
    leases = [SqlJobLeases(processes(), clock) for _ in range(6)]
    for round_ in range(5):
        name = f"job-{round_}"
        assert len(contend(leases, name)) == 1  # never leased: the INSERT race
        clock.now += TTL
        assert len(contend(leases, name)) == 1  # expired: the UPDATE race
