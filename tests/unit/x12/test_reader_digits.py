"""Numbers in envelopes are ASCII digits: '¹' or '٣' pass ``str.isdigit`` but are not X12 digits.

``int('¹')`` raises, so a count or control number checked only with ``isdigit`` crashed the
reader, the ack builder or the ack reader (found by atheris on Latin-1 input).
"""

from __future__ import annotations

from datetime import datetime

import pytest

from crossdock.x12 import reader
from crossdock.x12.ack_reader import read_functional_ack
from crossdock.x12.acks import build_ta1, default_kind, version_family
from crossdock.x12.events import GroupEnd, InterchangeEnd, InterchangeStart
from crossdock.x12.model import Segment, Transaction
from crossdock.x12.outcome import collect

from .test_acks_helpers import group_header, interchange_header

ISA = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240102*1200*^*00501*{control}*0*P*>~\n"
GS = "GS*PO*SENDER*RECEIVER*20240102*1200*{control}*X*{version}~\n"
SET = "ST*850*0001~\nBEG*00*SA*PO1**20240102~\nSE*3*0001~\n"


def _text(
    *,
    isa13: str = "000000001",
    gs06: str = "1",
    version: str = "005010",
    ge: str = "GE*1*1",
    iea: str = "IEA*1*000000001",
) -> str:
    return (
        ISA.format(control=isa13)
        + GS.format(control=gs06, version=version)
        + SET
        + f"{ge}~\n{iea}~\n"
    )


@pytest.mark.parametrize("digit", ["¹", "٣", "²"])
def test_odd_digits_in_trailers_are_findings_not_crashes(digit: str) -> None:
    events = list(reader.read(_text(ge=f"GE*{digit}*1", iea=f"IEA*{digit}*{digit * 9}")))
    (group_end,) = [e for e in events if isinstance(e, GroupEnd)]
    assert [i.code for i in group_end.issues] == ["5"]  # GE01 count mismatch
    (end,) = [e for e in events if isinstance(e, InterchangeEnd)]
    assert sorted(i.code for i in end.issues) == ["001", "021"]  # control, group count
    (outcome,) = collect(events)  # AK902 from GE01: read as any other non-number ('x')
    (as_letter,) = collect(reader.read(_text(ge="GE*x*1", iea=f"IEA*{digit}*{digit * 9}")))
    declared = outcome.groups[0].transaction_count_declared
    assert declared == as_letter.groups[0].transaction_count_declared


def test_odd_digits_in_control_numbers_are_invalid() -> None:
    events = list(reader.read(_text(isa13="¹" * 9, gs06="²", iea="IEA*1*" + "¹" * 9)))
    start = events[0]
    assert isinstance(start, InterchangeStart)
    (end,) = [e for e in events if isinstance(e, InterchangeEnd)]
    assert "018" in [i.code for i in end.issues]  # ISA13 invalid control number
    (group_end,) = [e for e in events if isinstance(e, GroupEnd)]
    assert "6" in [i.code for i in group_end.issues]  # GS06 control number syntax


def test_ack_kind_and_version_of_an_odd_version() -> None:
    assert default_kind("¹¹¹010") == "997"
    assert version_family("¹¹¹¹¹¹X") == "004010"


def test_an_ack_count_in_odd_digits_is_a_problem_not_a_crash() -> None:
    segments = [
        Segment("ST", ["997", "0001"], 1),
        Segment("AK1", ["PO", "1"], 2),
        Segment("AK9", ["A", "¹", "1", "1"], 3),
        Segment("SE", ["4", "0001"], 4),
    ]
    transaction = Transaction("997", "0001", "", segments, interchange_header(), group_header())
    report = read_functional_ack(transaction)
    assert "segment 3 AK9: AK902 '¹' is not a number" in report.problems


def test_a_ta1_does_not_echo_an_isa_date_in_odd_digits() -> None:
    header = interchange_header(date="¹" * 6, time="²" * 4)
    ta1 = build_ta1(header, [], when=datetime(2026, 12, 7, 1, 45))
    assert ta1.elements[1:3] == ["261207", "0145"]
