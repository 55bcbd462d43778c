"""The generated hot path agrees with the interpreter, and shared value objects stay exact.

``fastread`` must build exactly the dict ``read_segments`` builds (key order included) on
input without errors, and give up (``ValueProblem``) wherever ``read_segments`` reports one;
``leaves`` must not change what validation accepts, rejects or produces.
"""

from __future__ import annotations

import json
import random
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from crossdock.canonical import gs1_check_digit
from crossdock.canonical.invoice import Invoice
from crossdock.canonical.values import Money, Quantity
from crossdock.mapping.x12 import X12Mapper
from crossdock.mapping.x12.fastread import build_reader
from crossdock.mapping.x12.hooks import HOOKS
from crossdock.mapping.x12.leaves import build_substitute
from crossdock.mapping.x12.mapper import _envelope_defaults
from crossdock.mapping.x12.read import read_segments
from crossdock.mapping.x12.values import ValueProblem
from crossdock.x12.model import Segment, Transaction
from tests.unit.mapping.x12_support import FIXTURES, transaction_of, transactions

JUNK = ["", "X", "99", "00", "ZZ", "UL", "92", "EA", "BP", "UP", "S", "O", "P", "I", "GM"]
JUNK += ["20241301", "20241111", "1230", "1.5", "-3", "ST", "BY", "002", "CT", "A", "C"]


def _fixtures() -> list[Transaction]:
    return [t for path in sorted(FIXTURES.glob("*.edi")) for t in transactions(path)]


def _mutants(base: list[Transaction], count: int) -> list[Transaction]:
    """Deterministic damage: changed, dropped, repeated, swapped and truncated segments."""
    rng = random.Random(12010)
    found = []
    for _ in range(count):
        original = rng.choice(base)
        segments = [Segment(s.tag, list(s.elements), s.position) for s in original.segments]
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(1, len(segments) - 1)
            segment, action = segments[at], rng.randrange(6)
            if action < 3 and segment.elements:
                index = rng.randrange(len(segment.elements) + 2)
                segment.elements += [""] * (index + 1 - len(segment.elements))
                segment.elements[index] = rng.choice(JUNK)
            elif action == 3:
                del segments[at]
            elif action == 4:
                segments.insert(at, Segment(segment.tag, list(segment.elements)))
            else:
                segment.elements = segment.elements[: rng.randrange(len(segment.elements) + 1)]
        found.append(Transaction(**{**vars_of(original), "segments": segments}))
    return found


def vars_of(transaction: Transaction) -> dict[str, Any]:
    return {name: getattr(transaction, name) for name in transaction.__dataclass_fields__}


@pytest.mark.parametrize("overrides", [None, {"856": {"rules": {"items": {"number": "n"}}}}])
def test_generated_reader_builds_what_the_interpreter_builds(overrides: Any) -> None:
    mapper = X12Mapper(overrides)
    base = _fixtures()
    agreed = gave_up = 0
    for transaction in base + _mutants(base, 600):
        compiled = mapper.compiled(transaction.code, transaction.group.version)
        assert compiled is not None
        expected, errors = read_segments(compiled, transaction.segments)
        reader = build_reader(compiled)
        if errors:
            with pytest.raises(ValueProblem):
                reader(transaction.segments)
            gave_up += 1
        else:
            got = reader(transaction.segments)
            assert json.dumps(got) == json.dumps(expected)  # key order too
            agreed += 1
    assert agreed > 300 and gave_up > 30  # both paths were exercised


def test_documents_are_those_of_the_interpreter_and_plain_model_validate() -> None:
    mapper = X12Mapper()
    base = _fixtures()
    mapped = 0
    for transaction in base + _mutants(base, 300):
        result = mapper.to_canonical(transaction)
        compiled = mapper.compiled(transaction.code, transaction.group.version)
        assert compiled is not None
        data, errors = read_segments(compiled, transaction.segments)
        _envelope_defaults(compiled, transaction, data, errors)
        for name, arg in compiled.hooks:
            HOOKS[name][0](data, arg)
        try:
            expected = compiled.model.model_validate(data)
        except ValidationError:
            assert result.document is None
            continue
        if errors:
            assert result.document is None
            continue
        assert result.document is not None
        assert result.document.model_dump_json() == expected.model_dump_json()
        assert result.document.model_dump(exclude_unset=True) == expected.model_dump(
            exclude_unset=True
        )
        mapped += 1
    assert mapped > 100


