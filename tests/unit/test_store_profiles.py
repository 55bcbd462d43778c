"""Bootstrap chooses the store's backend by the URL's scheme, and nowhere else."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from crossdock.adapters.sql.flow_store import SqlFlowStore
from crossdock.adapters.sql.schema_version import SchemaState, current
from crossdock.adapters.sqlite.engine import sqlite_url
from crossdock.bootstrap.store import (
    POSTGRES,
    SQLITE,
    UnsupportedStore,
    make_engine,
    open_store,
    profile_for,
)
from crossdock.hub.store_runner import PriorityWorkers


def test_the_scheme_picks_the_profile() -> None:
    assert profile_for("sqlite:///var/crossdock.db") is SQLITE
    assert profile_for("sqlite+pysqlite:///:memory:") is SQLITE
    assert profile_for("postgresql+psycopg://hub:pw@db:5432/crossdock") is POSTGRES


@pytest.mark.parametrize(
    "url", ["mysql+pymysql://hub@db/x", "postgresql://hub@db/x", "oracle://x", "not a url", ""]
)
def test_any_other_scheme_is_refused_saying_what_works(url: str) -> None:
    with pytest.raises(UnsupportedStore) as refused:
        profile_for(url)
    assert "sqlite:///" in str(refused.value)
    assert "postgresql+psycopg://" in str(refused.value)
    assert "pw" not in str(refused.value)


def test_the_embedded_profile_keeps_one_writer_and_no_savepoints(tmp_path: Path) -> None:
    store = open_store(sqlite_url(tmp_path), checkpoints=False)
    try:
        executor = store.executor()
        assert isinstance(executor, PriorityWorkers) and executor.threads == 1
        executor.close()
        assert store.checkpointer is not None and store.profile.single_process
        with store.uow() as uow:  # no savepoint per flow insert, no lock per publish
            assert isinstance(uow.flows, SqlFlowStore) and uow.flows._isolate_failures is False
            assert uow.outbox._before_insert is None
    finally:
        store.close()


def test_the_postgres_profile_runs_writers_concurrently() -> None:
    executor = POSTGRES.executor(3)
    try:
        assert isinstance(executor, PriorityWorkers) and executor.threads == 3
    finally:
        executor.close()
    assert not POSTGRES.single_process
    assert POSTGRES.backend.isolate_failures and POSTGRES.backend.before_log_insert is not None


def test_processes_opening_one_empty_postgres_database_at_once_take_turns(
    postgres_url: str,
) -> None:
    """Each opener creates the schema only if it is still empty under the advisory lock; without
    it two CREATE TABLEs race and one opener fails on a duplicate (UniqueViolation)."""
    openers = 6
    barrier = threading.Barrier(openers)
    failures: list[BaseException] = []

    def open_it() -> None:
        try:
            barrier.wait(timeout=30)
            make_engine(postgres_url).dispose()
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(openers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    engine = make_engine(postgres_url)
    try:
        assert current(engine).state is SchemaState.AT_HEAD
    finally:
        engine.dispose()


def test_a_postgres_server_that_never_answers_fails_the_connect_in_seconds() -> None:
    """A server (or a host that drops packets) that never answers the start-up would hold a
    writer thread for minutes on the OS's TCP timeouts; the engine gives up after 5 s."""
    from crossdock.adapters.postgres.engine import make_engine as postgres_engine

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # the kernel completes the handshake; nobody ever answers
    port = silent.getsockname()[1]
    engine = postgres_engine(f"postgresql+psycopg://hub@127.0.0.1:{port}/x")
    outcome: list[BaseException] = []

    def connect() -> None:
        try:
            engine.connect().close()
        except BaseException as exc:
            outcome.append(exc)

    started = time.monotonic()
    thread = threading.Thread(target=connect, daemon=True)
    thread.start()
    thread.join(timeout=30)
    try:
        assert not thread.is_alive(), "the connect still hangs after 30 s"
        assert outcome and isinstance(outcome[0], OperationalError)
        assert time.monotonic() - started < 20
    finally:
        silent.close()
        engine.dispose()
