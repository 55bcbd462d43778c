"""The transport example interchanges (examples/*_210.x12 and friends) are what they say:
``crossdock edi validate`` accepts each, and each maps to its examples/<type>.json."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from crossdock.canonical import document_model
from crossdock.entrypoints import cli
from crossdock.mapping.x12 import X12Mapper
from crossdock.x12 import reader
from tests.conftest import EXAMPLES

SETS = {
    "210": "freight_invoice",
    "204": "load_tender",
    "990": "load_tender_response",
    "753": "routing_request",
    "754": "routing_instructions",
}


@pytest.mark.parametrize(("code", "document_type"), sorted(SETS.items()))
def test_the_example_is_valid_and_maps_to_its_json(code: str, document_type: str) -> None:
    path = EXAMPLES / f"{document_type}_{code}.x12"
    result = CliRunner().invoke(cli.app, ["edi", "validate", str(path), "--json"])
    assert (result.exit_code, json.loads(result.stdout)) == (
        0,
        {"valid": True, "transactions": 1, "issues": []},
    )
    [transaction] = list(reader.read_transactions(path))
    mapped = X12Mapper().to_canonical(transaction)
    model = document_model(document_type)
    assert model is not None
    assert mapped.errors == ()
    assert mapped.document == model.model_validate_json(
        (EXAMPLES / f"{document_type}.json").read_bytes()
    )
