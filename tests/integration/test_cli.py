"""The real `crossdock` command in subprocesses, against a data directory of its own.

Starting the CLI costs a couple of seconds of imports, so the module runs every invocation once,
concurrently, in a module fixture; each test then asserts on the result it cares about.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from crossdock.adapters.sql.bus import SqlBus
from crossdock.adapters.sql.uow import SqlUnitOfWorkFactory
from crossdock.adapters.sqlite.engine import sqlite_url
from crossdock.bootstrap.store import make_engine
from crossdock.canonical.registry import document_types
from crossdock.entrypoints import cli
from crossdock.hub.delivery import delivery_group
from crossdock.hub.intake import record
from crossdock.hub.records import ConsumerGroup
from crossdock.hub.routing import Route, Router
from tests.conftest import EXAMPLES, ROOT, inbound

CROSSDOCK = Path(sys.executable).with_name("crossdock")
REPO_CONFIG = ROOT / "crossdock.yaml"

#: Every command, with something its help must mention.
HELP_COMMANDS = [
    ([], "messages"),
    (["up"], "--port"),
    (["config", "check"], "config file (default ./crossdock.yaml)"),
    (["schema", "export"], "<type>.schema.json"),
    (["messages", "list"], "--status"),
    (["messages", "show"], "--raw"),
    (["messages", "replay"], "--since"),
    (["dlq", "list"], "--group"),
    (["alerts", "list"], "--status"),
    (["dlq", "retry"], "--all"),
    (["endpoints"], "--json"),
]


@dataclass
class Run:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def err(self) -> str:
        """stderr with rich's line wrapping undone, for substring checks."""
        return " ".join(self.stderr.split())

    def json(self) -> Any:
        assert self.returncode == 0, self
        return json.loads(self.stdout)


@dataclass
class Seeded:
    data_dir: Path
    accepted_id: str
    rejected_id: str


def seed(data_dir: Path) -> Seeded:
    """A store with one routed PO whose delivery is dead-lettered, and one rejected PO."""
    engine = make_engine(sqlite_url(data_dir))
    try:
        uow_factory, bus = SqlUnitOfWorkFactory(engine), SqlBus(engine)
        route_group = ConsumerGroup(name="route.critical", subjects=("doc.critical.>",))
        erp_group = delivery_group("critical", "erp")
        bus.ensure_group(route_group)
        bus.ensure_group(erp_group)
        messages = [
            inbound(raw) for raw in [(EXAMPLES / "purchase_order.json").read_bytes(), b"{}"]
        ]
        with uow_factory() as uow:
            record(uow, messages)
            uow.commit()
        entries = bus.fetch(route_group.name, 10)
        with uow_factory() as uow:
            Router([Route("po-to-erp", "purchase_order", "erp")]).handle_batch(
                uow, route_group.name, entries
            )
            uow.commit()
        bus.ack(route_group.name, entries)
        [entry] = bus.fetch(erp_group.name, 10)
        bus.dead_letter(erp_group.name, entry, "rejected by receiver after 1 attempt(s): HTTP 400")
    finally:
        engine.dispose()
    return Seeded(data_dir, messages[0].id, messages[1].id)


@dataclass
class Results:
    tmp: Path
    seeded: Seeded
    runs: dict[str, Run]

    def __getitem__(self, name: str) -> Run:
        return self.runs[name]


def cli_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSDOCK_")}
    env["COLUMNS"] = "200"
    env["NO_COLOR"] = "1"
    return env


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Results]:
    tmp = tmp_path_factory.mktemp("cli")
    empty, schemas = tmp / "empty", tmp / "schemas"
    seeded = seed(tmp / "seeded")
    broken = tmp / "broken.yaml"
    broken.write_text(REPO_CONFIG.read_text().replace("port: 8080", "port: eighty"))

    def store(data_dir: Path) -> list[str]:
        return ["--config", str(REPO_CONFIG), "--data-dir", str(data_dir)]

    s = seeded.data_dir
    commands: dict[str, list[str]] = {
        "check-ok": ["config", "check", str(REPO_CONFIG)],
        "check-broken": ["config", "check", str(broken)],
        "schema-export": ["schema", "export", str(schemas)],
        "list-empty": ["messages", "list", "--json", *store(empty)],
        "replay-nothing": ["messages", "replay", *store(empty)],
        "show-nope": ["messages", "show", "NOPE", *store(s)],
        "list-seeded": ["messages", "list", "--json", *store(s)],
        "show-seeded": ["messages", "show", seeded.accepted_id, "--json", *store(s)],
        "dlq-seeded": ["dlq", "list", "--json", *store(s)],
        "endpoints-seeded": ["endpoints", "--json", *store(s)],
        "list-broken-config": ["messages", "list", "--json", "--config", str(broken)],
        "help": ["--help"],
    }

    def run(args: list[str]) -> Run:
        done = subprocess.run(
            [str(CROSSDOCK), *args],
            capture_output=True,
            text=True,
            cwd=tmp,
            env=cli_env(),
            timeout=120,
        )
        return Run(args, done.returncode, done.stdout, done.stderr)

    with ThreadPoolExecutor(max_workers=min(8, (os.cpu_count() or 2) * 2)) as pool:
        futures = {name: pool.submit(run, args) for name, args in commands.items()}
        runs = {name: future.result() for name, future in futures.items()}
    yield Results(tmp, seeded, runs)


