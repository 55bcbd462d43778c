"""Findings are listed up to a limit and counted past it: per transaction set, per interchange,
per segment; the 997/999 and the TA1 built from them stay bounded (issue 10)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from crossdock.x12 import reader
from crossdock.x12.ack_interchange import acknowledge
from crossdock.x12.findings import capped, listed_count, total_count
from crossdock.x12.model import Issue, IssueLevel, Severity
from crossdock.x12.outcome import OutcomeCollector, collect
from crossdock.x12.validator import validate, validate_segments
from crossdock.x12.walker import IssueContext

WHEN = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


ISA = (
    "ISA*00*          *00*          *ZZ*JUNKSENDER     *ZZ*CROSSDOCKTEST  *240101*1200*{rep}*"
    "{ver}*000000001*0*P*>~"
)


def junk_set(control: str, junk: int, version: str = "004010") -> str:
    """An 850 (BEG only) followed by ``junk`` MSG*x segments: one finding per MSG."""
    body = f"ST*850*{control}~BEG*00*SA*PO{control}**20240101~" + "MSG*x~" * junk
    return body + f"SE*{junk + 3}*{control}~"


def interchange(*sets: str, version: str = "004010") -> str:
    isa = ISA.format(
        rep="U" if version < "005" else "^", ver="00401" if version < "005" else "00501"
    )
    gs = f"GS*PO*JUNKSENDER*CROSSDOCKTEST*20240101*1200*1*X*{version}~"
    return isa + gs + "".join(sets) + f"GE*{len(sets)}*1~IEA*1*000000001~"


def only_transaction(text: str) -> reader.Transaction:
    [transaction] = list(reader.read_transactions(text))
    return transaction


def test_a_set_with_thousands_of_findings_lists_the_first_hundred_and_counts_the_rest() -> None:
    transaction = only_transaction(interchange(junk_set("0001", 5000)))
    everything = validate(transaction, max_findings=1_000_000).issues
    result = validate(transaction)
    assert not result.accepted
    assert listed_count(result.issues) == 100
    assert result.issues[:100] == everything[:100]
    summary = result.issues[-1]
    assert summary.omitted == len(everything) - 100 >= 4900
    assert summary.level is IssueLevel.TRANSACTION and summary.severity is Severity.ERROR
    assert f"{len(everything) - 100:,} more findings not listed" in summary.message
    assert total_count(result.issues) == len(everything)


def test_past_the_limit_the_walker_builds_no_issue(monkeypatch: pytest.MonkeyPatch) -> None:
    transaction = only_transaction(interchange(junk_set("0001", 5000)))
    built = 0
    original = IssueContext.issue

    def counting(self: IssueContext, *args: object, **kwargs: object) -> Issue:
        nonlocal built
        built += 1
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(IssueContext, "issue", counting)
    validate(transaction, max_findings=10)
    assert built <= 10


def test_the_limit_holds_on_the_precise_path_and_is_configurable() -> None:
    transaction = only_transaction(interchange(junk_set("0001", 300)))
    result = validate_segments(
        "850", "004010", transaction.segments, use_fast_path=False, max_findings=7
    )
    assert listed_count(result.issues) == 7
    assert total_count(result.issues) == 301  # 300 MSG + the mandatory PO1 loop missing


def test_one_segment_with_thousands_of_extra_elements_is_bounded() -> None:
    beg = "BEG*00*SA*PO1**20240101" + "*x" * 20_000
    text = interchange(f"ST*850*0001~{beg}~PO1*1*1*EA*1**BP*A~CTT*1~SE*5*0001~")
    result = validate(only_transaction(text), max_findings=1_000_000)
    assert len(result.issues) <= 110  # the segment, 99 extras listed, one counting the rest
    assert re.search(r"19,\d{3} more past element", " ".join(i.message for i in result.issues))


def test_the_997_lists_at_most_the_limit_of_ak3_per_set_and_rejects_it() -> None:
    text = interchange(junk_set("0001", 3000), junk_set("0002", 2))
    [outcome] = collect(reader.read(text), validate)
    big, small = outcome.groups[0].transactions
    assert listed_count(big.issues) == 100 and total_count(big.issues) > 3000
    assert listed_count(small.issues) == total_count(small.issues) == 3
    ack = acknowledge(outcome, when=WHEN, interchange_control=1, group_control=1).to_text()
    first, second = ack.split("AK2*")[1:]
    assert first.count("AK3*") == 100 and "AK5*R*5" in first
    assert second.count("AK3*") == 3
    assert len(ack) < 10_000


def test_the_999_is_bounded_the_same_way() -> None:
    text = interchange(junk_set("0001", 3000, "005010"), version="005010")
    [outcome] = collect(reader.read(text), validate)
    ack = acknowledge(outcome, when=WHEN, interchange_control=1, group_control=1).to_text()
    assert ack.count("IK3*") == 100 and "IK5*R*5" in ack


def test_an_interchange_lists_at_most_its_own_limit_over_all_sets() -> None:
    sets = [junk_set(f"{n:04d}", 50) for n in range(1, 41)]  # 40 sets x 51 findings
    [outcome] = collect(reader.read(interchange(*sets)), validate, max_per_interchange=500)
    transactions = outcome.groups[0].transactions
    assert sum(listed_count(t.issues) for t in transactions) == 500
    assert all(total_count(t.issues) == 51 for t in transactions)
    assert all(any(i.severity is Severity.ERROR for i in t.issues) for t in transactions)
    last = transactions[-1].issues
    assert last == (last[0],) and last[0].omitted == 51 and "per interchange" in last[0].message
    ack = acknowledge(outcome, when=WHEN, interchange_control=1, group_control=1).to_text()
    assert ack.count("AK3*") == 500 and ack.count("AK5*R*5") == 40


def test_envelope_findings_are_bounded_too() -> None:
    groups = "".join(f"GS*PO*X*Y*20240101*1200*{n}*X~GE*0*{n}~" for n in range(1, 301))
    text = ISA.format(rep="U", ver="00401") + groups + "IEA*300*000000001~"
    [outcome] = collect(reader.read(text), validate)
    assert listed_count(outcome.issues) == 100
    assert total_count(outcome.issues) == 300  # each GS has 7 elements instead of 8
    assert outcome.issues[-1].level is IssueLevel.INTERCHANGE
    ack = acknowledge(outcome, when=WHEN, interchange_control=1, group_control=1).to_text()
    assert ack.count("TA1*") == 1


def test_capped_merges_summaries_and_keeps_their_severity() -> None:
    error = Issue(IssueLevel.SEGMENT, "1", "bad", segment_position=2, segment_id="MSG")
    warning = Issue(IssueLevel.TRANSACTION, "1", "noted", Severity.WARNING)
    [kept, summary] = capped([error, error, error], 1, "why")
    assert kept is error and summary.omitted == 2 and summary.severity is Severity.ERROR
    [summary] = capped([warning, warning], 0, "why")
    assert summary.omitted == 2 and summary.severity is Severity.WARNING
    [kept, summary] = capped([error, *capped([error, error], 1, "a")], 1, "b")
    assert summary.omitted == 2 and "(b)" in summary.message


def test_a_set_larger_than_the_reader_keeps_is_counted_not_held_and_its_raw_text_kept() -> None:
    big, small = junk_set("0001", 5000), junk_set("0002", 2)
    events = list(reader.read(interchange(big, small), max_set_segments=1000))
    first, second = [e for e in events if isinstance(e, reader.Transaction)]
    assert [s.tag for s in first.segments] == ["ST", "SE"] and first.dropped == 5001
    assert first.segments[-1].position == 5003  # SE keeps its place in the set
    assert first.raw == big
    [issue] = first.issues  # SE01 5003 matches what was counted: only the size finding
    assert issue.code == "5" and "more than 1,000 segments (5,003)" in issue.message
    assert validate(first) == validate(first, max_findings=1) and not validate(first).accepted
    assert not validate(first).issues  # not validated: the reader's finding says why
    assert second.dropped == 0 and len(second.segments) == 5
    [outcome] = collect(reader.read(interchange(big, small), max_set_segments=1000), validate)
    ack = acknowledge(outcome, when=WHEN, interchange_control=1, group_control=1).to_text()
    assert ack.count("AK5*R*5") == 2 and ack.count("AK3*") == 3  # all the small set's


def test_the_raw_text_of_a_set_is_exact_across_chunk_boundaries() -> None:
    text = interchange(junk_set("0001", 3000), junk_set("0002", 5))
    events = reader.read(text.encode(), chunk_size=4096)
    sets = [t.raw for t in events if isinstance(t, reader.Transaction)]
    assert sets == [junk_set("0001", 3000), junk_set("0002", 5)]


def test_a_stretch_of_undecodable_isas_lists_a_hundred_and_counts_the_rest() -> None:
    collector = OutcomeCollector()
    assert not list(collector.feed(reader.read(b"ISA*" * 20_000)))
    [span] = collector.unreadable
    assert len(span.issues) == 102  # the stretch, 100 undecodable ISAs, one counting the rest
    assert span.issues[-1].omitted == 19_900 and total_count(span.issues) == 20_001
    assert span.issues[-1].level is IssueLevel.INTERCHANGE


def test_a_listed_finding_keeps_a_short_excerpt_of_a_huge_bad_value() -> None:
    huge = "9" * 500_000  # BEG03, AN 1-22
    text = interchange(f"ST*850*0001~BEG*00*SA*{huge}**20240101~PO1*1*1*EA*1**BP*A~SE*4*0001~")
    [outcome] = collect(reader.read(text), validate)
    values = [i.bad_value for t in outcome.groups[0].transactions for i in t.issues]
    assert huge[:200] in values and max(len(v or "") for v in values) <= 200
