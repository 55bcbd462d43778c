"""Focused validator rules: one test per X12 error the validator reports."""

from __future__ import annotations

import pytest

from crossdock.x12.codes import ElementError, SegmentError, TransactionError
from crossdock.x12.model import Issue, IssueLevel, Severity
from crossdock.x12.validator import ValidationResult, validate, validate_segments

from .test_validator_helpers import ASN_856, PO_850, replace, transaction


def check(
    text: str, *, version: str = "004010", component: str = ">", strict: bool = False
) -> ValidationResult:
    """Validate with and without the fast path; both must agree exactly."""
    tx = transaction(text, version=version, component=component)
    fast = validate(tx, strict=strict)
    slow = validate_segments(
        tx.code,
        version,
        tx.segments,
        interchange_control=tx.interchange.control_number,
        group_control=tx.group.control_number,
        transaction_control=tx.control_number,
        component_separator=component,
        use_fast_path=False,
        strict=strict,
    )
    assert fast == slow
    return fast


def only(result: ValidationResult, level: IssueLevel) -> list[Issue]:
    return [issue for issue in result.issues if issue.level is level]


def element_codes(result: ValidationResult) -> list[tuple[str | None, int | None, str]]:
    return [(i.segment_id, i.element_position, i.code) for i in only(result, IssueLevel.ELEMENT)]


def test_valid_documents_are_accepted_without_issues() -> None:
    for text in (PO_850, ASN_856):
        result = check(text)
        assert result.accepted
        assert result.issues == ()
        assert result.spec_version == "004010"


def test_issue_carries_control_numbers_positions_and_codes() -> None:
    # BEG02's list is partial: 'QQ' is an error only for a strict partner
    result = check(replace(PO_850, "BEG*00*SA*", "BEG*00*QQ*"), strict=True)
    assert not result.accepted
    segment, element = result.issues
    assert (segment.level, segment.code) == (IssueLevel.SEGMENT, SegmentError.HAS_ELEMENT_ERRORS)
    assert (element.level, element.code) == (IssueLevel.ELEMENT, ElementError.INVALID_CODE)
    for issue in (segment, element):
        assert issue.interchange_control == "000000077"
        assert issue.group_control == "88"
        assert issue.transaction_control == "0001"
        assert issue.transaction_code == "850"
        assert (issue.segment_position, issue.segment_id) == (2, "BEG")
    assert (element.element_position, element.element_reference, element.bad_value) == (
        2,
        "92",
        "QQ",
    )


def test_invalid_code_in_qualifier_lists() -> None:
    result = check(replace(PO_850, "N1*ST*", "N1*XX*"))
    assert element_codes(result) == [("N1", 1, ElementError.INVALID_CODE)]
    assert only(result, IssueLevel.ELEMENT)[0].loop_id == "N1"
    result = check(replace(PO_850, "PO1*2*6*CA*", "PO1*2*6*QX*"))
    assert element_codes(result) == [("PO1", 3, ElementError.INVALID_CODE)]


def test_a_code_outside_a_partial_list_is_a_warning_and_strict_makes_it_an_error() -> None:
    text = replace(PO_850, "N1*ST*", "N1*XX*")
    lenient = check(text)
    assert lenient.accepted
    assert {i.severity for i in lenient.issues} == {Severity.WARNING}
    (element,) = only(lenient, IssueLevel.ELEMENT)
    assert "not in the hub's partial code list" in element.message
    assert (element.element_reference, element.bad_value) == ("98", "XX")
    strict = check(text, strict=True)
    assert not strict.accepted
    assert {i.severity for i in strict.issues} == {Severity.ERROR}
    assert element_codes(strict) == [("N1", 1, ElementError.INVALID_CODE)]
    assert "x12.strict" in only(strict, IssueLevel.ELEMENT)[0].message


def test_a_value_that_cannot_be_a_code_stays_an_error_in_a_partial_list() -> None:
    # N101 is ID 2/3: 'XXXX' is too long to be any entity code, so the code finding rejects too
    result = check(replace(PO_850, "N1*ST*", "N1*XXXX*"))
    assert not result.accepted
    assert [(i.code, i.severity) for i in only(result, IssueLevel.ELEMENT)] == [
        (ElementError.TOO_LONG, Severity.ERROR),
        (ElementError.INVALID_CODE, Severity.ERROR),
    ]


