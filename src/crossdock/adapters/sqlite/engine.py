"""The embedded store's engine: SQLite tuned for a durable single-file log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import QueuePool

from crossdock.adapters.sql.backend import SqlBackend
from crossdock.adapters.sql.prepared import raw_execute


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


#: SQLite undoes just a failed statement (no savepoint needed) and has one writer at a
#: time, so sequence numbers are handed out in commit order without a lock.
BACKEND = SqlBackend(name="sqlite", isolate_failures=False)


def make_engine(url: str, *, writers: int | None = None) -> Engine:
    """An engine on a SQLite file (its directory is created): WAL, write lock at BEGIN.
    (`writers` is ignored: the embedded store always writes from one thread.)"""
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
    return engine
