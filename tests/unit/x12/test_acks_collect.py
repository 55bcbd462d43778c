"""collect(): reader events and validator findings regrouped per envelope, one interchange
at a time; then the whole path from corpus bytes to the reply interchange."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from crossdock.x12.ack_interchange import acknowledge
from crossdock.x12.acks import build_functional_ack
from crossdock.x12.events import (
    Event,
    GroupEnd,
    GroupStart,
    InterchangeEnd,
    InterchangeStart,
    Unreadable,
)
from crossdock.x12.model import Issue, IssueLevel, Segment, Transaction
from crossdock.x12.outcome import OutcomeCollector, TransactionOutcome, collect

from .test_acks_helpers import CORPUS, element_issue, group_header, interchange_header

ISA = interchange_header()
GS = group_header()
WHEN = datetime(2026, 11, 27, 9, 0)


def _tx(control: str, *issues: Issue) -> Transaction:
    segments = [Segment("ST", ["850", control], 1), Segment("SE", ["2", control], 2)]
    return Transaction("850", control, "", segments, ISA, GS, issues=list(issues))


def test_events_are_regrouped_per_envelope() -> None:
    se_count = Issue(IssueLevel.TRANSACTION, "4", "SE01")
    ge_count = Issue(IssueLevel.GROUP, "5", "GE01 '0003' but 2 read", bad_value="0003")
    events: list[Event] = [
        InterchangeStart(ISA),
        GroupStart(GS, ISA),
        _tx("0001", se_count),
        _tx("0002"),
        GroupEnd(GS, ISA, 2, [ge_count]),
        InterchangeEnd(ISA, 1, []),
    ]
    (outcome,) = collect(events)
    assert outcome.complete and outcome.issues == ()
    (group,) = outcome.groups
    assert group.transaction_count_declared == 3  # GE01, from the reader's finding
    assert group.issues == (ge_count,)
    assert group.transactions == (
        TransactionOutcome("850", "0001", "", (se_count,)),
        TransactionOutcome("850", "0002", "", ()),
    )


@dataclass
class _Result:
    issues: tuple[Issue, ...]


def test_validator_findings_join_and_are_routed_by_level() -> None:
    element = element_issue()
    group_level = Issue(IssueLevel.GROUP, "2", "version")
    interchange_level = Issue(IssueLevel.INTERCHANGE, "024", "content")
    se_count = Issue(IssueLevel.TRANSACTION, "4", "SE01")

    def validate(transaction: Transaction) -> _Result:
        # repeats the reader's SE finding: it must not be reported twice
        return _Result((element, se_count, group_level, interchange_level))

    events: list[Event] = [
        InterchangeStart(ISA),
        GroupStart(GS, ISA),
        _tx("0001", se_count),
        GroupEnd(GS, ISA, 1, []),
        InterchangeEnd(ISA, 1, []),
    ]
    (outcome,) = collect(events, validate)
    assert outcome.issues == (interchange_level,)
    assert outcome.groups[0].issues == (group_level,)
    assert outcome.groups[0].transactions[0].issues == (se_count, element)
    (plain,) = collect(events, lambda t: [element])
    assert plain.groups[0].transactions[0].issues == (se_count, element)


def test_truncated_interchange_gets_023_and_missing_ge() -> None:
    events: list[Event] = [InterchangeStart(ISA), GroupStart(GS, ISA), _tx("0001")]
    (outcome,) = collect(events)
    assert not outcome.complete
    assert [(i.level, i.code) for i in outcome.issues] == [(IssueLevel.INTERCHANGE, "023")]
    assert [i.code for i in outcome.groups[0].issues] == ["3"]
    assert outcome.groups[0].transaction_count_declared is None
    reply = acknowledge(outcome, when=WHEN, interchange_control=1, group_control=1)
    assert reply.ta1 is not None and reply.ta1.elements[3:] == ["R", "023"]
    assert reply.groups == ()


def test_unreadable_outside_an_interchange_is_kept_aside() -> None:
    garbage = Issue(IssueLevel.INTERCHANGE, "023", "no ISA")
    collector = OutcomeCollector()
    assert list(collector.feed([Unreadable([garbage], 0)])) == []
    assert [(u.offset, u.issues) for u in collector.unreadable] == [(0, (garbage,))]


def test_a_ta1_inside_an_inbound_interchange_is_not_an_error() -> None:
    ta1 = Issue(IssueLevel.INTERCHANGE, "022", "segment 'TA1' outside", segment_id="TA1")
    (outcome,) = collect([InterchangeStart(ISA), InterchangeEnd(ISA, 0, [ta1])])
    assert outcome.issues == ()


def test_collect_streams_one_interchange_at_a_time() -> None:
    def events() -> Iterator[Event]:
        yield InterchangeStart(ISA)
        yield InterchangeEnd(ISA, 0, [])
        raise AssertionError("read past the first interchange")

    first = next(collect(events()))
    assert first.header is ISA


# -- the whole path, from corpus bytes to the reply ----------------------------------------


def _reply_lines(name: str, **options: bool) -> list[str]:
    reader = pytest.importorskip("crossdock.x12.reader", reason="streaming reader not available")
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"corpus file {name} is absent ({CORPUS})")
    (outcome,) = collect(reader.read(Path(path)))
    reply = acknowledge(outcome, when=WHEN, interchange_control=1, group_control=1, **options)
    separator = reply.header.delimiters.segment + reply.header.delimiters.suffix
    return reply.to_text().split(separator)[1:-1]  # without ISA and the empty tail


def test_corpus_control_number_mismatches() -> None:
    name = "940_edieng_control_mismatch_INVALID.edi"
    assert _reply_lines(name) == ["TA1*000003438*101127*1719*R*001", "IEA*0*000000001"]
    assert _reply_lines(name, acks_for_rejected_interchange=True) == [
        "TA1*000003438*101127*1719*R*001",
        "GS*FA*3111350000*7705551212*20261127*0900*1*X*004010",
        "ST*997*0001",
        "AK1*OW*3314",
        "AK2*940*0001",
        "AK5*R*3",
        "AK9*R*1*1*0*4",
        "SE*6*0001",
        "GE*1*1",
        "IEA*1*000000001",
    ]


def test_corpus_segment_count_mismatch() -> None:
    assert _reply_lines("204_indice_mgctlyst_SE01_INVALID.edi")[2:5] == [
        "AK1*SM*17878",
        "AK2*204*178780001",
        "AK5*R*4",
    ]


def test_corpus_two_groups_two_versions() -> None:
    lines = _reply_lines("810_staedi_mixed_810x2_850_2gs.edi")
    assert [line for line in lines if line.startswith(("GS", "AK9", "IEA"))] == [
        "GS*FA*007326879*SENDERDEPT*20261127*0900*1*X*004010",
        "AK9*A*2*2*2",
        "GS*FA*5566778899*9994935230*261127*0900*2*X*003010",
        "AK9*A*1*1*1",
        "IEA*2*000000001",
    ]


def test_corpus_acks_are_not_acknowledged() -> None:
    assert _reply_lines("997_staedi_5010.edi") == ["IEA*0*000000001"]


def test_missing_ge_reports_the_count_received() -> None:
    no_ge = Issue(IssueLevel.GROUP, "3", "no GE")
    events: list[Event] = [
        InterchangeStart(ISA),
        GroupStart(GS, ISA),
        _tx("0001"),
        GroupEnd(GS, ISA, 1, [no_ge]),
        InterchangeEnd(ISA, 1, []),
    ]
    (outcome,) = collect(events)
    (group,) = outcome.groups
    assert group.transaction_count_declared is None
    segments = build_functional_ack(group).segments
    assert ["*".join([s.tag, *s.elements]) for s in segments][-1] == "AK9*R*1*1*1*3"
