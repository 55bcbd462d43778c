"""Read a partner's 997/999/TA1 into reports the hub can act on.

The hub marks the outbound documents an ack answers accepted or rejected, so each verdict
comes with its reason in words (segment, position, element, code meaning). Partners' acks
are often sloppy: whatever can be understood is reported, and every defect of the ack itself
goes to ``problems`` instead of raising, so a bad ack never hides a rejection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from crossdock.x12.ack_codes import (
    ACK_STATUS,
    ELEMENT_ERROR,
    GROUP_ERROR,
    INTERCHANGE_NOTE,
    SEGMENT_ERROR,
    TA1_STATUS,
    TRANSACTION_ERROR,
    meaning,
)
from crossdock.x12.model import Delimiters, Segment, Transaction

_ACCEPTED = frozenset({"A", "E"})
_SET_STATUS = {code: text for code, text in ACK_STATUS.items() if code != "P"}  # P: groups only


@dataclass(slots=True)
class AckCounts:
    """AK902 sets included (the sender's GE01), AK903 received, AK904 accepted (None: unreadable)."""

    included: int | None = None
    received: int | None = None
    accepted: int | None = None


@dataclass(slots=True)
class TransactionAckReport:
    """The verdict on one transaction set we sent (one AK2 loop)."""

    code: str
    control_number: str
    status: str = ""
    errors: list[str] = field(default_factory=list)
    implementation: str = ""
    error_codes: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        """A or E: the partner took the set (E: with noted errors it will not act on)."""
        return self.status in _ACCEPTED


@dataclass(slots=True)
class AckReport:
    """One 997/999: the verdict on one functional group we sent and on its sets.

    A set without an AK2 loop shares the group's verdict (partners often list only the
    rejected sets, or none when everything was accepted): use ``status_of``.
    """

    kind: Literal["997", "999"]
    functional_id: str = ""
    group_control: str = ""
    group_status: str = ""
    group_errors: list[str] = field(default_factory=list)
    counts: AckCounts = field(default_factory=AckCounts)
    transactions: list[TransactionAckReport] = field(default_factory=list)
    version: str = ""
    group_error_codes: list[str] = field(default_factory=list)
    control_number: str = ""
    problems: list[str] = field(default_factory=list)

    def status_of(self, control_number: str) -> str | None:
        """The verdict on set ``control_number``: its AK5, else the group's when it is final."""
        for transaction in self.transactions:
            if transaction.control_number == control_number:
                return transaction.status
        return self.group_status if self.group_status in {"A", "E", "R"} else None


@dataclass(slots=True)
class InterchangeAckReport:
    """One TA1: the verdict on one interchange we sent."""

    control_number: str
    date: str
    time: str
    status: str
    note_code: str
    note_text: str
    problems: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.status in _ACCEPTED


def _is_number(value: str) -> bool:
    return value.isdigit() and value.isascii()  # not '¹', which int() refuses


def _count(segment: Segment, index: int, report: AckReport) -> int | None:
    value = segment.element(index).strip()
    if _is_number(value):
        return int(value)
    report.problems.append(_where(segment, index, value, "is not a number"))
    return None


def _where(segment: Segment, index: int, value: str, what: str) -> str:
    return f"segment {segment.position} {segment.tag}: {segment.tag}{index:02d} {value!r} {what}"


def _check(segment: Segment, index: int, table: dict[str, str], report: AckReport) -> str:
    """The element's value; a value outside its code list becomes a problem, not an error."""
    value = segment.element(index).strip()
    if value not in table:
        report.problems.append(_where(segment, index, value, "is not a valid code"))
    return value


class _FunctionalAckParser:
    """Walks AK1..AK9 once, keeping the segment note (AK3) the element notes (AK4) belong to."""

    def __init__(self, report: AckReport, delimiters: Delimiters) -> None:
        self.report = report
        self.delimiters = delimiters
        self.current: TransactionAckReport | None = None
        self.note: str = ""  # "NM1 at position 8 (loop 2010)"
        self.pending: str | None = None  # an AK3 reason not yet detailed by AK4s

    def flush(self) -> None:
        if self.pending is not None and self.current is not None:
            self.current.errors.append(self.pending)
        self.pending = None

    def feed(self, segment: Segment) -> None:
        tag = segment.tag
        handler = {
            "AK1": self.ak1,
            "AK2": self.ak2,
            "AK3": self.ak3,
            "IK3": self.ak3,
            "AK4": self.ak4,
            "IK4": self.ak4,
            "AK5": self.ak5,
            "IK5": self.ak5,
            "AK9": self.ak9,
        }.get(tag)
        if handler is not None:
            handler(segment)
        elif tag not in {"ST", "SE", "CTX"}:  # CTX: 999 context, not a verdict
            self.report.problems.append(f"segment {segment.position} {tag}: unexpected in an ack")

    def ak1(self, segment: Segment) -> None:
        report = self.report
        report.functional_id = segment.element(1).strip()
        if not (len(report.functional_id) == 2 and report.functional_id.isalnum()):
            report.problems.append(
                _where(segment, 1, report.functional_id, "is not a functional identifier code")
            )
        report.group_control = segment.element(2).strip()
        if not _is_number(report.group_control):
            report.problems.append(_where(segment, 2, report.group_control, "is not a number"))
        report.version = segment.element(3).strip()

    def ak2(self, segment: Segment) -> None:
        self.flush()
        self.current = TransactionAckReport(
            segment.element(1).strip(),
            segment.element(2).strip(),
            implementation=segment.element(3).strip(),
        )
        self.report.transactions.append(self.current)

    def ak3(self, segment: Segment) -> None:
        self.flush()
        position = segment.element(2).strip()
        if not _is_number(position):
            self.report.problems.append(_where(segment, 2, position, "is not a number"))
        loop = segment.element(3).strip()
        self.note = f"{segment.element(1).strip()} at position {position}"
        self.note += f" (loop {loop})" if loop else ""
        code = segment.element(4).strip()
        if code:
            _check(segment, 4, SEGMENT_ERROR, self.report)
        self.pending = (
            f"{self.note}: {meaning(SEGMENT_ERROR, code) if code else 'segment in error'}"
        )
        if self.current is None:
            self.report.problems.append(f"segment {segment.position} {segment.tag}: before any AK2")

    def ak4(self, segment: Segment) -> None:
        if self.pending is not None and self.pending.endswith(("(8)", "segment in error")):
            self.pending = None  # the element notes say more than "has element errors"
        self.flush()
        parts = segment.element(1).strip().split(self.delimiters.component)
        if not all(_is_number(p) for p in parts if p) or not parts[0]:
            self.report.problems.append(_where(segment, 1, segment.element(1), "is not a position"))
        where = f"element {parts[0].zfill(2)}"
        if len(parts) > 1 and parts[1]:
            where += f" component {parts[1]}"
        if len(parts) > 2 and parts[2]:
            where += f" repetition {parts[2]}"
        reference = segment.element(2).strip()
        if reference and not (_is_number(reference) and len(reference) <= 4):
            self.report.problems.append(
                _where(segment, 2, reference, "is not a data element reference number")
            )
        if reference:
            where += f" (data element {reference})"
        _check(segment, 3, ELEMENT_ERROR, self.report)
        text = f"{self.note}: {where}: {meaning(ELEMENT_ERROR, segment.element(3).strip())}"
        bad = segment.element(4)
        if bad:
            text += f", bad value {bad!r}"
        if self.current is None:
            self.report.problems.append(f"segment {segment.position} {segment.tag}: before any AK2")
        else:
            self.current.errors.append(text)

    def ak5(self, segment: Segment) -> None:
        self.flush()
        if self.current is None:
            self.report.problems.append(f"segment {segment.position} {segment.tag}: before any AK2")
            return
        self.current.status = _check(segment, 1, _SET_STATUS, self.report)
        for index in range(2, 7):
            code = segment.element(index).strip()
            if code:
                _check(segment, index, TRANSACTION_ERROR, self.report)
                self.current.error_codes.append(code)
                self.current.errors.append(meaning(TRANSACTION_ERROR, code))
        self.current = None

    def ak9(self, segment: Segment) -> None:
        self.flush()
        report = self.report
        report.group_status = _check(segment, 1, ACK_STATUS, report)
        report.counts = AckCounts(
            _count(segment, 2, report), _count(segment, 3, report), _count(segment, 4, report)
        )
        for index in range(5, 10):
            code = segment.element(index).strip()
            if code:
                _check(segment, index, GROUP_ERROR, report)
                report.group_error_codes.append(code)
                report.group_errors.append(meaning(GROUP_ERROR, code))


def read_functional_ack(transaction: Transaction) -> AckReport:
    """Report one inbound 997 or 999 transaction set.

    Raises:
        ValueError: when the set is neither a 997 nor a 999 (a routing mistake, not a quirk).
    """
    if transaction.code not in ("997", "999"):
        raise ValueError(f"transaction set {transaction.code} is not a 997 or 999")
    kind: Literal["997", "999"] = "997" if transaction.code == "997" else "999"
    report = AckReport(kind, control_number=transaction.control_number)
    parser = _FunctionalAckParser(report, transaction.delimiters)
    for segment in transaction.segments:
        parser.feed(segment)
    parser.flush()
    for found in report.transactions:
        if not found.status:
            report.problems.append(f"AK2 {found.code} {found.control_number}: no AK5/IK5")
    if not report.functional_id and not report.group_control:
        report.problems.append("no AK1: the ack does not say which group it answers")
    if not report.group_status:
        report.problems.append("no AK9: the group's verdict is missing")
    counts = report.counts
    received, accepted = counts.received, counts.accepted
    if received is not None and accepted is not None and accepted > received:
        report.problems.append(f"AK904 {counts.accepted} exceeds AK903 {counts.received}")
    return report


def read_ta1(segment: Segment) -> InterchangeAckReport:
    """Report one TA1 segment (the verdict on one interchange)."""
    note = segment.element(5).strip()
    status = segment.element(4).strip()
    report = InterchangeAckReport(
        control_number=segment.element(1).strip(),
        date=segment.element(2).strip(),
        time=segment.element(3).strip(),
        status=status,
        note_code=note,
        note_text=meaning(INTERCHANGE_NOTE, note) if note else "no note code",
    )
    checks = (
        (
            1,
            report.control_number,
            len(report.control_number) == 9 and _is_number(report.control_number),
        ),
        (2, report.date, len(report.date) == 6 and _is_number(report.date)),
        (3, report.time, len(report.time) == 4 and _is_number(report.time)),
        (4, status, status in TA1_STATUS),
        (5, note, note in INTERCHANGE_NOTE),
    )
    for index, value, valid in checks:
        if not valid:
            report.problems.append(f"TA1{index:02d} {value!r} is not valid")
    return report
