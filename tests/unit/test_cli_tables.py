"""Every read command through the one printer, at 100 columns: no line is wider, and the key
columns (ids, keys, names: what the next command is typed with) are printed whole."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from crossdock.entrypoints import cli
from crossdock.hub.intake import record
from tests.conftest import SqlStore, inbound
from tests.unit.flows.helpers import example, recorded
from tests.unit.flows.test_cli_exceptions import Scenario, scenario  # noqa: F401 (fixture)

WIDTH = 100
LONG_SOURCE = "supplier-portal-northwind-trading"
LONG_KEY = "PO-2026-0000123456-NORTHWIND-EAST"


def _run(tmp_path: Path, *args: str, columns: int = WIDTH) -> Any:
    config = tmp_path / "crossdock.yaml"
    if not config.exists():
        config.write_text(
            f"hub: {{data_dir: {tmp_path}}}\n"
            "endpoints:\n  erp-northwind-east-receiving: {type: http, url: 'http://127.0.0.1:9/in'}\n"
        )
    return CliRunner().invoke(
        cli.app,
        [*args, "--config", str(config), "--data-dir", str(tmp_path)],
        prog_name="crossdock",
        env={"COLUMNS": str(columns), "NO_COLOR": "1"},
    )


def _table(tmp_path: Path, *args: str) -> str:
    result = _run(tmp_path, *args)
    assert result.exit_code == 0, result.output
    out: str = result.stdout
    too_wide = [line for line in out.splitlines() if len(line) > WIDTH]
    assert too_wide == [], out
    assert "…" not in out, out
    return out


def _rows(tmp_path: Path, *args: str) -> Any:
    result = _run(tmp_path, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def seeded(tmp_path: Path, store: SqlStore, scenario: Scenario) -> Scenario:  # noqa: F811
    recorded(
        store, "purchase_order", example("purchase_order") | {"po_number": LONG_KEY},
        source=LONG_SOURCE,
    )  # fmt: skip
    return scenario


@pytest.mark.parametrize(
    ("command", "keys"),
    [
        (["messages", "list"], ("id", "document_type", "correlation_key")),
        (["dlq", "list"], ("group", "message_id", "key")),
        (["endpoints"], ("name",)),
        (["exceptions", "list"], ("id", "category", "correlation_key")),
        (["flows", "list"], ("flow", "key")),
    ],
)
def test_list_commands_fit_100_columns_with_their_keys_whole(
    tmp_path: Path, seeded: Scenario, command: list[str], keys: tuple[str, ...]
) -> None:
    rows = _rows(tmp_path, *command)
    assert rows, "nothing to show"
    out = _table(tmp_path, *command)
    for row in rows:
        for name in keys:
            assert str(row[name]) in out, (name, row[name], out)


def test_messages_show_and_exceptions_show_fit_100_columns(
    tmp_path: Path, seeded: Scenario
) -> None:
    out = _table(tmp_path, "messages", "show", seeded.po_id)
    [delivery] = _rows(tmp_path, "messages", "show", seeded.po_id)["deliveries"]
    assert delivery["id"] in out and delivery["endpoint"] in out
    out = _table(tmp_path, "exceptions", "show", seeded.dead_id)
    assert seeded.po_id in out


def test_kpis_wrap_their_values_within_100_columns(tmp_path: Path, seeded: Scenario) -> None:
    kpis = _rows(tmp_path, "kpis")
    out = _table(tmp_path, "kpis")
    for name in kpis:
        if name != "window":
            assert name in out


def test_columns_that_do_not_fit_are_dropped_and_named(tmp_path: Path, seeded: Scenario) -> None:
    out = _table(tmp_path, "messages", "list")
    assert "not shown at 100 columns" in out
    wide = _run(tmp_path, "messages", "list", columns=200)
    assert "not shown" not in wide.stdout and LONG_SOURCE in wide.stdout


def test_messages_list_by_time_range(tmp_path: Path, seeded: Scenario) -> None:
    everything = _rows(tmp_path, "messages", "list")
    newest = max(m["received_at"] for m in everything)
    assert _rows(tmp_path, "messages", "list", "--since", "2000-01-01") == everything
    assert _rows(tmp_path, "messages", "list", "--until", "2000-01-01") == []
    later = _rows(tmp_path, "messages", "list", "--since", newest[:26])
    assert [m["received_at"] for m in later] == [newest]
    bad = _run(tmp_path, "messages", "list", "--since", "2026-01-02", "--until", "2026-01-01")
    assert bad.exit_code == 2 and "--until must be later than --since" in bad.output


def test_messages_list_and_show_say_who_sent_each(
    tmp_path: Path, store: SqlStore, seeded: Scenario
) -> None:
    message = inbound(b'{"po_number": "PO-FROM-ACME"}', key="acme-1")
    message.sender, message.partner = "partner:acme", "acme"
    with store.uow() as uow:
        record(uow, [message])
        uow.commit()
    [mine] = _rows(tmp_path, "messages", "list", "--partner", "acme")
    assert (mine["id"], mine["sender"], mine["partner"]) == (message.id, "partner:acme", "acme")
    assert _rows(tmp_path, "messages", "list", "--partner", "globex") == []
    wide = _run(tmp_path, "messages", "list", columns=200)
    assert "partner:acme" in wide.stdout
    shown = _run(tmp_path, "messages", "show", message.id, columns=200)
    assert "sender: partner:acme  partner: acme" in shown.stdout
    # recorded outside any request: a trace of its own, shown with the message
    assert message.trace_context is not None
    assert f"trace: {message.trace_context[3:35]}" in shown.stdout
