"""997/999 bodies: each finding lands in the segment and code X12 reserves for it."""

from __future__ import annotations

from crossdock.x12.acks import build_functional_ack, clean_value, default_kind, version_family
from crossdock.x12.model import Delimiters, Issue, IssueLevel, Severity
from crossdock.x12.outcome import GroupOutcome, TransactionOutcome

from .test_acks_helpers import element_issue, group_header, texts


def _group(
    *transactions: TransactionOutcome, declared: int | None = None, **kw: object
) -> GroupOutcome:
    count = len(transactions) if declared is None else declared
    return GroupOutcome(group_header(**kw), transactions, (), count)  # type: ignore[arg-type]


def _po(control: str = "0001", *issues: Issue) -> TransactionOutcome:
    return TransactionOutcome("850", control, "", issues)


def test_clean_850_is_accepted() -> None:
    ack = build_functional_ack(_group(_po()))
    assert ack.code == "997"
    assert ack.implementation == ""
    assert ack.version == "004010"
    assert texts(ack.segments) == ["AK1*PO*1", "AK2*850*0001", "AK5*A", "AK9*A*1*1*1"]
    assert [s.position for s in ack.segments] == [2, 3, 4, 5]


def test_element_error_rejects_with_ak3_ak4() -> None:
    ack = build_functional_ack(_group(_po("0001", element_issue("7"))))
    assert texts(ack.segments) == [
        "AK1*PO*1",
        "AK2*850*0001",
        "AK3*BEG*3**8",
        "AK4*1*353*7*XX",
        "AK5*R*5",
        "AK9*R*1*1*0",
    ]
    assert ack.group_status == "R"


def test_segment_count_mismatch_is_ak5_code_4() -> None:
    issue = Issue(IssueLevel.TRANSACTION, "4", "SE01 says 9, 8 counted")
    ack = build_functional_ack(_group(_po("0001", issue)))
    assert texts(ack.segments)[2:] == ["AK5*R*4", "AK9*R*1*1*0"]


def test_group_count_mismatch_is_ak9_code_5() -> None:
    group = GroupOutcome(
        group_header(),
        (_po(),),
        (Issue(IssueLevel.GROUP, "5", "GE01 says 2, 1 read"),),
        transaction_count_declared=2,
    )
    ack = build_functional_ack(group)
    assert texts(ack.segments) == ["AK1*PO*1", "AK2*850*0001", "AK5*A", "AK9*R*2*1*1*5"]


def test_mixed_verdicts_partially_accept_the_group() -> None:
    ack = build_functional_ack(_group(_po("0001"), _po("0002", element_issue()), _po("0003")))
    assert texts(ack.segments)[-1] == "AK9*P*3*3*2"
    assert texts(ack.segments).count("AK5*A") == 2


def test_all_rejected_rejects_the_group() -> None:
    issue = Issue(IssueLevel.TRANSACTION, "3", "SE02 != ST02")
    ack = build_functional_ack(_group(_po("0001", issue), _po("0002", issue)))
    assert texts(ack.segments)[-1] == "AK9*R*2*2*0"


def test_warnings_are_noted_but_accepted() -> None:
    warning = element_issue("5", severity=Severity.WARNING, bad_value="TOO-LONG-VALUE")
    ack = build_functional_ack(_group(_po("0001", warning)))
    assert texts(ack.segments)[2:] == [
        "AK3*BEG*3**8",
        "AK4*1*353*5*TOO-LONG-VALUE",
        "AK5*E*5",
        "AK9*E*1*1*1",
    ]


def test_segment_codes_and_elements_of_one_segment_share_an_ak3() -> None:
    issues = (
        Issue(IssueLevel.SEGMENT, "2", "unexpected", segment_position=7, segment_id="N9"),
        element_issue(
            "1",
            segment_position=7,
            segment_id="N9",
            element_position=2,
            element_reference="127",
            bad_value=None,
        ),
        element_issue(
            "4",
            segment_position=5,
            segment_id="PO1",
            element_position=2,
            element_reference="330",
            bad_value="0",
            loop_id="PO1",
        ),
    )
    ack = build_functional_ack(_group(_po("0001", *issues)))
    assert texts(ack.segments)[2:-2] == [
        "AK3*PO1*5*PO1*8",
        "AK4*2*330*4*0",
        "AK3*N9*7**2",
        "AK4*2*127*1",
    ]


