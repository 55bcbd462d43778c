"""860 / 865 maps: golden files both ways, 005010, unmapped table parts, unknown change codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crossdock.canonical import document_model
from crossdock.mapping.x12 import X12Mapper
from crossdock.x12.validator import validate
from tests.unit.mapping.x12_support import FIXTURES, interchange, only

HERE = FIXTURES / "pochange"
SETS = {"860": "purchase_order_change", "865": "purchase_order_change_acknowledgment"}


@pytest.fixture(scope="module")
def mapper() -> X12Mapper:
    return X12Mapper()


def _expected(code: str) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((HERE / f"{code}.json").read_text())
    return loaded


@pytest.mark.parametrize("code", sorted(SETS))
def test_inbound_golden(mapper: X12Mapper, code: str) -> None:
    result = mapper.to_canonical(only(HERE / f"{code}.edi"))

    assert result.errors == ()
    assert result.document_type == SETS[code]
    assert result.document is not None
    assert result.document.model_dump(mode="json", exclude_none=True) == _expected(code)


@pytest.mark.parametrize("code", sorted(SETS))
def test_outbound_golden(mapper: X12Mapper, code: str) -> None:
    model = document_model(SETS[code])
    assert model is not None

    body = mapper.from_canonical(model.model_validate(_expected(code)))

    assert body.code == code
    assert interchange(body) == (HERE / f"{code}.edi").read_text()


@pytest.mark.parametrize(("code", "document_type"), sorted(SETS.items()))
def test_one_set_per_document_type(mapper: X12Mapper, code: str, document_type: str) -> None:
    assert mapper.document_type_for(code) == document_type
    assert mapper.code_for(document_type) == code


def test_the_860_reads_what_each_poc_loop_changes(mapper: X12Mapper) -> None:
    change = _expected("860")
    lines = {line["line_number"]: line for line in change["lines"]}  # type: ignore[attr-defined]
    assert change["purpose"] == "change" and change["changed_at"] == "2024-11-06T14:15:00Z"
    assert lines[1]["change"] == "date_change"
    assert lines[1]["requested_delivery_date"] == "2024-11-12"
    assert (lines[2]["change"], lines[2]["quantity"]) == (
        "quantity_decrease",
        {"value": "60", "unit": "CS"},
    )
    assert lines[3]["change"] == "cancel"
    assert lines[4]["unit_price"] == {"amount": "31.20", "currency": "USD"}


def _variant(text: str, *replacements: tuple[str, str]) -> str:
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    return text


def test_a_005010_group_validates_and_maps(mapper: X12Mapper) -> None:
    text = _variant(
        (HERE / "860.edi").read_text(), ("*00401*", "*00501*"), ("*X*004010~", "*X*005010~")
    )
    report = validate(only(text.encode()))
    assert report.accepted and report.issues == (), report.issues

    result = mapper.to_canonical(only(text.encode()))

    assert result.errors == ()
    assert result.document is not None
    assert result.document.model_dump(mode="json", exclude_none=True) == _expected("860")


def test_parts_of_the_table_the_map_does_not_read_are_accepted(mapper: X12Mapper) -> None:
    """A heading TAX and an SLN subline in a POC loop: valid, and ignored by the map."""
    text = _variant(
        (HERE / "865.edi").read_text(),
        ("CUR*BY*USD~", "CUR*BY*USD~\nTAX*1234567**GA~"),
        ("ACK*IA~\nPOC*3", "ACK*IA~\nSLN*1**I*60*CS~\nPOC*3"),
        ("SE*20*", "SE*22*"),
    )
    report = validate(only(text.encode()))
    assert report.accepted and report.issues == (), report.issues

    result = mapper.to_canonical(only(text.encode()))

    assert result.errors == ()
    assert result.document is not None
    assert result.document.model_dump(mode="json", exclude_none=True) == _expected("865")


def test_an_unknown_change_type_is_a_mapping_error_naming_the_code(mapper: X12Mapper) -> None:
    text = _variant((HERE / "860.edi").read_text(), ("POC*1*RS*", "POC*1*XX*"))
    assert validate(only(text.encode())).accepted  # the validator does not judge POC02

    result = mapper.to_canonical(only(text.encode()))

    assert result.document is None
    [error] = result.errors
    assert "'XX'" in error.reason and error.segment_id == "POC"


def test_the_examples_map(mapper: X12Mapper) -> None:
    examples = Path(__file__).resolve().parents[3] / "examples"
    for code, name in SETS.items():
        result = mapper.to_canonical(only(examples / f"{name}_{code}.x12"))
        assert result.errors == ()
        assert result.document_type == name
