"""The envelope state machine: open and close ISA/GS/ST, validating every trailer.

Envelope segments are rare next to body segments, so this code favours clarity over speed;
the per-segment hot loop is ``crossdock.x12.envelope.EnvelopeReader``. Every finding carries
the X12 code and location an acknowledgment (TA1, AK9, AK5/IK5) needs.
"""

from __future__ import annotations

from crossdock.x12.codes import GroupError
from crossdock.x12.codes import InterchangeNote as Note
from crossdock.x12.codes import TransactionError as TxError
from crossdock.x12.events import (
    Event,
    GroupEnd,
    GroupStart,
    InterchangeEnd,
    InterchangeStart,
)
from crossdock.x12.findings import MAX_BAD_VALUE
from crossdock.x12.model import (
    GroupHeader,
    InterchangeHeader,
    Issue,
    IssueLevel,
    Segment,
    Severity,
    Transaction,
)
from crossdock.x12.tokenizer import IsaToken

ENVELOPE_TAGS = frozenset(("ISA", "IEA", "GS", "GE", "ST", "SE"))
MAX_STRAY_ISSUES = 100  # a file of junk segments must not become a list of a million issues
# Segments kept per transaction set. A set is held whole until SE (the validator and the maps
# need all of it), at a few hundred bytes a segment: past this many the set is rejected, its
# segments let go of and only counted, its raw text still kept (``Transaction.dropped``).
MAX_SET_SEGMENTS = 500_000


Where = tuple[str, int | None, int | None, str | None]
"""(segment id, position, element position, bad value) of an issue."""


