"""Reading partners' 997/999/TA1: verdicts with reasons, defects reported, never raised."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from crossdock.x12.ack_interchange import acknowledge
from crossdock.x12.ack_reader import (
    AckCounts,
    AckReport,
    InterchangeAckReport,
    TransactionAckReport,
    read_functional_ack,
    read_ta1,
)
from crossdock.x12.model import Issue, IssueLevel, Segment, Severity, Transaction
from crossdock.x12.outcome import GroupOutcome, InterchangeOutcome, TransactionOutcome

from .test_acks_helpers import CORPUS, element_issue, group_header, interchange_header, split

NM1_ERROR = (
    "NM1 at position 8: element 08 (data element 66): Invalid code value (7), bad value 'MI'"
)
SEGMENTS_IN_ERROR = "One or more segments in error (5)"


def _corpus(name: str) -> Path:
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"corpus file {name} is absent ({CORPUS})")
    return path


def _reports(name: str) -> list[AckReport]:
    text = _corpus(name).read_text(encoding="latin-1")
    return [read_functional_ack(t) for i in split(text) for t in i.transactions]


def _staedi_837_rejection(**overrides: object) -> AckReport:
    expected = AckReport(
        kind="997",
        functional_id="HC",
        group_control="000001",
        group_status="R",
        counts=AckCounts(1, 1, 0),
        transactions=[
            TransactionAckReport(
                "837", "0021", "R", [NM1_ERROR, SEGMENTS_IN_ERROR], error_codes=["5"]
            )
        ],
        control_number="0001",
    )
    for name, value in overrides.items():
        setattr(expected, name, value)
    return expected


def test_staedi_5010_997_rejecting_an_837() -> None:
    assert _reports("997_staedi_5010.edi") == [_staedi_837_rejection()]


def test_staedi_three_interchanges() -> None:
    text = _corpus("997_staedi_3isa.edi").read_text(encoding="latin-1")
    interchanges = split(text)
    assert [i.header.control_number for i in interchanges] == [
        "000000001",
        "000000002",
        "000000003",
    ]
    assert _reports("997_staedi_3isa.edi") == [_staedi_837_rejection()] * 3


def test_bots_997_with_nak_terminator_accepts_an_855() -> None:
    (report,) = _reports("997_bots_nak_term.x12")
    assert report == AckReport(
        kind="997",
        functional_id="PR",
        group_control="10001",
        group_status="A",
        counts=AckCounts(1, 1, 1),
        transactions=[TransactionAckReport("855", "1294", "A")],
        control_number="000004421",
    )
    assert report.transactions[0].accepted
    assert report.status_of("1294") == "A"
    assert report.status_of("9999") == "A"  # no AK2 loop: the group's verdict


def test_bad_codes_are_reported_not_raised() -> None:
    (report,) = _reports("997_staedi_bad_codes_INVALID.edi")
    nm1 = NM1_ERROR.replace("data element 66)", "data element 66 NON NUMERIC)")
    assert report == _staedi_837_rejection(
        functional_id="HC NOT IN CODESET",
        transactions=[
            TransactionAckReport("837", "0021", "R", [nm1, SEGMENTS_IN_ERROR], error_codes=["5"])
        ],
        problems=[
            "segment 2 AK1: AK101 'HC NOT IN CODESET' is not a functional identifier code",
            "segment 5 AK4: AK402 '66 NON NUMERIC' is not a data element reference number",
        ],
    )


def test_unknown_codes_and_missing_parts() -> None:
    segments = [
        Segment("ST", ["999", "0001", "005010X231A1"], 1),
        Segment("AK2", ["850", "0007"], 2),
        Segment("IK3", ["PO1", "x", "", "Q9"], 3),
        Segment("IK5", ["Z", "99"], 4),
        Segment("AK9", ["P", "2", "one", "3"], 5),
        Segment("SE", ["6", "0001"], 6),
    ]
    transaction = Transaction(
        "999", "0001", "005010X231A1", segments, interchange_header(), group_header()
    )
    report = read_functional_ack(transaction)
    assert report.kind == "999"
    assert report.transactions == [
        TransactionAckReport(
            "850",
            "0007",
            "Z",
            ["PO1 at position x: unknown code 'Q9'", "unknown code '99'"],
            error_codes=["99"],
        )
    ]
    assert report.counts == AckCounts(2, None, 3)
    assert report.problems == [
        "segment 3 IK3: IK302 'x' is not a number",
        "segment 3 IK3: IK304 'Q9' is not a valid code",
        "segment 3 IK3: before any AK2"
        if False
        else "segment 4 IK5: IK501 'Z' is not a valid code",
        "segment 4 IK5: IK502 '99' is not a valid code",
        "segment 5 AK9: AK903 'one' is not a number",
        "no AK1: the ack does not say which group it answers",
    ]


def test_not_an_ack_raises() -> None:
    with pytest.raises(ValueError, match="850"):
        read_functional_ack(Transaction("850", "1", "", [], interchange_header(), group_header()))


def test_ta1_report() -> None:
    report = read_ta1(Segment("TA1", ["000000123", "261127", "0840", "R", "001"]))
    assert (report.control_number, report.date, report.time) == ("000000123", "261127", "0840")
    assert (report.status, report.note_code) == ("R", "001")
    assert report.note_text == "Interchange control number in header and trailer do not match (001)"
    assert not report.accepted and report.problems == []
    odd = read_ta1(Segment("TA1", ["123", "2611", "0840", "Q"]))
    assert odd.note_text == "no note code"
    assert odd.problems == [
        "TA101 '123' is not valid",
        "TA102 '2611' is not valid",
        "TA104 'Q' is not valid",
        "TA105 '' is not valid",
    ]


@pytest.mark.parametrize("kind", ["997", "999"])
def test_round_trip_build_then_read(kind: str) -> None:
    issues = (
        element_issue("7", element_position=3, component_position=2, bad_value="ZZ"),
        Issue(
            IssueLevel.SEGMENT, "3", "missing", segment_position=9, segment_id="N1", loop_id="N1"
        ),
    )
    warned = (element_issue("5", severity=Severity.WARNING, bad_value="LONG"),)
    group = GroupOutcome(
        group_header(),
        (
            TransactionOutcome("850", "0001", "", issues),
            TransactionOutcome("850", "0002"),
            TransactionOutcome("850", "0003", "", warned),
        ),
        (Issue(IssueLevel.GROUP, "5", "GE01"),),
        transaction_count_declared=4,
    )
    outcome = InterchangeOutcome(interchange_header(), (group,))
    reply = acknowledge(
        outcome,
        when=datetime(2026, 11, 27, 9, 0),
        interchange_control=77,
        group_control=8,
        kind=kind,  # type: ignore[arg-type]
    )
    (parsed,) = split(reply.to_text())
    assert parsed.header.receiver_id == "ACME" and parsed.header.sender_id == "CROSSDOCK"
    (transaction,) = parsed.transactions
    report = read_functional_ack(transaction)
    assert report.problems == []
    assert (report.kind, report.functional_id, report.group_control) == (kind, "PO", "1")
    assert (report.group_status, report.group_error_codes) == ("R", ["5"])
    assert report.counts == AckCounts(4, 3, 2)
    assert [(t.control_number, t.status) for t in report.transactions] == [
        ("0001", "R"),
        ("0002", "A"),
        ("0003", "E"),
    ]
    assert report.transactions[0].errors == [
        "BEG at position 3: element 03 component 2 (data element 353): Invalid code value (7), bad value 'ZZ'",
        "N1 at position 9 (loop N1): Required segment missing (3)",
        SEGMENTS_IN_ERROR,
    ]
    assert report.transactions[2].errors == [
        "BEG at position 3: element 01 (data element 353): Data element too long (5), bad value 'LONG'",
        SEGMENTS_IN_ERROR,
    ]


# -- through the real streaming reader -------------------------------------------------------


def _read_acks() -> object:
    module = pytest.importorskip(
        "crossdock.x12.ack_stream", reason="streaming reader not available"
    )
    return module.read_acks


@pytest.mark.parametrize(
    "name",
    [
        "997_staedi_5010.edi",
        "997_staedi_3isa.edi",
        "997_bots_nak_term.x12",
        "997_staedi_bad_codes_INVALID.edi",
    ],
)
def test_real_reader_gives_the_same_reports(name: str) -> None:
    read_acks = _read_acks()
    received = list(read_acks(_corpus(name)))  # type: ignore[operator]
    assert [r.report for r in received] == _reports(name)
    assert {r.interchange.sender_qualifier for r in received} == {
        received[0].interchange.sender_qualifier
    }


def test_real_reader_round_trip_with_ta1() -> None:
    read_acks = _read_acks()
    mismatch = Issue(IssueLevel.INTERCHANGE, "001", "IEA02")
    group = GroupOutcome(
        group_header(), (TransactionOutcome("850", "0001", "", (element_issue(),)),), (), 1
    )
    outcome = InterchangeOutcome(interchange_header(), (group,), (mismatch,))
    reply = acknowledge(
        outcome,
        when=datetime(2026, 11, 27, 9, 0),
        interchange_control=5,
        group_control=6,
        acks_for_rejected_interchange=True,
    )
    received = list(read_acks(reply.to_text()))  # type: ignore[operator]
    ta1, ack = (r.report for r in received)
    assert isinstance(ta1, InterchangeAckReport) and isinstance(ack, AckReport)
    assert (ta1.control_number, ta1.status, ta1.note_code) == ("000000123", "R", "001")
    assert ack.transactions[0].status == "R" and ack.group_status == "R"
    assert {r.interchange.control_number for r in received} == {"000000005"}
