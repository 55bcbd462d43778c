"""Schema versions: the migrations build the schema the table definitions describe, a store
written by the release before migrations is stamped in place with nothing lost, and a store
behind head or at an unknown revision is refused. Real SQLite files throughout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, event, func, insert, inspect, select

from crossdock.adapters.sql import schema_version as sv
from crossdock.adapters.sql.tables import messages
from crossdock.bootstrap.store import make_engine
from crossdock.config import Settings
from crossdock.entrypoints.cli_db import refusal


def _url(tmp_path: Path, name: str) -> str:
    return f"sqlite:///{tmp_path / name}"


def _shape(engine: Engine) -> dict[str, Any]:
    """Everything inspection sees of each table but the version table."""
    inspector = inspect(engine)
    shape: dict[str, Any] = {}
    for table in sorted(set(inspector.get_table_names()) - {"alembic_version"}):
        shape[table] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], c.get("default"))
                for c in inspector.get_columns(table)
            ],
            "pk": inspector.get_pk_constraint(table)["constrained_columns"],
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in inspector.get_indexes(table)
            ),
            "unique": sorted(
                (u["name"], tuple(u["column_names"]))
                for u in inspector.get_unique_constraints(table)
            ),
            "fks": sorted(
                (f["referred_table"], tuple(f["constrained_columns"]))
                for f in inspector.get_foreign_keys(table)
            ),
        }
    return shape


def _legacy_store(url: str, rows: int = 3) -> None:
    """What the release before migrations left: `create_all`, data, no version table."""
    engine = make_engine(url, create_schema=False)
    try:
        with engine.begin() as conn:
            # The baseline revision's schema (later revisions add columns to its tables too),
            # without the version table that release never had.
            command.upgrade(sv.alembic_config(conn), sv.BASELINE)
            conn.exec_driver_sql("DROP TABLE alembic_version")
            for n in range(rows):
                conn.execute(insert(messages).values(
                    id=f"01J{n:023d}", document_type="purchase_order", schema_version=1,
                    source="acme", channel="http", body_sha256="0" * 64, received_at=1.0 + n,
                    content_type="application/json", raw=b"{}", status="accepted",
                    lane="standard", duplicates=0,
                ))  # fmt: skip
    finally:
        engine.dispose()


def test_head_is_alembics_head() -> None:
    assert sv.script_head() == sv.HEAD


def test_migrations_build_exactly_what_create_all_builds(tmp_path: Path) -> None:
    migrated = make_engine(_url(tmp_path, "migrated.db"), create_schema=False)
    created = make_engine(_url(tmp_path, "created.db"))  # empty: create_all + head stamp
    try:
        assert sv.upgrade(migrated).state is sv.SchemaState.AT_HEAD
        assert sv.current(created).state is sv.SchemaState.AT_HEAD
        assert _shape(migrated) == _shape(created)
        assert len(_shape(migrated)) >= 15
        # And Alembic itself sees no difference between the definitions and the migrated store.
        with migrated.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn), sv.metadata_with_every_table()
            )
        assert diff == []
    finally:
        migrated.dispose()
        created.dispose()


def test_store_from_before_migrations_is_stamped_in_place_and_migrated(tmp_path: Path) -> None:
    url = _url(tmp_path, "old.db")
    _legacy_store(url, rows=3)
    engine = make_engine(url)  # what every opener does
    try:
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(messages)).scalar() == 3
            # stamped at the baseline, then migrated: the revisions since it ran
            assert MigrationContext.configure(conn).get_current_revision() == sv.HEAD
            assert inspect(conn).has_table("job_leases")
        assert sv.current(engine) == sv.SchemaStatus(sv.SchemaState.AT_HEAD, sv.HEAD)
    finally:
        engine.dispose()


def test_db_upgrade_adopts_a_store_from_before_migrations(tmp_path: Path) -> None:
    url = _url(tmp_path, "old.db")
    _legacy_store(url, rows=2)
    engine = make_engine(url, create_schema=False)
    try:
        assert sv.current(engine).state is sv.SchemaState.UNVERSIONED
        assert sv.upgrade(engine).state is sv.SchemaState.AT_HEAD
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(messages)).scalar() == 2
    finally:
        engine.dispose()


def test_a_store_that_is_not_the_baseline_is_refused(tmp_path: Path) -> None:
    """Tables but no version and a baseline column missing: not guessed at."""
    url = _url(tmp_path, "odd.db")
    engine = make_engine(url, create_schema=False)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE messages (id VARCHAR(26) PRIMARY KEY)")
        with pytest.raises(sv.SchemaMismatch):
            sv.ensure(engine)
        with engine.connect() as conn:
            assert not inspect(conn).has_table("alembic_version")
    finally:
        engine.dispose()


def test_unknown_revision_is_refused_with_what_to_do(tmp_path: Path) -> None:
    url = _url(tmp_path, "new.db")
    make_engine(url).dispose()
    engine = make_engine(url, create_schema=False)
    with engine.begin() as conn:
        conn.execute(sv.version_table.update().values(version_num="9999_future"))
    engine.dispose()
    with pytest.raises(sv.SchemaMismatch) as raised:
        make_engine(url)
    assert raised.value.status == sv.SchemaStatus(sv.SchemaState.UNKNOWN, "9999_future")
    settings = Settings.model_validate({"hub": {"data_dir": str(tmp_path)}})
    line = refusal(raised.value, settings, None)
    assert "newer release" in line and f"crossdock db current --data-dir {tmp_path}" in line


def test_store_behind_head_is_refused_naming_db_upgrade(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _url(tmp_path, "behind.db")
    make_engine(url).dispose()  # at today's head...
    monkeypatch.setattr(sv, "HEAD", "0002_next")  # ...which a newer release moved on from
    with pytest.raises(sv.SchemaMismatch) as raised:
        make_engine(url)
    assert raised.value.status.state is sv.SchemaState.BEHIND
    settings = Settings.model_validate({"hub": {"data_dir": str(tmp_path)}})
    line = refusal(raised.value, settings, None)
    assert line.endswith(f"run `crossdock db upgrade --data-dir {tmp_path}`"), line
    assert "\n" not in line


def test_opening_a_store_at_head_costs_one_query(tmp_path: Path) -> None:
    url = _url(tmp_path, "hub.db")
    make_engine(url).dispose()
    engine = make_engine(url, create_schema=False)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    try:
        assert sv.ensure(engine).state is sv.SchemaState.AT_HEAD
    finally:
        engine.dispose()
    assert len(statements) == 1, statements


def test_a_store_at_the_baseline_is_upgraded_to_job_leases_with_nothing_lost(
    tmp_path: Path,
) -> None:
    """What the release with only the baseline revision wrote: refused until `db upgrade`."""
    from alembic import command

    url = _url(tmp_path, "baseline.db")
    _legacy_store(url, rows=2)
    engine = make_engine(url, create_schema=False)
    try:
        with engine.begin() as conn:
            sv._adopt(conn)  # stamped at 0001_baseline, as that release left it
            command.upgrade(sv.alembic_config(conn), sv.BASELINE)
        with pytest.raises(sv.SchemaMismatch) as raised:
            sv.ensure(engine)
        assert raised.value.status == sv.SchemaStatus(sv.SchemaState.BEHIND, sv.BASELINE)
        assert sv.upgrade(engine).state is sv.SchemaState.AT_HEAD
        with engine.connect() as conn:
            assert inspect(conn).has_table("job_leases")
            assert conn.execute(select(func.count()).select_from(messages)).scalar() == 2
    finally:
        engine.dispose()


def test_the_migrations_build_the_defined_schema_on_postgresql(postgres_url: str) -> None:
    """Every revision (job_leases included) runs on PostgreSQL and leaves no difference
    between the table definitions and the migrated store."""
    engine = make_engine(postgres_url, create_schema=False)
    try:
        assert sv.upgrade(engine).state is sv.SchemaState.AT_HEAD
        with engine.connect() as conn:
            assert inspect(conn).has_table("job_leases")
            diff = compare_metadata(
                MigrationContext.configure(conn), sv.metadata_with_every_table()
            )
        assert diff == []
    finally:
        engine.dispose()
