"""820, 832 and 852: golden files both ways, their spec tables, and the hooks the maps use.

Golden pairs live in tests/fixtures/x12/finance (see its README): reading the .edi gives the
.json document, rendering the .json gives the .edi byte for byte, and both validate clean.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from crossdock.canonical import CanonicalDocument, document_model
from crossdock.mapping.x12 import X12Mapper
from crossdock.mapping.x12.errors import MappingResult
from crossdock.x12.model import Issue, Segment, Severity, Transaction
from crossdock.x12.spec_compile import compile_spec
from crossdock.x12.spec_model import LoopSpec, SegmentUse
from crossdock.x12.specs import spec_for
from crossdock.x12.validator import validate
from crossdock.x12.writer import TransactionBody
from tests.unit.mapping.x12_support import FIXTURES, interchange, only

GOLDEN = FIXTURES / "finance"
SETS = {"820": "remittance_advice", "832": "price_catalog", "852": "product_activity"}
MAPPER = X12Mapper()


def _transaction(code: str, body: str, version: str = "004010") -> Transaction:
    segments = []
    for line in body.strip().splitlines():
        tag, *elements = line.strip().rstrip("~").split("*")
        # 'CA>1' is a composite: the writer takes it as its components
        values: list[Any] = [e.split(">") if ">" in e else e for e in elements]
        segments.append(Segment(tag, values))
    return only(interchange(TransactionBody(code, segments), version))


def _golden(code: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((GOLDEN / f"{code}.json").read_text())
    return loaded


def _document(code: str, data: dict[str, Any] | None = None) -> CanonicalDocument:
    model = document_model(SETS[code])
    assert model is not None
    return model.model_validate(data if data is not None else _golden(code))


def _findings(transaction: Transaction) -> list[Issue]:
    return [*transaction.issues, *validate(transaction).issues]


def _errors(transaction: Transaction) -> list[Issue]:
    return [i for i in _findings(transaction) if i.severity is Severity.ERROR]


def _dump(result: MappingResult) -> dict[str, Any]:
    assert result.errors == (), [str(e) for e in result.errors]
    assert result.document is not None
    return result.document.model_dump(mode="json", exclude_none=True)


# -- golden files ---------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(SETS))
def test_inbound_golden(code: str) -> None:
    result = MAPPER.to_canonical(only(GOLDEN / f"{code}.edi"))

    assert result.document_type == SETS[code]
    assert _dump(result) == _golden(code)


@pytest.mark.parametrize("code", sorted(SETS))
def test_outbound_golden(code: str) -> None:
    body = MAPPER.from_canonical(_document(code))

    assert body.code == code
    assert interchange(body) == (GOLDEN / f"{code}.edi").read_text()


@pytest.mark.parametrize("code", sorted(SETS))
def test_golden_file_validates_clean_in_both_versions(code: str) -> None:
    transaction = only(GOLDEN / f"{code}.edi")
    assert _findings(transaction) == []
    body = [s for s in transaction.segments if s.tag not in ("ST", "SE")]
    again = only(interchange(TransactionBody(code, body), "005010"))
    assert _findings(again) == []
    assert _dump(MAPPER.to_canonical(again)) == _golden(code)


@pytest.mark.parametrize(("code", "document_type"), sorted(SETS.items()))
def test_code_and_document_type_lookups(code: str, document_type: str) -> None:
    assert MAPPER.document_type_for(code) == document_type
    assert MAPPER.code_for(document_type) == code


def test_golden_keys() -> None:
    assert _document("820").correlation_key() == "HP-EFT-20241202-0042"
    assert _document("832").correlation_key() == "0860001000016/CP-2025-Q1"
    assert _document("852").correlation_key() == "0856412000011/2024-11-17..2024-11-23"


# -- 820 ------------------------------------------------------------------------------------

_820 = """
BPR*I*150.00*C*CHK************20250105
TRN*1*CHK-0099812
N1*PE*Cascade Paper Products, Inc.*UL*0860001000016
ENT*1
RMR*IV*INV-1**120.00
RMR*CM*CM-7**-20.00
REF*PO*PO-4410
RMR*R7*AR-88**50.00*55.00*5.00
"""


def test_820_every_open_item_counts_and_the_payer_defaults_to_the_sender() -> None:
    """A credit memo (negative) and an item of a qualifier the map does not name are open
    items too: 120 - 20 + 50 is the 150 paid. The REF after the memo is the memo's."""
    data = _dump(MAPPER.to_canonical(_transaction("820", _820)))

    assert data["payer"]["x12"] == {"qualifier": "ZZ", "identifier": "CROSSDOCKTEST"}
    assert data["handling"] == "remittance_only" and data["payment_method"] == "check"
    items = [(i["kind"], i["invoice_number"], i.get("po_number")) for i in data["invoices"]]
    assert items == [
        ("invoice", "INV-1", None),
        ("credit_memo", "CM-7", "PO-4410"),
        ("R7", "AR-88", None),
    ]
    assert data["invoices"][2]["discount_amount"] == {"amount": "5.00", "currency": "USD"}
    assert [s.elements[0] for s in MAPPER.from_canonical(_document("820", data)).segments
            if s.tag == "RMR"] == ["IV", "CM", "R7"]  # fmt: skip