def test_config_check_accepts_the_repository_config(results: Results) -> None:
    run = results["check-ok"]
    assert run.returncode == 0, run
    assert "valid" in run.stdout


def test_config_check_locates_a_bad_value(results: Results) -> None:
    run = results["check-broken"]
    assert run.returncode == 1, run
    assert "broken.yaml:9:9: hub.port:" in run.err
    assert "integer" in run.err


def test_operator_command_with_a_broken_config_exits_2(results: Results) -> None:
    run = results["list-broken-config"]
    assert run.returncode == 2, run
    assert "configuration is invalid" in run.err
    assert "broken.yaml:9:9" in run.err
    assert run.stdout == ""


def test_schema_export_writes_one_file_per_document_type(results: Results) -> None:
    run = results["schema-export"]
    assert run.returncode == 0, run
    directory = results.tmp / "schemas"
    written = sorted(p.name for p in directory.iterdir())
    assert written == sorted(f"{name}.schema.json" for name in document_types())
    assert len(written) >= 10
    po = json.loads((directory / "purchase_order.schema.json").read_text())
    assert po["x-document-type"] == "purchase_order"
    assert "po_number" in po["properties"]


def test_messages_list_on_an_empty_store_is_an_empty_list(results: Results) -> None:
    assert results["list-empty"].json() == []


def test_messages_show_of_an_unknown_id_fails_clearly(results: Results) -> None:
    run = results["show-nope"]
    assert run.returncode == 1, run
    assert "no message with id 'NOPE'" in run.err
    assert "Traceback" not in run.stderr


def test_messages_replay_needs_ids_or_a_filter(results: Results) -> None:
    run = results["replay-nothing"]
    assert run.returncode == 2, run
    assert "name messages to replay" in run.err


def test_messages_list_shows_recorded_messages(results: Results) -> None:
    rows = results["list-seeded"].json()
    ids = {r["id"]: r for r in rows}
    assert set(ids) == {results.seeded.accepted_id, results.seeded.rejected_id}
    assert ids[results.seeded.accepted_id]["status"] == "routed"
    assert ids[results.seeded.accepted_id]["correlation_key"] == "HP-PO-2024-018734"
    assert ids[results.seeded.rejected_id]["status"] == "rejected"


def test_messages_show_prints_deliveries(results: Results) -> None:
    view = results["show-seeded"].json()
    assert view["id"] == results.seeded.accepted_id
    assert view["canonical"]["po_number"] == "HP-PO-2024-018734"
    [delivery] = view["deliveries"]
    assert delivery["route"] == "po-to-erp"
    assert delivery["idempotency_key"] == f"{results.seeded.accepted_id}.po-to-erp"


def test_dlq_list_shows_the_dead_letter(results: Results) -> None:
    [dead] = results["dlq-seeded"].json()
    assert dead["group"] == "deliver.critical.erp"
    assert dead["message_id"] == results.seeded.accepted_id
    assert dead["last_error"].startswith("rejected by receiver")
    assert dead["dead_at"] is not None


def test_endpoints_counts_the_dead_letter(results: Results) -> None:
    listed = results["endpoints-seeded"].json()
    assert [r["name"] for r in listed] == ["archive", "erp", "wms"]  # the configured ones
    rows = {r["name"]: r for r in listed}
    assert all(r["configured"] and r["circuit"] == "closed" for r in listed)
    assert rows["erp"]["dead_letters"] == 1
    assert rows["erp"]["backlog"] == 0
    assert rows["wms"]["dead_letters"] == 0


def test_help_in_a_real_process(results: Results) -> None:
    top = results["help"]
    assert top.returncode == 0, top
    for command in ("up", "messages", "dlq", "config", "schema", "endpoints"):
        assert command in top.stdout
    assert "Usage: crossdock [OPTIONS] COMMAND" in " ".join(top.stdout.split())


@pytest.mark.parametrize(
    ("command", "mentions"),
    HELP_COMMANDS,
    ids=[" ".join(c) or "crossdock" for c, _ in HELP_COMMANDS],
)
def test_help_of_every_command(command: list[str], mentions: str) -> None:
    """In process (each real process costs seconds of imports): every command's help renders."""
    result = CliRunner().invoke(
        cli.app, [*command, "--help"], prog_name="crossdock", env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert f"Usage: {' '.join(['crossdock', *command])} " in text
    assert mentions in text
    assert "--help" in text
