"""A data dir the release before this one wrote upgrades in place with nothing lost: at the
baseline revision (0001), and from before migrations existed (no version table). The real
`crossdock db upgrade` in a subprocess; then every row is compared with what was there."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, MetaData, Table, inspect, select

from crossdock.adapters.sql import schema_version as sv
from crossdock.adapters.sqlite.engine import sqlite_url
from crossdock.bootstrap.store import make_engine
from crossdock.sandbox.sink import RunningSink
from tests.integration.hubproc import CROSSDOCK, ROOT, HubProcess, wait_for
from tests.integration.test_db_copy import _config, _fill_with_a_real_hub, _post_po
from tests.store_rows import fill, snapshot

pytestmark = pytest.mark.slow


def _upgrade(data: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CROSSDOCK), "db", "upgrade", "--data-dir", str(data),
         "--config", str(ROOT / "crossdock.yaml")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def _baseline_tables(engine: Engine) -> list[Table]:
    """The tables as the store has them (reflected), not as this release defines them."""
    reflected = MetaData()
    reflected.reflect(engine)
    return [t for t in reflected.sorted_tables if t.name != sv.version_table.name]


def _rows(engine: Engine, tables: list[Table]) -> dict[str, list[dict[str, Any]]]:
    with engine.connect() as conn:
        return snapshot(conn, tables)


@pytest.mark.parametrize("versioned", [True, False], ids=["at-0001", "before-migrations"])
def test_every_row_of_every_baseline_table_survives_db_upgrade(
    tmp_path: Path, versioned: bool
) -> None:
    data = tmp_path / "d"
    engine = make_engine(sqlite_url(data), create_schema=False)
    try:
        with engine.begin() as conn:
            command.upgrade(sv.alembic_config(conn), sv.BASELINE)  # what that release had
        tables = _baseline_tables(engine)
        assert len(tables) >= 18
        with engine.begin() as conn:
            fill(conn, tables, rows=5)
            if not versioned:
                sv.version_table.drop(conn)
        before = _rows(engine, tables)
    finally:
        engine.dispose()
    result = _upgrade(data)
    assert result.returncode == 0, result.stdout + result.stderr
    # (the console wraps at its width: a longer revision name breaks the line anywhere)
    assert f"at head ({sv.HEAD})" in " ".join(result.stdout.split()), result.stdout
    engine = make_engine(sqlite_url(data))  # opens: at head, as the hub would
    try:
        assert _rows(engine, tables) == before  # every baseline column of every row, as it was
    finally:
        engine.dispose()


def test_a_store_a_hub_filled_before_migrations_upgrades_and_the_hub_carries_on(
    tmp_path: Path, sink: RunningSink
) -> None:
    outbox = tmp_path / "acme-out"
    hub = _fill_with_a_real_hub(tmp_path / "hub", sink, outbox)
    hub.stop()
    engine = make_engine(sqlite_url(hub.data_dir), create_schema=False)
    try:
        with engine.begin() as conn:
            sv.version_table.drop(conn)  # what the release before migrations left, which
            for name in sv.AFTER_BASELINE:  # had none of the tables added since
                conn.exec_driver_sql(f"DROP TABLE {name}")
            for table, columns in sv.AFTER_BASELINE_COLUMNS.items():  # nor their columns
                for index in inspect(conn).get_indexes(table):
                    if columns.intersection(c for c in index["column_names"] if c):
                        conn.exec_driver_sql(f"DROP INDEX {index['name']}")
                for column in columns:
                    conn.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN {column}")
        assert sv.current(engine).state is sv.SchemaState.UNVERSIONED
        baseline = _baseline_tables(engine)  # as that release had them
        before = _rows(engine, baseline)
    finally:
        engine.dispose()
    result = _upgrade(hub.data_dir)
    assert result.returncode == 0 and "unversioned" in result.stdout, result.stderr
    engine = make_engine(sqlite_url(hub.data_dir), create_schema=False)
    try:
        assert _rows(engine, baseline) == before
        with engine.connect() as conn:
            assert conn.execute(select(sv.version_table.c.version_num)).scalar() == sv.HEAD
            for name in sv.AFTER_BASELINE:  # created by the upgrade
                conn.exec_driver_sql(f"SELECT count(*) FROM {name}").scalar_one()
    finally:
        engine.dispose()
    again = HubProcess(hub.workdir, _config(sink, outbox)).start()
    try:
        time.sleep(1.0)  # time enough to redeliver, were the bus positions lost
        assert sink.state.received == 1 and len(list(outbox.glob("*.x12"))) == 4
        _post_po(again, "PO-AFTER-UPGRADE", "erp")
        wait_for(lambda: len(list(outbox.glob("*.x12"))) == 5)
    finally:
        again.stop()