def test_820_payment_that_does_not_add_up_is_a_mapping_error() -> None:
    short = MAPPER.to_canonical(_transaction("820", _820.replace("*150.00*", "*140.00*")))
    assert short.document is None
    [error] = short.errors
    assert error.field == "payment_amount.amount" and "sum of the invoices" in error.reason


def test_820_without_trace_is_reported() -> None:
    result = MAPPER.to_canonical(_transaction("820", _820.replace("TRN*1*CHK-0099812\n", "")))

    assert result.document is None
    assert any(e.segment_id == "TRN" and "missing" in e.reason for e in result.errors)


def test_820_unknown_payment_method_is_kept_as_sent_and_written_back() -> None:
    data = _dump(MAPPER.to_canonical(_transaction("820", _820.replace("*CHK*", "*DXC*"))))
    assert data["payment_method"] == "DXC"

    body = MAPPER.from_canonical(_document("820", data))
    assert body.segments[0].elements[:4] == ["I", "150.00", "C", "DXC"]


def test_820_segment_out_of_place_is_refused_by_the_spec() -> None:
    """RMR belongs in the ENT loop: before it (in the heading) it is out of place."""
    text = _820.replace("ENT*1\n", "").replace(
        "N1*PE*Cascade Paper Products, Inc.*UL*0860001000016\n", ""
    )
    text = text.replace("TRN*1*CHK-0099812\n", "TRN*1*CHK-0099812\nRMR*IV*INV-0**1.00\nENT*1\n")
    errors = _errors(_transaction("820", text))
    assert errors and errors[0].segment_id == "RMR"


# -- 832 ------------------------------------------------------------------------------------

_832 = """
BCT*PC*CAT-9
N1*SU*Acme Supply
LIN*1*VP*A-1
CTP**RES*10.00*1*CA>1
CTP**ZZZ*9.50*10*CA
"""


def test_832_composite_unit_and_unnamed_price_type() -> None:
    transaction = _transaction("832", _832)
    assert _errors(transaction) == []

    data = _dump(MAPPER.to_canonical(transaction))

    prices = data["items"][0]["prices"]
    assert [p["price_type"] for p in prices] == ["resale", "ZZZ"]
    assert [p["quantity"]["unit"] for p in prices] == ["CA", "CA"]
    assert data["currency"] == "USD" and data["supplier"]["name"] == "Acme Supply"


def test_832_without_catalog_id_cannot_be_keyed() -> None:
    result = MAPPER.to_canonical(_transaction("832", _832.replace("BCT*PC*CAT-9", "BCT*PC")))

    assert result.document is None
    assert [e.field for e in result.errors] == ["catalog_id"]


def test_832_unknown_segment_is_refused_and_a_standard_one_accepted() -> None:
    # G39 is 832 item detail after the CTP loops: accepted (right after LIN, the CTPs would
    # fall into the G39 loop, which holds one)
    assert _errors(_transaction("832", _832 + "G39***LB*12\n")) == []
    misplaced = _832.replace("LIN*1*VP*A-1\n", "LIN*1*VP*A-1\nG39***LB*12\n")
    assert [e.segment_id for e in _errors(_transaction("832", misplaced))] == ["CTP"]

    errors = _errors(_transaction("832", _832.replace("LIN*1*VP*A-1\n", "LIN*1*VP*A-1\nQQQ*1\n")))
    assert [e.segment_id for e in errors] == ["QQQ"]


# -- 852 ------------------------------------------------------------------------------------


