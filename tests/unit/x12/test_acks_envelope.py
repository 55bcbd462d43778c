"""TA1 and the reply interchange: envelope values follow the interchange being answered."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from crossdock.x12.ack_interchange import acknowledge
from crossdock.x12.acks import build_ta1, ta1_required
from crossdock.x12.model import Delimiters, Issue, IssueLevel, Severity
from crossdock.x12.outcome import GroupOutcome, InterchangeOutcome, TransactionOutcome

from .test_acks_helpers import element_issue, group_header, interchange_header, texts

WHEN = datetime(2026, 11, 27, 9, 5)


def _interchange(*issues: Issue, ack_requested: str = "0", **kw: str) -> InterchangeOutcome:
    groups = (GroupOutcome(group_header(), (TransactionOutcome("850", "0001"),), (), 1),)
    return InterchangeOutcome(interchange_header(ack_requested=ack_requested, **kw), groups, issues)


def test_ta1_for_control_number_mismatch() -> None:
    mismatch = Issue(IssueLevel.INTERCHANGE, "001", "IEA02 000000124 != ISA13 000000123")
    outcome = _interchange(mismatch)
    assert ta1_required(outcome)
    ta1 = build_ta1(outcome, when=WHEN)
    assert texts([ta1]) == ["TA1*000000123*261127*0840*R*001"]


def test_ta1_for_premature_end_of_file() -> None:
    eof = Issue(IssueLevel.INTERCHANGE, "023", "no IEA")
    ta1 = build_ta1(interchange_header(), [eof], WHEN)
    assert texts([ta1]) == ["TA1*000000123*261127*0840*R*023"]


def test_ta1_note_is_the_first_error_and_warnings_only_give_e() -> None:
    warning = Issue(IssueLevel.INTERCHANGE, "006", "padding", severity=Severity.WARNING)
    error = Issue(IssueLevel.INTERCHANGE, "021", "IEA01")
    assert build_ta1(interchange_header(), [warning, error]).elements[3:] == ["R", "021"]
    assert build_ta1(interchange_header(), [warning]).elements[3:] == ["E", "006"]
    group_level = Issue(IssueLevel.GROUP, "5", "not a TA1 matter")
    assert build_ta1(interchange_header(), [group_level]).elements[3:] == ["A", "000"]


def test_ta1_date_stands_in_only_for_an_unusable_isa_date() -> None:
    bad = Issue(IssueLevel.INTERCHANGE, "014", "date")
    ta1 = build_ta1(interchange_header(date="26-11-", time="9:5"), [bad], WHEN)
    assert texts([ta1]) == ["TA1*000000123*261127*0905*R*014"]


def test_ta1_required_only_for_errors_or_isa14() -> None:
    assert not ta1_required(_interchange())
    quirk = Issue(IssueLevel.INTERCHANGE, "024", "BOM", severity=Severity.WARNING)
    assert not ta1_required(_interchange(quirk))
    assert texts([build_ta1(_interchange(quirk, ack_requested="1"))]) == [
        "TA1*000000123*261127*0840*E*024"
    ]
    assert ta1_required(_interchange(ack_requested="1"))
    assert texts([build_ta1(_interchange(ack_requested="1"))]) == [
        "TA1*000000123*261127*0840*A*000"
    ]


def test_reply_swaps_parties_and_follows_the_version() -> None:
    reply = acknowledge(_interchange(), when=WHEN, interchange_control=42, group_control=7)
    assert reply.ta1 is None
    assert reply.group_count == 1
    assert reply.to_text() == (
        "ISA*00*          *00*          *01*CROSSDOCK      *ZZ*ACME           *261127*0905*U*00401"
        "*000000042*0*T*:~\n"
        "GS*FA*CROSSDOCK-APP*ACME-APP*20261127*0905*7*X*004010~\n"
        "ST*997*0001~\n"
        "AK1*PO*1~\n"
        "AK2*850*0001~\n"
        "AK5*A~\n"
        "AK9*A*1*1*1~\n"
        "SE*6*0001~\n"
        "GE*1*7~\n"
        "IEA*1*000000042~\n"
    )


def test_999_reply_moves_to_00501_with_a_repetition_separator() -> None:
    reply = acknowledge(
        _interchange(ack_requested="1"),
        when=WHEN,
        interchange_control=1,
        group_control=1,
        kind="999",
    )
    assert reply.header.version == "00501"
    assert reply.header.standards_or_repetition == "^"
    lines = texts(reply.segments())
    assert lines[1] == "TA1*000000123*261127*0840*A*000"
    assert lines[2] == "GS*FA*CROSSDOCK-APP*ACME-APP*20261127*0905*1*X*005010X231A1"
    assert lines[3] == "ST*999*0001*005010X231A1"
    assert lines[4] == "AK1*PO*1*004010"


def test_groups_with_different_parties_get_their_own_fa_group() -> None:
    other = replace(group_header(control="2"), sender="ACME-WMS")
    groups = (
        GroupOutcome(group_header(), (TransactionOutcome("850", "0001"),), (), 1),
        GroupOutcome(other, (TransactionOutcome("850", "0001", "", (element_issue(),)),), (), 1),
    )
    outcome = InterchangeOutcome(interchange_header(), groups)
    reply = acknowledge(outcome, when=WHEN, interchange_control=5, group_control=30)
    assert [g.header.receiver for g in reply.groups] == ["ACME-APP", "ACME-WMS"]
    assert [g.header.control_number for g in reply.groups] == ["30", "31"]
    assert texts(reply.segments())[-1] == "IEA*2*000000005"


def test_rejected_interchange_is_answered_by_the_ta1_alone() -> None:
    outcome = _interchange(Issue(IssueLevel.INTERCHANGE, "001", "mismatch"))
    reply = acknowledge(outcome, when=WHEN, interchange_control=9, group_control=1)
    assert texts(reply.segments())[1:] == [
        "TA1*000000123*261127*0840*R*001",
        "IEA*0*000000009",
    ]
    both = acknowledge(
        outcome,
        when=WHEN,
        interchange_control=9,
        group_control=1,
        acks_for_rejected_interchange=True,
    )
    assert both.group_count == 1


def test_reply_keeps_the_partners_delimiters() -> None:
    delimiters = Delimiters(element="|", component=">", repetition=None, segment="\x15", suffix="")
    outcome = InterchangeOutcome(
        interchange_header(delimiters=delimiters),
        (GroupOutcome(group_header(), (TransactionOutcome("850", "1"),), (), 1),),
    )
    text = acknowledge(outcome, when=WHEN, interchange_control=1, group_control=1).to_text()
    assert text.startswith("ISA|00|          |00|")
    assert "|U|00401|000000001|0|T|>\x15GS|FA|" in text
    assert text.endswith("IEA|1|000000001\x15")


def test_partner_delimiters_override_and_composites_use_them() -> None:
    issue = element_issue("7", element_position=3, component_position=2, bad_value="A|B^C")
    outcome = InterchangeOutcome(
        interchange_header(),
        (GroupOutcome(group_header(), (TransactionOutcome("850", "1", "", (issue,)),), (), 1),),
    )
    chosen = Delimiters(element="|", component="^", repetition=None, segment="~", suffix="")
    reply = acknowledge(
        outcome, when=WHEN, interchange_control=1, group_control=1, delimiters=chosen
    )
    text = reply.to_text()
    assert "~AK3|BEG|3||8~AK4|3^2|353|7|ABC~AK5|R|5~" in text
    assert text.startswith("ISA|00|") and "|U|00401|000000001|0|T|^~GS|FA|" in text
