"""ISA decoding and segment splitting: the parts of the reader that find the delimiters."""

from __future__ import annotations

import io
import tracemalloc

import pytest

from crossdock.x12 import reader
from crossdock.x12.delimiters import NO_COMPONENT, parse_isa
from crossdock.x12.encoding import open_text
from crossdock.x12.events import Unreadable
from crossdock.x12.model import Issue, Severity, Transaction
from crossdock.x12.tokenizer import IsaToken, Tokenizer

FIXED = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240102*1200*U*00401*000000007*0*T*>~"


def tokens(text: str, chunk: int = 1 << 20, **kwargs: object) -> list[object]:
    return list(Tokenizer(open_text(text, chunk), **kwargs))  # type: ignore[arg-type]


def segments(text: str) -> list[str]:
    return [piece for t in tokens(text) if isinstance(t, list) for piece in t]


def test_fixed_width_isa() -> None:
    result = parse_isa(FIXED + "\nGS*", 0, lenient=True, at_eof=True)
    assert result is not None and result.header is not None
    assert result.issues == []
    assert result.end == 106 and result.suffix == "\n"
    header = result.header
    assert (header.authorization, header.sender_id, header.control_number, header.usage) == (
        "",
        "SENDER",
        "000000007",
        "T",
    )
    assert header.delimiters.component == ">"


def test_isa_needs_more_text_before_deciding() -> None:
    assert parse_isa(FIXED[:50], 0, lenient=True, at_eof=False) is None


def test_short_isa_is_scanned_with_warnings() -> None:
    short = "ISA*00**00**ZZ*SENDER*ZZ*RECEIVER*240102*1200*U*00401*000000007*0*T*>~GS*PO~"
    result = parse_isa(short, 0, lenient=True, at_eof=True)
    assert result is not None and result.header is not None
    assert result.header.delimiters.segment == "~"
    assert result.header.receiver_id == "RECEIVER"
    noted = {(i.code, i.element_position) for i in result.issues}
    assert ("022", None) in noted  # not fixed width
    assert {("011", 2), ("013", 4), ("006", 6), ("008", 8)} <= noted
    assert {i.severity for i in result.issues} == {Severity.WARNING}
    strict = parse_isa(short, 0, lenient=False, at_eof=True)
    assert strict is not None
    assert {i.severity for i in strict.issues} == {Severity.ERROR}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("ISAnothing to see here", "026"),  # no element separator
        ("ISA*00*short", "023"),  # ends before 16 elements
        (FIXED[:-2] + "**", "027"),  # ISA16 equal to the element separator
        (FIXED[:-1] + "A", "004"),  # alphanumeric terminator
    ],
)
def test_unusable_isa(text: str, code: str) -> None:
    result = parse_isa(text, 0, lenient=True, at_eof=True)
    assert result is not None and result.header is None
    assert [i.code for i in result.issues] == [code]


def test_missing_isa16_with_tilde_line_ends() -> None:
    isa15 = FIXED[:-2] + "~\n"  # 105 characters: ISA16 omitted, '~' then LF
    text = (
        isa15
        + "GS*PO*A*B*20240102*1200*1*X*004010~\nST*850*1~\nBEG*00\nSE*3*1~\nGE*1*1~\nIEA*1*000000007~"
    )
    parsed = reader.parse(text)
    delimiters = parsed[0].header.delimiters
    assert (delimiters.segment, delimiters.component) == ("\n", NO_COMPONENT)
    transaction = parsed[0].transactions[0]
    assert [s.tag for s in transaction.segments] == ["ST", "BEG", "SE"]
    assert [i.code for i in parsed.all_issues()] == ["027"]


def test_iea_or_isa_inside_data_is_not_a_boundary() -> None:
    text = (
        FIXED
        + "GS*PO*A*B*20240102*1200*1*X*004010~ST*850*1~REF*ZZ*IEA*ISA*x~SE*3*1~GE*1*1~IEA*1*000000007~"
    )
    parsed = reader.parse(text)
    assert parsed.all_issues() == []
    assert parsed[0].transactions[0].segments[1].elements == ["ZZ", "IEA", "ISA", "x"]


