"""The spec data is internally consistent: every reference resolves, every set compiles."""

from __future__ import annotations

import pytest

from crossdock.x12.spec_compile import compile_spec
from crossdock.x12.spec_model import LoopSpec, SegmentUse, parse_note, parse_structure
from crossdock.x12.specs import base_version, spec_for, supported_codes
from crossdock.x12.specs.code_lists import CODE_LISTS
from crossdock.x12.specs.segments import COMPOSITES, SEGMENTS_4010, SEGMENTS_5010

SETS = ("850", "855", "856", "810", "940", "945", "944", "846", "214", "997", "999")


def test_every_required_set_has_a_spec_in_both_versions() -> None:
    assert set(SETS) <= set(supported_codes())
    for code in SETS:
        for version in ("004010", "005010"):
            spec = spec_for(code, version)
            assert spec is not None
            assert spec.code == code
    assert spec_for("999", "004010").version == "005010"  # type: ignore[union-attr]
    assert spec_for("864", "004010") is None
    assert spec_for("850", "garbage") is None


@pytest.mark.parametrize("code", SETS)
@pytest.mark.parametrize("version", ["004010", "005010"])
def test_structures_reference_defined_segments_elements_and_code_lists(
    code: str, version: str
) -> None:
    spec = spec_for(code, version)
    assert spec is not None
    first, last = spec.structure.children[0], spec.structure.children[-1]
    assert isinstance(first, SegmentUse) and first.id == "ST" and first.usage == "M"
    assert isinstance(last, SegmentUse) and last.id == "SE" and last.usage == "M"
    for seg_id in spec.segment_ids():
        segment = spec.segments[seg_id]
        for element in segment.elements:
            if element.ref.startswith("C"):
                assert element.ref in spec.composites, (seg_id, element.ref)
            else:
                assert element.ref in spec.elements, (seg_id, element.ref)
            if element.codes:
                assert element.codes in spec.code_lists, (seg_id, element.codes)
        for note in segment.notes:
            assert max(note.positions) <= len(segment.elements), (seg_id, str(note))
            assert len(note.positions) >= 2 or note.kind == "R", (seg_id, str(note))
    compiled = compile_spec(spec)
    assert compiled.fast.pattern  # the fast-path regex compiles


def test_loops_start_with_their_trigger_segment() -> None:
    def walk(loop: LoopSpec) -> None:
        for child in loop.children:
            if isinstance(child, LoopSpec):
                trigger = child.children[0]
                assert isinstance(trigger, SegmentUse) and trigger.id == child.id
                walk(child)

    for code in SETS:
        spec = spec_for(code, "004010")
        assert spec is not None
        walk(spec.structure)


def test_856_declares_the_hl_hierarchy() -> None:
    spec = spec_for("856", "004010")
    assert spec is not None and spec.hierarchy is not None
    ranks = spec.hierarchy.ranks
    assert ranks["S"] < ranks["O"] < ranks["T"] < ranks["P"] < ranks["I"]
    assert spec.hierarchy.root_levels == frozenset({"S"})


def test_dictionaries_are_well_formed() -> None:
    for table in (SEGMENTS_4010, SEGMENTS_5010):
        for seg_id, (name, _) in table.items():
            assert seg_id.isalnum() and 2 <= len(seg_id) <= 3 and name
    assert set(COMPOSITES) == {"C001", "C030", "C040", "C998", "C999"}
    assert {"EA", "CA", "BX", "PK", "LB", "KG", "CS", "PL", "DZ", "FT", "GA"} <= CODE_LISTS["uom"]
    assert {"UP", "VN", "BP", "IN", "SK", "EN", "UK"} <= CODE_LISTS["prod_id"]
    # 005010 keeps every 004010 segment and only adds trailing elements
    for seg_id, (_, tokens) in SEGMENTS_4010.items():
        assert SEGMENTS_5010[seg_id][1].split("|")[0].startswith(tokens.split("|")[0].strip())


def test_structure_and_note_parsers() -> None:
    root = parse_structure(
        """
        ST M 1
        [N1 200]
          N1 M 1
          N3 O 2
        [PO1 >1 M]
          PO1 M 1
        SE M 1
        """,
        "850",
    )
    st, n1, po1, se = root.children
    assert isinstance(n1, LoopSpec) and (n1.id, n1.max_repeat, n1.usage) == ("N1", 200, "O")
    assert isinstance(po1, LoopSpec) and (po1.max_repeat, po1.usage) == (0, "M")
    assert isinstance(st, SegmentUse) and isinstance(se, SegmentUse)
    note = parse_note("L030405")
    assert (note.kind, note.positions, str(note)) == ("L", (3, 4, 5), "L030405")
    with pytest.raises(ValueError):
        parse_note("Q0102")


def test_base_version_mapping() -> None:
    assert base_version("004010VICS") == ("004010", True)
    assert base_version("004060") == ("004010", False)
    assert base_version("003010") == ("004010", False)
    assert base_version("005010X230") == ("005010", True)
    assert base_version("007030") == ("005010", False)
    assert base_version("21") == (None, False)


def test_spec_release_gives_interim_releases_their_own_overlay() -> None:
    from crossdock.x12.specs import spec_release

    assert spec_release("004010") == spec_release("004010VICS") == "004010"
    assert spec_release("004030VICS") == "004030"
    assert spec_release("004050") == "004050"
    assert spec_release("004060UCS") == "004060"
    assert spec_release("003010") == "004010"
    assert spec_release("005010X230") == spec_release("006020") == "005010"
    assert spec_release("21") is None
    overlay = spec_for("850", "004030VICS")
    assert overlay is not None and overlay.version == "004030"
    assert spec_for("850", "004050") is not spec_for("850", "004030")  # one per release


def test_an_interim_overlay_holds_004010_plus_what_005010_added() -> None:
    strict, overlay = spec_for("850", "004010"), spec_for("850", "004040")
    assert strict is not None and overlay is not None
    assert [e.ref for e in strict.segments["ST"].elements] == ["143", "329"]
    assert [e.ref for e in overlay.segments["ST"].elements] == ["143", "329", "1705"]
    assert len(overlay.segments["BEG"].elements) == 12  # BEG10-12 came after 004010
    assert strict.elements["127"] == ("AN", 1, 30)
    assert overlay.elements["127"] == ("AN", 1, 50)  # REF02: the wider length
    assert overlay.segment_ids() >= strict.segment_ids()


def test_code_lists_are_full_or_subset() -> None:
    from dataclasses import replace

    from crossdock.x12.specs.code_lists import FULL_LISTS
    from crossdock.x12.specs.dictionary import FULL_CODE_LISTS

    assert set(CODE_LISTS) >= FULL_LISTS and FULL_LISTS <= FULL_CODE_LISTS
    # acknowledgment codes are the standard's whole lists; qualifier lists are subsets
    assert {"ak9_ack", "ak5_ack", "ak3_error", "ak4_error"} <= FULL_LISTS
    assert not {"ref", "id_qual", "entity", "purpose", "uom"} & FULL_LISTS
    ack = spec_for("997", "004010")
    assert ack is not None
    rules = compile_spec(ack).segments["AK9"].rules
    assert rules[0][5] is not None and rules[0][9] is False  # AK901: full list, enforced
    # a list nobody declared full (an extension's, by default) is a subset
    undeclared = compile_spec(replace(ack, full_code_lists=frozenset())).segments["AK9"]
    assert undeclared.rules[0][9] is True
    po = spec_for("850", "004010")
    assert po is not None
    assert compile_spec(po).segments["REF"].rules[0][9] is True  # REF01: subset
