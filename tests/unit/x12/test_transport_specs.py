"""The transport specs (210, 204, 990, 753, 754): complete tables that accept what the maps
do not read, refuse what breaks the structure, and mark the mapped subset truthfully."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from crossdock.mapping.x12 import X12Mapper
from crossdock.x12.model import Severity
from crossdock.x12.specs import spec_for, ts204, ts210, ts753, ts754, ts990
from crossdock.x12.validator import validate
from tests.unit.mapping.x12_support import FIXTURES, transaction_of

MODULES = {m.CODE: m for m in (ts210, ts204, ts990, ts753, ts754)}
GOLDEN = FIXTURES / "transport"


def _errors(
    code: str, body: str, version: str = "004010"
) -> list[tuple[str, str | None, int | None]]:
    result = validate(transaction_of(code, body, version))
    return [
        (i.code, i.segment_id, i.element_position)
        for i in result.issues
        if i.severity is Severity.ERROR
    ]


def _golden_body(code: str) -> str:
    lines = (GOLDEN / f"{code}.edi").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("ST*"))
    end = next(i for i, line in enumerate(lines) if line.startswith("SE*"))
    return "\n".join(lines[start + 1 : end])


def _tags(rules: Any) -> Iterator[str]:
    for rule in rules:
        if rule.get("emit_if") == "__never_written":  # claimed, never read
            continue
        yield rule["tag"]
        yield from _tags(rule.get("children", ()))


@pytest.mark.parametrize("code", sorted(MODULES))
@pytest.mark.parametrize("version", ["004010", "005010"])
def test_every_segment_of_the_table_is_in_the_dictionary(code: str, version: str) -> None:
    spec = spec_for(code, version)
    assert spec is not None
    assert spec.segment_ids() <= set(spec.segments)


@pytest.mark.parametrize("code", sorted(MODULES))
@pytest.mark.parametrize("version", ["004010", "005010"])
def test_the_golden_sets_are_valid_in_both_versions(code: str, version: str) -> None:
    assert _errors(code, _golden_body(code), version) == []


FULL_210 = """
B3**INV9*S9*PP**20241118*41236****BRFX~
C2*BANK1*01*123456789~
C3*USD~
ITD*01~
N9*BM*BOL9~
G62*86*20241114~
R3*BRFX*B~
H3*AP~
K1*Driver assist~
N1*SH*Shipper~
N2*Dock 4~
N3*1 Main St~
N4*Atlanta*GA*30336*US~
N9*DP*12~
N7*BRFX*5311~
M7*SEAL1~
S5*1*LD~
N9*PO*PO9~
G62*10*20241114~
N1*SH*Shipper~
LX*1~
N9*CN*1Z1~
L5*1*Widgets~
H1*1993*3~
H2*FLAMMABLE~
L0*1***498*G***2*PLT**L~
MEA**WT*498~
L1*1*71.49*PH*35600****400~
L4*48*40*50*N~
L7*1*ABC~
K1*Line remark~
N1*CN*Consignee~
N9*CR*REF1~
CD3*B*10~
N9*2I*TRK1~
POD*20241115**SMITH~
L3*498*G***41236~
K1*Summary remark~
"""


def test_a_210_with_what_the_map_does_not_read_validates_and_maps() -> None:
    assert _errors("210", FULL_210) == []
    result = X12Mapper().to_canonical(transaction_of("210", FULL_210))
    assert result.errors == ()
    assert result.document is not None
    invoice = result.document.model_dump(mode="json", exclude_none=True)
    assert invoice["ship_from"]["name"] == "Shipper"
    assert invoice["stops"] == [
        {
            "sequence": 1,
            "reason": "load",
            "party": invoice["stops"][0]["party"],
            "po_numbers": [],
            "orders": [],
        }
    ]
    assert [c["code"] for c in invoice["lines"][0]["charges"]] == ["400"]


def test_a_segment_out_of_its_place_is_refused() -> None:
    # L0 before L5 in the LX loop: L5 comes too late
    errors = _errors("210", "B3**I*S*PP**20241118*100****BRFX~\nLX*1~\nL0*1~\nL5*1*X~\nL3*****100~")
    assert ("7", "L5", None) in errors


def test_a_204_without_a_stop_is_refused() -> None:
    assert ("3", "S5", None) in _errors("204", "B2**BRFX**S1**PP~\nB2A*00~")


def test_a_990_needs_its_answer() -> None:
    assert ("1", "B1", 4) in _errors("990", "B1*BRFX*S1*20241113~")


@pytest.mark.parametrize("functional_id", ["RF", "RG", "SM", "GF", "IM"])
def test_a_997_acknowledging_a_transport_group_is_valid(functional_id: str) -> None:
    """A partner's 997 names our 753 group RF (754: RG) in AK101."""
    assert _errors("997", f"AK1*{functional_id}*754~\nAK9*A*1*1*1~") == []
