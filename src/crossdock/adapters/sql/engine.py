"""Engine construction: SQLite tuned for a durable single-file log, PostgreSQL as is."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import QueuePool

from crossdock.adapters.sql import (  # noqa: F401  (their tables join `metadata`)
    flow_tables,
    inventory_tables,
)
from crossdock.adapters.sql.tables import metadata

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
    # SQLITE_BUSY instead of waiting, when another process (the CLI) holds the lock.
    if conn.get_execution_options().get("readonly"):
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'crossdock.db').resolve()}"


def make_engine(url: str, *, create_schema: bool = True) -> Engine:
    """Build the engine for a database URL and create the schema when it is missing."""
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
        metadata.create_all(engine)
    return engine


class WalCheckpointer:
    """Checkpoints the SQLite WAL from a background thread, off every request's path.

    PASSIVE checkpoints never block writers; a TRUNCATE now and then (when the WAL has grown
    large) keeps the file from growing without bound.
    """

    def __init__(
        self, engine: Engine, interval: float = 0.25, truncate_pages: int = 50_000
    ) -> None:
        self._engine = engine
        self._interval = interval
        self._truncate_pages = truncate_pages
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)

    def start(self) -> None:
        if self._engine.dialect.name == "sqlite":
            self._thread.start()

    def checkpoint(self) -> tuple[int, int]:
        """One passive checkpoint: (pages in the WAL, pages copied to the database)."""
        raw = self._engine.raw_connection()
        started = time.perf_counter()
        try:
            cursor = raw.cursor()
            _busy, wal_pages, copied = cursor.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            if wal_pages >= self._truncate_pages and copied == wal_pages:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.close()
            return int(wal_pages), int(copied)
        finally:
            raw.close()
            elapsed = time.perf_counter() - started
            if elapsed > 0.05:
                log.info("WAL checkpoint took %.0f ms", elapsed * 1000)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.checkpoint()
            except Exception:  # the next round tries again; a failed checkpoint loses nothing
                log.exception("WAL checkpoint failed")

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        if self._engine.dialect.name == "sqlite":
            with contextlib.suppress(Exception):
                self.checkpoint()
