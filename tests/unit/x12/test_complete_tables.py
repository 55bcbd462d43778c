"""The complete segment tables: standard segments the maps do not read validate, misuse does not.

Fixtures: tests/fixtures/x12/tables/ (see its README). Each ``NNN_full.edi`` is the golden
``tests/fixtures/x12/NNN.edi`` plus segments and loops of the standard's table that the old,
partial tables refused (the 850's SLN subline loop with its PID under PO1, SPI, LDT ...).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crossdock.x12.codes import SegmentError
from crossdock.x12.model import Severity, Transaction
from crossdock.x12.reader import read_transactions
from crossdock.x12.spec_model import SegmentUse, parse_structure
from crossdock.x12.specs import spec_for, supported_codes
from crossdock.x12.validator import validate

TABLES = Path(__file__).resolve().parents[2] / "fixtures" / "x12" / "tables"
SETS = ("850", "855", "856", "810", "940", "945", "944", "846", "214")


def as_version(text: str, version: str) -> str:
    """The fixture (written in 004010) re-enveloped as ``version`` (ISA12, ISA11, GS08)."""
    if version == "004010":
        return text
    return text.replace("*U*00401*", "*^*00501*").replace("*X*004010~", "*X*005010~")


def transaction(text: str) -> Transaction:
    found = list(read_transactions(text))
    assert len(found) == 1
    return found[0]


def errors(tx: Transaction) -> list[tuple[str, str | None, int | None]]:
    result = validate(tx)
    return [
        (i.code, i.segment_id, i.segment_position)
        for i in result.issues
        if i.severity is Severity.ERROR
    ]


@pytest.mark.parametrize("version", ["004010", "005010"])
@pytest.mark.parametrize("code", SETS)
def test_standard_segments_validate_clean(code: str, version: str) -> None:
    text = as_version((TABLES / f"{code}_full.edi").read_text(), version)
    tx = transaction(text)
    assert tx.group.version == version

    result = validate(tx)

    assert [str(i) for i in result.issues if i.severity is Severity.ERROR] == []
    assert result.accepted


@pytest.mark.parametrize("code", SETS)
def test_the_old_tables_would_have_refused_the_fixture(code: str) -> None:
    """Each fixture really uses segments beyond what the golden file shows."""
    golden = {
        line.split("*")[0]
        for line in (TABLES.parent / f"{code}.edi").read_text().splitlines()
        if line
    }
    full = {line.split("*")[0] for line in (TABLES / f"{code}_full.edi").read_text().splitlines()}
    assert full - golden


@pytest.mark.parametrize("version", ["004010", "005010"])
def test_segment_in_the_wrong_position_is_still_an_error(version: str) -> None:
    # A PO1-level REF after the SLN subline loop: REF comes before SLN in the PO1 loop and the
    # SLN loop has none, so it is out of sequence (AK304/IK304 7).
    text = as_version((TABLES / "850_full.edi").read_text(), version)
    text = text.replace("DTM*002*20241125~", "DTM*002*20241125~\nREF*ZZ*LATE~").replace(
        "SE*49*0001~", "SE*50*0001~"
    )
    tx = transaction(text)
    position = next(s.position for s in tx.segments if s.tag == "REF" and s.elements[1] == "LATE")

    assert errors(tx) == [(SegmentError.OUT_OF_SEQUENCE, "REF", position)]


@pytest.mark.parametrize("version", ["004010", "005010"])
def test_loop_over_its_maximum_is_still_an_error(version: str) -> None:
    # The 810 heading N9 loop may occur once (AK304/IK304 4 on the second N9).
    text = as_version((TABLES / "810_full.edi").read_text(), version)
    extra = "N9*L1*A~\nMSG*first~\nN9*L1*B~\nMSG*second~\n"
    body = text.replace(
        "FOB*PP~\nPKG*F*68***Shrink wrapped~\n", "FOB*PP~\nPKG*F*68***Shrink wrapped~\n" + extra
    )
    assert body != text
    count = next(line for line in body.splitlines() if line.startswith("SE*"))
    number = int(count.split("*")[1])
    body = body.replace(count, f"SE*{number + 4}*0001~")
    tx = transaction(body)
    second = [s.position for s in tx.segments if s.tag == "N9"][1]

    assert errors(tx) == [(SegmentError.LOOP_OVER_MAXIMUM, "N9", second)]


def test_segment_line_mark_parses_into_mapped() -> None:
    root = parse_structure("ST M 1\nBEG M 1 *\n[PO1 >1 M]\n  PO1 M 1 *\n  SLN O 5\nSE M 1\n", "850")
    beg = root.children[1]
    assert isinstance(beg, SegmentUse)
    assert (beg.id, beg.usage, beg.max_use, beg.mapped) == ("BEG", "M", 1, True)
    loop = root.children[2]
    assert not isinstance(loop, SegmentUse)
    sln = loop.children[1]
    assert isinstance(sln, SegmentUse) and sln.mapped is False


def test_a_malformed_mark_is_refused() -> None:
    with pytest.raises(ValueError, match="bad structure line"):
        parse_structure("ST M 1\nBEG M 1 x\nSE M 1\n", "850")


@pytest.mark.parametrize(
    ("code", "added"),
    [
        ("850", {"EFI", "IN2"}),
        ("855", {"EFI", "IN2"}),
        ("856", {"AT9"}),
        ("810", set()),
        ("940", {"AT9"}),
        ("945", set()),
        ("944", set()),
        ("214", {"M7", "OID"}),
    ],
)
def test_005010_uses_its_own_structure_where_the_set_has_one(code: str, added: set[str]) -> None:
    spec_4010, spec_5010 = spec_for(code, "004010"), spec_for(code, "005010")
    assert spec_4010 is not None and spec_5010 is not None
    assert added <= spec_5010.segment_ids() - spec_4010.segment_ids()
    assert spec_5010.structure != spec_4010.structure


def test_every_table_segment_is_in_the_dictionary() -> None:
    for code in supported_codes():
        for version in ("004010", "005010"):
            spec = spec_for(code, version)
            assert spec is not None
            assert spec.segment_ids() <= set(spec.segments), (code, version)


def test_permissive_table_entries_are_defaults_beside_the_exact_ones() -> None:
    """They fill in ids no exact table defines, so a family extension spelling one wins."""
    from crossdock.x12.specs import dictionary, elements, segments, table_segments

    assert not set(table_segments.TABLE_SEGMENTS) & set(segments.SEGMENTS_4010)
    assert not set(elements.TABLE_ELEMENTS) & set(elements.ELEMENTS_4010)
    extended = {k for m in dictionary.EXTENSIONS for k in getattr(m, "SEGMENTS_4010", {})}
    for seg_id, entry in table_segments.TABLE_SEGMENTS.items():
        if seg_id not in extended:
            assert dictionary.SEGMENTS_4010[seg_id] == entry
