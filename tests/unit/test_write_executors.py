"""The store's write executors: priorities on one thread and on a pool, and the PostgreSQL
pool's retry of transient failures against a real server (two connections in conflict)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.pool import NullPool

from crossdock.adapters.postgres.writers import Retrying, concurrent_writers, is_transient
from crossdock.adapters.sqlite.writer import single_writer
from crossdock.hub.store_runner import NORMAL, URGENT, PriorityWorkers


async def _order_under_load(executor: PriorityWorkers) -> list[str]:
    """Occupy every thread, queue NORMAL then URGENT jobs, release: the order they ran."""
    ran: list[str] = []
    gate = threading.Event()
    started = threading.Semaphore(0)

    def blocker() -> None:
        started.release()
        gate.wait(10)

    blocked = [executor.submit(NORMAL, blocker) for _ in range(executor.threads)]
    for _ in range(executor.threads):
        assert await asyncio.to_thread(started.acquire, True, 10)
    jobs = [
        executor.submit(priority, lambda name=name: ran.append(name))
        for priority, name in [(NORMAL, "n1"), (NORMAL, "n2"), (URGENT, "u1"), (URGENT, "u2")]
    ]
    gate.set()
    await asyncio.gather(*blocked, *jobs)
    executor.close()
    return ran


async def test_one_writer_runs_urgent_jobs_first_fifo_within_a_priority() -> None:
    assert await _order_under_load(single_writer()) == ["u1", "u2", "n1", "n2"]


async def test_a_pool_starts_urgent_jobs_first() -> None:
    ran = await _order_under_load(concurrent_writers(3))
    # three threads pick the next three jobs at once: both urgent ones are among them
    assert set(ran[:2]) <= {"u1", "u2", "n1"} and {"u1", "u2"} <= set(ran[:3])


async def test_a_job_failure_reaches_the_caller_and_the_pool_goes_on() -> None:
    executor = concurrent_writers(2)

    def broken() -> None:
        raise ValueError("not transient")

    with pytest.raises(ValueError, match="not transient"):
        await executor.submit(NORMAL, broken)
    assert await executor.submit(URGENT, lambda: 42) == 42
    executor.close()


# -- PostgreSQL: real conflicts ----------------------------------------------------------


@pytest.fixture
def pg(postgres_url: str) -> Iterator[tuple[Engine, Engine]]:
    """Two engines on one schema: the job's, and another client's."""
    job, other = (create_engine(postgres_url, poolclass=NullPool) for _ in range(2))
    with other.begin() as conn:
        conn.execute(text("CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL)"))
        conn.execute(text("INSERT INTO counter VALUES (1, 0)"))
    yield job, other
    job.dispose()
    other.dispose()


def _read(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT n FROM counter WHERE id = 1")).scalar_one())


async def test_a_serialization_failure_is_retried_in_a_fresh_transaction(pg) -> None:
    job_engine, other = pg
    attempts: list[BaseException | None] = []

    def increment() -> int:
        attempts.append(None)
        with job_engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                n = conn.execute(text("SELECT n FROM counter WHERE id = 1")).scalar_one()
                if len(attempts) == 1:  # another client commits a change to the row read
                    with other.begin() as theirs:
                        theirs.execute(text("UPDATE counter SET n = n + 100 WHERE id = 1"))
                conn.execute(text("UPDATE counter SET n = :n WHERE id = 1"), {"n": n + 1})
            return int(n) + 1

    with pytest.raises(DBAPIError) as once:  # without retries: SQLSTATE 40001
        Retrying(attempts=1)(increment)
    assert getattr(once.value.orig, "sqlstate", None) == "40001" and is_transient(once.value)

    attempts.clear()
    executor = concurrent_writers(2)
    assert await executor.submit(NORMAL, increment) == 201
    executor.close()
    assert len(attempts) == 2  # the conflict, then the fresh unit of work
    assert _read(other) == 201  # both clients' increments, none lost


async def test_a_dropped_connection_is_retried(pg) -> None:
    job_engine, other = pg
    attempts = 0

    def write() -> None:
        nonlocal attempts
        attempts += 1
        with job_engine.begin() as conn:
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
            if attempts == 1:  # the server drops this connection (as a restart would)
                with other.begin() as admin:
                    admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            conn.execute(text("UPDATE counter SET n = n + 1 WHERE id = 1"))

    executor = concurrent_writers(1, retry=Retrying(first_backoff=0.001))
    await executor.submit(URGENT, write)
    executor.close()
    assert attempts == 2 and _read(other) == 1


async def test_other_database_errors_are_not_retried(pg) -> None:
    job_engine, _other = pg
    attempts = 0

    def invalid() -> None:
        nonlocal attempts
        attempts += 1
        with job_engine.begin() as conn:
            conn.execute(text("INSERT INTO counter VALUES (2, NULL)"))

    executor = concurrent_writers(1)
    with pytest.raises(IntegrityError):  # a NOT NULL violation: running again cannot help
        await executor.submit(NORMAL, invalid)
    executor.close()
    assert attempts == 1


async def test_a_check_then_insert_race_is_retried_and_finds_the_winner(pg) -> None:
    """The endpoint-state race between two hub processes: both look for a row, the other
    inserts it first; run again, this job sees it and updates instead."""
    job_engine, other = pg
    attempts = 0

    def upsert() -> str:
        nonlocal attempts
        attempts += 1
        with job_engine.begin() as conn:
            found = conn.execute(text("SELECT n FROM counter WHERE id = 7")).first()
            if found is not None:
                conn.execute(text("UPDATE counter SET n = n + 1 WHERE id = 7"))
                return "updated"
            if attempts == 1:  # another process inserts the row first
                with other.begin() as theirs:
                    theirs.execute(text("INSERT INTO counter VALUES (7, 1)"))
            conn.execute(text("INSERT INTO counter VALUES (7, 1)"))
            return "inserted"

    executor = concurrent_writers(1, retry=Retrying(first_backoff=0.001))
    assert await executor.submit(NORMAL, upsert) == "updated"
    executor.close()
    assert attempts == 2
