"""Every real sample in the shared corpus reads without exceptions, with exactly these findings.

Each expectation is (level, X12 code, severity, a word of the message); one comment per file
says why the finding is right (see ../shared/corpus/SOURCES.md for each file's provenance).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from crossdock.x12 import reader
from crossdock.x12.model import Issue

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus" / "x12"

IC, G, T = "interchange", "group", "transaction"
E, W = "error", "warning"
BOM = (IC, "024", W, "byte order mark")
INDENT = (IC, "024", W, "indented")
UNTERMINATED = (IC, "004", W, "has no terminator")
CR_TERMINATOR = (IC, "004", W, "bare CR")

Expected = tuple[list[list[int]], int, list[tuple[str, str, str, str]]]

EXPECTED: dict[str, Expected] = {
    # SE01 says 41 but ST..SE holds 38 segments.
    "204_indice_mgctlyst_SE01_INVALID.edi": ([[1]], 0, [(T, "4", E, "SE01 '41' but 38")]),
    # The first 210's SE01 is 46 while 48 segments are counted; the other four are right.
    "210_omniparser_ups_pipe_term_5st.txt": ([[5]], 0, [(T, "4", E, "SE01 '46' but 48")]),
    # Version 00403 makes ISA11 the repetition separator, and 'U' cannot be one.
    "214_indice_mgctlyst.edi": ([[1]], 0, [(IC, "016", W, "ISA11 'U'")]),
    # Zero-padded counts (SE01 '000019'-style) are numbers like any other: no finding.
    "214_omniparser_canadapost_19st.txt": ([[19]], 0, []),
    # U+2026 terminator: read as one character, reported as non-ASCII.
    "214_staedi_ellipsis_term_NONSTD.edi": ([[1]], 0, [(IC, "004", W, "not a single-byte")]),
    # BOM, an 81-character ISA (scanned, ISA02/04/08 unpadded) and tab indentation.
    "810_indice_bom_tabs_NONSTD.edi": (
        [[1]],
        0,
        [
            BOM,
            (IC, "022", W, "not fixed width"),
            (IC, "011", W, "ISA02"),
            (IC, "013", W, "ISA04"),
            (IC, "008", W, "ISA08"),
            INDENT,
        ],
    ),
    # CR is the terminator (LF follows as suffix), BOM, indentation, final IEA unterminated.
    "810_oop_walmart_cr_term.txt": ([[1]], 0, [BOM, CR_TERMINATOR, INDENT, UNTERMINATED]),
    "810_staedi_mixed_810x2_850_2gs.edi": ([[2, 1]], 0, []),
    # ISA11 is blank in a 00401 interchange, where it must be 'U'.
    "846_oop_tilde_brace.txt": ([[1]], 0, [BOM, (IC, "016", W, "should be 'U'"), INDENT]),
    # DEL element separator and NAK terminator are legal control-character delimiters.
    "850_bots_DEL_NAK_delims_4st.x12": ([[4]], 0, []),
    # EBCDIC (NEL terminator, records padded with spaces after it).
    "850_bots_ebcdic.x12": (
        [[1]],
        0,
        [(IC, "024", W, "EBCDIC"), (IC, "004", W, "not a single-byte"), INDENT],
    ),
    "850_bots_pipe_elemsep_4st.x12": ([[4]], 0, []),
    # Its errors are syntax notes inside the 850: the validator's job, not the envelope's.
    "850_edieng_syntaxnotes_INVALID.edi": ([[1]], 0, []),
    # ISA16 missing: '~' sits in its slot, LF is the terminator (SE01 87 agrees). Read so the
    # content is kept, but a mandatory ISA element is missing: an error (TA1 R 027).
    "850_indice_2st_isa16missing_INVALID.edi": (
        [[2]],
        0,
        [(IC, "027", E, "ISA16 is missing")],
    ),
    # NBSP padding makes the ISA 102 characters; IEA02 names another interchange.
    "850_indice_bom_nbsp_tabs_NONSTD.edi": (
        [[1]],
        0,
        [
            BOM,
            (IC, "022", W, "not fixed width"),
            (IC, "011", W, "ISA02"),
            (IC, "013", W, "ISA04"),
            (IC, "006", W, "ISA06"),
            (IC, "008", W, "ISA08"),
            INDENT,
            (IC, "001", E, "IEA02 '000000001'"),
        ],
    ),
    "850_nodex12_vics.edi": ([[1]], 0, []),
    # '|' terminator with CRLF and indentation added by OopFactory.
    "850_oop_pgwglass_pipe_term.txt": ([[1]], 0, [BOM, INDENT]),
    # '//' comment lines before, between and after segments.
    "850_vscode_comments_NONSTD.x12": ([[1]], 0, [(IC, "024", W, "comment")]),
    "850_x12types_4010.edi": ([[1]], 0, []),
    "855_nodex12.edi": ([[1]], 0, []),
    "855_staedi_2st_caret_comp.edi": ([[2]], 0, []),
    "856_bots_plus_apos_delims_2st.x12": ([[2]], 0, []),
    "856_edieng_crossdock.edi": ([[1]], 0, []),
    # 00406 with '-' as repetition separator: legal.
    "856_nodex12_00406.edi": ([[1]], 0, []),
    "856_oop_tilde_elem_star_term.txt": ([[1]], 0, [BOM, INDENT]),
    # IEA02 '3438' is ISA13 '000003438' unpadded: a warning, in both interchanges; the file
    # ends without a final terminator.
    "940_edieng_2isa_4gs_6st.edi": (
        [[2, 1], [2, 1]],
        0,
        [(IC, "001", W, "IEA02 '3438'"), UNTERMINATED, (IC, "001", W, "IEA02 '3439'")],
    ),
    # All three trailers echo the wrong control number.
    "940_edieng_control_mismatch_INVALID.edi": (
        [[1]],
        0,
        [(IC, "001", E, "IEA02"), (G, "4", E, "GE02 '3315'"), (T, "3", E, "SE02 '0002'")],
    ),
    "940_edieng_ok.edi": ([[1]], 0, [UNTERMINATED]),
    # GE02/IEA02 both say 940001777; BOM, CR terminator, indentation, no final terminator.
    "940_oop_simplot_INVALID_ctrl.txt": (
        [[1]],
        0,
        [
            BOM,
            CR_TERMINATOR,
            INDENT,
            UNTERMINATED,
            (IC, "001", E, "IEA02 '940001777'"),
            (G, "4", E, "GE02 '940001777'"),
        ],
    ),
    # GS has 10 elements, so GS06 reads as '20021104' and GE02 '31' cannot match it;
    # 00501 with 'U' in ISA11.
    "945_oop_interamerican_MALFORMED.txt": (
        [[1]],
        0,
        [
            BOM,
            (IC, "016", W, "ISA11 'U'"),
            INDENT,
            (IC, "024", E, "10 elements"),
            (G, "4", E, "GE02 '31'"),
        ],
    ),
    "990_indice_mgctlyst.edi": ([[1]], 0, []),
    "997_bots_nak_term.x12": ([[1]], 0, []),
    "997_staedi_3isa.edi": ([[1], [1], [1]], 0, []),
    "997_staedi_5010.edi": ([[1]], 0, []),
    # Bad code values inside the 997 are for the validator.
    "997_staedi_bad_codes_INVALID.edi": ([[1]], 0, []),
    "mixed_vscode_850_864_2gs.x12": ([[2, 1]], 0, []),
    # Not X12: one Unreadable, with the 'ISAa...' false start explained.
    "notedi_edieng_garbage_INVALID.edi": (
        [],
        1,
        [(IC, "024", E, "not X12"), (IC, "026", E, "not followed by an element separator")],
    ),
}


def _corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not available at {CORPUS}")
    return CORPUS


def _matches(issue: Issue, expected: tuple[str, str, str, str]) -> bool:
    level, code, severity, needle = expected
    return (
        issue.level.value == level
        and issue.code == code
        and issue.severity.value == severity
        and needle in issue.message
    )


def test_every_corpus_file_has_an_expectation() -> None:
    names = {p.name for p in _corpus().iterdir() if p.is_file()}
    assert names == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file(name: str) -> None:
    path = _corpus() / name
    if not path.exists():
        pytest.skip(f"{name} not in the corpus")
    shape, unreadable, expected = EXPECTED[name]
    parsed = reader.parse(path)
    assert [[len(g.transactions) for g in i.groups] for i in parsed] == shape
    assert len(parsed.unreadable) == unreadable
    issues = parsed.all_issues()
    unmatched = list(issues)
    for wanted in expected:
        hit = next((i for i in unmatched if _matches(i, wanted)), None)
        assert hit is not None, f"missing {wanted} in {[str(i) for i in issues]}"
        unmatched.remove(hit)
    assert unmatched == [], f"unexpected: {[str(i) for i in unmatched]}"
    assert Counter(i.code for i in issues) == Counter(e[1] for e in expected)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file_strict_mode_turns_warnings_into_errors(name: str) -> None:
    path = _corpus() / name
    if not path.exists():
        pytest.skip(f"{name} not in the corpus")
    lenient = reader.parse(path).all_issues()
    strict = reader.parse(path, lenient=False).all_issues()
    assert [(i.code, i.message) for i in strict] == [(i.code, i.message) for i in lenient]
    assert all(i.severity.value == "error" for i in strict)


def test_corpus_bytes_and_stream_sources_agree() -> None:
    path = _corpus() / "810_staedi_mixed_810x2_850_2gs.edi"
    from_path = [t.raw for t in reader.read_transactions(path)]
    with path.open("rb") as handle:
        from_stream = [t.raw for t in reader.read_transactions(handle)]
    from_text = [t.raw for t in reader.read_transactions(path.read_text())]
    assert from_path == from_stream == from_text
    assert [t.code for t in reader.read_transactions(path)] == ["810", "810", "850"]


def test_corpus_small_chunks_give_the_same_events() -> None:
    """Chunk boundaries must not matter, even mid-terminator or mid-ISA."""
    for path in sorted(_corpus().iterdir()):
        whole = reader.parse(path)
        data = path.read_bytes()
        chunked = list(reader.read(data, chunk_size=7))
        transactions = [e for e in chunked if isinstance(e, reader.Transaction)]
        expected = [t for i in whole for t in i.transactions]
        assert [t.raw for t in transactions] == [t.raw for t in expected], path.name
        assert [[s.elements for s in t.segments] for t in transactions] == [
            [s.elements for s in t.segments] for t in expected
        ], path.name