def test_a_code_outside_a_full_list_is_an_error_for_every_partner() -> None:
    # AK901 (715) is a full list: 'Q' is no acknowledgment code, strict partner or not
    ack = "ST*997*0001~AK1*PO*1~AK9*Q*1*1*1~SE*4*0001~"
    result = check(ack)
    assert not result.accepted
    assert [(i.element_reference, i.code, i.severity) for i in result.issues[1:]] == [
        ("715", ElementError.INVALID_CODE, Severity.ERROR)
    ]


def test_too_long_and_too_short() -> None:
    too_long = check(replace(PO_850, "REF*DP*038", "REF*DP*" + "9" * 31))
    assert element_codes(too_long) == [("REF", 2, ElementError.TOO_LONG)]
    # 005010 widened element 127 to 50 characters
    assert check(replace(PO_850, "REF*DP*038", "REF*DP*" + "9" * 31), version="005010").accepted
    too_short = check(replace(PO_850, "N4*SOLON*", "N4*S*"))
    assert element_codes(too_short) == [("N4", 1, ElementError.TOO_SHORT)]


def test_mandatory_element_missing_and_too_many_elements() -> None:
    missing = check(replace(PO_850, "BEG*00*SA*PO123**20240115", "BEG*00*SA***20240115"))
    assert element_codes(missing) == [("BEG", 3, ElementError.MANDATORY_MISSING)]
    trailing = check(replace(PO_850, "BEG*00*SA*PO123**20240115", "BEG*00*SA*PO123"))
    assert element_codes(trailing) == [("BEG", 5, ElementError.MANDATORY_MISSING)]
    extra = check(replace(PO_850, "N3*1 MAIN ST", "N3*1 MAIN ST*SUITE 2*EXTRA"))
    assert element_codes(extra) == [("N3", 3, ElementError.TOO_MANY_ELEMENTS)]


def test_missing_mandatory_segment() -> None:
    result = check(replace(PO_850, "BEG*00*SA*PO123**20240115~", ""))
    segment = only(result, IssueLevel.SEGMENT)[0]
    assert (segment.code, segment.segment_id) == (SegmentError.MANDATORY_SEGMENT_MISSING, "BEG")
    assert segment.segment_position == 2  # where it was found missing (the REF after ST)


def test_missing_mandatory_loop() -> None:
    text = PO_850.split("PO1*1")[0] + "CTT*0~\nSE*8*0001~"
    result = check(text)
    assert [(i.code, i.segment_id, i.loop_id) for i in result.issues] == [
        (SegmentError.MANDATORY_SEGMENT_MISSING, "PO1", "PO1")
    ]


def test_loop_over_maximum() -> None:
    result = check(replace(PO_850, "CTT*2~", "CTT*2~\nCTT*2~"))
    assert [(i.code, i.segment_id, i.segment_position) for i in result.issues] == [
        (SegmentError.LOOP_OVER_MAXIMUM, "CTT", 12)
    ]


def test_segment_over_maximum_use() -> None:
    pers = "PER*BD*A~\nPER*BD*B~\nPER*BD*C~\nPER*BD*D~\n"
    result = check(replace(PO_850, "DTM*002*20240120~", pers + "DTM*002*20240120~"))
    assert [(i.code, i.segment_id, i.segment_position) for i in result.issues] == [
        (SegmentError.SEGMENT_OVER_MAXIMUM_USE, "PER", 7)
    ]


def test_segment_out_of_sequence_unexpected_unknown_and_foreign() -> None:
    moved = check(replace(PO_850, "DTM*002*20240120~", "DTM*002*20240120~\nCUR*BY*USD~"))
    assert [(i.code, i.segment_id) for i in moved.issues] == [(SegmentError.OUT_OF_SEQUENCE, "CUR")]
    unknown = check(replace(PO_850, "CTT*2~", "ZZQ*1~\nCTT*2~"))
    assert [(i.code, i.segment_id) for i in unknown.issues] == [
        (SegmentError.UNRECOGNIZED_SEGMENT, "ZZQ")
    ]
    foreign = check(replace(PO_850, "CTT*2~", "BSN*00*X*20240101*1200~\nCTT*2~"))
    assert [(i.code, i.segment_id) for i in foreign.issues] == [
        (SegmentError.NOT_IN_TRANSACTION_SET, "BSN")
    ]
    # SCH belongs to the 850 PO1 loop, but not after the summary has begun
    unexpected = check(replace(PO_850, "SE*12", "SCH*1*EA*ST*X*002*20240101~\nSE*13"))
    assert [(i.code, i.segment_id) for i in unexpected.issues] == [
        (SegmentError.UNEXPECTED_SEGMENT, "SCH")
    ]