def test_clean_text_takes_the_fast_path_and_dirty_text_is_cleaned() -> None:
    clean = FIXED + "\nGS*PO~\nST*850*1~\n"
    assert segments(clean) == ["GS*PO", "ST*850*1"]
    dirty = FIXED + "\n  GS*PO~\r\n\tST*850*1~\n"
    assert segments(dirty) == ["GS*PO", "ST*850*1"]
    issues = [t for t in tokens(dirty) if isinstance(t, Issue)]
    assert [i.message for i in issues] == ["segments are indented with spaces or tabs"]


def test_wrapped_lines_are_joined() -> None:
    text = FIXED + "GS*PO*A*B*2024\n0102*1200*1*X*004010~"
    assert segments(text) == ["GS*PO*A*B*20240102*1200*1*X*004010"]
    assert any(isinstance(t, Issue) and "wrapped" in t.message for t in tokens(text))


def test_quirks_are_reported_once_per_interchange() -> None:
    one = FIXED + "\n\tGS*PO~\n\tGE*0*1~\n\tIEA*1*000000007~\n"
    found = [t for t in tokens(one + one) if isinstance(t, Issue)]
    assert len(found) == 2


def test_isa_token_carries_offset() -> None:
    found = [t for t in tokens("\n\n" + FIXED) if isinstance(t, IsaToken)]
    assert [t.offset for t in found] == [2]


def test_unterminated_segment_is_capped_and_skipped() -> None:
    text = FIXED + "GS*PO*" + "9" * 10_000 + "~ST*850*1~"
    found = tokens(text, chunk=256, max_segment=1000)
    pieces = [p for t in found if isinstance(t, list) for p in t]
    assert pieces == ["ST*850*1"]
    assert any(isinstance(t, Issue) and t.code == "004" for t in found)


class _Endless(io.RawIOBase):
    """A binary stream of ``size`` bytes of valid interchanges, produced on the fly."""

    def __init__(self, size: int) -> None:
        body = "".join(f"PO1*{i}*10*EA*1.50**VP*SKU{i}~\n" for i in range(1, 200))
        self._unit = (
            FIXED
            + "\nGS*PO*A*B*20240102*1200*1*X*004010~\nST*850*0001~\n"
            + body
            + "SE*201*0001~\nGE*1*1~\nIEA*1*000000007~\n"
        ).encode()
        self._left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._left <= 0:
            return 0
        n = min(len(buffer), len(self._unit), self._left)
        buffer[:n] = self._unit[:n]
        self._left -= n
        if n < len(self._unit):
            self._unit = self._unit[n:] + self._unit[:n]
        return n


def _peak_while_reading(size: int) -> tuple[int, int]:
    """(transactions read, peak traced bytes) for ``size`` bytes read in 64 KiB chunks."""
    stream = io.BufferedReader(_Endless(size), buffer_size=1 << 16)
    tracemalloc.start()
    try:
        events = reader.read(stream, chunk_size=1 << 16)  # type: ignore[arg-type]
        count = sum(1 for e in events if isinstance(e, Transaction))
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_bounded_on_a_large_stream() -> None:
    small_count, small_peak = _peak_while_reading(500_000)
    large_count, large_peak = _peak_while_reading(2_000_000)
    assert large_count >= 3 * small_count
    assert large_peak < 1_500_000, large_peak  # chunks and one transaction, not the input
    assert large_peak < small_peak * 1.5  # four times the input, about the same memory


def test_a_huge_segment_without_terminator_is_bounded() -> None:
    data = FIXED.encode() + b"GS*" + b"A" * 5_000_000
    tracemalloc.start()
    try:
        events = list(reader.read(data, chunk_size=1 << 16, max_segment=1 << 18))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4_000_000, peak
    assert any(
        isinstance(e, Unreadable) or "runs over" in str(getattr(e, "issues", "")) for e in events
    )


