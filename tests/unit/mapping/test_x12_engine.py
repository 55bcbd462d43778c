"""The map interpreter's own rules: loops, HL stickiness, value types, compile-time checks."""

from __future__ import annotations

from typing import Any

import pytest

from crossdock.canonical import gs1_check_digit
from crossdock.mapping.x12 import MappingConfigError, X12Mapper
from crossdock.mapping.x12.compile import CompiledMap
from crossdock.mapping.x12.maps import BUILTIN_MAPS
from crossdock.mapping.x12.values import n2_out, n2_to_decimal
from tests.unit.mapping.x12_support import transaction_of


def _sscc(body: str) -> str:
    return body + str(gs1_check_digit(body))


SSCC_1 = _sscc("00860001004128710")
SSCC_2 = _sscc("00860001004128711")

ASN = f"""
BSN*00*ASN-1*20241111*2020*0001~
HL*1**S~
DTM*011*20241111*1955~
N1*SU*Cascade*92*SUP~
N1*SF*Cascade DC*92*SF1~
N1*ST*Harbor DC*92*ST1~
HL*2*1*O~
PRF*PO-1~
N1*BY*Store 7*92*S7~
HL*3*2*P~
MAN*GM*00{SSCC_1}~
HL*4*3*I~
LIN*1*BP*SKU-1~
SN1**10*CS~
ZZZ*unknown segment~
HL*5*2*P~
MAN*GM*{SSCC_2}~
HL*6*5*I~
LIN*2*BP*SKU-2~
SN1**5*CS~
"""


@pytest.fixture(scope="module")
def mapper() -> X12Mapper:
    return X12Mapper()


def test_hl_loops_are_only_closed_by_hl(mapper: X12Mapper) -> None:
    """N1 at order level and an unknown segment in an item do not end the order or pack."""
    result = mapper.to_canonical(transaction_of("856", ASN))

    assert result.errors == ()
    asn = result.document.model_dump(mode="json") if result.document else {}
    (order,) = asn["orders"]
    assert [pack["sscc"] for pack in order["packs"]] == [SSCC_1, SSCC_2]  # AI 00 dropped
    assert order["packs"][1]["items"][0]["item"]["sku"] == "SKU-2"
    assert asn["shipped_at"] == "2024-11-11T19:55:00Z"
    assert asn["issued_at"] == "2024-11-11T20:20:00Z"


def test_outbound_hl_tree_and_counts(mapper: X12Mapper) -> None:
    document = mapper.to_canonical(transaction_of("856", ASN)).document
    assert document is not None

    segments = mapper.from_canonical(document).segments

    hls = [s.elements for s in segments if s.tag == "HL"]
    assert hls == [
        ["1", "", "S"],
        ["2", "1", "O"],
        ["3", "2", "P"],
        ["4", "3", "I"],
        ["5", "2", "P"],
        ["6", "5", "I"],
    ]
    assert segments[-1].tag == "CTT" and segments[-1].elements == ["6"]
    assert [s.position for s in segments[:2]] == [2, 3]  # ST is 1


def test_trailing_empty_elements_are_trimmed(mapper: X12Mapper) -> None:
    document = mapper.to_canonical(transaction_of("856", ASN)).document
    assert document is not None
    segments = mapper.from_canonical(document).segments
    assert all(s.elements[-1] != "" for s in segments if s.elements)


def test_timezone_option_outbound() -> None:
    mapper = X12Mapper({"856": {"options": {"timezone": "-05:00"}}})
    document = mapper.to_canonical(transaction_of("856", ASN)).document
    assert document is not None
    # Read as -05:00 local, written back in the same zone: the same text.
    bsn = mapper.from_canonical(document).segments[0]
    assert bsn.elements == ["00", "ASN-1", "20241111", "2020", "0001"]
    assert document.model_dump(mode="json")["issued_at"] == "2024-11-11T20:20:00-05:00"


@pytest.mark.parametrize(
    ("text", "value"), [("255438", "2554.38"), ("-1250", "-12.50"), ("7", "0.07")]
)
def test_n2_values(text: str, value: str) -> None:
    assert n2_to_decimal(text) == value
    assert n2_out(value) == text


