"""Shared fixtures: a real SQLite file per test (no in-memory shortcuts)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crossdock.adapters.sql.bus import SqlBus
from crossdock.adapters.sql.engine import make_engine, sqlite_url
from crossdock.adapters.sql.uow import SqlUnitOfWorkFactory
from crossdock.hub.intake import IntakeRequest, prepare
from crossdock.hub.records import InboundMessage

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
    def __init__(self, path: Path) -> None:
        self.engine = make_engine(sqlite_url(path))
        self.uow = SqlUnitOfWorkFactory(self.engine)
        self.bus = SqlBus(self.engine)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    s = SqlStore(tmp_path)
    yield s
    s.engine.dispose()