def test_paired_conditional_required_list_and_exclusion_notes() -> None:
    paired = check(replace(PO_850, "*UP*012345678905*VN*AB-1", "*UP**VN*AB-1"))
    assert element_codes(paired) == [("PO1", 7, ElementError.CONDITIONAL_MISSING)]
    assert "P0607" in only(paired, IssueLevel.ELEMENT)[0].message
    required = check(replace(PO_850, "N1*ST*STORE 12*92*0012", "N1*ST"))
    assert element_codes(required) == [("N1", 2, ElementError.CONDITIONAL_MISSING)]
    # PO4 C0302: a unit (PO403) needs a size (PO402)
    conditional = check(replace(PO_850, "PID*F****WIDGET", "PID*F****WIDGET~\nPO4*1**EA"))
    assert element_codes(conditional) == [("PO4", 2, ElementError.CONDITIONAL_MISSING)]
    exclusion = check(replace(PO_850, "N1*ST*", "TD3*TL*AB*123*******XY~\nN1*ST*"))
    assert element_codes(exclusion) == [("TD3", 10, ElementError.EXCLUSION_VIOLATED)]
    listed = check(replace(PO_850, "DTM*002*20240120", "ITD*01*3*2~\nDTM*002*20240120"))
    assert element_codes(listed) == [("ITD", 4, ElementError.CONDITIONAL_MISSING)]


def test_dates_and_times() -> None:
    assert check(replace(PO_850, "DTM*002*20240120", "DTM*002*20240229*235959")).accepted
    bad_date = check(replace(PO_850, "DTM*002*20240120", "DTM*002*20230229"))
    assert element_codes(bad_date) == [("DTM", 2, ElementError.INVALID_DATE)]
    bad_time = check(replace(PO_850, "DTM*002*20240120", "DTM*002*20240120*2460"))
    assert element_codes(bad_time) == [("DTM", 3, ElementError.INVALID_TIME)]
    short_date = check(replace(PO_850, "DTM*002*20240120", "DTM*002*240120"))
    assert element_codes(short_date) == [("DTM", 2, ElementError.TOO_SHORT)]


def test_numeric_formats() -> None:
    # R (PO102, PO104): sign and decimal point do not count towards the length
    assert check(replace(PO_850, "PO1*2*6*CA*13.79", "PO1*2*-6*CA*123456789012345.25")).accepted
    assert check(replace(PO_850, "PO1*2*6*CA*13.79", "PO1*2*.5*CA*13")).accepted
    comma = check(replace(PO_850, "PO1*2*6*CA*13.79", "PO1*2*6*CA*13,79"))
    assert element_codes(comma) == [("PO1", 4, ElementError.INVALID_CHARACTER)]
    # N0 (CTT01) takes no decimal point; N2 (TDS01 in an 810) takes implied decimals only
    n0 = check(replace(PO_850, "CTT*2~", "CTT*2.0~"))
    assert element_codes(n0) == [("CTT", 1, ElementError.INVALID_CHARACTER)]
    invoice = "ST*810*0001~BIG*20240115*INV1~IT1*1*2*EA*1.5**UP*012345678905~TDS*300~SE*5*0001~"
    assert check(invoice).accepted
    n2 = check(invoice.replace("TDS*300", "TDS*3.00"))
    assert element_codes(n2) == [("TDS", 1, ElementError.INVALID_CHARACTER)]


def test_composites_components() -> None:
    ok = check(replace(PO_850, "REF*DP*038", "REF*DP*038**ZZ>ABC>PO>9"))
    assert ok.accepted
    missing = check(replace(PO_850, "REF*DP*038", "REF*DP*038**ZZ"))
    issue = only(missing, IssueLevel.ELEMENT)[0]
    assert (issue.element_position, issue.component_position, issue.code) == (
        4,
        2,
        ElementError.MANDATORY_MISSING,
    )
    too_many = check(replace(PO_850, "REF*DP*038", "REF*DP*038**ZZ>A>PO>1>IA>2>X"))
    assert element_codes(too_many) == [("REF", 4, ElementError.TOO_MANY_COMPONENTS)]


