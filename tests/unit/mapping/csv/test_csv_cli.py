"""`crossdock csv check MAP FILE`: a map file or a partner of crossdock.yaml; each document
as JSON, each row error on stderr, exit 1 on errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from crossdock.entrypoints.cli import app
from tests.unit.mapping.csv.support import FIXTURES, fixture_path

runner = CliRunner()


def test_a_map_file_and_a_good_file_print_the_documents() -> None:
    result = runner.invoke(
        app,
        [
            "csv",
            "check",
            str(FIXTURES / "maps" / "po_grouped.yaml"),
            str(fixture_path("po_grouped.csv")),
        ],
    )
    assert result.exit_code == 0, result.output
    documents = json.loads(result.stdout)
    assert [(d["key"], d["rows"]) for d in documents] == [("PO-1", [2, 3]), ("PO-2", [4, 4])]
    assert documents[0]["document"]["lines"][1]["quantity"] == {"value": "1000", "unit": "CS"}


def test_row_errors_are_printed_and_exit_1() -> None:
    result = runner.invoke(
        app,
        [
            "csv",
            "check",
            str(FIXTURES / "maps" / "po_grouped.yaml"),
            str(fixture_path("po_bad_rows.csv")),
        ],
    )
    assert result.exit_code == 1
    documents = json.loads(result.stdout)
    assert [("document" in d, "errors" in d) for d in documents][:2] == [
        (True, False),
        (False, True),
    ]
    assert "po_bad_rows.csv: row 3, column 'qty': 'lots' is not a number" in result.stderr


def test_a_partner_of_the_configuration_is_a_map(tmp_path: Path) -> None:
    config = tmp_path / "crossdock.yaml"
    config.write_text(
        "partners:\n"
        "  legacy:\n"
        "    csv:\n"
        "      maps:\n"
        "        purchase_order: " + json.dumps(_map_without_type("po_fixed")) + "\n"
    )
    args = ["csv", "check", "legacy", str(fixture_path("po_fixed.txt")), "-c", str(config)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert [d["key"] for d in json.loads(result.stdout)] == ["FW-1", "FW-2"]
    unknown = runner.invoke(
        app, ["csv", "check", "nobody", str(fixture_path("po_fixed.txt")), "-c", str(config)]
    )
    assert (
        unknown.exit_code == 2
        and "neither a map file nor a partner with CSV maps (legacy)" in unknown.stderr
    )


def _map_without_type(name: str) -> dict[str, object]:
    import yaml

    data = yaml.safe_load((FIXTURES / "maps" / f"{name}.yaml").read_text())
    del data["document_type"]
    return data  # type: ignore[no-any-return]
