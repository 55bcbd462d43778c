"""The store on its own, and the one place that chooses its backend.

The URL's scheme picks a *profile*: ``sqlite://`` is the embedded default (one process per
store, one writer thread, WAL checkpoints); ``postgresql+psycopg://`` runs units of work
concurrently with retries, any number of hub processes sharing the store. The SQL is the same
(`adapters.sql`); each backend's package supplies the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from crossdock.adapters.postgres import engine as postgres
from crossdock.adapters.postgres.writers import DEFAULT_WRITERS, concurrent_writers
from crossdock.adapters.sql.backend import SqlBackend
from crossdock.adapters.sql.bus import SqlBus
from crossdock.adapters.sql.schema_version import ensure
from crossdock.adapters.sql.uow import SqlUnitOfWorkFactory
from crossdock.adapters.sqlite import engine as sqlite
from crossdock.adapters.sqlite.checkpoint import WalCheckpointer
from crossdock.adapters.sqlite.writer import single_writer
from crossdock.config import Settings
from crossdock.hub.ports import WriteExecutor
from crossdock.hub.store_runner import StoreRunner


class _EngineMaker(Protocol):
    def __call__(self, url: str, *, writers: int | None = None) -> Engine: ...


class UnsupportedStore(ValueError):
    """The store URL names a database crossdock does not run on."""


@dataclass(frozen=True, slots=True)
class Profile:
    """What differs between the embedded and the PostgreSQL store, decided once here."""

    name: str
    backend: SqlBackend
    engine: _EngineMaker
    #: Embedded: one hub process per store (the data dir lock, WAL checkpoints, and at
    #: start-up every bus lease is a dead process's). PostgreSQL: several processes share the
    #: store; a lease another process holds expires (ack_wait) and is taken over then.
    single_process: bool

    def executor(self, writers: int | None = None) -> WriteExecutor:
        if self.single_process:
            return single_writer()
        return concurrent_writers(writers or DEFAULT_WRITERS)


SQLITE = Profile("sqlite", sqlite.BACKEND, sqlite.make_engine, single_process=True)
POSTGRES = Profile("postgresql", postgres.BACKEND, postgres.make_engine, single_process=False)


def profile_for(url: str) -> Profile:
    """The profile a store URL names: ``sqlite:///...`` or ``postgresql+psycopg://...``."""
    try:
        driver = make_url(url).drivername
    except ArgumentError:
        driver = ""
    if driver in ("sqlite", "sqlite+pysqlite"):
        return SQLITE
    if driver == "postgresql+psycopg":
        return POSTGRES
    scheme = url.split(":", 1)[0] if ":" in url else url[:20]
    raise UnsupportedStore(
        f"store URL scheme {scheme!r} is not supported: use sqlite:///PATH (the embedded "
        "default) or postgresql+psycopg://USER:PASSWORD@HOST:PORT/DATABASE (psycopg 3)"
    )


def make_engine(url: str, *, create_schema: bool = True, writers: int | None = None) -> Engine:
    """The engine for a store URL (its profile's); with `create_schema`, check the store's
    schema version (one query): an empty database is created at head, a store from the
    release before migrations is stamped in place, and any other mismatch raises
    `SchemaMismatch` (``crossdock db upgrade`` fixes a store behind head)."""
    profile = profile_for(url)
    engine = profile.engine(url, writers=writers)
    if create_schema:
        try:
            ensure(engine, profile.backend.before_schema_change)
        except BaseException:
            engine.dispose()
            raise
    return engine


@dataclass(slots=True)
class Store:
    engine: Engine
    uow: SqlUnitOfWorkFactory
    bus: SqlBus
    profile: Profile
    #: SQLite only (None on PostgreSQL, which checkpoints itself).
    checkpointer: WalCheckpointer | None
    writers: int | None = None

    def executor(self) -> WriteExecutor:
        """A new write executor for this store (the caller closes it, via `StoreRunner`)."""
        return self.profile.executor(self.writers)

    def runner(self) -> StoreRunner:
        """A `StoreRunner` with this store's executor and read-only units of work."""
        return StoreRunner(self.uow, self.uow.reader, executor=self.executor())

    def start_checkpoints(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.start()

    def close(self) -> None:
        # The engine first: the checkpointer's last act closes file descriptors, which must
        # not happen while the engine's connections hold SQLite's locks on those files.
        self.engine.dispose()
        if self.checkpointer is not None:
            self.checkpointer.stop()


def open_store(url: str, *, checkpoints: bool = True, writers: int | None = None) -> Store:
    """The store at `url`, with its profile's parts (tests and tools use this directly)."""
    profile = profile_for(url)
    engine = make_engine(url, writers=writers)
    checkpointer = WalCheckpointer(engine) if profile.single_process else None
    store = Store(
        engine=engine,
        uow=SqlUnitOfWorkFactory(engine, profile.backend),
        bus=SqlBus(engine),
        profile=profile,
        checkpointer=checkpointer,
        writers=writers,
    )
    if checkpoints:
        store.start_checkpoints()
    return store


def build_store(settings: Settings, *, checkpoints: bool = True) -> Store:
    """The store; ``checkpoints=False`` leaves the checkpointer for the caller to start (the
    hub starts it once it is up, so start-up never shares the disk with the first checkpoint
    of a WAL a previous process left behind)."""
    settings.hub.data_dir.mkdir(parents=True, exist_ok=True)
    return open_store(
        settings.database_url, checkpoints=checkpoints, writers=settings.store.writers
    )
