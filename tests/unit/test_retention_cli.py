"""`crossdock retention run|status` on a real SQLite store, and the `retention` settings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError
from typer.testing import CliRunner

from crossdock.adapters.archive.ndjson import read_archive
from crossdock.adapters.sqlite.engine import sqlite_url
from crossdock.bootstrap.store import make_engine
from crossdock.config import Settings
from crossdock.config.retention import RetentionConfig
from crossdock.entrypoints.cli import app as cli_app
from tests import retention_rows as rows


def test_retention_is_off_and_keeps_everything_by_default() -> None:
    config = Settings().retention
    assert config.enabled is False
    assert (config.default_days, config.document_types, config.flow_age_days()) == (None, {}, None)
    assert config.age_days("purchase_order") is None


@pytest.mark.parametrize(
    ("values", "where"),
    [
        ({"default_days": 0}, "default_days"),
        ({"document_types": {"invoice": -1}}, "document_types.invoice"),
        ({"batch_size": 0}, "batch_size"),
        ({"interval_seconds": 0}, "interval_seconds"),
        ({"keep_days": 3}, "keep_days"),
    ],
)
def test_bad_retention_settings_are_rejected_where_they_are(
    values: dict[str, Any], where: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        RetentionConfig.model_validate(values)
    assert [".".join(map(str, e["loc"])) for e in caught.value.errors()] == [where]


def test_a_type_set_to_null_is_kept_for_ever_and_flows_default_to_messages() -> None:
    config = RetentionConfig.model_validate(
        {"default_days": 30, "document_types": {"invoice": None, "inventory_position": 7}}
    )
    assert config.age_days("invoice") is None
    assert config.age_days("inventory_position") == 7
    assert config.age_days("ship_notice") == 30
    assert config.flow_age_days() == 30


def _setup(tmp_path: Path, retention: dict[str, Any]) -> list[str]:
    data = tmp_path / "data"
    data.mkdir()
    config = tmp_path / "crossdock.yaml"
    config.write_text(yaml.safe_dump({"retention": retention}))
    return ["--config", str(config), "--data-dir", str(data)]


def _invoke(args: list[str]) -> Any:
    result = CliRunner().invoke(cli_app, args)
    return result


def test_status_dry_run_and_run(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    args = _setup(
        tmp_path,
        {
            "default_days": 30,
            "document_types": {"invoice": None},
            "archive_dir": str(archive),
            "batch_size": 2,
            "pause_ms": 0,
        },
    )
    engine = make_engine(sqlite_url(tmp_path / "data"))
    with engine.begin() as conn:
        # ages from rows.NOW (2027-01-15): 400 days before is old by any clock
        for n in range(5):
            rows.message(conn, f"po-{n}", age_days=400, n=n)
        rows.exception(conn, "E1", key=None, evidence=["po-4"], status="resolved")
        rows.message(conn, "inv-old", document_type="invoice", age_days=400)
        rows.message(conn, "po-new", age_days=0)  # received after the real now
    engine.dispose()

    status = _invoke(["retention", "status", "--json", *args])
    assert status.exit_code == 0, status.output
    body = json.loads(status.stdout)
    assert body["eligible"] == {"purchase_order": 4}
    assert (body["enabled"], body["runs"], body["archive"]["files"]) == (False, [], 0)

    dry = _invoke(["retention", "run", "--dry-run", "--json", *args])
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.stdout)["eligible"] == {"purchase_order": 4}

    done = _invoke(["retention", "run", *args])
    assert done.exit_code == 0, done.output
    # po-4 (the oldest) is an exception's evidence: read in the first batch of 2, and kept
    assert "4 message(s) pruned" in done.stdout and "in 3 batch(es)" in done.stdout
    [path] = list(archive.glob("*/*.ndjson.gz"))
    assert path.name.startswith("messages-purchase_order-")
    assert sorted(line["id"] for line in read_archive(path)) == [f"po-{n}" for n in range(4)]

    engine = make_engine(sqlite_url(tmp_path / "data"))
    with engine.connect() as conn:
        assert rows.message_ids(conn) == {"po-4", "inv-old", "po-new"}
    engine.dispose()

    table = _invoke(["retention", "status", *args])
    assert table.exit_code == 0, table.output
    assert "background job: off" in table.stdout
    assert "archive: 1 file(s)" in table.stdout
    after = json.loads(_invoke(["retention", "status", "--json", *args]).stdout)
    assert after["eligible"] == {}
    [last] = after["runs"]
    assert (last["messages"], last["batches"], last["trigger"]) == (4, 3, "cli")
    assert last["archives"] == [str(path)]


def test_run_without_ages_says_nothing_would_be_pruned(tmp_path: Path) -> None:
    args = _setup(tmp_path, {"enabled": True})
    result = _invoke(["retention", "run", *args])
    assert result.exit_code == 2
    assert "no retention ages are configured" in result.output