# Found by hypothesis (test_mutated_interchanges_read_the_same_in_any_chunk_size): a wrapped
# segment made the region around a doubled terminator take the slow path, which dropped the
# empty segment the fast path kept; with other chunk boundaries the fast path read it.
WRAPPED_THEN_EMPTY = (
    "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240102*1200*^*00501*000000001*0*P*>~\n"
    "GS*PO*SENDER*RECEIVER*20240102*1200*1*X*005010~\n"
    "ST*850*0001~\nBEG*00*SA*PO1**202401\nPO1*1*10*EA*1.5**VP*SKU~\nSE*3*0001~\n"
    "ST*850*0002~\n~\nSE*3*0002~\nGE*2*1~\nIEA*1*000000001~\n"
)


@pytest.mark.parametrize("chunk", [1, 3, 7, 64, 1 << 20])
def test_an_empty_segment_is_kept_whatever_the_chunk_size(chunk: int) -> None:
    sets = [
        e for e in reader.read(WRAPPED_THEN_EMPTY, chunk_size=chunk) if isinstance(e, Transaction)
    ]
    assert sets[1].raw == "ST*850*0002~\n~\nSE*3*0002~\n"  # as received
    assert [s.tag for s in sets[1].segments] == ["ST", "", "SE"]
    assert sets[1].issues == []  # SE01 counts the empty segment; the validator reports it


@pytest.mark.parametrize("between", ["~~", "~\n\n~", "~\n  \n~", "~\n// note\n~"])
def test_empty_segments_between_terminators_are_kept_in_dirty_text(between: str) -> None:
    text = FIXED + "\n  GS*PO" + between + "\nST*850*1~\n"
    assert segments(text) == ["GS*PO", "", "ST*850*1"]


@pytest.mark.parametrize("tail", ["", "\n", "\n\n", "\n// end\n"])
def test_blank_text_after_the_last_terminator_is_not_a_segment(tail: str) -> None:
    assert segments(FIXED + "\n  GS*PO~" + tail) == ["GS*PO"]


@pytest.mark.parametrize(
    "iea",
    [
        "IEA~",  # no elements
        "  IEA~",  # indented
        "IEA\n~",  # a line break before the terminator
        "I\nEA*1*000000007~",  # wrapped inside the tag
        "IEA\n*1*000000007~",  # wrapped after the tag
    ],
)
@pytest.mark.parametrize("chunk", [1, 5, 1 << 20])
def test_an_iea_ends_the_interchange_however_it_is_written(iea: str, chunk: int) -> None:
    text = FIXED + "\nGS*PO*A*B*20240102*1200*1*X*004010~\nGE*0*1~\n" + iea + "\nST*850*1~\n"
    events = list(reader.read(text, chunk_size=chunk))
    names = [type(e).__name__ for e in events]
    assert names == ["InterchangeStart", "GroupStart", "GroupEnd", "InterchangeEnd", "Unreadable"]
    assert isinstance(events[-1], Unreadable)
    assert "'ST*850*1~'" in events[-1].issues[0].message  # what followed IEA, not lost


VSCODE_SAMPLE = (  # shrunk from corpus 850_vscode_comments_NONSTD.x12
    "ISA*00*          *00*          *ZZ*DERICL         *ZZ*TEST01         *210517*0643*U*00401"
    "*000007080*0*P*>~// 2\nGS*PO*DERICL*TEST01*20210517*0643*7080*X*004010~// 4 // 4\n"
    "BEG*00*BK*0019-1234567-1234**20000130~REF*IA*3688063*VENDOR NAME~REF*2H*AD*Ad~// 7.1\n"
    "N1*BT*Example.com Accounts Payable~// 7.2\n// 9\nCTT*1*200~// 10\nSE*8*0001~// 11\n"
    "GE*1*7080~// 12\nIEA*1*000007080~// 13\n// 14\n// 15\n// 16\n//    17\n//18\n"
)


@pytest.mark.parametrize("chunk", [1, 5, 64, 1 << 20])
def test_comment_lines_after_the_last_iea_are_not_junk(chunk: int) -> None:
    # Line-numbering comments after IEA, as editors save samples. Text outside
    # interchanges was judged in pieces cut at any character, so the end of a comment line
    # ('8\n' of '//18\n') read as junk once the interchange ended at that IEA.
    events = list(reader.read(VSCODE_SAMPLE.encode(), chunk_size=chunk))
    assert [type(e).__name__ for e in events][-1] == "InterchangeEnd"
