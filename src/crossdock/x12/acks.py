"""Build 997, 999 and TA1 from collected outcomes, in the acknowledged group's version.

The acks report exactly what the reader and validator found, nothing more: every issue lands
in the segment X12 reserves for its level (TA1, AK9, AK5/IK5, AK3/IK3, AK4/IK4).

Statuses, decided once here so every partner sees the same verdicts:

* transaction (AK501/IK501): R when any finding is an error, E ("accepted, but errors were
  noted") when there are only warnings, else A. Warnings are listed like errors, except the
  findings the ack leaves out (``Issue.in_ack`` False: a code outside a code list the hub
  carries only in part). The hub cannot judge such a code, so the partner is told neither
  that the set was rejected nor that the code is invalid: a set with only those is an A, no
  AK3/AK4 names them, and they stay on the message's record for the hub's own users.
* group (AK901): R when the group itself has an error (AK905..: GE count, control numbers)
  or every transaction was rejected; P when some were accepted and some rejected; E when all
  were accepted but something was noted; else A. AK904 counts the AK5 A and E verdicts, so it
  always agrees with the AK2 loops.

999-only codes (I-codes, newer syntax codes) are mapped to the nearest 997 code for a 997.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from crossdock.x12.codes import GroupAck, SegmentError, TA1Ack, TransactionAck
from crossdock.x12.model import (
    Delimiters,
    GroupHeader,
    InterchangeHeader,
    Issue,
    IssueLevel,
    Segment,
    Severity,
)
from crossdock.x12.outcome import GroupOutcome, InterchangeOutcome

AckKind = Literal["997", "999"]

IMPLEMENTATION_999 = "005010X231A1"
MAX_CODES = 5  # AK502..AK506, AK905..AK909
MAX_ELEMENT_NOTES = 99  # AK4/IK4 per AK3/IK3
MAX_BAD_VALUE = 99  # AK404/IK404
MAX_LOOP_ID = 4  # AK303/IK303 (data element 447, AN 1-4)

# 999 (005010) codes a 004010 997 does not have, mapped to the nearest 997 meaning.
_SEGMENT_TO_997 = {"I4": "2", "I9": "2", "I6": "3", "I7": "3", "I8": "3"}
_ELEMENT_TO_997 = {
    "12": "3",  # too many repetitions: no repetition separator in 004010
    "13": "3",  # too many components
    "I6": "7",  # code value not used in implementation
    "I9": "2",  # implementation dependent element missing
    "I10": "10",  # "not used" element present
    "I11": "2",  # too few repetitions
    "I12": "6",  # pattern match failure
    "I13": "10",  # implementation dependent "not used" element present
}
_TRANSACTION_TO_997 = {"18": "1", "19": "1", "I5": "5", "I6": "1"}
_GROUP_TO_997 = {"19": "6"}


@dataclass(frozen=True, slots=True)
class FunctionalAck:
    """One 997/999 transaction set body (AK1..AK9, without ST/SE): a ``TransactionBody``.

    ``version`` is the GS08 of the group it must travel in (``ack_version``: the inbound
    group's release; a 999 to a 005010 group says 005010X231A1). ``answers`` is the inbound GS.
    """

    code: AckKind
    segments: list[Segment]
    implementation: str
    version: str
    group_status: str
    answers: GroupHeader


def default_kind(version: str) -> AckKind:
    """997 for groups up to 004xxx, 999 from 005010 on (where HIPAA and others expect it)."""
    major = version[:3]
    return "999" if major.isascii() and major.isdigit() and int(major) >= 5 else "997"


def version_family(version: str) -> str:
    """'004010VICS' -> '004010': the 997 speaks the base version, not the industry guide."""
    family = version[:6]
    return family if len(family) == 6 and family.isascii() and family.isdigit() else "004010"


def ack_version(kind: AckKind, version: str) -> str:
    """GS08 of the group our ack travels in: the acknowledged group's own release.

    A 997 speaks the inbound group's release ('004030' for a 004030 group, '004010' for
    '004010VICS'). A 999 answers a 005010 group under its implementation guide
    005010X231A1 (what HIPAA and other 5010 translators expect); a later release (006020,
    007030) in that release, which has a 999 of its own; a group before 005010 (a partner
    set to 999 for a 004xxx sender) also gets 005010X231A1, as the 999 begins there.
    """
    family = version_family(version)
    if kind == "997" or family > "005010":
        return family
    return IMPLEMENTATION_999


def _segment(tag: str, *elements: str) -> Segment:
    """A segment without trailing empty elements (X12 forbids trailing separators)."""
    values = list(elements)
    while values and values[-1] == "":
        values.pop()
    return Segment(tag, values)


def _unique(codes: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(code for code in codes if code))


def _mapped(code: str, table: dict[str, str], kind: AckKind) -> str:
    return table.get(code, code) if kind == "997" else code


def status_of(issues: Sequence[Issue]) -> str:
    """A/E/R for a set of findings: errors reject, warnings are noted (X12 'E')."""
    if any(issue.severity is Severity.ERROR for issue in issues):
        return TransactionAck.REJECTED
    return TransactionAck.ACCEPTED_WITH_ERRORS if issues else TransactionAck.ACCEPTED


def clean_value(value: str, delimiters: Delimiters) -> str:
    """AK404/IK404: the bad value without separators (they would break the ack) and without
    control characters (a value refused for holding one must not carry it back to the partner's
    translator), ≤ 99 chars."""
    banned = {delimiters.element, delimiters.component, delimiters.segment, "\r", "\n"}
    if delimiters.repetition:
        banned.add(delimiters.repetition)
    return "".join(ch for ch in value if ch not in banned and ch.isprintable())[:MAX_BAD_VALUE]


def _position(issue: Issue, kind: AckKind, delimiters: Delimiters) -> str:
    """C030: element[:component] in a 997, element[:component[:repetition]] in a 999."""
    parts = [str(issue.element_position), "", ""]
    if issue.component_position is not None:
        parts[1] = str(issue.component_position)
    if kind == "999" and issue.repetition_position is not None:
        parts[2] = str(issue.repetition_position)
    while parts[-1] == "":
        parts.pop()
    return delimiters.component.join(parts)


def _element_note(issue: Issue, kind: AckKind, delimiters: Delimiters) -> Segment:
    reference = issue.element_reference or ""
    return _segment(
        "AK4" if kind == "997" else "IK4",
        _position(issue, kind, delimiters),
        reference if reference.isascii() and reference.isdigit() else "",
        _mapped(issue.code, _ELEMENT_TO_997, kind),
        clean_value(issue.bad_value or "", delimiters),
    )


def _segment_notes(issues: Sequence[Issue], kind: AckKind, delimiters: Delimiters) -> list[Segment]:
    """AK3/AK4 (IK3/IK4) loops, one per segment in error, in segment order."""
    by_segment: dict[tuple[int, str], list[Issue]] = {}
    for issue in issues:
        if issue.level not in (IssueLevel.SEGMENT, IssueLevel.ELEMENT):
            continue
        if issue.segment_position is None or not issue.segment_id:
            continue  # unplaceable: still rejects the set through AK5 code 5
        by_segment.setdefault((issue.segment_position, issue.segment_id), []).append(issue)
    out: list[Segment] = []
    tag = "AK3" if kind == "997" else "IK3"
    for (position, segment_id), found in sorted(by_segment.items()):
        codes = _unique(
            _mapped(i.code, _SEGMENT_TO_997, kind) for i in found if i.level is IssueLevel.SEGMENT
        ) or [SegmentError.HAS_ELEMENT_ERRORS]
        loop = next((i.loop_id for i in found if i.loop_id), "")[:MAX_LOOP_ID]
        elements = [
            i for i in found if i.level is IssueLevel.ELEMENT and i.element_position is not None
        ]
        for index, code in enumerate(codes):
            out.append(_segment(tag, segment_id[:3], str(position), loop, code))
            if index == 0:
                out.extend(_element_note(i, kind, delimiters) for i in elements[:MAX_ELEMENT_NOTES])
    return out


def acked(issues: Sequence[Issue]) -> Sequence[Issue]:
    """The findings a 997/999 reports: all but those it leaves out (``Issue.in_ack``)."""
    if all(issue.in_ack for issue in issues):
        return issues  # the usual case (and every clean set): no copy
    return [issue for issue in issues if issue.in_ack]


def transaction_codes(issues: Sequence[Issue], kind: AckKind) -> list[str]:
    """AK502..AK506: the set's own syntax codes, then 5 (I5) when segments are in error.

    ``issues`` are the set's findings as the ack reports them (``acked``).
    """
    codes = [
        _mapped(i.code, _TRANSACTION_TO_997, kind)
        for i in issues
        if i.level is IssueLevel.TRANSACTION
    ]
    detail = [i for i in issues if i.level in (IssueLevel.SEGMENT, IssueLevel.ELEMENT)]
    if detail:
        implementation_only = all(i.code.startswith("I") for i in detail)
        codes.append("I5" if kind == "999" and implementation_only else "5")
    return _unique(codes)[:MAX_CODES]


def _group_status(group: GroupOutcome, verdicts: Sequence[str]) -> str:
    if any(issue.severity is Severity.ERROR for issue in group.issues):
        return GroupAck.REJECTED
    accepted = sum(1 for v in verdicts if v != TransactionAck.REJECTED)
    if verdicts and accepted == 0:
        return GroupAck.REJECTED
    if accepted < len(verdicts):
        return GroupAck.PARTIALLY_ACCEPTED
    if group.issues or TransactionAck.ACCEPTED_WITH_ERRORS in verdicts:
        return GroupAck.ACCEPTED_WITH_ERRORS
    return GroupAck.ACCEPTED


def build_functional_ack(
    group: GroupOutcome, *, kind: AckKind | None = None, delimiters: Delimiters | None = None
) -> FunctionalAck:
    """The 997/999 answering one inbound functional group.

    Args:
        group: the collected outcome of the inbound group.
        kind: '997' or '999'; by default from the group's version (004xxx 997, 005xxx 999).
        delimiters: those of the interchange the ack travels in; they decide the composite
            separator in AK401/IK401 and which characters AK404/IK404 must not contain.
    """
    kind = kind or default_kind(group.header.version)
    delimiters = delimiters or Delimiters()
    header = group.header
    body: list[Segment] = []
    if kind == "997":
        body.append(_segment("AK1", header.functional_id, header.control_number))
    else:
        body.append(_segment("AK1", header.functional_id, header.control_number, header.version))
    verdicts: list[str] = []
    for transaction in group.transactions:
        issues = acked(transaction.issues)
        verdict = status_of(issues)
        verdicts.append(verdict)
        if kind == "997":
            body.append(_segment("AK2", transaction.code, transaction.control_number))
        else:
            body.append(
                _segment(
                    "AK2", transaction.code, transaction.control_number, transaction.implementation
                )
            )
        body.extend(_segment_notes(issues, kind, delimiters))
        codes = transaction_codes(issues, kind) if verdict != TransactionAck.ACCEPTED else []
        body.append(_segment("AK5" if kind == "997" else "IK5", verdict, *codes))
    status = _group_status(group, verdicts)
    received = len(group.transactions)
    declared = group.transaction_count_declared
    accepted = sum(1 for v in verdicts if v != TransactionAck.REJECTED)
    group_codes = _unique(_mapped(i.code, _GROUP_TO_997, kind) for i in group.issues)
    body.append(
        _segment(
            "AK9",
            status,
            str(declared if declared is not None else received),
            str(received),
            str(accepted),
            *group_codes[:MAX_CODES],
        )
    )
    for position, segment in enumerate(body, start=2):  # ST is 1
        segment.position = position
    version = ack_version(kind, header.version)
    return FunctionalAck(
        code=kind,
        segments=body,
        implementation=IMPLEMENTATION_999 if version == IMPLEMENTATION_999 else "",
        version=version,
        group_status=status,
        answers=header,
    )


def _interchange_issues(issues: Iterable[Issue]) -> list[Issue]:
    return [issue for issue in issues if issue.level is IssueLevel.INTERCHANGE]


def ta1_required(outcome: InterchangeOutcome) -> bool:
    """A TA1 goes back when the envelope has an error or the sender asked for one (ISA14=1).

    Interchange warnings alone (quirks a lenient read accepted: a BOM, an unpadded IEA02)
    do not trigger one; when a TA1 is sent anyway they make it TA104 E with their note.
    """
    errors = [i for i in _interchange_issues(outcome.issues) if i.severity is Severity.ERROR]
    return bool(errors) or outcome.header.ack_requested == "1"


def ta1_status(issues: Sequence[Issue]) -> str:
    """TA104: R on any interchange error, E when only warnings, else A."""
    found = _interchange_issues(issues)
    if any(issue.severity is Severity.ERROR for issue in found):
        return TA1Ack.REJECTED
    return TA1Ack.ACCEPTED_WITH_ERRORS if found else TA1Ack.ACCEPTED


def build_ta1(
    interchange: InterchangeOutcome | InterchangeHeader,
    issues: Sequence[Issue] | None = None,
    when: datetime | None = None,
) -> Segment:
    """The TA1 answering one inbound interchange.

    TA101..TA103 echo ISA13/ISA09/ISA10 of the interchange acknowledged (that is how the
    sender matches the TA1 to what it sent); ``when`` only stands in for an ISA09/ISA10 that
    is not a valid YYMMDD/HHMM (TA1 note 014/015), so the TA1 itself stays valid. TA105
    carries one note: the first error, else the first warning, else 000.

    Args:
        interchange: the outcome (its issues are used when ``issues`` is None) or just ISA.
        issues: the interchange-level findings to report; other levels are ignored.
        when: the time of acknowledging, for unusable ISA dates/times.
    """
    if isinstance(interchange, InterchangeOutcome):
        header = interchange.header
        found = _interchange_issues(interchange.issues if issues is None else issues)
    else:
        header = interchange
        found = _interchange_issues(issues or ())
    errors = [i for i in found if i.severity is Severity.ERROR]
    note = (errors or found)[0].code if found else "000"
    date, time = header.date, header.time
    if not (len(date) == 6 and date.isascii() and date.isdigit()):
        date = when.strftime("%y%m%d") if when else "000000"
    if not (len(time) == 4 and time.isascii() and time.isdigit()):
        time = when.strftime("%H%M") if when else "0000"
    return Segment("TA1", [header.control_number, date, time, ta1_status(found), note])
