"""Property: whatever the findings, reading back the ack we built gives the same verdicts."""

from __future__ import annotations

from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from crossdock.x12.ack_interchange import acknowledge
from crossdock.x12.ack_reader import AckCounts, read_functional_ack
from crossdock.x12.acks import AckKind, status_of
from crossdock.x12.model import Issue, IssueLevel, Severity
from crossdock.x12.outcome import GroupOutcome, InterchangeOutcome, TransactionOutcome

from .test_acks_helpers import group_header, interchange_header, split

severities = st.sampled_from([Severity.ERROR, Severity.WARNING])
values = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=120)

transaction_issues = st.builds(
    lambda code, severity: Issue(IssueLevel.TRANSACTION, code, "t", severity),
    st.sampled_from(["1", "3", "4", "6", "7", "23"]),
    severities,
)
segment_issues = st.builds(
    lambda code, severity, position, tag: Issue(
        IssueLevel.SEGMENT, code, "s", severity, segment_position=position, segment_id=tag
    ),
    st.sampled_from(["1", "2", "3", "4", "5", "6", "7", "I4", "I6"]),
    severities,
    st.integers(2, 40),
    st.sampled_from(["BEG", "N1", "PO1", "REF"]),
)
element_issues = st.builds(
    lambda code, severity, position, tag, element, component, value: Issue(
        IssueLevel.ELEMENT,
        code,
        "e",
        severity,
        segment_position=position,
        segment_id=tag,
        element_position=element,
        component_position=component,
        bad_value=value,
    ),
    st.sampled_from(["1", "2", "4", "5", "6", "7", "8", "I12"]),
    severities,
    st.integers(2, 40),
    st.sampled_from(["BEG", "N1", "PO1", "REF"]),
    st.integers(1, 20),
    st.none() | st.integers(1, 9),
    values,
)
transactions = st.lists(
    st.lists(transaction_issues | segment_issues | element_issues, max_size=6), max_size=6
)


@settings(max_examples=150, deadline=None)
@given(transactions, st.sampled_from(["997", "999"]), st.booleans())
def test_read_back_matches_what_was_built(
    found: list[list[Issue]], kind: AckKind, group_error: bool
) -> None:
    outcomes = tuple(
        TransactionOutcome("850", f"{n:04d}", "", tuple(issues))
        for n, issues in enumerate(found, 1)
    )
    group_issues = (Issue(IssueLevel.GROUP, "5", "GE01"),) if group_error else ()
    group = GroupOutcome(group_header(), outcomes, group_issues, len(outcomes) + group_error)
    reply = acknowledge(
        InterchangeOutcome(interchange_header(), (group,)),
        when=datetime(2026, 11, 27, 9, 0),
        interchange_control=1,
        group_control=1,
        kind=kind,
    )
    ((transaction,),) = [i.transactions for i in split(reply.to_text())]
    report = read_functional_ack(transaction)
    assert report.problems == []
    verdicts = [status_of(t.issues) for t in outcomes]
    assert [(t.control_number, t.status) for t in report.transactions] == [
        (t.control_number, v) for t, v in zip(outcomes, verdicts, strict=True)
    ]
    accepted = sum(v != "R" for v in verdicts)
    assert report.counts == AckCounts(len(outcomes) + group_error, len(outcomes), accepted)
    assert report.group_error_codes == (["5"] if group_error else [])
    for built, read in zip(outcomes, report.transactions, strict=True):
        placed = [i for i in built.issues if i.level is IssueLevel.ELEMENT]
        element_lines = [e for e in read.errors if ": element " in e]
        assert len(element_lines) == len(placed)
