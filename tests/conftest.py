"""Shared fixtures: a real SQLite file per test (no in-memory shortcuts)."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crossdock.adapters.sqlite.engine import sqlite_url
from crossdock.bootstrap.store import open_store
from crossdock.hub.intake import IntakeRequest, prepare
from crossdock.hub.records import InboundMessage
from crossdock.hub.store_runner import StoreRunner
from tests import pg, processes

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
CORPUS = ROOT.parent / "shared" / "corpus"


def inbound(
    raw: bytes,
    *,
    source: str = "erp",
    key: str | None = None,
    document_type: str = "purchase_order",
) -> InboundMessage:
    """A message as HTTP intake prepares it (critical lane), ready for `record`."""
    request = IntakeRequest(
        document_type=document_type,
        raw=raw,
        content_type="application/json",
        source=source,
        channel="http",
        received_at=datetime.now(UTC),
        idempotency_key=key,
    )
    return prepare(request, lambda _t: "critical")


class SqlStore:
    """The store as bootstrap opens it (the profile its URL names), without checkpoints."""

    def __init__(self, path: Path | None = None, *, url: str | None = None) -> None:
        assert (path is None) != (url is None), "a data dir or a URL"
        self._store = open_store(url or sqlite_url(path), checkpoints=False)  # type: ignore[arg-type]
        self.engine = self._store.engine
        self.uow = self._store.uow
        self.bus = self._store.bus

    def runner(self) -> StoreRunner:
        """A runner with the store's own write executor (close it when done)."""
        return self._store.runner()

    def close(self) -> None:
        self._store.close()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    s = SqlStore(tmp_path)
    yield s
    s.close()


# Every process a test starts inherits this marker, so the session can tell at its end
# whether any of them is still alive (reparented to init, a test's `kill -9` leftovers...).
SESSION_MARKER = "PYTEST_CROSSDOCK_SESSION"  # not CROSSDOCK_*: settings read those
#: multiprocessing's own helpers for this process: they exit when the session does.
_OWN_HELPERS = ("multiprocessing.forkserver", "multiprocessing.resource_tracker")


def pytest_configure(config: pytest.Config) -> None:
    os.environ[SESSION_MARKER] = f"{os.getpid()}-{uuid.uuid4().hex}"


def left_behind(marker: str, grace: float = 5.0) -> list[int]:
    """Processes started during the session and still alive after `grace` seconds."""
    me = os.getpid()
    tag = f"{SESSION_MARKER}={marker}".encode()
    deadline = time.monotonic() + grace
    while True:
        tree = processes.children_map()
        helpers = {
            pid
            for pid in tree.get(me, [])
            if any(h in processes.command_line(pid) for h in _OWN_HELPERS)
        }
        found = sorted(
            pid
            for children in tree.values()
            for pid in children
            if pid != me and pid not in helpers and processes.environment_has(pid, tag)
        )
        if not found or time.monotonic() >= deadline:
            return found
        time.sleep(0.2)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the session when a test left a process behind (and end those processes)."""
    marker = os.environ.get(SESSION_MARKER)
    if marker is None or not sys.platform.startswith("linux"):
        return
    left = left_behind(marker)
    if not left:
        return
    report = "\n".join(f"  pid {pid}: {processes.command_line(pid)[:200]}" for pid in left)
    sys.stderr.write(f"\nERROR: the test session left {len(left)} process(es) behind:\n{report}\n")
    for pid in left:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL URL in a fresh schema of its own (tests/pg.py); skips without a server."""
    url = pg.base_url()
    if url is None:
        pytest.skip(pg.SKIP_REASON)
    with pg.fresh_schema(url) as scoped:
        yield scoped
