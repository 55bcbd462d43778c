"""`crossdock db copy` refusals: one line each, exit 1, no traceback, nothing copied.
In process (typer's runner) on real SQLite files; the real command in a subprocess, a real
hub and PostgreSQL are in tests/integration/test_db_copy.py."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from crossdock.adapters.sql import schema_version as sv
from crossdock.adapters.sqlite.engine import sqlite_url
from crossdock.bootstrap.store import make_engine
from crossdock.entrypoints import cli
from crossdock.entrypoints.process_lock import hold_store_lock
from tests.integration.hubproc import ROOT, free_port

CONFIG = str(ROOT / "crossdock.yaml")


@pytest.fixture
def data(tmp_path: Path) -> Path:
    make_engine(sqlite_url(tmp_path / "d")).dispose()
    return tmp_path / "d"


def _refused(data: Path, *args: str) -> str:
    result: Any = CliRunner().invoke(
        cli.app,
        ["db", "copy", *args, "--data-dir", str(data), "--config", CONFIG],
        prog_name="crossdock",
        env={"COLUMNS": "400", "NO_COLOR": "1"},
    )
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def _stamp(data: Path, revision: str | None) -> None:
    engine = make_engine(sqlite_url(data), create_schema=False)
    with engine.begin() as conn:
        if revision is None:
            sv.version_table.drop(conn)
        else:
            conn.execute(sv.version_table.update().values(version_num=revision))
    engine.dispose()


def test_a_url_that_is_not_a_database_url(data: Path) -> None:
    line = _refused(data, "--to", "postgres://crossdock@127.0.0.1/x")
    assert "the target URL is not a database URL crossdock can use" in line, line
    assert "postgresql+psycopg://" in line


def test_an_unreachable_server_is_named_without_its_password(data: Path) -> None:
    port = free_port()
    line = _refused(data, "--to", f"postgresql+psycopg://u:secret@127.0.0.1:{port}/x")
    assert f"cannot reach the target database postgresql+psycopg://u:***@127.0.0.1:{port}/x" in line
    assert "secret" not in line and "Connection refused" in line, line


def test_the_source_itself_as_target(data: Path) -> None:
    line = _refused(data, "--to", sqlite_url(data))
    assert "--to names the source store itself" in line


def test_no_store_in_the_data_dir(tmp_path: Path) -> None:
    line = _refused(tmp_path / "none", "--to", f"sqlite:///{tmp_path / 't.db'}")
    assert f"no store at {tmp_path / 'none' / 'crossdock.db'}" in line


def test_a_running_hub_on_the_source(data: Path, tmp_path: Path) -> None:
    fd = hold_store_lock(data)  # as `crossdock up` does
    try:
        line = _refused(data, "--to", f"sqlite:///{tmp_path / 't.db'}")
    finally:
        os.close(fd)
    assert "cannot copy while a hub runs on the store" in line and f"pid {os.getpid()}" in line
    assert not (tmp_path / "t.db").exists()


def test_a_source_from_a_newer_release(data: Path, tmp_path: Path) -> None:
    _stamp(data, "9999_future")
    line = _refused(data, "--to", f"sqlite:///{tmp_path / 't.db'}")
    assert "9999_future" in line and "newer release" in line and "nothing copied" in line


def test_a_source_behind_head_names_db_upgrade(data: Path, tmp_path: Path) -> None:
    _stamp(data, None)  # a store from before migrations
    line = _refused(data, "--to", f"sqlite:///{tmp_path / 't.db'}")
    assert line.endswith(
        f"run `crossdock db upgrade --config {CONFIG} --data-dir {data}`; nothing copied"
    ), line