def _digits(text: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also takes '¹' and '٣', which ``int`` refuses."""
    return text.isdigit() and text.isascii()


def same_control(received: str, expected: str) -> Severity | None:
    """Compare a trailer's control number with its header's.

    Identical text matches. Text that differs but is the same number ('3438' against ISA13
    '000003438') is a WARNING: the partner's translator dropped the padding, the envelope is
    still unambiguous. Anything else is an ERROR.
    """
    if received == expected:
        return None
    a, b = received.strip(), expected.strip()
    if _digits(a) and _digits(b) and int(a) == int(b):
        return Severity.WARNING
    return Severity.ERROR


def _count_matches(text: str, actual: int) -> bool:
    """Counts may be zero-padded ('000019'), which X12 tolerates."""
    text = text.strip()
    return _digits(text) and int(text) == actual


class Envelopes:
    """The envelope state machine: what is open, what was counted, what was found."""

    def __init__(self, lenient: bool, max_set_segments: int = MAX_SET_SEGMENTS) -> None:
        self.lenient = lenient
        self.max_set_segments = max_set_segments
        self.dropped = 0  # body segments of the open set counted but not kept
        self.isa: InterchangeHeader | None = None
        self.isa_issues: list[Issue] = []
        self.group_count = 0
        self.position = 0  # last envelope-level position in the interchange (ISA = 1)
        self.strays = 0
        self.gs: GroupHeader | None = None
        self.gs_issues: list[Issue] = []
        self.tx_count = 0
        self.segments: list[Segment] | None = None  # open transaction set, ST first
        self.raw: list[str] = []
        self.st_position = 0

    # -- helpers ---------------------------------------------------------------------------

    def _issue(
        self,
        level: IssueLevel,
        code: str,
        message: str,
        where: Where,
        severity: Severity = Severity.ERROR,
    ) -> Issue:
        """An issue located at (segment id, position, element, bad value) in what is open."""
        st = self.segments[0] if level is IssueLevel.TRANSACTION and self.segments else None
        return Issue(
            level,
            code,
            message,
            severity,
            interchange_control=self.isa.control_number if self.isa else None,
            group_control=self.gs.control_number if self.gs else None,
            transaction_control=st.element(2) if st else None,
            transaction_code=st.element(1) if st else None,
            segment_position=where[1],
            segment_id=where[0],
            element_position=where[2],
            bad_value=where[3][:MAX_BAD_VALUE] if where[3] else where[3],
        )

    def _trailer(
        self,
        elements: list[str] | None,
        level: IssueLevel,
        codes: tuple[str, str, str],
        counted: tuple[int, str],
        header: tuple[str, str],
        position: int,
    ) -> list[Issue]:
        """Check a trailer (SE, GE, IEA): present, count right, control number echoed.

        ``codes`` are (missing, count mismatch, control mismatch); ``counted`` is (number
        read, what was counted); ``header`` is (header element name, its control number).
        """
        tag = {IssueLevel.TRANSACTION: "SE", IssueLevel.GROUP: "GE"}.get(level, "IEA")
        if elements is None:
            where: Where = (tag, None, None, None)
            return [self._issue(level, codes[0], f"{tag} trailer is missing", where)]
        found: list[Issue] = []
        count, control = [*elements, "", ""][1:3]
        if not _count_matches(count, counted[0]):
            message = f"{tag}01 {count!r} but {counted[0]} {counted[1]} read"
            found.append(self._issue(level, codes[1], message, (tag, position, 1, count)))
        severity = same_control(control, header[1])
        if severity is not None:
            message = f"{tag}02 {control!r} does not match {header[0]} {header[1]!r}"
            severity = severity if self.lenient else Severity.ERROR
            where = (tag, position, 2, control)
            found.append(self._issue(level, codes[2], message, where, severity))
        return found

    # -- interchange -------------------------------------------------------------------------

    def open_interchange(self, token: IsaToken, out: list[Event]) -> None:
        if self.isa is not None:
            self.close_interchange(None, out)
        self.isa, self.isa_issues = token.header, list(token.issues)
        self.group_count, self.position, self.strays = 0, 1, 0
        out.append(InterchangeStart(token.header))

    def close_interchange(self, elements: list[str] | None, out: list[Event]) -> None:
        isa = self.isa
        if isa is None:
            return
        self.close_group(None, out)
        self.position += 1
        codes = (Note.PREMATURE_END_OF_FILE, Note.INVALID_GROUP_COUNT, Note.CONTROL_NUMBER_MISMATCH)
        counted = (self.group_count, "functional group(s)")
        header = ("ISA13", isa.control_number)
        found = self._trailer(
            elements, IssueLevel.INTERCHANGE, codes, counted, header, self.position
        )
        self.isa_issues.extend(found)
        out.append(InterchangeEnd(isa, self.group_count, self.isa_issues))
        self.isa, self.isa_issues = None, []

    # -- group ----------------------------------------------------------------------------------

    def open_group(self, elements: list[str], out: list[Event]) -> None:
        self.close_group(None, out)
        self.position += 1
        isa = self.isa
        assert isa is not None  # segments only arrive inside an interchange
        f = [*elements, *[""] * 8][1:9]
        self.gs = GroupHeader(f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], self.position)
        self.gs_issues, self.tx_count = [], 0
        self.group_count += 1
        if len(elements) != 9:
            message = f"GS has {len(elements) - 1} elements instead of 8"
            where: Where = ("GS", self.position, None, None)
            self.isa_issues.append(
                self._issue(IssueLevel.INTERCHANGE, Note.INVALID_CONTENT, message, where)
            )
        if not _digits(f[5].strip()):
            message = f"GS06 {f[5]!r} is not a numeric control number"
            where = ("GS", self.position, 6, f[5])
            self.gs_issues.append(
                self._issue(IssueLevel.GROUP, GroupError.CONTROL_NUMBER_SYNTAX, message, where)
            )
        out.append(GroupStart(self.gs, isa))

    def close_group(self, elements: list[str] | None, out: list[Event]) -> None:
        gs, isa = self.gs, self.isa
        self.close_transaction(None, out)
        if gs is None or isa is None:
            if elements is not None:
                self.stray("GE", "GE without a GS")
            return
        if elements is not None:
            self.position += 1
        codes = (
            GroupError.TRAILER_MISSING,
            GroupError.COUNT_MISMATCH,
            GroupError.CONTROL_NUMBER_MISMATCH,
        )
        counted = (self.tx_count, "transaction set(s)")
        found = self._trailer(
            elements, IssueLevel.GROUP, codes, counted, ("GS06", gs.control_number), self.position
        )
        self.gs_issues.extend(found)
        out.append(GroupEnd(gs, isa, self.tx_count, self.gs_issues))
        self.gs, self.gs_issues = None, []

    # -- transaction set -------------------------------------------------------------------

    def open_transaction(self, elements: list[str], piece: str, out: list[Event]) -> None:
        self.close_transaction(None, out)
        if self.gs is None:
            self.stray("ST", "ST outside a functional group; read in an empty group")
            self.open_group(["GS"], out)
            self.isa_issues.pop()  # the synthetic GS is not a second finding
            self.gs_issues.clear()
        self.position += 1
        self.st_position = self.position
        del elements[0]
        self.segments, self.raw = [Segment("ST", elements, 1)], [piece]
        self.dropped = 0

    def drop_kept(self) -> None:
        """The open set outgrew ``max_set_segments``: keep ST only, count the rest."""
        assert self.segments is not None
        self.dropped = len(self.segments) - 1
        del self.segments[1:]

    def close_transaction(self, elements: list[str] | None, out: list[Event]) -> None:
        segments, isa, gs = self.segments, self.isa, self.gs
        if segments is None or isa is None or gs is None:
            if elements is not None:
                self.stray("SE", "SE without an ST")
            return
        st = segments[0]
        code, control = st.element(1), st.element(2)
        level = IssueLevel.TRANSACTION
        issues: list[Issue] = []
        if not code.strip():
            where: Where = ("ST", 1, 1, code)
            issues.append(
                self._issue(level, TxError.MISSING_OR_INVALID_IDENTIFIER, "ST01 is empty", where)
            )
        if not control.strip():
            where = ("ST", 1, 2, control)
            issues.append(
                self._issue(
                    level, TxError.MISSING_OR_INVALID_CONTROL_NUMBER, "ST02 is empty", where
                )
            )
        codes = (
            TxError.TRAILER_MISSING,
            TxError.SEGMENT_COUNT_MISMATCH,
            TxError.CONTROL_NUMBER_MISMATCH,
        )
        total = len(segments) + self.dropped
        if self.dropped:
            message = (
                f"transaction set has more than {self.max_set_segments:,} segments"
                f" ({total:,}): not validated, kept as received"
            )
            issues.append(
                self._issue(level, TxError.SEGMENTS_IN_ERROR, message, ("ST", 1, None, None))
            )
        counted = (total, "segments (ST to SE)")
        issues += self._trailer(elements, level, codes, counted, ("ST02", control), total)
        self.position = self.st_position + total - 1
        delimiters = isa.delimiters
        separator = delimiters.segment + delimiters.suffix
        raw = separator.join(self.raw) + separator
        transaction = Transaction(code, control, st.element(3), segments, isa, gs, raw, issues)
        transaction.dropped, self.dropped = self.dropped, 0
        out.append(transaction)
        self.tx_count += 1
        self.segments, self.raw = None, []

    def stray(self, tag: str, why: str) -> None:
        """A segment outside the envelope where it belongs (TA1 022)."""
        self.position += 1
        self.strays += 1
        if self.strays > MAX_STRAY_ISSUES + 1:
            return
        if self.strays == MAX_STRAY_ISSUES + 1:
            why = f"more than {MAX_STRAY_ISSUES} segments outside transaction sets; not all listed"
        where: Where = (tag, self.position, None, None)
        self.isa_issues.append(
            self._issue(IssueLevel.INTERCHANGE, Note.INVALID_CONTROL_STRUCTURE, why, where)
        )
