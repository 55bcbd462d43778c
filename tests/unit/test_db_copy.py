"""`adapters.sql.copy`: a store copied table by table, value for value, resumable, refusing a
target that holds another store's data. Source: a real SQLite file; target: another SQLite
file and, when TEST_POSTGRES_URL is set, a PostgreSQL schema of its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, insert, select, update

from crossdock.adapters.sql import schema_version as sv
from crossdock.adapters.sql.copy import CopyRefused, SourceNotAtHead, copy_store, copy_tables
from crossdock.adapters.sql.tables import bus_log, messages, x12_interchanges
from crossdock.bootstrap.store import make_engine
from tests.store_rows import fill, snapshot


@pytest.fixture
def source(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'source.db'}")
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'target.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = make_engine(url, create_schema=False)  # empty: the copy creates the schema
    yield engine
    engine.dispose()


def _filled(source: Engine, rows: int) -> None:
    with source.begin() as conn:
        fill(conn, copy_tables(), rows)


class _Interrupt(Exception):
    pass


class _StopAfter:
    """Progress that interrupts the copy after `chunks` chunks (as a kill would)."""

    def __init__(self, chunks: int) -> None:
        self.left = chunks

    def table(self, name: str, total: int) -> None:
        pass

    def advance(self, name: str, rows: int) -> None:
        self.left -= 1
        if self.left == 0:
            raise _Interrupt


def test_every_table_is_copied_value_for_value(source: Engine, target: Engine) -> None:
    _filled(source, rows=7)
    results = copy_store(source, target)
    assert [r.name for r in results] == [t.name for t in copy_tables()]
    assert all(r.matches and r.source == r.target == r.copied == 7 for r in results), results
    with source.connect() as a, target.connect() as b:
        assert snapshot(a, copy_tables()) == snapshot(b, copy_tables())
    assert sv.current(target).state is sv.SchemaState.AT_HEAD


def test_an_interrupted_copy_resumes_without_duplicates(source: Engine, target: Engine) -> None:
    _filled(source, rows=30)
    with pytest.raises(_Interrupt):
        copy_store(source, target, progress=_StopAfter(20), chunk_rows=4)
    with target.connect() as conn:
        partial = sum(conn.execute(select(func.count()).select_from(t)).scalar_one()
                      for t in copy_tables())  # fmt: skip
    total = 30 * len(copy_tables())
    assert 0 < partial < total
    results = copy_store(source, target, chunk_rows=4)
    assert sum(r.copied for r in results) == total - partial
    assert all(r.matches for r in results), results
    with source.connect() as a, target.connect() as b:
        assert snapshot(a, copy_tables()) == snapshot(b, copy_tables())
    again = copy_store(source, target)  # a finished copy run again: nothing to do
    assert sum(r.copied for r in again) == 0 and all(r.matches for r in again)


def test_a_target_holding_another_stores_data_is_refused(
    source: Engine, target: Engine, tmp_path: Path
) -> None:
    _filled(source, rows=5)
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        _filled(other, rows=5)
        with other.begin() as conn:
            conn.execute(update(messages).values(status="other"))
        copy_store(other, target)
    finally:
        other.dispose()
    with pytest.raises(CopyRefused, match="another store's data: messages row") as refused:
        copy_store(source, target)
    assert "differs from the source" in str(refused.value)
    with target.connect() as conn:  # nothing written
        assert set(conn.execute(select(messages.c.status)).scalars()) == {"other"}


def test_a_source_changed_since_the_interrupted_copy_is_refused(
    source: Engine, target: Engine
) -> None:
    _filled(source, rows=12)
    before = [t.name for t in copy_tables()].index("messages")  # two chunks per table
    with pytest.raises(_Interrupt):  # after the first chunk of `messages`
        copy_store(source, target, progress=_StopAfter(2 * before + 1), chunk_rows=6)
    with target.connect() as conn:
        assert conn.execute(select(func.count()).select_from(messages)).scalar_one() == 6
        middle = sorted(conn.execute(select(messages.c.id)).scalars())[2]
    with source.begin() as conn:
        conn.execute(update(messages).where(messages.c.id == middle).values(status="moved"))
    with pytest.raises(CopyRefused, match="the source changed since the interrupted copy"):
        copy_store(source, target, chunk_rows=6)


def test_id_counters_continue_past_the_copied_ids(source: Engine, target: Engine) -> None:
    _filled(source, rows=4)  # bus_log seq 1, 3, 5, 7
    copy_store(source, target)
    with target.begin() as conn:
        seq = conn.execute(
            insert(bus_log)
            .values(subject="s", key="k", message_id="m", payload=b"p", published_at=1.0)
            .returning(bus_log.c.seq)
        ).scalar_one()
    assert seq == 8


def test_a_source_behind_head_is_refused(
    source: Engine, target: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sv, "HEAD", "0002_next")  # a newer release moved the head on
    with pytest.raises(SourceNotAtHead) as refused:
        copy_store(source, target)
    assert refused.value.status.state is sv.SchemaState.BEHIND


def test_a_target_with_foreign_tables_is_refused(source: Engine, target: Engine) -> None:
    with target.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE payroll (id INTEGER PRIMARY KEY)")
    with pytest.raises(CopyRefused, match="no crossdock schema version"):
        copy_store(source, target)


def test_a_nul_in_text_is_refused_on_postgresql_naming_the_row(
    source: Engine, postgres_url: str
) -> None:
    """PostgreSQL text cannot hold U+0000 (an ISA06 with a NUL reaches several columns)."""
    with source.begin() as conn:
        conn.execute(insert(x12_interchanges).values(
            sender="ZZ/\x00ACME", control_number="000000001", received_at=1.0,
            message_ids="[]", ack=None,
        ))  # fmt: skip
    target = make_engine(postgres_url, create_schema=False)
    try:
        with pytest.raises(CopyRefused) as refused:
            copy_store(source, target)
    finally:
        target.dispose()
    assert str(refused.value).startswith(
        "x12_interchanges row (sender='ZZ/\\x00ACME', control_number='000000001'): "
        "column sender holds a NUL character (U+0000)"
    ), refused.value


def test_text_longer_than_its_column_is_refused_on_postgresql_naming_the_row(
    source: Engine, postgres_url: str
) -> None:
    """SQLite keeps a VARCHAR(256) value of any length; PostgreSQL does not."""
    _filled(source, rows=1)
    with source.begin() as conn:
        conn.execute(update(messages).values(correlation_key="K" * 300))
    target = make_engine(postgres_url, create_schema=False)
    try:
        with pytest.raises(CopyRefused) as refused:
            copy_store(source, target)
    finally:
        target.dispose()
    assert (
        "messages row (id='mes-0-é✓'): column correlation_key holds 300 characters, more than its 256"
        in str(refused.value)
    )