def test_composite_position_and_repetition() -> None:
    issue = element_issue("7", element_position=3, component_position=2, repetition_position=4)
    seven = build_functional_ack(_group(_po("0001", issue)))
    assert texts(seven.segments)[3] == "AK4*3:2*353*7*XX"
    nine = build_functional_ack(_group(_po("0001", issue)), kind="999")
    assert texts(nine.segments)[3] == "IK4*3:2:4*353*7*XX"
    only_repeat = element_issue("12", element_position=3, repetition_position=2, bad_value="")
    nine = build_functional_ack(_group(_po("0001", only_repeat)), kind="999")
    assert texts(nine.segments)[3] == "IK4*3::2*353*12"


def test_bad_value_loses_delimiters_and_is_cut_at_99() -> None:
    delimiters = Delimiters(element="*", component=">", repetition="^", segment="~")
    assert clean_value("A*B~C>D^E\r\nF", delimiters) == "ABCDEF"
    assert clean_value("9" * 150, delimiters) == "9" * 99
    issue = element_issue("5", bad_value="X*Y" + "Z" * 120)
    ack = build_functional_ack(_group(_po("0001", issue)), delimiters=delimiters)
    assert ack.segments[3].elements[3] == "XY" + "Z" * 97


def test_999_reports_loops_and_implementation_codes() -> None:
    issues = (
        Issue(
            IssueLevel.SEGMENT,
            "I4",
            "not used",
            segment_position=12,
            segment_id="REF",
            loop_id="2010BA",
        ),
        element_issue(
            "I12",
            segment_position=4,
            segment_id="NM1",
            element_position=9,
            element_reference="67",
            bad_value="12-34",
            loop_id="2010",
        ),
    )
    claim = TransactionOutcome("837", "0021", "005010X222A1", issues)
    group = GroupOutcome(group_header(version="005010X222A1", functional_id="HC"), (claim,), (), 1)
    ack = build_functional_ack(group)
    assert ack.code == "999"
    assert ack.implementation == ack.version == "005010X231A1"
    assert texts(ack.segments) == [
        "AK1*HC*1*005010X222A1",
        "AK2*837*0021*005010X222A1",
        "IK3*NM1*4*2010*8",
        "IK4*9*67*I12*12-34",
        "IK3*REF*12*2010*I4",
        "IK5*R*I5",
        "AK9*R*1*1*0",
    ]
    as_997 = build_functional_ack(group, kind="997")
    assert texts(as_997.segments)[1:6] == [
        "AK2*837*0021",
        "AK3*NM1*4*2010*8",
        "AK4*9*67*6*12-34",
        "AK3*REF*12*2010*2",
        "AK5*R*5",
    ]
    assert as_997.version == "005010"


def test_limits_five_codes_and_99_element_notes() -> None:
    codes = ("1", "2", "3", "4", "6", "7", "23")
    issues = [Issue(IssueLevel.TRANSACTION, c, "x") for c in codes]
    issues += [element_issue("7", element_position=1, bad_value=str(n)) for n in range(120)]
    ack = build_functional_ack(_group(_po("0001", *issues)))
    lines = texts(ack.segments)
    assert sum(1 for line in lines if line.startswith("AK4")) == 99
    assert lines[-2] == "AK5*R*1*2*3*4*6"


def test_unplaceable_element_issue_still_rejects() -> None:
    issue = Issue(IssueLevel.ELEMENT, "7", "no location")
    ack = build_functional_ack(_group(_po("0001", issue)))
    assert texts(ack.segments)[2:] == ["AK5*R*5", "AK9*R*1*1*0"]


def test_kind_and_version_follow_the_inbound_group() -> None:
    assert default_kind("004010VICS") == "997"
    assert default_kind("003040") == "997"
    assert default_kind("005010X222A1") == "999"
    assert default_kind("") == "997"
    assert version_family("004010VICS") == "004010"
    assert version_family("bogus") == "004010"
    ack = build_functional_ack(_group(_po(), version="004010VICS"))
    assert ack.version == "004010"
