"""The streaming reader on small inline interchanges: events, envelopes and their findings."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from crossdock.x12 import reader
from crossdock.x12.events import (
    GroupEnd,
    GroupStart,
    InterchangeEnd,
    InterchangeStart,
    Unreadable,
)
from crossdock.x12.model import Issue, IssueLevel, Severity, Transaction


def isa(
    control: str = "000000001",
    *,
    version: str = "00401",
    standards: str = "U",
    e: str = "*",
    comp: str = ">",
    term: str = "~",
) -> str:
    """A fixed-width ISA (106 characters with its terminator)."""
    fields = ["ISA", "00", " " * 10, "00", " " * 10, "ZZ", "SENDER".ljust(15), "ZZ"]
    fields += ["RECEIVER".ljust(15), "240102", "1200", standards, version, control, "0", "P"]
    text = e.join(fields) + e + comp + term
    assert len(text) == 106
    return text


def po(
    control: str = "0001", *, lines: int = 2, count: int | None = None, se: str | None = None
) -> list[str]:
    body = [f"ST*850*{control}", "BEG*00*SA*PO1**20240102"]
    body += [f"PO1*{i}*10*EA*1.50**VP*SKU{i}" for i in range(1, lines + 1)]
    body.append(f"CTT*{lines}")
    body.append(f"SE*{count if count is not None else len(body) + 1}*{se or control}")
    return body


def interchange(*groups: list[str], control: str = "000000001", iea: str | None = None) -> str:
    segments = [isa(control)[:-1]]
    for number, body in enumerate(groups, 1):
        count = sum(1 for s in body if s.startswith("ST*"))
        segments += [f"GS*PO*SENDER*RECEIVER*20240102*1200*{number}*X*004010", *body]
        segments.append(f"GE*{count}*{number}")
    segments.append(iea or f"IEA*{len(groups)}*{control}")
    return "~\n".join(segments) + "~\n"


def issues_of(events: list[reader.Event]) -> list[Issue]:
    found: list[Issue] = []
    for event in events:
        if isinstance(event, Transaction | GroupEnd | InterchangeEnd | Unreadable):
            found.extend(event.issues)
    return found


def codes(events: list[reader.Event]) -> list[tuple[str, str, str]]:
    return [(i.level.value, i.code, i.severity.value) for i in issues_of(events)]


def test_events_come_in_document_order() -> None:
    text = interchange(po("0001") + po("0002"), po("0003"))
    events = list(reader.read(text))
    kinds = [type(e).__name__ for e in events]
    assert kinds == [
        "InterchangeStart",
        "GroupStart",
        "Transaction",
        "Transaction",
        "GroupEnd",
        "GroupStart",
        "Transaction",
        "GroupEnd",
        "InterchangeEnd",
    ]
    assert codes(events) == []
    first = events[2]
    assert isinstance(first, Transaction)
    assert (first.code, first.control_number, first.group.control_number) == ("850", "0001", "1")
    assert [s.tag for s in first.segments] == ["ST", "BEG", "PO1", "PO1", "CTT", "SE"]
    assert [s.position for s in first.segments] == [1, 2, 3, 4, 5, 6]
    assert first.segments[2].elements == ["1", "10", "EA", "1.50", "", "VP", "SKU1"]
    assert first.raw == "~\n".join(po("0001")) + "~\n"
    end = events[-1]
    assert isinstance(end, InterchangeEnd) and end.group_count == 2
    group_end = events[4]
    assert isinstance(group_end, GroupEnd) and group_end.transaction_count == 2


def test_header_values_are_named_and_unpadded() -> None:
    start = next(reader.read(interchange(po())))
    assert isinstance(start, InterchangeStart)
    header = start.header
    assert (header.sender_qualifier, header.sender_id, header.receiver_id) == (
        "ZZ",
        "SENDER",
        "RECEIVER",
    )
    assert (header.version, header.control_number, header.usage) == ("00401", "000000001", "P")
    delimiters = header.delimiters
    assert (delimiters.element, delimiters.component, delimiters.segment) == ("*", ">", "~")
    assert delimiters.repetition is None  # before 00402 ISA11 is the standards id
    assert delimiters.suffix == "\n"


def test_repetition_separator_from_isa11_in_00402_and_later() -> None:
    text = (
        isa(version="00501", standards="^")
        + "GS*PO*A*B*20240102*1200*1*X*005010~"
        + "ST*850*1~SE*2*1~GE*1*1~IEA*1*000000001~"
    )
    parsed = reader.parse(text)
    assert parsed[0].header.delimiters.repetition == "^"
    assert parsed.all_issues() == []


def test_line_feed_as_the_only_terminator() -> None:
    text = (
        isa(term="\n")
        + "GS*PO*A*B*20240102*1200*1*X*004010\nST*850*1\nBEG*00\nSE*3*1\nGE*1*1\nIEA*1*000000001\n"
    )
    parsed = reader.parse(text)
    assert parsed[0].header.delimiters.segment == "\n"
    assert [s.tag for s in parsed[0].transactions[0].segments] == ["ST", "BEG", "SE"]
    assert parsed.all_issues() == []


def test_interchanges_with_different_delimiters_in_one_file() -> None:
    first = interchange(po("0001"))
    second = (
        isa("000000002", e="|", comp="<", term="!")
        + "GS|PO|A|B|20240102|1200|7|X|004010!ST|850|9!BEG|00!SE|3|9!GE|1|7!IEA|1|000000002!"
    )
    parsed = reader.parse(first + "\r\n" + second)
    assert [i.header.delimiters.element for i in parsed] == ["*", "|"]
    assert [t.control_number for i in parsed for t in i.transactions] == ["0001", "9"]
    assert parsed.all_issues() == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (po(count=99), [("transaction", "4", "error")]),
        (po(se="0002"), [("transaction", "3", "error")]),
        (po(se="1"), [("transaction", "3", "warning")]),  # '1' vs '0001': same number
    ],
)
def test_transaction_trailer_checks(body: list[str], expected: list[tuple[str, str, str]]) -> None:
    events = list(reader.read(interchange(body)))
    assert codes(events) == expected
    transaction = next(e for e in events if isinstance(e, Transaction))
    issue = transaction.issues[0]
    assert (issue.interchange_control, issue.group_control) == ("000000001", "1")
    assert (issue.transaction_code, issue.transaction_control, issue.segment_id) == (
        "850",
        "0001",
        "SE",
    )
    assert issue.segment_position == len(body)


def test_group_and_interchange_trailer_checks() -> None:
    text = (
        interchange(po())
        .replace("GE*1*1~", "GE*2*5~")
        .replace("IEA*1*000000001~", "IEA*3*000000009~")
    )
    events = list(reader.read(text))
    assert sorted(codes(events)) == [
        ("group", "4", "error"),
        ("group", "5", "error"),
        ("interchange", "001", "error"),
        ("interchange", "021", "error"),
    ]
    ge_issue = next(i for i in issues_of(events) if i.code == "5")
    assert (ge_issue.segment_id, ge_issue.element_position, ge_issue.bad_value) == ("GE", 1, "2")
    assert ge_issue.segment_position == 3 + len(po())  # ISA=1, GS=2, ST..SE, then GE


def test_unpadded_iea02_is_a_warning_when_lenient_and_an_error_when_strict() -> None:
    text = interchange(po(), control="000003438", iea="IEA*1*3438")
    assert codes(list(reader.read(text))) == [("interchange", "001", "warning")]
    assert codes(list(reader.read(text, lenient=False))) == [("interchange", "001", "error")]


def test_truncated_file_reports_every_missing_trailer() -> None:
    text = interchange(po(lines=3))
    truncated = text[: text.index("PO1*3")]
    events = list(reader.read(truncated))
    assert [type(e).__name__ for e in events][-3:] == ["Transaction", "GroupEnd", "InterchangeEnd"]
    assert codes(events) == [
        ("transaction", "2", "error"),
        ("group", "3", "error"),
        ("interchange", "023", "error"),
    ]
    transaction = next(e for e in events if isinstance(e, Transaction))
    assert [s.tag for s in transaction.segments] == ["ST", "BEG", "PO1", "PO1"]


def test_next_isa_before_iea_closes_the_open_interchange() -> None:
    first = interchange(po()).split("GE*")[0]
    second = interchange(po("0002"), control="000000002")
    events = list(reader.read(first + second))
    assert [type(e).__name__ for e in events].count("InterchangeStart") == 2
    assert ("interchange", "023", "error") in codes(events)
    assert ("group", "3", "error") in codes(events)


def test_segments_outside_transaction_sets_are_reported() -> None:
    text = interchange(po()).replace("GS*PO", "ZZZ*1~\nGS*PO", 1)
    events = list(reader.read(text))
    [issue] = issues_of(events)
    assert (issue.level, issue.code, issue.segment_id, issue.segment_position) == (
        IssueLevel.INTERCHANGE,
        "022",
        "ZZZ",
        2,
    )


def test_st_without_gs_is_read_in_an_empty_group() -> None:
    text = isa() + "\nST*850*1~BEG*00~SE*3*1~IEA*0*000000001~"
    events = list(reader.read(text))
    transaction = next(e for e in events if isinstance(e, Transaction))
    assert transaction.group.control_number == ""
    assert ("interchange", "022", "error") in codes(events)


@pytest.mark.parametrize("text", ["", "   \r\n\t"])
def test_empty_input_is_unreadable(text: str) -> None:
    [event] = list(reader.read(text))
    assert isinstance(event, Unreadable)
    assert event.issues[0].code == "023"


def test_garbage_is_unreadable_with_its_offset() -> None:
    events = list(reader.read(b"hello\x00\xff world ISA nonsense"))
    [event] = events
    assert isinstance(event, Unreadable) and event.offset == 0
    assert {i.code for i in event.issues} == {"024", "026"}


def test_junk_between_interchanges_is_one_unreadable_stretch() -> None:
    first = interchange(po())
    text = first + "THIS IS NOT EDI\n" + interchange(po("0002"), control="000000002")
    events = list(reader.read(text))
    [junk] = [e for e in events if isinstance(e, Unreadable)]
    assert junk.offset == len(first)
    assert len([e for e in events if isinstance(e, Transaction)]) == 2


def test_bom_and_latin1_are_decoded_with_warnings() -> None:
    text = interchange(["ST*850*0001", "N1*ST*CAFÉ MÜLLER", "SE*3*0001"])
    data = b"\xef\xbb\xbf" + text.encode("latin-1")
    parsed = reader.parse(data)
    segment = parsed[0].transactions[0].segments[1]
    assert segment.elements == ["ST", "CAFÉ MÜLLER"]
    messages = [i.message for i in parsed.all_issues()]
    assert any("byte order mark" in m for m in messages)
    assert any("Latin-1" in m for m in messages)
    assert all(i.severity is Severity.WARNING for i in parsed.all_issues())


def test_utf8_multibyte_values_survive_chunk_boundaries() -> None:
    text = interchange(["ST*850*0001", "N1*ST*" + "Ü" * 50, "SE*3*0001"])
    for size in (1, 2, 3, 5):
        parsed = reader.parse(io.BytesIO(text.encode()))
        events = list(reader.read(text.encode(), chunk_size=size))
        transaction = next(e for e in events if isinstance(e, Transaction))
        assert transaction.segments[1].elements[1] == "Ü" * 50
        assert transaction.raw == parsed[0].transactions[0].raw


def test_ebcdic_input_is_detected() -> None:
    text = interchange(po())
    parsed = reader.parse(text.encode("cp037"))
    assert parsed[0].transactions[0].segments[1].elements == ["00", "SA", "PO1", "", "20240102"]
    assert any("EBCDIC" in i.message for i in parsed.all_issues())


def test_indentation_and_comments_are_warnings_when_lenient() -> None:
    text = "// header comment\n" + interchange(po()).replace("\nBEG", "\n\t  BEG").replace(
        "\nCTT", "\n// note\nCTT"
    )
    lenient = reader.parse(text)
    assert [s.tag for s in lenient[0].transactions[0].segments] == [
        "ST",
        "BEG",
        "PO1",
        "PO1",
        "CTT",
        "SE",
    ]
    assert {i.severity for i in lenient.all_issues()} == {Severity.WARNING}
    assert any("comment" in i.message for i in lenient.all_issues())
    assert any("indented" in i.message for i in lenient.all_issues())
    strict = reader.parse(text, lenient=False)
    assert {i.severity for i in strict.all_issues()} == {Severity.ERROR}


def test_oversized_segment_is_dropped_and_reading_resumes() -> None:
    huge = "N9*ZZ*" + "X" * 5000
    text = interchange(["ST*850*0001", huge, "BEG*00", "SE*4*0001"], control="000000001")
    events = list(
        reader.read(text.replace(huge + "~", huge, 1) + "", chunk_size=256, max_segment=1024)
    )
    assert any("runs over 1024" in i.message for i in issues_of(events))
    assert isinstance(events[-1], InterchangeEnd)


def test_read_transactions_and_parse(tmp_path: Path) -> None:
    path = tmp_path / "in.edi"
    path.write_text(interchange(po("0001") + po("0002")))
    assert [t.control_number for t in reader.read_transactions(path)] == ["0001", "0002"]
    parsed = reader.parse(path)
    assert len(parsed) == 1 and len(parsed[0].groups) == 1
    assert [t.control_number for t in parsed[0].transactions] == ["0001", "0002"]
    assert parsed.unreadable == []


def test_missing_file_raises_os_error(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        list(reader.read(tmp_path / "absent.edi"))


def test_group_start_names_its_interchange() -> None:
    events = list(reader.read(interchange(po())))
    group = next(e for e in events if isinstance(e, GroupStart))
    assert group.interchange.control_number == "000000001"
    assert (group.header.functional_id, group.header.version, group.header.position) == (
        "PO",
        "004010",
        2,
    )


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x7f"])
@pytest.mark.parametrize("lenient", [True, False])
def test_a_control_character_in_an_isa_id_is_an_error_even_when_lenient(
    char: str, lenient: bool
) -> None:
    """ISA06 names the partner in the store; a NUL there was a padding warning, accepted, and
    the interchange's rows then failed on PostgreSQL (text refuses NUL)."""
    text = interchange(po()).replace("SENDER   ", f"SEN{char}DER  ", 1)
    assert f"SEN{char}DER" in text
    found = [i for i in issues_of(list(reader.read(text, lenient=lenient))) if i.code == "006"]
    assert [(i.severity, i.element_position) for i in found] == [(Severity.ERROR, 6)]