def test_852_item_without_activity_breaks_the_mandatory_za_loop() -> None:
    text = """
    XQ*H*20250101*20250107
    LIN**VP*A-1
    ZA*QA*5*EA
    LIN**VP*A-2
    """
    errors = _errors(_transaction("852", text))
    assert errors, "the ZA loop is mandatory in each LIN loop"


def _activity(
    activity: str, value: str, unit: str = "EA", location: str | None = None
) -> dict[str, Any]:
    entry: dict[str, Any] = {"activity": activity, "quantity": {"value": value, "unit": unit}}
    if location is not None:
        entry["location"] = location
    return entry


def test_852_many_locations_and_units_round_trip() -> None:
    """Twelve stores in EA and one in CA: two SDQs of EA (ten pairs, then two), one of CA;
    a second location-less quantity of one activity opens a second ZA."""
    stores = [_activity("sold", str(n), location=f"S{n:02d}") for n in range(1, 13)]
    activities = [
        _activity("on_hand", "40"),
        *stores,
        _activity("sold", "3", "CA", "S99"),
        _activity("on_hand", "2", "CA"),
        _activity("QX", "7"),
    ]
    data = {
        "reporter": {"role": "reporter", "name": "Bayline Hardware Stores"},
        "period_start": "2025-01-01",
        "items": [{"item": {"supplier_sku": "A-1"}, "activities": activities}],
    }
    body = MAPPER.from_canonical(_document("852", data))

    lines = ["*".join([s.tag, *s.elements]) for s in body.segments]
    assert lines[2:] == [
        "LIN**VP*A-1",
        "ZA*QA*40*EA",
        "ZA*QS",
        "SDQ*EA*92*" + "*".join(f"S{n:02d}*{n}" for n in range(1, 11)),
        "SDQ*EA*92*S11*11*S12*12",
        "SDQ*CA*92*S99*3",
        "ZA*QA*2*CA",
        "ZA*QX*7*EA",
        "CTT*1",
    ]
    transaction = only(interchange(body))
    assert _findings(transaction) == []
    back = _dump(MAPPER.to_canonical(transaction))
    assert back["items"][0]["activities"] == activities


# -- the spec tables ------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(SETS))
@pytest.mark.parametrize("version", ["004010", "005010"])
def test_table_references_resolve_and_compile(code: str, version: str) -> None:
    spec = spec_for(code, version)
    assert spec is not None and spec.code == code
    for seg_id in spec.segment_ids():
        segment = spec.segments[seg_id]
        for element in segment.elements:
            table = spec.composites if element.ref.startswith("C") else spec.elements
            assert element.ref in table, (seg_id, element.ref)
            assert element.codes is None or element.codes in spec.code_lists, seg_id
        for note in segment.notes:
            assert max(note.positions) <= len(segment.elements), (seg_id, str(note))

    def walk(loop: LoopSpec) -> None:
        for child in loop.children:
            if isinstance(child, LoopSpec):
                trigger = child.children[0]
                assert isinstance(trigger, SegmentUse) and trigger.id == child.id
                walk(child)

    walk(spec.structure)
    assert compile_spec(spec).fast.pattern


@pytest.mark.parametrize("code", sorted(SETS))
def test_marked_segments_are_what_the_map_reads(code: str) -> None:
    spec = spec_for(code, "004010")
    compiled = MAPPER.compiled(code)
    assert spec is not None and compiled is not None
    assert spec.mapped_segment_ids() == {rule.tag for rule in compiled.rules.values()}


def test_code_names_the_maps_produce_are_the_ones_the_models_document() -> None:
    from crossdock.canonical import catalog, product_activity, remittance
    from crossdock.mapping.x12.maps.ts820 import MAP_820
    from crossdock.mapping.x12.maps.ts832 import MAP_832
    from crossdock.mapping.x12.maps.ts852 import MAP_852

    def names(table: dict[str, str]) -> set[str]:
        return {v for k, v in table.items() if k != "*"}

    codes_820 = MAP_820["codes"]
    assert names(codes_820["method"]) == set(remittance.PAYMENT_METHODS)
    assert names(codes_820["handling"]) == set(remittance.HANDLING)
    assert names(codes_820["kind"]) == set(remittance.ITEM_KINDS)
    assert names(MAP_832["codes"]["price_type"]) == set(catalog.PRICE_TYPES)
    assert names(MAP_852["codes"]["activity"]) == set(product_activity.ACTIVITIES)
