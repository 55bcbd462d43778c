"""`crossdock db copy` streams: a store larger than the memory the command may use is copied
whole under an address-space limit (the real command in a subprocess)."""

from __future__ import annotations

import os
import resource
import subprocess
from pathlib import Path

import pytest

from crossdock.adapters.sql.tables import messages
from crossdock.adapters.sqlite.engine import sqlite_url
from crossdock.bootstrap.store import make_engine
from tests.integration.hubproc import CROSSDOCK, ROOT

pytestmark = pytest.mark.slow

ROWS = 20_000
BODY = 8 * 1024  # 160 MB of raw bodies in all
LIMIT = 400 * 1024 * 1024  # the command's own footprint is about 300 MB of address space


def _store(data: Path) -> None:
    engine = make_engine(sqlite_url(data))
    body = os.urandom(BODY - 8)
    try:
        with engine.begin() as conn:
            for start in range(0, ROWS, 2_000):
                conn.execute(messages.insert(), [
                    {"id": f"01J{n:023d}", "document_type": "purchase_order",
                     "schema_version": 1, "source": "acme", "channel": "http",
                     "body_sha256": "0" * 64, "received_at": 1.765e9 + n / 7,
                     "content_type": "application/json", "raw": body + n.to_bytes(8, "big"),
                     "status": "accepted", "lane": "critical", "duplicates": 0}
                    for n in range(start, start + 2_000)
                ])  # fmt: skip
    finally:
        engine.dispose()


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))


def test_a_store_larger_than_the_memory_limit_is_copied_whole(tmp_path: Path) -> None:
    data = tmp_path / "d"
    _store(data)
    target = tmp_path / "target.db"
    result = subprocess.run(
        [str(CROSSDOCK), "db", "copy", "--to", f"sqlite:///{target}", "--data-dir", str(data),
         "--config", str(ROOT / "crossdock.yaml")],
        capture_output=True, text=True, timeout=300, preexec_fn=_limited,
        env={**os.environ, "MALLOC_ARENA_MAX": "2", "COLUMNS": "200"},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert "MemoryError" not in result.stderr
    assert f"copied {ROWS} rows" in result.stdout, result.stdout
