"""`crossdock db upgrade|current|check` and the refusal of a store whose schema this release
does not run on, through the real command in subprocesses."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from sqlalchemy import func, select

from crossdock.adapters.sql import schema_version as sv
from crossdock.adapters.sql.tables import messages
from crossdock.adapters.sqlite.engine import sqlite_url
from crossdock.bootstrap.store import make_engine
from tests.integration.hubproc import CROSSDOCK, ROOT
from tests.unit.test_schema_version import _legacy_store

CONFIG = str(ROOT / "crossdock.yaml")


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CROSSDOCK), *args], cwd=cwd, capture_output=True, text=True, timeout=90, check=False
    )


def _one_line(result: subprocess.CompletedProcess[str]) -> str:
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output, output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, output
    return lines[0]


def test_db_upgrade_adopts_a_store_from_before_migrations(tmp_path: Path) -> None:
    data = tmp_path / "d"
    data.mkdir()
    _legacy_store(sqlite_url(data), rows=4)
    check = _run("db", "check", "--data-dir", str(data), "--config", CONFIG, cwd=tmp_path)
    assert f"crossdock db upgrade --config {CONFIG} --data-dir {data}" in _one_line(check)
    upgrade = _run("db", "upgrade", "--data-dir", str(data), "--config", CONFIG, cwd=tmp_path)
    assert upgrade.returncode == 0, upgrade.stderr
    assert "unversioned" in upgrade.stdout and f"at head ({sv.HEAD})" in upgrade.stdout
    again = _run("db", "check", "--url", sqlite_url(data), cwd=tmp_path)
    assert again.returncode == 0 and "ok" in again.stdout, again.stderr
    current = _run("db", "current", "--url", sqlite_url(data), cwd=tmp_path)
    assert current.stdout.split()[0] == sv.HEAD, current.stdout
    engine = make_engine(sqlite_url(data), create_schema=False)
    try:
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(messages)).scalar() == 4
    finally:
        engine.dispose()


def test_hub_and_read_commands_refuse_a_store_a_newer_release_wrote(tmp_path: Path) -> None:
    data = tmp_path / "d"
    make_engine(sqlite_url(data)).dispose()
    engine = make_engine(sqlite_url(data), create_schema=False)
    with engine.begin() as conn:
        conn.execute(sv.version_table.update().values(version_num="9999_future"))
    engine.dispose()
    where = f"--config {CONFIG} --data-dir {data}"
    up = _run("up", "--port", "0", *where.split(), cwd=tmp_path)
    line = _one_line(up)
    assert "9999_future" in line and f"crossdock db current {where}" in line, line
    listing = _one_line(_run("messages", "list", *where.split(), cwd=tmp_path))
    assert "newer release" in listing, listing
    upgrade = _one_line(_run("db", "upgrade", *where.split(), cwd=tmp_path))
    assert "nothing changed" in upgrade, upgrade
    check = _run("db", "check", *where.split(), cwd=tmp_path)
    assert "9999_future" in _one_line(check)


def test_a_store_url_crossdock_does_not_run_on_is_refused_in_one_line(tmp_path: Path) -> None:
    checked = _run("db", "check", "--url", "mysql+pymysql://hub:secret@db/x", cwd=tmp_path)
    env = {**os.environ, "CROSSDOCK_DATABASE_URL": "postgresql://hub:secret@db/x"}
    env.pop("CROSSDOCK_CONFIG", None)
    listed = subprocess.run(
        [str(CROSSDOCK), "messages", "list"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    for result, scheme in ((checked, "mysql+pymysql"), (listed, "postgresql")):
        output = result.stdout + result.stderr
        assert result.returncode == 2, output
        assert "Traceback" not in output and "secret" not in output, output
        assert f"store URL scheme {scheme!r} is not supported" in output
        assert "postgresql+psycopg://" in output
