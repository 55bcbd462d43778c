"""The X12 examples of the README's walk-through are what it says they are: the 850 is valid
and maps to a purchase order; the invalid one is rejected for its missing BEG05."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from crossdock.entrypoints import cli
from tests.conftest import EXAMPLES

VALID = EXAMPLES / "purchase_order_850.x12"
INVALID = EXAMPLES / "purchase_order_850_invalid.x12"


def _validate(path: Path) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(cli.app, ["edi", "validate", str(path), "--json"])
    return result.exit_code, json.loads(result.stdout)


def test_the_example_850_is_valid() -> None:
    code, report = _validate(VALID)
    assert (code, report) == (0, {"valid": True, "transactions": 1, "issues": []})


def test_the_invalid_example_850_misses_exactly_its_order_date() -> None:
    code, report = _validate(INVALID)
    assert code == 1 and report["valid"] is False
    issues = report["issues"]
    assert isinstance(issues, list)
    assert {(i.get("segment_id"), i.get("element_position")) for i in issues} >= {("BEG", 5)}


def test_the_example_850_maps_to_the_purchase_order_the_readme_names() -> None:
    from crossdock.mapping.x12 import X12Mapper
    from crossdock.x12 import reader

    [interchange] = list(reader.parse(VALID))
    [transaction] = interchange.groups[0].transactions
    result = X12Mapper().to_canonical(transaction)
    assert result.errors == () and result.document_type == "purchase_order"
    order = result.document.model_dump(mode="json")  # type: ignore[union-attr]
    assert order["po_number"] == "GR-PO-2026-00417"
    assert order["buyer"]["name"] == "Granite Ridge Builders"
    assert [float(line["quantity"]["value"]) for line in order["lines"]] == [48, 36, 20]
