"""WAL checkpoints for the embedded store, run beside the writer without stalling it.

SQLite's own checkpoint holds an exclusive lock (the WAL's read-mark 0) from the moment it
starts copying pages until it has fsynced the database file, and a commit that needs that
lock waits. On this kind of disk a checkpoint's fsync sometimes takes ~100 ms (when it meets
the file system's periodic journal commit), and intake commits stalled for as long: that was
the whole tail of the hub's intake latency (p99 50-180 ms against a p50 of 2-3 ms).

So the checkpointer does SQLite's two fsyncs itself, outside that lock, in the same order
and with the same guarantee. A *pinned round*:

1. opens a read transaction (the *pin*): the checkpoint cannot copy past the pin's
   snapshot, and the WAL cannot be restarted (overwritten from its start) while it is held;
2. fsyncs the WAL, so every frame it may copy is durable first (a crash mid-copy is
   repaired from the WAL, as SQLite's own order ensures);
3. checkpoints on a connection with ``synchronous=OFF`` (SQLite copies pages, no fsync);
4. fsyncs the database file, and only then releases the pin, so WAL frames are only
   overwritten once the pages they hold are durable in the database.

Commits go on throughout: they append to the WAL and never wait for either fsync.

The WAL must also be *restarted* now and then, or it grows without bound: SQLite reuses it
from its start at the first commit that finds every frame copied and nobody reading it.
Under steady load (hundreds of commits a second) a round never ends with nothing new, so
once the WAL passes ``restart_pages`` the checkpointer runs one *quiet round*: the same
steps holding the write lock instead of a pin. Nearly everything is already copied and
synced by then, so commits wait only for the tail (about 1-5 ms here); the next commit
restarts the WAL and the file's blocks are reused instead of growing it.

An idle store costs nothing: once a round has left the WAL copied and synced, rounds are
skipped until another commit lands (``PRAGMA data_version``). Idle hubs used to fsync both
files four times a second each; on a disk shared by many processes those fsyncs queued behind
each other until one took seconds (a test hub once logged a 12 s checkpoint while starting).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine

log = logging.getLogger(__name__)

#: An fsync of one file; tests pass their own to watch the order of events.
SyncFile = Callable[[Path], None]

SLOW_CHECKPOINT_SECONDS = 0.05
#: Pinned rounds per checkpoint at most before a quiet round is considered.
CATCH_UP_ROUNDS = 10


class FileSyncer:
    """fdatasync for the store's files, through descriptors opened once and kept.

    Closing *any* descriptor of a file drops every POSIX lock this process holds on it,
    SQLite's own included. An fsync helper that opened and closed the database file each time
    silently released the hub's shared lock, and the next process to close its connection
    (any CLI command) took the exclusive lock, decided it was the last user and deleted the
    WAL under the running hub. So the descriptors stay open until `close`, which runs only
    once SQLite has closed its own connections to the files.
    """

    def __init__(self) -> None:
        self._open: dict[Path, tuple[int, int]] = {}  # path -> (descriptor, inode)

    def __call__(self, path: Path) -> None:
        try:
            inode = os.stat(path).st_ino
        except FileNotFoundError:
            return  # the WAL does not exist until the first write
        held = self._open.get(path)
        if held is None or held[1] != inode:
            fd = os.open(path, os.O_RDONLY)
            self._open[path] = (fd, os.fstat(fd).st_ino)
            if held is not None:
                os.close(held[0])  # a file SQLite replaced: it holds no lock on the old one
            held = self._open[path]
        getattr(os, "fdatasync", os.fsync)(held[0])

    def close(self) -> None:
        for fd, _inode in self._open.values():
            with contextlib.suppress(OSError):
                os.close(fd)
        self._open.clear()


def _connect(path: Path, *, synchronous: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
    conn.execute("PRAGMA busy_timeout=10000")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    return conn


def _data_version(conn: sqlite3.Connection) -> int:
    """Changes whenever another connection commits (a checkpoint does not change it)."""
    return int(conn.execute("PRAGMA data_version").fetchone()[0])


class WalCheckpointer:
    """Checkpoints the SQLite WAL from a background thread, off every request's path.

    ``restart_pages`` bounds the WAL (frames of one page each: 16,384 is 64 MB at SQLite's
    4 KB pages); the file keeps its largest size and is reused, never truncated while the
    hub runs, since truncating and regrowing it costs the file system the most.
    """

    def __init__(
        self,
        engine: Engine,
        interval: float = 0.25,
        restart_pages: int = 16_384,
        *,
        sync: SyncFile | None = None,
    ) -> None:
        self._engine = engine
        self._interval = interval
        self._restart_pages = restart_pages
        self._syncer: FileSyncer | None = None
        if sync is None:
            sync = self._syncer = FileSyncer()
        self._sync: SyncFile = sync
        self._database = self._database_path(engine)
        self._stop = threading.Event()
        self._lock = threading.Lock()  # the periodic round and stop()'s final one
        self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
        self._pin: sqlite3.Connection | None = None
        self._copier: sqlite3.Connection | None = None
        # The pin's `data_version` when a round last left the WAL fully copied and synced,
        # and that round's result: until another commit lands there is nothing to do.
        self._idle_at: int | None = None
        self._idle_result = (0, 0)

    @staticmethod
    def _database_path(engine: Engine) -> Path | None:
        database = engine.url.database if engine.dialect.name == "sqlite" else None
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        return Path(database)

    def start(self) -> None:
        if self._database is not None and self._thread.ident is None:
            self._thread.start()

    def _connections(self, database: Path) -> tuple[sqlite3.Connection, sqlite3.Connection]:
        if self._pin is None or self._copier is None:
            self._pin = _connect(database, synchronous="NORMAL")
            self._copier = _connect(database, synchronous="OFF")
        return self._pin, self._copier

    def checkpoint(self) -> tuple[int, int]:
        """One passive checkpoint: (pages in the WAL, pages copied to the database)."""
        if self._database is None:
            return 0, 0
        with self._lock:
            started = time.perf_counter()
            try:
                return self._checkpoint(self._database)
            finally:
                elapsed = time.perf_counter() - started
                if elapsed > SLOW_CHECKPOINT_SECONDS:
                    log.info("WAL checkpoint took %.0f ms", elapsed * 1000)

    def _checkpoint(self, database: Path) -> tuple[int, int]:
        """Pinned rounds until one passes with no commit landing, which leaves the WAL
        complete and unpinned for the next commit to restart; failing that (steady load),
        a quiet round once the WAL is large."""
        pin, _copier = self._connections(database)
        version = _data_version(pin)
        if version == self._idle_at:
            return self._idle_result  # idle: no fsync at all (they are what makes rounds slow)
        wal_pages = copied = 0
        previous = (-1, -1)
        for _ in range(CATCH_UP_ROUNDS):
            wal_pages, copied = self._pinned_round(database)
            if copied == wal_pages and (wal_pages, copied) == previous:
                # A round with no commit: the next one restarts it. `version` was read before
                # this round, so a commit after it is seen as a change next time.
                self._idle_at, self._idle_result = version, (wal_pages, copied)
                return wal_pages, copied
            previous = (wal_pages, copied)
            version = _data_version(pin)
        if wal_pages >= self._restart_pages:
            return self._quiet_round(database)
        return wal_pages, copied

    def _pinned_round(self, database: Path) -> tuple[int, int]:
        pin, copier = self._connections(database)
        pin.execute("BEGIN")
        try:
            pin.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()  # takes the snapshot
            return self._copy(database, copier)
        finally:
            pin.execute("ROLLBACK")

    def _quiet_round(self, database: Path) -> tuple[int, int]:
        """A round holding the write lock: no commit lands, so the copy is complete."""
        pin, copier = self._connections(database)
        started = time.perf_counter()
        pin.execute("BEGIN IMMEDIATE")
        try:
            return self._copy(database, copier)
        finally:
            pin.execute("ROLLBACK")
            held = time.perf_counter() - started
            log.debug("WAL restart window: commits held for %.1f ms", held * 1000)

    def _copy(self, database: Path, copier: sqlite3.Connection) -> tuple[int, int]:
        """Steps 2-4 of the module's recipe; the caller holds the pin (or the write lock)."""
        self._sync(database.with_name(database.name + "-wal"))
        _busy, wal_pages, copied = copier.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        if copied > 0:
            self._sync(database)
        return int(wal_pages), int(copied)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.checkpoint()
            except Exception:  # the next round tries again; a failed checkpoint loses nothing
                log.exception("WAL checkpoint failed")

    def stop(self) -> None:
        """Stop, checkpoint once more and let go of the files. Call it after the engine is
        disposed: its descriptors are closed last (see `FileSyncer`)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        with contextlib.suppress(Exception):
            self.checkpoint()
        for conn in (self._pin, self._copier):
            if conn is not None:
                with contextlib.suppress(Exception):
                    conn.close()
        self._pin = self._copier = None
        if self._syncer is not None:
            self._syncer.close()