def test_value_objects_are_shared_only_when_the_input_is_identical() -> None:
    substitute = build_substitute(Invoice)
    assert substitute is not None
    seen = []
    for _ in range(3):
        data: dict[str, Any] = {
            "totals": {"tax_amount": {"amount": "1.50", "currency": "USD"}},
            "lines": [
                {"quantity": {"value": "2", "unit": "EA"}},
                {"quantity": {"unit": "EA", "value": "2"}},  # key order is irrelevant
                {"quantity": {"value": "2.0", "unit": "EA"}},  # another Decimal: not shared
                {"quantity": {"value": "-1", "unit": "EA"}},  # invalid: left to validation
                {"quantity": {"value": 2, "unit": "EA"}},  # not text: left to validation
            ],
        }
        substitute(data)
        seen.append(data)
    first, _, last = seen
    assert isinstance(first["lines"][0]["quantity"], dict)  # first sighting: validation's
    quantities = [line["quantity"] for line in last["lines"]]
    assert quantities[0] is quantities[1] and isinstance(quantities[0], Quantity)
    assert quantities[2] == Quantity(value=Decimal("2.0"), unit="EA")
    assert str(quantities[2].value) == "2.0"
    assert quantities[3] == {"value": "-1", "unit": "EA"}
    assert quantities[4] == {"value": 2, "unit": "EA"}
    assert isinstance(last["totals"]["tax_amount"], Money)


def test_sac_without_sac15_uses_the_code_as_reason() -> None:
    body = """
BIG*20241111*INV-1**PO-1~
N1*SU*Cascade*92*V1~
N1*BY*Harbor*92*B1~
IT1*1*2*CS*10.00**BP*SKU-1~
TDS*2500~
SAC*C*D240***500~
"""
    result = X12Mapper().to_canonical(transaction_of("810", body))
    assert result.errors == ()
    assert result.document is not None
    (charge,) = result.document.model_dump(mode="json")["allowances_charges"]
    assert (charge["code"], charge["reason"], charge["amount"]["amount"]) == (
        "D240",
        "D240",
        "5.00",
    )


SSCC = "00860001004128710" + str(gs1_check_digit("00860001004128710"))
ASN_WITHOUT_LIN01 = f"""
BSN*00*ASN-1*20241111*2020*0001~
HL*1**S~
DTM*011*20241111*1955~
N1*SU*Cascade*92*SUP~
N1*SF*Cascade DC*92*SF1~
N1*ST*Harbor DC*92*ST1~
HL*2*1*O~
PRF*PO-1~
HL*3*2*P~
MAN*GM*{SSCC}~
HL*4*3*I~
LIN**BP*SKU-1~
SN1**10*CS~
HL*5*3*I~
LIN*7*BP*SKU-2~
SN1**5*CS~
"""


def test_856_item_without_lin01_takes_its_position_when_the_map_allows() -> None:
    transaction = transaction_of("856", ASN_WITHOUT_LIN01)
    strict = X12Mapper().to_canonical(transaction)
    assert [e.field for e in strict.errors] == ["orders.0.packs.0.items.0.po_line_number"]

    lenient = X12Mapper({"856": {"rules": {"items": {"number": "po_line_number"}}}})
    result = lenient.to_canonical(transaction)
    assert result.errors == ()
    assert result.document is not None
    items = result.document.model_dump(mode="json")["orders"][0]["packs"][0]["items"]
    assert [item["po_line_number"] for item in items] == [1, 7]  # LIN01 wins when sent


