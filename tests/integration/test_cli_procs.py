"""`crossdock api` and `crossdock worker` refuse a SQLite store: one process per store there."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.integration.hubproc import CROSSDOCK, free_port


@pytest.mark.parametrize(
    "command", [("api", "--port", "0"), ("worker",), ("worker", "--lane", "bulk")]
)
def test_api_and_worker_refuse_sqlite_with_one_line(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    done = subprocess.run(
        [str(CROSSDOCK), *command, "--data-dir", str(tmp_path / "data")],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert f"`crossdock {command[0]}` needs a PostgreSQL store" in done.stderr
    assert "run `crossdock up` instead" in done.stderr
    assert not (tmp_path / "data" / "crossdock.db").exists()  # refused before opening anything


def test_api_refuses_sqlite_before_taking_the_port(tmp_path: Path) -> None:
    port = free_port()
    done = subprocess.run(
        [str(CROSSDOCK), "api", "--port", str(port), "--data-dir", str(tmp_path / "d")],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )  # fmt: skip
    assert done.returncode == 1 and "PostgreSQL" in done.stderr


def test_an_unknown_lane_is_a_usage_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(CROSSDOCK), "worker", "--lane", "fast"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )  # fmt: skip
    assert done.returncode == 2 and "unknown lane 'fast'" in done.stderr
    assert "Traceback" not in done.stderr
