"""Every real sample of a covered set validates clean, or with exactly the errors listed here.

Samples are read in place from ../shared/corpus/x12 (never copied into the repository); each
listed finding says what a real translator would report for that sample's quirk.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crossdock.x12.model import Severity
from crossdock.x12.specs import supported_codes
from crossdock.x12.validator import validate

try:
    from crossdock.x12.reader import read_transactions
except ImportError:  # pragma: no cover - the reader is written concurrently
    read_transactions = None  # type: ignore[assignment]

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus" / "x12"

pytestmark = [
    pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not present at {CORPUS}"),
    pytest.mark.skipif(read_transactions is None, reason="crossdock.x12.reader not available yet"),
]

Finding = tuple[str, str, int | None, str | None, int | None]  # level, code, seg pos, id, elem


def _n1_without_name(position: int) -> list[Finding]:
    # 'N1*ST*' carries neither a name nor an id: N1 syntax note R0203 (code 2 on N102)
    return [("segment", "8", position, "N1", None), ("element", "2", position, "N1", 2)]


def _lin_xx(*positions: int) -> list[Finding]:
    # LIN08 'XX' is a placeholder, not a product/service id qualifier (element 235, code 7)
    out: list[Finding] = []
    for position in positions:
        out += [("segment", "8", position, "LIN", None), ("element", "7", position, "LIN", 8)]
    return out


# (file, ordinal of the transaction in the file) -> the errors a translator reports
EXPECTED: dict[tuple[str, int], list[Finding]] = {
    **{
        ("214_omniparser_canadapost_19st.txt", n): _n1_without_name(6)
        for n in (2, 8, 9, 10, 11, 12, 13, 17)
    },
    # Walmart's example puts ISS before TDS; the 004010 810 summary is TDS, CAD, ISS loop, CTT,
    # so ISS opens the summary ISS loop (TDS reported missing there) and TDS/CAD come too late.
    ("810_oop_walmart_cr_term.txt", 0): [
        ("segment", "3", 16, "TDS", None),
        ("segment", "7", 17, "TDS", None),
        ("segment", "7", 18, "CAD", None),
    ],
    # 003010 850: 'N1*ST*CARGO LIMITED #112*92' has an id qualifier without the id (P0304)
    ("810_staedi_mixed_810x2_850_2gs.edi", 2): [
        ("segment", "8", 9, "N1", None),
        ("element", "2", 9, "N1", 4),
    ],
    # built to fail: PO1 qualifier without id (P0607); PO4 weight qualifier without weight
    # (C0506) and weight unit without weight (P0607) - the three errors EdiEngine reports
    ("850_edieng_syntaxnotes_INVALID.edi", 0): [
        ("segment", "8", 13, "PO1", None),
        ("element", "2", 13, "PO1", 7),
        ("segment", "8", 30, "PO4", None),
        ("element", "2", 30, "PO4", 6),
        ("element", "2", 30, "PO4", 6),
    ],
    # B103 (the response date) is mandatory in the 004010 B1; this carrier leaves it empty.
    ("990_indice_mgctlyst.edi", 0): [("segment", "8", 2, "B1", None), ("element", "1", 2, "B1", 3)],
    # AT805 (a second lading quantity) without AT806: the base AT8 table's C0506 note. (The
    # SE01 count is the reader's finding, not the validator's.)
    ("204_indice_mgctlyst_SE01_INVALID.edi", 0): [
        finding
        for position in (17, 22, 31, 36)
        for finding in [
            ("segment", "8", position, "AT8", None),
            ("element", "2", position, "AT8", 6),
        ]
    ],
    # UPS: 'N9*VR*' carries neither N902 nor N903 (R0203).
    ("210_omniparser_ups_pipe_term_5st.txt", 4): [
        ("segment", "8", 410, "N9", None),
        ("element", "2", 410, "N9", 2),
    ],
    # N402 'State' is a placeholder, not a 2-letter state code (element 156 is ID 2/2)
    ("850_indice_bom_nbsp_tabs_NONSTD.edi", 0): [
        ("segment", "8", 22, "N4", None),
        ("element", "5", 22, "N4", 2),
    ],
    # editor test file: an 850 with no PO1 line at all (the PO1 loop is mandatory in 004010)
    ("850_vscode_comments_NONSTD.x12", 0): [("segment", "3", 7, "PO1", None)],
    ("mixed_vscode_850_864_2gs.x12", 0): [("segment", "3", 3, "PO1", None)],
    ("mixed_vscode_850_864_2gs.x12", 2): [("segment", "3", 3, "PO1", None)],
    # REF01 'ZZZ' is not a reference qualifier ('ZZ' is mutually defined)
    ("855_nodex12.edi", 0): [("segment", "8", 4, "REF", None), ("element", "7", 4, "REF", 1)],
    ("856_bots_plus_apos_delims_2st.x12", 0): _lin_xx(27, 33, 41, 47, 51, 59),
    ("856_bots_plus_apos_delims_2st.x12", 1): _lin_xx(11, 17),
    # malformed GS (10 elements) leaves '21' where GS08 should be: no version to validate by
    ("945_oop_interamerican_MALFORMED.txt", 0): [("transaction", "1", None, None, None)],
    # built to fail: AK101 'HC NOT IN CODESET' (too long, not a code), AK402 '66 NON NUMERIC'
    # (not numeric, too long) - what staedi reports for this file
    ("997_staedi_bad_codes_INVALID.edi", 0): [
        ("segment", "8", 2, "AK1", None),
        ("element", "5", 2, "AK1", 1),
        ("element", "7", 2, "AK1", 1),
        ("segment", "8", 5, "AK4", None),
        ("element", "6", 5, "AK4", 2),
        ("element", "5", 5, "AK4", 2),
    ],
}


def _samples() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.iterdir() if p.is_file() and p.name != "SOURCES.md")


@pytest.mark.parametrize("path", _samples(), ids=lambda p: p.name)
def test_corpus_sample_validates_as_expected(path: Path) -> None:
    assert read_transactions is not None
    covered = set(supported_codes())
    seen = 0
    for ordinal, transaction in enumerate(read_transactions(path)):
        if transaction.code not in covered:
            continue
        seen += 1
        result = validate(transaction)
        errors = [
            (i.level.value, i.code, i.segment_position, i.segment_id, i.element_position)
            for i in result.issues
            if i.severity is Severity.ERROR
        ]
        expected = EXPECTED.get((path.name, ordinal), [])
        assert errors == expected, f"{path.name} #{ordinal}: {[str(i) for i in result.issues]}"
        assert result.accepted == (not expected)
    if seen == 0:
        pytest.skip(f"{path.name}: no transaction set this validator covers")


def test_expected_entries_all_exist() -> None:
    """Guards the table above against typos in file names."""
    names = {p.name for p in _samples()}
    assert {name for name, _ in EXPECTED} <= names


def test_syntax_notes_sample_is_rejected_with_the_note_codes() -> None:
    assert read_transactions is not None
    (transaction,) = read_transactions(CORPUS / "850_edieng_syntaxnotes_INVALID.edi")
    result = validate(transaction)
    assert not result.accepted
    notes = [i.message.split(":")[0] for i in result.issues if i.level.value == "element"]
    assert notes == ["syntax note P0607", "syntax note C0506", "syntax note P0607"]
    assert {i.transaction_control for i in result.issues} == {"000000010"}
    assert {i.group_control for i in result.issues} == {"1421"}