# Every engine feature at once, in shapes the built-in maps do not use (deep paths, a 'once'
# rule in a loop, two qualifiers, 'number' outside a loop, nested non-list loops...).
ODD_MAP: dict[str, Any] = {
    "code": "850",
    "document_type": "purchase_order",
    "defaults": {"a.b.c": "D", "currency": "USD"},
    "codes": {"kind": {"1": "one", "2": False}, "loose": {"*": "pass", "1": "uno"}},
    "segments": [
        {"tag": "AAA", "required": True, "elements": {1: "x", 2: {"path": "d", "type": "date"}}},
        {"name": "two", "tag": "BBB", "when": {1: "Q", 2: ["R", "S"]}, "elements": {3: "t[]"}},
        {"name": "bbb", "tag": "BBB", "number": "nb", "elements": {2: "b2"}},
        {
            "tag": "LP",
            "path": "deep.items",
            "list": True,
            "number": "n",
            "set": {"k.l": 7, "c": "=currency", "s": "=a.b.c"},
            "default": {"m.n.o": "dflt"},
            "elements": {1: {"path": "code", "codes": "kind"}, 2: "v.w", 3: "v.x"}
            | {
                4: {"path": "amt", "type": "n2"},
                5: {"path": "when", "type": "datetime", "time": 6},
            },
            "pairs": {"first": 7, "count": 3, "targets": {"A": "p.q.r", "B": "s", "*": "z.z"}}
            | {"emit": {"z.z": "ZZ"}},
            "children": [
                {"name": "LP.X", "tag": "XX", "once": True, "elements": {1: "once"}},
                {"name": "LP.N", "tag": "NL", "path": "sub", "elements": {1: "y", 2: "w.z"}},
                {"name": "LP.M", "tag": "MM", "elements": {1: {"path": "l", "codes": "loose"}}},
            ],
        },
        {
            "name": "hl",
            "tag": "HL",
            "hl": True,
            "when": {3: "S"},
            "children": [
                {
                    "name": "hl.o",
                    "tag": "HL",
                    "hl": True,
                    "path": "os",
                    "list": True,
                    "when": {3: "O"},
                    "children": [
                        {
                            "name": "hl.o.p",
                            "tag": "PP",
                            "elements": {1: {"path": "s", "type": "sscc"}},
                        }
                    ],
                },
                {
                    "name": "hl.n1",
                    "tag": "N1",
                    "path": "party",
                    "elements": {2: "name"},
                    "pairs": {"first": 3, "count": 1, "targets": {"UL": "gln"}, "other": "x.id"},
                },
            ],
        },
        {"tag": "ZZ", "elements": {1: "notes[]", 2: "notes[]"}},
    ],
}
ODD_TAGS = ["AAA", "BBB", "LP", "XX", "NL", "MM", "HL", "PP", "N1", "ZZ", "QQ", "ST", "SE"]
ODD_TAGS += ["HL", "HL", "PP", "N1"]
ODD_VALUES = ["", "1", "2", "3", "Q", "R", "S", "O", "A", "B", "C", "UL", "92", "X"]
ODD_VALUES += ["20241111", "2024111", "1230", "12", "0012345678901234567", "123456789012345678"]
ODD_VALID = {  # mostly valid elements per tag, so that loops fill up before something fails
    "LP": ["1", "a", "b", "12", "20241111", "1230", "A", "p", "B", "s", "C", "z"],
    "HL": ["1", "", "S"],
    "PP": ["00123456789012345678"],
    "N1": ["ST", "Name", "92", "123"],
    "BBB": ["Q", "R", "t"],
    "MM": ["7"],
}


def _odd_segment(rng: random.Random) -> Segment:
    tag = rng.choice(ODD_TAGS)
    valid = ODD_VALID.get(tag)
    if valid is None or rng.random() < 0.3:
        return Segment(tag, [rng.choice(ODD_VALUES) for _ in range(rng.randrange(10))])
    elements = list(valid)
    if tag == "HL":
        return Segment(tag, ["1", "", rng.choice("SSOOOX")])
    for _ in range(rng.randrange(3)):
        elements[rng.randrange(len(elements))] = rng.choice(ODD_VALUES[:14])
    return Segment(tag, elements[: rng.randrange(1, len(elements) + 1)])


def test_generated_reader_agrees_on_unusual_maps() -> None:
    compiled = X12Mapper(maps={("850", "*"): ODD_MAP}).compiled("850")
    assert compiled is not None
    reader = build_reader(compiled)
    rng = random.Random(7)
    outcomes = set()
    for _ in range(3000):
        segments = [_odd_segment(rng) for _ in range(rng.randrange(1, 14))]
        if rng.random() < 0.7:
            segments.insert(0, Segment("AAA", ["x", "20240101"]))
        expected, errors = read_segments(compiled, segments)
        if errors:
            with pytest.raises(ValueProblem):
                reader(segments)
        else:
            assert json.dumps(reader(segments)) == json.dumps(expected)
        outcomes.add(bool(errors))
    assert outcomes == {True, False}
