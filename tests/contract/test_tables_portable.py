"""Every table of the hub's schema is created, and a row round-trips, on SQLite and PostgreSQL.

The same checks run on both: a column type one backend accepts and the other does not, or one
that loses precision on one of them (epoch seconds in Float, bytes with NULs, 64-bit ids), fails
here rather than in a hub running on PostgreSQL. The PostgreSQL half needs a server
(TEST_POSTGRES_URL, see tests/pg.py) and skips without one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Engine,
    Float,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    create_engine,
    event,
    inspect,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError

from crossdock.adapters.sql import flow_tables, inventory_tables, throttle_tables
from crossdock.adapters.sql.tables import messages, metadata
from tests import pg

# The modules whose tables join `metadata`; a table missing here would go unchecked.
MODULE_TABLES = {
    "flow_tables": {"flow_instances", "flow_timers", "exceptions"},
    "inventory_tables": {"inventory_drift", "inventory_runs", "job_schedules"},
    "throttle_tables": {"throttle_buckets"},
}
EPOCH = 1_765_000_000.123456  # epoch seconds with microseconds: must come back exactly
TEXT = "Grüße ✓ 出荷 \u2028 'quoted' \"double\" \\ end"


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'portable.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    eng = create_engine(url)
    if request.param == "sqlite":
        # a throwaway file: without syncing each DDL statement the setup takes 1/10 the time
        event.listen(eng, "connect", lambda dbapi, _record: dbapi.execute("PRAGMA synchronous=OFF"))
    try:
        metadata.create_all(eng)
        yield eng
    finally:
        eng.dispose()


def _value(column: Column[Any]) -> Any:
    """A value at the edge of what the column's type promises to hold."""
    kind = column.type
    if isinstance(kind, Boolean):
        return True
    if isinstance(kind, BigInteger):
        return 2**53 + 1  # control numbers, log sequence numbers: past 32 bits
    if isinstance(kind, Integer):
        return 2**31 - 1
    if isinstance(kind, Float):
        return EPOCH
    if isinstance(kind, LargeBinary):
        return bytes(range(256)) * 4  # NULs and every byte value
    if isinstance(kind, String) and kind.length is not None:
        return (TEXT * 20)[: kind.length]
    if isinstance(kind, String | Text):
        return TEXT * 200
    raise AssertionError(f"no test value for {column.table.name}.{column.name}: {kind!r}")


def _row(table: Table) -> dict[str, Any]:
    return {
        c.name: _value(c)
        for c in table.columns
        # Auto-incremented ids are the database's to assign.
        if not (c.primary_key and c.autoincrement is True)
    }


def test_the_metadata_holds_every_modules_tables() -> None:
    assert flow_tables.flow_instances.metadata is metadata
    assert inventory_tables.inventory_drift.metadata is metadata
    assert throttle_tables.throttle_buckets.metadata is metadata
    for names in MODULE_TABLES.values():
        assert names <= set(metadata.tables)


def test_every_table_is_created_and_create_all_is_idempotent(engine: Engine) -> None:
    metadata.create_all(engine)  # a second run (a restart) finds everything in place
    found = set(inspect(engine).get_table_names())
    assert set(metadata.tables) <= found
    for table in metadata.sorted_tables:
        indexes = {ix["name"] for ix in inspect(engine).get_indexes(table.name)}
        assert {ix.name for ix in table.indexes} <= indexes, table.name


@pytest.mark.parametrize("name", sorted(metadata.tables))
def test_a_row_round_trips_through_every_column(engine: Engine, name: str) -> None:
    table = metadata.tables[name]
    row = _row(table)
    with engine.begin() as conn:
        result = conn.execute(table.insert().values(row))
        key = result.inserted_primary_key
        assert key is not None and all(part is not None for part in key), name
        stored = conn.execute(select(table)).mappings().one()
    for column, value in row.items():
        assert stored[column] == value, f"{name}.{column}"
        assert type(stored[column]) is type(value), f"{name}.{column}"


def test_auto_ids_increase_and_take_64_bit_values(engine: Engine) -> None:
    log = metadata.tables["bus_log"]
    entry = {"subject": "s", "key": "k", "message_id": "m", "payload": b"\x00", "published_at": 1.0}
    with engine.begin() as conn:
        first = conn.execute(log.insert().values(entry)).inserted_primary_key[0]
        second = conn.execute(log.insert().values(entry)).inserted_primary_key[0]
        assert second > first
        conn.execute(log.insert().values(seq=2**40, **entry))
        seqs = conn.execute(select(log.c.seq).order_by(log.c.seq)).scalars().all()
    assert seqs == [first, second, 2**40]


def test_messages_idempotency_key_is_unique_per_source_and_null_keys_are_not(
    engine: Engine,
) -> None:
    def message(message_id: str, source: str, key: str | None) -> dict[str, Any]:
        row = _row(messages)
        return {**row, "id": message_id, "source": source, "idempotency_key": key}

    with engine.begin() as conn:
        conn.execute(messages.insert().values(message("01A", "erp", "po-1")))
        conn.execute(messages.insert().values(message("01B", "wms", "po-1")))
        conn.execute(messages.insert().values(message("01C", "erp", None)))
        conn.execute(messages.insert().values(message("01D", "erp", None)))
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(messages.insert().values(message("01E", "erp", "po-1")))
    with engine.connect() as conn:
        ids = conn.execute(select(messages.c.id).order_by(messages.c.id)).scalars().all()
    assert ids == ["01A", "01B", "01C", "01D"]


def test_each_postgres_test_gets_a_schema_of_its_own_dropped_afterwards() -> None:
    url = pg.base_url()
    if url is None:
        pytest.skip(pg.SKIP_REASON)
    admin = create_engine(url)
    try:
        with pg.fresh_schema(url) as scoped:
            eng = create_engine(scoped)
            with eng.begin() as conn:
                schema = conn.execute(text("SELECT current_schema()")).scalar_one()
                metadata.create_all(conn)
            eng.dispose()
            assert schema.startswith("t_")
            assert "messages" in inspect(admin).get_table_names(schema=schema)
            assert "messages" not in inspect(admin).get_table_names()  # not in public
        assert schema not in inspect(admin).get_schema_names()
    finally:
        admin.dispose()
