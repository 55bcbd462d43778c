"""Golden files in both directions: tests/fixtures/x12/<set>.edi <-> <set>.json.

Each pair is a fixed point of the mapping: reading the .edi gives the .json document, and
rendering the .json document (in the test envelope) gives the .edi text byte for byte.
"""

from __future__ import annotations

import json

import pytest

from crossdock.canonical import document_model
from crossdock.mapping.x12 import X12Mapper
from tests.unit.mapping.x12_support import FIXTURES, interchange, only

SETS = {
    "850": "purchase_order",
    "855": "purchase_order_acknowledgment",
    "856": "advance_ship_notice",
    "810": "invoice",
    "940": "fulfillment_order",
    "945": "shipment",
    "944": "goods_receipt",
    "846": "inventory_position",
    "214": "shipment_milestone",
}


@pytest.fixture(scope="module")
def mapper() -> X12Mapper:
    return X12Mapper()


def _expected(code: str) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((FIXTURES / f"{code}.json").read_text())
    return loaded


@pytest.mark.parametrize("code", sorted(SETS))
def test_inbound_golden(mapper: X12Mapper, code: str) -> None:
    result = mapper.to_canonical(only(FIXTURES / f"{code}.edi"))

    assert result.errors == ()
    assert result.document_type == SETS[code]
    assert result.document is not None
    produced = result.document.model_dump(mode="json", exclude_none=True)
    assert produced == _expected(code)


@pytest.mark.parametrize("code", sorted(SETS))
def test_outbound_golden(mapper: X12Mapper, code: str) -> None:
    model = document_model(SETS[code])
    assert model is not None
    document = model.model_validate(_expected(code))

    body = mapper.from_canonical(document)

    assert body.code == code
    assert interchange(body) == (FIXTURES / f"{code}.edi").read_text()


@pytest.mark.parametrize(("code", "document_type"), sorted(SETS.items()))
def test_code_and_document_type_lookups(mapper: X12Mapper, code: str, document_type: str) -> None:
    assert mapper.document_type_for(code) == document_type
    assert mapper.code_for(document_type) == code


def test_unknown_lookups_are_none(mapper: X12Mapper) -> None:
    assert mapper.document_type_for("997") is None
    assert mapper.code_for("proof_of_delivery") is None


def test_golden_856_key_values(mapper: X12Mapper) -> None:
    """The HL tree came through: orders, SSCC packs, items with lot and expiry."""
    result = mapper.to_canonical(only(FIXTURES / "856.edi"))
    asn = result.document
    assert asn is not None
    dumped = asn.model_dump(mode="json")
    assert asn.correlation_key() == "CP-ASN-24111100187"
    assert dumped["orders"][0]["po_number"] == "HP-PO-2024-018734"
    packs = dumped["orders"][0]["packs"]
    assert [p["sscc"] for p in packs] == [
        "008600010041287100",
        "008600010041287117",
        "008600010041287124",
    ]
    lot_item = packs[2]["items"][0]
    assert lot_item["lot"] == {
        "lot_number": "GL2409A",
        "expiry_date": "2029-09-30",
        "production_date": "2024-09-18",
    }
    assert lot_item["po_line_number"] == 2


def test_golden_856_hl_numbering(mapper: X12Mapper) -> None:
    text = (FIXTURES / "856.edi").read_text()
    hls = [line.rstrip("~").split("*")[1:] for line in text.splitlines() if line.startswith("HL*")]
    assert hls[:4] == [["1", "", "S"], ["2", "1", "O"], ["3", "2", "P"], ["4", "3", "I"]]
    assert ["9", "7", "I"] in hls
    assert f"CTT*{len(hls)}~" in text
