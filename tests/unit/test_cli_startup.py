"""The CLI starts fast because it imports lazily: `crossdock --help` loads no web framework,
database toolkit or hub, and read commands load the store but not the server.

Structural rather than timed (a timing test would fail on a busy machine): each case runs the
CLI in a fresh interpreter and lists the modules it imported.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

_PROBE = """
import json, sys
from crossdock.entrypoints.cli import app
try:
    app(sys.argv[1:], prog_name="crossdock")
except SystemExit:
    pass
sys.stdout.write("\\n@@" + json.dumps(sorted(sys.modules)))
"""
# What a server or the hub needs, never a help page or a read command.
SERVER = ("fastapi", "starlette", "uvicorn", "aiohttp", "httpx", "crossdock.hub.runtime",
          "crossdock.bootstrap.services", "crossdock.entrypoints.api")  # fmt: skip
# Settings and the store: what a command that reads them needs, never a help page. (pydantic
# itself is not here: typer >= 0.25 coerces every parameter with it.)
STORE = ("sqlalchemy", "pydantic_settings", "yaml", "crossdock.config",
         "crossdock.bootstrap", "crossdock.hub", "crossdock.x12", "crossdock.canonical")  # fmt: skip


def _imported(*args: str, cwd: Path = ROOT) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        cwd=cwd, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert "@@" in result.stdout, result.stdout + result.stderr
    return set(json.loads(result.stdout.rsplit("@@", 1)[1]))


def _loaded(modules: set[str], banned: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == b or m.startswith(b + ".") for b in banned))


@pytest.mark.parametrize(
    "args",
    [("--help",), ("messages", "--help"), ("messages", "list", "--help"), ("edi", "--help"),
     ("exceptions", "list", "--help"), ("inventory", "--help"), ("demo", "--help"),
     ("sandbox", "up", "--help"), ("kpis", "--help"), ("db", "--help"),
     ("db", "upgrade", "--help"), ("api", "--help"), ("worker", "--help"),
     ("partners", "--help"), ("partners", "create", "--help"), ("csv", "--help"),
     ("csv", "check", "--help")],
)  # fmt: skip
def test_help_imports_neither_server_nor_store(args: tuple[str, ...]) -> None:
    modules = _imported(*args)
    assert "typer" in modules
    assert _loaded(modules, SERVER + STORE) == []


def test_read_commands_load_the_store_but_not_the_server(tmp_path: Path) -> None:
    modules = _imported("messages", "list", "--data-dir", str(tmp_path / "d"), cwd=tmp_path)
    assert "sqlalchemy" in modules  # it did run
    assert _loaded(modules, SERVER) == []


def test_config_check_loads_no_store_or_server() -> None:
    modules = _imported("config", "check", str(ROOT / "crossdock.yaml"))
    assert "crossdock.config" in modules
    # Its warnings need the flow definitions (which documents flows take), never the store.
    store = ("sqlalchemy", "crossdock.bootstrap.store", "crossdock.adapters")
    assert _loaded(modules, (*SERVER, *store)) == []