def test_envelope_supplies_released_at_and_parties(mapper: X12Mapper) -> None:
    body = """
W05*N*SO-1~
N1*WH*DC*91*DC-ATL~
N1*ST*Clinic~
N3*1 Main St~
N4*Augusta*GA*30901~
LX*1~
W01*2*CS**BP*SKU-1~
"""
    result = mapper.to_canonical(transaction_of("940", body))

    assert result.errors == ()
    order = result.document.model_dump(mode="json") if result.document else {}
    assert order["released_at"] == "2024-11-15T09:30:00Z"  # GS04/GS05 of the test envelope
    assert order["customer"]["name"] == "Clinic"
    assert order["customer"]["role"] == "customer"


def _map_with(segments: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"code": "850", "document_type": "purchase_order", "segments": segments, **extra}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_map_with([{"tag": "BEG"}, {"tag": "BEG"}]), "two rules are named 'BEG'"),
        ({**_map_with([]), "document_type": "order"}, "unknown document_type 'order'"),
        (_map_with([{"tag": "N3", "elements": {1: "a[]", 2: "b[]"}}]), "share one list path"),
        (_map_with([{"elements": {1: "x"}}]), "'tag' is required"),
        (_map_with([{"tag": "BEG", "elements": {0: "x"}}]), "not a number >= 1"),
        (
            _map_with([{"tag": "BEG", "elements": {1: {"codes": "nope", "path": "x"}}}]),
            "no code table 'nope'",
        ),
        (_map_with([{"tag": "BEG", "colour": 1}]), "unknown key 'colour'"),
        (_map_with([], extra_key=1), "unknown key 'extra_key'"),
    ],
)
def test_bad_maps_fail_to_compile(data: dict[str, Any], message: str) -> None:
    with pytest.raises(MappingConfigError) as raised:
        CompiledMap(data)
    assert message in str(raised.value)


def test_builtin_maps_compile_and_name_their_rules() -> None:
    for (code, _), data in BUILTIN_MAPS.items():
        compiled = CompiledMap(data)
        assert compiled.code == code
        assert compiled.rules  # every rule is addressable by overrides


def test_qualifier_constants_only_beside_their_value(mapper: X12Mapper) -> None:
    """ACK04 (date qualifier 068) is written only when ACK05 has a date."""
    body = """
BAK*00*AC*PO-1*20241104*****20241105~
N1*SU*Cascade*92*SUP~
N1*BY*Harbor*92*BUY~
PO1*1*10*CS*2.50**BP*SKU-1~
ACK*IA*10*CS~
PO1*2*5*CS*1.00**BP*SKU-2~
ACK*IB*5*CS*068*20241201~
"""
    document = mapper.to_canonical(transaction_of("855", body)).document
    assert document is not None

    acks = [s.elements for s in mapper.from_canonical(document).segments if s.tag == "ACK"]

    assert acks == [["IA", "10", "CS"], ["IB", "5", "CS", "068", "20241201"]]


def test_error_without_location_prints_its_reason() -> None:
    from crossdock.mapping.x12 import MappingError

    assert str(MappingError("status contradicts lines")) == "status contradicts lines"
    assert str(MappingError("Field required", "ship_to")) == "ship_to: Field required"


@pytest.mark.parametrize("code", ["850", "855", "856", "810", "940", "945", "944", "846", "214"])
def test_generated_readers_match_the_generic_reader(mapper: X12Mapper, code: str) -> None:
    """The fast path (generated code) and the traced generic path build the same dict."""
    from crossdock.mapping.x12.read import read_segments
    from tests.unit.mapping.x12_support import FIXTURES, only

    transaction = only(FIXTURES / f"{code}.edi")
    compiled = mapper.compiled(code)
    assert compiled is not None
    assert all(rule.fast is not None for rule in compiled.rules.values())

    fast, fast_errors = read_segments(compiled, transaction.segments)
    generic, generic_errors = read_segments(compiled, transaction.segments, trace={})

    assert fast == generic
    assert fast_errors == generic_errors == []
