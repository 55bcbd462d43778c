"""Engine construction: SQLite tuned for a durable single-file log, PostgreSQL as is."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import QueuePool

from crossdock.adapters.sql.prepared import raw_execute
from crossdock.adapters.sql.schema_version import ensure

log = logging.getLogger(__name__)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers (CLI, API reads) run beside the writer; NORMAL sync in WAL mode keeps
    # every committed transaction across a process crash (kill -9), which is the promise here.
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (savepoints work)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Checkpoints (copying the WAL into the database file, with fsyncs) would otherwise run
    # inside whichever commit crosses the threshold, stalling intake for tens of milliseconds;
    # `WalCheckpointer` runs them from its own thread instead.
    cursor.execute("PRAGMA wal_autocheckpoint=0")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # Take the write lock up front: a deferred transaction that later writes can fail with
    # SQLITE_BUSY instead of waiting, when another process (the CLI) holds the lock. Sent
    # through the driver like the hot path's statements (`prepared`): this runs per commit.
    raw_execute(
        conn, "BEGIN" if conn.get_execution_options().get("readonly") else "BEGIN IMMEDIATE"
    )


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'crossdock.db').resolve()}"


def make_engine(url: str, *, create_schema: bool = True) -> Engine:
    """Build the engine for a database URL; with `create_schema`, check the store's schema
    version (one query): an empty database is created at head, a store from the release
    before migrations is stamped in place, and any other mismatch raises `SchemaMismatch`
    (``crossdock db upgrade`` fixes a store behind head)."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            poolclass=QueuePool,
            pool_size=8,
            max_overflow=8,
            connect_args={"check_same_thread": False, "timeout": 10},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        engine = create_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)
    if create_schema:
        try:
            ensure(engine)
        except BaseException:
            engine.dispose()
            raise
    return engine
