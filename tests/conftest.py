"""Shared fixtures: a real SQLite file per test (no in-memory shortcuts)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crossdock.adapters.sql.bus import SqlBus
from crossdock.adapters.sql.engine import make_engine, sqlite_url
from crossdock.adapters.sql.uow import SqlUnitOfWorkFactory

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
CORPUS = ROOT.parent / "shared" / "corpus"


class SqlStore:
    def __init__(self, path: Path) -> None:
        self.engine = make_engine(sqlite_url(path))
        self.uow = SqlUnitOfWorkFactory(self.engine)
        self.bus = SqlBus(self.engine)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    s = SqlStore(tmp_path)
    yield s
    s.engine.dispose()
