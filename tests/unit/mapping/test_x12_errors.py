"""Unmappable input yields precise errors (segment, element, canonical field), never a raise."""

from __future__ import annotations

import pytest

from crossdock.mapping.x12 import MappingError, X12Mapper
from tests.unit.mapping.x12_support import transaction_of

GOOD_850 = """
BEG*00*SA*PO-1001**20241104~
CUR*BY*USD~
N1*BY*Harbor Point*UL*0614141000012~
N1*SU*Cascade Paper*92*V-10023~
N1*ST*Harbor Point DC*UL*0614141000029~
N3*4850 Fulton Industrial Blvd~
N4*Atlanta*GA*30336~
PO1*1*120*CS*24.85**BP*HP-100231*UP*860001712346~
PID*F****Multifold paper towel~
PO1*2*80*CS*38.4**BP*HP-100877~
CTT*2~
"""


@pytest.fixture(scope="module")
def mapper() -> X12Mapper:
    return X12Mapper()


def _errors(mapper: X12Mapper, code: str, body: str) -> tuple[MappingError, ...]:
    result = mapper.to_canonical(transaction_of(code, body))
    assert result.document is None
    assert result.errors, "expected errors"
    return result.errors


def test_hand_written_850_maps(mapper: X12Mapper) -> None:
    result = mapper.to_canonical(transaction_of("850", GOOD_850))

    assert result.errors == ()
    po = result.document
    assert po is not None
    dumped = po.model_dump(mode="json")
    assert dumped["po_number"] == "PO-1001"
    assert dumped["issued_at"] == "2024-11-04T00:00:00Z"
    assert dumped["supplier"]["x12"] == {"qualifier": "92", "identifier": "V-10023"}
    assert dumped["ship_to"]["address"]["country"] == "US"  # N404 absent: the map's default
    assert dumped["lines"][0]["item"]["gtin"] == "860001712346"
    assert dumped["lines"][1]["unit_price"] == {"amount": "38.4", "currency": "USD"}


def test_missing_beg(mapper: X12Mapper) -> None:
    body = GOOD_850.replace("BEG*00*SA*PO-1001**20241104~\n", "")

    errors = _errors(mapper, "850", body)

    missing = [e for e in errors if e.segment_id == "BEG"]
    assert missing and missing[0].reason == "required segment BEG is missing"
    assert missing[0].segment_position is None
    assert any(e.field == "po_number" for e in errors)


def test_bad_number_points_at_the_element(mapper: X12Mapper) -> None:
    body = GOOD_850.replace("PO1*2*80*CS", "PO1*2*8O*CS")

    errors = _errors(mapper, "850", body)

    assert len(errors) == 1
    error = errors[0]
    assert error.field == "lines.1.quantity.value"
    assert (error.segment_id, error.segment_position, error.element) == ("PO1", 11, 2)
    assert "decimal" in error.reason.lower()
    assert str(error).startswith("segment 11 PO1 / element 02 -> lines.1.quantity.value: ")


def test_unknown_qualifier_code(mapper: X12Mapper) -> None:
    body = GOOD_850.replace("BEG*00*SA", "BEG*99*SA")

    errors = _errors(mapper, "850", body)

    assert len(errors) == 1
    assert errors[0].segment_id == "BEG" and errors[0].element == 1
    assert errors[0].field == "purpose"
    assert "unknown code '99'" in errors[0].reason
    # the element is named (the hub adds the partner), and the code is kept for it
    assert errors[0].reason.startswith("BEG01 unknown code '99': the map has no meaning for it")
    assert errors[0].code == "99"


def test_bad_date(mapper: X12Mapper) -> None:
    errors = _errors(mapper, "850", GOOD_850.replace("20241104", "2024-11-04"))

    assert [(e.segment_id, e.element, e.field) for e in errors] == [("BEG", 5, "issued_at")]
    assert "CCYYMMDD" in errors[0].reason


def test_missing_party_is_located_at_nothing_but_named(mapper: X12Mapper) -> None:
    body = "\n".join(
        line for line in GOOD_850.splitlines() if not line.startswith(("N1*ST", "N3", "N4"))
    )

    errors = _errors(mapper, "850", body)

    assert [(e.field, e.segment_id) for e in errors] == [("ship_to", None)]
    assert errors[0].reason == "Field required"


def test_model_rule_error_points_at_the_loop(mapper: X12Mapper) -> None:
    """An item with a description but no identifier: the model's rule lands on its PO1."""
    body = GOOD_850.replace(
        "PO1*2*80*CS*38.4**BP*HP-100877~", "PO1*2*80*CS*38.4~\nPID*F****Gloves~"
    )

    errors = _errors(mapper, "850", body)

    assert len(errors) == 1
    assert errors[0].field == "lines.1.item"
    assert (errors[0].segment_id, errors[0].segment_position) == ("PO1", 11)
    assert "at least one of sku" in errors[0].reason


def test_bad_gtin_check_digit_names_the_pair(mapper: X12Mapper) -> None:
    errors = _errors(mapper, "850", GOOD_850.replace("860001712346", "860001712345"))

    assert [(e.segment_id, e.element, e.field) for e in errors] == [("PO1", 9, "lines.0.item.gtin")]


def test_several_errors_are_all_reported(mapper: X12Mapper) -> None:
    body = GOOD_850.replace("BEG*00*SA", "BEG*99*XX").replace("PO1*2*80", "PO1*2*8O")

    errors = _errors(mapper, "850", body)

    assert {(e.segment_id, e.element) for e in errors} >= {("BEG", 1), ("BEG", 2)}


def test_unknown_transaction_set(mapper: X12Mapper) -> None:
    result = mapper.to_canonical(transaction_of("997", "AK1*PO*1~\nAK9*A*1*1*1~"))

    assert result.document_type is None and result.document is None
    assert result.errors[0].reason == "no mapping for transaction set 997"


def test_n2_amount_must_be_digits(mapper: X12Mapper) -> None:
    body = """
BIG*20241111*INV-1**PO-1~
N1*SU*Cascade*92*V1~
N1*BY*Harbor*92*B1~
IT1*1*2*CS*10.00**BP*SKU-1~
TDS*20.00~
"""
    errors = _errors(mapper, "810", body)

    assert [(e.segment_id, e.element, e.field) for e in errors] == [
        ("TDS", 1, "totals.payable_amount.amount")
    ]
    assert "N2" in errors[0].reason


def test_856_second_lin_on_846_is_an_error(mapper: X12Mapper) -> None:
    body = """
BIA*00*MM*1*20241113*1600~
N1*WH*DC Atlanta*91*DC-ATL~
LIN**BP*SKU-1~
QTY*17*5*EA~
QTY*33*5*EA~
LIN**BP*SKU-2~
"""
    errors = _errors(mapper, "846", body)

    assert errors[0].segment_id == "LIN" and errors[0].segment_position == 7
    assert "once" in errors[0].reason
