"""The WAL checkpointer: SQLite's checkpoint with the fsyncs done outside its locks.

Real SQLite files in a temporary directory. The fsync is injected only to watch *when* it
happens (and to make one slow); the real `sync_file` is exercised by the last tests.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from crossdock.adapters.sqlite.checkpoint import FileSyncer, WalCheckpointer
from crossdock.bootstrap.store import make_engine


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'hub.db'}", create_schema=False)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)"))
    return engine


def _write(engine: Engine, rows: int = 50) -> None:
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO t (body) VALUES (:b)"), [{"b": b"x" * 2000} for _ in range(rows)]
        )


def _wal_frames(path: Path) -> int:
    """Frames in the WAL now (copied or not)."""
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1])
    finally:
        conn.close()


def _wal_pages(path: Path) -> int:
    """Frames in the WAL not yet copied, seen from a connection of its own."""
    conn = sqlite3.connect(path)
    try:
        _busy, log, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return int(log) - int(copied)
    finally:
        conn.close()


def test_copies_the_wal_and_syncs_wal_before_database(engine: Engine, tmp_path: Path) -> None:
    events: list[str] = []
    checkpointer = WalCheckpointer(engine, sync=lambda p: events.append(p.name))
    _write(engine)
    wal_pages, copied = checkpointer.checkpoint()
    assert wal_pages > 0
    assert copied == wal_pages
    # Two rounds: the second finds nothing new, so the WAL was left complete and unpinned.
    assert events == ["hub.db-wal", "hub.db"] * 2
    checkpointer.stop()


def test_an_empty_wal_syncs_nothing_into_the_database(engine: Engine, tmp_path: Path) -> None:
    events: list[str] = []
    checkpointer = WalCheckpointer(engine, sync=lambda p: events.append(p.name))
    sqlite3.connect(tmp_path / "hub.db").execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    assert checkpointer.checkpoint() == (0, 0)
    assert events == ["hub.db-wal"] * 2
    checkpointer.stop()


def test_an_idle_store_is_not_synced_again_until_a_commit_lands(engine: Engine) -> None:
    events: list[str] = []
    checkpointer = WalCheckpointer(engine, sync=lambda p: events.append(p.name))
    _write(engine)
    checkpointer.checkpoint()
    events.clear()
    for _ in range(5):
        checkpointer.checkpoint()
    assert events == []  # idle: no fsync queued behind everyone else's
    _write(engine, rows=5)
    wal_pages, copied = checkpointer.checkpoint()
    assert copied == wal_pages and events[:2] == ["hub.db-wal", "hub.db"]
    checkpointer.stop()


def test_the_wal_is_not_restarted_before_the_database_is_synced(
    engine: Engine, tmp_path: Path
) -> None:
    """While the database file is being synced, the WAL frames just copied must stay: a
    restart would overwrite them, and an OS crash then would lose pages not yet on disk."""
    database = tmp_path / "hub.db"
    seen: dict[str, int] = {}

    def sync(path: Path) -> None:
        if path == database and not seen:  # the round that copied the frames
            other = sqlite3.connect(database, timeout=0.2)
            try:
                other.execute("PRAGMA busy_timeout=200")
                # A restart of the WAL is what TRUNCATE does: it must find the WAL pinned.
                seen["busy"] = other.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            finally:
                other.close()
            seen["wal_bytes"] = (tmp_path / "hub.db-wal").stat().st_size

    checkpointer = WalCheckpointer(engine, sync=sync)
    _write(engine)
    checkpointer.checkpoint()
    assert seen["busy"] == 1
    assert seen["wal_bytes"] > 0
    checkpointer.stop()


def test_commits_do_not_wait_for_a_slow_sync(engine: Engine) -> None:
    """The point of the checkpointer: a 300 ms fsync, and commits still go through."""
    syncing = threading.Event()

    def slow_sync(_path: Path) -> None:
        syncing.set()
        time.sleep(0.3)

    checkpointer = WalCheckpointer(engine, sync=slow_sync)
    _write(engine)
    worker = threading.Thread(target=checkpointer.checkpoint)
    worker.start()
    assert syncing.wait(5)
    started = time.perf_counter()
    for _ in range(5):
        _write(engine, rows=5)
    committed_in = time.perf_counter() - started
    worker.join()
    assert committed_in < 0.3, f"commits waited {committed_in:.3f} s for the checkpoint's sync"
    checkpointer.stop()


def test_under_steady_commits_a_quiet_round_lets_the_wal_restart(
    engine: Engine, tmp_path: Path
) -> None:
    """A commit lands during every pinned round (as under load), so no round ends complete;
    once the WAL passes `restart_pages`, the quiet round holds commits off and the next
    commit reuses the WAL from its start instead of growing it."""
    database = tmp_path / "hub.db"
    held_off: list[bool] = []

    def sync_while_committing(path: Path) -> None:
        if not path.name.endswith("-wal"):
            return
        other = sqlite3.connect(database, timeout=0, isolation_level=None)
        try:
            other.execute("INSERT INTO t (body) VALUES (x'00')")
            held_off.append(False)
        except sqlite3.OperationalError:  # database is locked: the quiet round holds it
            held_off.append(True)
        finally:
            other.close()

    checkpointer = WalCheckpointer(engine, restart_pages=10, sync=sync_while_committing)
    _write(engine, rows=100)
    wal_pages, copied = checkpointer.checkpoint()
    assert held_off[:-1] == [False] * (len(held_off) - 1)  # the pinned rounds let commits in
    assert held_off[-1] is True  # ... the quiet round did not
    assert copied == wal_pages > 10
    _write(engine, rows=1)
    assert _wal_frames(database) < 10  # restarted: the commit wrote from the WAL's start
    checkpointer.stop()


def test_stop_leaves_everything_in_the_database_file(engine: Engine, tmp_path: Path) -> None:
    checkpointer = WalCheckpointer(engine, interval=0.01)
    checkpointer.start()
    _write(engine, rows=20)
    checkpointer.stop()
    assert _wal_pages(tmp_path / "hub.db") == 0
    engine.dispose()
    # Read the database file alone (no WAL beside it): every row is in it.
    (tmp_path / "hub.db-wal").unlink(missing_ok=True)
    (tmp_path / "hub.db-shm").unlink(missing_ok=True)
    conn = sqlite3.connect(tmp_path / "hub.db")
    assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 20
    conn.close()


def test_file_syncer_tolerates_a_missing_file_and_follows_a_replaced_one(
    tmp_path: Path,
) -> None:
    syncer = FileSyncer()
    syncer(tmp_path / "absent-wal")  # the WAL does not exist before the first write
    present = tmp_path / "present"
    present.write_bytes(b"data")
    syncer(present)
    present.unlink()
    present.write_bytes(b"new file, new inode")
    syncer(present)
    syncer.close()


def test_a_checkpoint_keeps_the_process_locks_so_no_one_deletes_the_live_wal(
    engine: Engine, tmp_path: Path
) -> None:
    """Regression: the fsync helper once opened and closed the database file, which drops
    every POSIX lock of this process on it; another process closing its connection then took
    the exclusive lock and deleted the WAL under the live store."""
    database = tmp_path / "hub.db"
    checkpointer = WalCheckpointer(engine)
    _write(engine)
    with engine.connect().execution_options(readonly=True) as conn:
        conn.execute(text("SELECT count(*) FROM t")).all()  # "the hub" has read: holds its lock
        conn.rollback()
        checkpointer.checkpoint()
        wal_inode = (tmp_path / "hub.db-wal").stat().st_ino
        other = (
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
            "c.execute('SELECT count(*) FROM t').fetchall(); c.close()"
        )
        subprocess.run([sys.executable, "-c", other, str(database)], check=True)
        assert (tmp_path / "hub.db-wal").stat().st_ino == wal_inode  # still the live WAL
        _write(engine, rows=1)
        assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == 51
        conn.rollback()
    engine.dispose()
    checkpointer.stop()


def test_an_in_memory_store_has_nothing_to_checkpoint() -> None:
    engine = make_engine("sqlite:///:memory:", create_schema=False)
    checkpointer = WalCheckpointer(engine)
    checkpointer.start()
    assert checkpointer.checkpoint() == (0, 0)
    checkpointer.stop()