def test_856_hierarchy_order() -> None:
    # S/O/I and S/I shapes are fine too
    pick_pack = replace(ASN_856, "HL*3*2*P~", "HL*3*2*I~")
    pick_pack = replace(pick_pack, "HL*4*3*I", "HL*4*1*I")
    assert check(pick_pack).accepted
    skipped = check(replace(ASN_856, "HL*2*1*O", "HL*5*1*O"))
    assert ("HL", 1, ElementError.INVALID_CODE) in element_codes(skipped)
    seg = only(skipped, IssueLevel.SEGMENT)[0]
    assert (seg.code, seg.segment_position, seg.loop_id) == (SegmentError.OUT_OF_SEQUENCE, 8, "HL")
    dangling = check(replace(ASN_856, "HL*3*2*P", "HL*3*9*P"))
    assert element_codes(dangling) == [("HL", 2, ElementError.INVALID_CODE)]
    upside_down = check(replace(ASN_856, "HL*4*3*I", "HL*4*3*O"))
    assert element_codes(upside_down) == [("HL", 3, ElementError.INVALID_CODE)]
    bad_root = check(replace(ASN_856, "HL*1**S", "HL*1**O"))
    # the root must be a shipment, and then order 2 sits under an order
    assert [
        (i.segment_position, i.element_position) for i in only(bad_root, IssueLevel.ELEMENT)
    ] == [(3, 3), (8, 3)]


@pytest.mark.parametrize(
    ("version", "base", "warned"),
    [
        ("004010", "004010", False),
        ("004010VICS", "004010", False),
        ("004030", "004030", True),  # interim releases: an overlay of their own
        ("004060", "004060", True),
        ("004030VICS", "004030", True),
        ("003010", "004010", True),
        ("005010", "005010", False),
        ("005010X230", "005010", False),
        ("006020", "005010", True),
    ],
)
def test_versions_map_to_nearest_base(version: str, base: str, warned: bool) -> None:
    result = check(PO_850, version=version)
    assert result.accepted
    assert result.spec_version == base
    warnings = [i for i in result.issues if i.severity is Severity.WARNING]
    assert len(warnings) == warned
    assert all(i.level is IssueLevel.TRANSACTION for i in warnings)


def test_legacy_versions_accept_six_digit_dates() -> None:
    text = replace(PO_850, "BEG*00*SA*PO123**20240115", "BEG*00*SA*PO123**240115")
    assert check(text, version="003010").accepted
    assert not check(text, version="004010").accepted


def test_unsupported_sets_and_versions() -> None:
    for text, version in (
        ("ST*864*0001~BMG*00~SE*3*0001~", "004010"),
        (PO_850, "21"),
    ):
        result = check(text, version=version)
        assert not result.accepted
        assert result.spec_version is None
        (issue,) = result.issues
        assert (issue.level, issue.code) == (IssueLevel.TRANSACTION, TransactionError.NOT_SUPPORTED)


def test_997_and_999() -> None:
    ack = "ST*997*0001~AK1*PO*1~AK2*850*0001~AK5*A~AK9*A*1*1*1~SE*6*0001~"
    assert check(ack).accepted
    bad = check(ack.replace("AK5*A", "AK5*Q"))
    assert element_codes(bad) == [("AK5", 1, ElementError.INVALID_CODE)]
    ik = (
        "ST*999*0001*005010X231A1~AK1*HC*17*005010X222A1~AK2*837*0001*005010X222A1~"
        "IK3*NM1*8*2010*8~CTX*SITUATIONAL TRIGGER>1~IK4*3*66*1~IK5*R*5~AK9*R*1*1*0~SE*10*0001~"
    )
    result = check(ik, version="005010X231A1")
    assert result.accepted, [str(i) for i in result.issues]
    assert result.spec_version == "005010"
    missing_ik5 = check(ik.replace("IK5*R*5~", ""), version="005010")
    assert [(i.code, i.segment_id, i.loop_id, i.segment_position) for i in missing_ik5.issues] == [
        (SegmentError.MANDATORY_SEGMENT_MISSING, "IK5", "AK2", 7)  # found missing at AK9
    ]


def test_warnings_past_the_listing_limit_are_counted_as_warnings() -> None:
    # 80 ship-to parties with N103 'A' (a real 66 code outside the partial list): 160
    # findings, 100 listed, the rest in one summary that must not reject the set
    parties = "".join(f"N1*ST*STORE {n}*A*{n:04d}~" for n in range(80))
    text = replace(PO_850, "N1*ST*STORE 12*92*0012~", parties)
    result = check(text)
    assert result.accepted
    assert len(result.issues) == 101 and result.issues[-1].omitted == 60
    assert {i.severity for i in result.issues} == {Severity.WARNING}
    strict = check(text, strict=True)
    assert not strict.accepted and strict.issues[-1].severity is Severity.ERROR
