"""The 820, 832 and 852 examples are valid partner files (each uses segments the maps do not
read: bank details in BPR, line detail under RMR, LIN-level CTP, MEA/PO4, XPO) and map to the
document their name says, with the key the README's type list gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crossdock.entrypoints import cli
from crossdock.mapping.x12 import X12Mapper
from crossdock.x12 import reader
from tests.conftest import EXAMPLES

CASES = {
    "remittance_advice_820.x12": ("remittance_advice", "GR-ACH-20261216-0007"),
    "price_catalog_832.x12": ("price_catalog", "0862204000015/NF-2027-01"),
    "product_activity_852.x12": ("product_activity", "0855507000011/2026-12-06..2026-12-12"),
}


def _assert_valid(path: Path) -> None:
    result = CliRunner().invoke(cli.app, ["edi", "validate", str(path), "--json"])

    assert (result.exit_code, json.loads(result.stdout)) == (
        0,
        {"valid": True, "transactions": 1, "issues": []},
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_example_is_valid(name: str) -> None:
    _assert_valid(EXAMPLES / name)


@pytest.mark.parametrize("name", sorted(CASES))
def test_example_maps_to_its_document(name: str) -> None:
    [interchange] = list(reader.parse(Path(EXAMPLES / name)))
    [transaction] = interchange.groups[0].transactions

    result = X12Mapper().to_canonical(transaction)

    assert result.errors == ()
    assert result.document is not None
    assert (result.document_type, result.document.correlation_key()) == CASES[name]


@pytest.mark.parametrize("name", sorted(CASES))
def test_example_document_renders_to_valid_x12(name: str, tmp_path: Path) -> None:
    """`crossdock edi render` (what an x12 route does) for each JSON example: the set in its
    functional group (RA, SC, PD), valid, and read back to the same document."""
    document_type, _ = CASES[name]
    rendered = CliRunner().invoke(
        cli.app, ["edi", "render", document_type, str(EXAMPLES / f"{document_type}.json")]
    )
    assert rendered.exit_code == 0, rendered.output
    path = tmp_path / name
    path.write_text(rendered.stdout)

    _assert_valid(path)
    [transaction] = list(reader.read_transactions(path))
    assert transaction.group.functional_id == {"820": "RA", "832": "SC", "852": "PD"}[name[-7:-4]]
    result = X12Mapper().to_canonical(transaction)
    assert result.document is not None
    expected = json.loads((EXAMPLES / f"{document_type}.json").read_text())
    assert result.document.model_dump(mode="json", exclude_none=True) == expected
