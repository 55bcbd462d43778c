"""The backends every contract suite runs against: one `store` fixture, parametrized.

Each suite in this directory asks for `store` and runs once per backend: ``sqlite`` (a real
file in the test's temp dir) and ``postgres`` (a fresh schema on the server
``TEST_POSTGRES_URL`` names; skipped, saying why, without one). This is the only module that
builds engines for the suites, so when engine construction moves (``adapters/sqlite``,
``adapters/postgres``) only the imports here change.

Time is injected: the bus reads `ContractStore.clock`, which a test moves forward instead of
sleeping.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from crossdock.adapters.sql.bus import SqlBus
from crossdock.adapters.sql.inventory_store import SqlInventoryUnitOfWorkFactory
from crossdock.adapters.sql.schema_version import metadata_with_every_table
from crossdock.adapters.sql.uow import SqlUnitOfWorkFactory
from crossdock.adapters.sqlite.engine import sqlite_url
from crossdock.bootstrap.store import make_engine, profile_for
from tests import pg

BACKENDS = ("sqlite", "postgres")
T = TypeVar("T")


@dataclass(slots=True)
class FakeClock:
    """The real time plus whatever a test skipped ahead: the outbox stamps entries with the
    real time, so the bus's clock must not lag behind it, and a test waits out a lease or a
    redelivery delay by `advance` instead of sleeping."""

    skipped: float = 0.0

    def __call__(self) -> float:
        return time.time() + self.skipped

    def advance(self, seconds: float) -> None:
        self.skipped += seconds


class ContractStore:
    """One backend's store: engine, unit-of-work factories and a bus on an injected clock."""

    def __init__(self, backend: str, url: str) -> None:
        self.backend = backend
        self.url = url
        self.engine = make_engine(url)
        self.clock = FakeClock()
        self.uow = SqlUnitOfWorkFactory(self.engine, profile_for(url).backend)
        self.inventory_uow = SqlInventoryUnitOfWorkFactory(self.uow)
        self.bus = SqlBus(self.engine, clock=self.clock)
        self._others: list[ContractStore] = []

    def open_again(self) -> ContractStore:
        """The same database through an engine of its own, as another process (or the same
        one after a restart) sees it; disposed with this store."""
        other = ContractStore(self.backend, self.url)
        self._others.append(other)
        return other

    def close(self) -> None:
        for other in self._others:
            other.close()
        self.engine.dispose()


def concurrently(
    stores: Sequence[ContractStore], work: Callable[[int, ContractStore], T]
) -> list[T]:
    """Run `work(n, store)` in one thread per store, all released at once; the results in
    store order. Any exception in a thread is raised here, not lost."""
    barrier = threading.Barrier(len(stores))
    results: dict[int, T] = {}
    failures: list[BaseException] = []

    def run(n: int, s: ContractStore) -> None:
        try:
            barrier.wait(timeout=30)
            results[n] = work(n, s)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(n, s)) for n, s in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if failures:
        raise failures[0]
    return [results[n] for n in range(len(stores))]


@pytest.fixture(scope="session")
def _postgres_schema() -> Iterator[str]:
    """One schema for the session's PostgreSQL stores, created at head once: building ~30
    tables per test would be most of the suites' time. Each test starts from it emptied."""
    url = pg.base_url()
    if url is None:
        pytest.skip(pg.SKIP_REASON)
    with pg.fresh_schema(url) as scoped:
        make_engine(scoped).dispose()
        yield scoped


def _empty(url: str) -> None:
    """Every table of the schema emptied, sequences restarted (the schema version kept)."""
    tables = ", ".join(f'"{t.name}"' for t in metadata_with_every_table().sorted_tables)
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            # a test that left a connection busy must fail here, not hang the suite
            conn.execute(text("SET LOCAL lock_timeout = '10s'"))
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY"))
    finally:
        engine.dispose()


def _url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if backend == "sqlite":
        return sqlite_url(tmp_path)
    url: str = request.getfixturevalue("_postgres_schema")
    _empty(url)
    return url


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ContractStore]:
    """A fresh, empty store on each backend."""
    opened = ContractStore(request.param, _url(request.param, request, tmp_path))
    try:
        yield opened
    finally:
        opened.close()
