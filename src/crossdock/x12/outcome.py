"""What the reader and the validator found, kept per envelope: the input of 997/999/TA1.

Acknowledgments answer envelopes (one TA1 per interchange, one 997/999 per group, one AK2
loop per transaction set), so findings are regrouped here along the envelope tree. Only the
outcomes are kept, never the segments: ``collect`` yields each interchange as soon as its
IEA (or the end of the input) is seen, so memory stays flat on gigabyte files.

Only ``events`` (the reader's event types) is imported, never the reader itself, so the
collector works on any event source (a recorded list in tests, a replay).

Findings are listed per transaction set up to ``max_per_set`` and per interchange up to
``max_per_interchange`` in all; the rest are counted into one summary issue per set or
envelope (``findings.capped``), so an interchange's outcome, and the 997/999/TA1 built from
it, stay small however many findings its sets have.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from crossdock.x12.codes import GroupError, InterchangeNote
from crossdock.x12.events import (
    Event,
    GroupEnd,
    GroupStart,
    InterchangeEnd,
    InterchangeStart,
)
from crossdock.x12.findings import (
    MAX_FINDINGS_PER_INTERCHANGE,
    MAX_FINDINGS_PER_SET,
    capped,
    limit_note,
    listed_count,
)
from crossdock.x12.model import (
    GroupHeader,
    InterchangeHeader,
    Issue,
    IssueLevel,
    Transaction,
)

_TRANSACTION_LEVELS = frozenset({IssueLevel.TRANSACTION, IssueLevel.SEGMENT, IssueLevel.ELEMENT})


@dataclass(frozen=True, slots=True)
class TransactionOutcome:
    """One transaction set as the ack sees it: its identity and every finding (reader + spec)."""

    code: str
    control_number: str
    implementation: str = ""
    issues: tuple[Issue, ...] = ()


@dataclass(frozen=True, slots=True)
class GroupOutcome:
    """One functional group: what a 997/999 answers.

    ``transaction_count_declared`` is GE01 (None when GE is missing or unreadable); the
    number received is ``len(transactions)``.
    """

    header: GroupHeader
    transactions: tuple[TransactionOutcome, ...] = ()
    issues: tuple[Issue, ...] = ()
    transaction_count_declared: int | None = None


@dataclass(frozen=True, slots=True)
class InterchangeOutcome:
    """One interchange: what a TA1 answers, and the groups the functional acks answer.

    ``complete`` is False when the input ended (or the next ISA began) before IEA.
    """

    header: InterchangeHeader
    groups: tuple[GroupOutcome, ...] = ()
    issues: tuple[Issue, ...] = ()
    complete: bool = True


class HasIssues(Protocol):
    """A validator result (``validator.ValidationResult``) seen only through its findings."""

    @property
    def issues(self) -> Sequence[Issue]: ...


Validate = Callable[[Transaction], "Sequence[Issue] | HasIssues"]


@dataclass(frozen=True, slots=True)
class UnreadableSpan:
    """Bytes outside any interchange: nothing can acknowledge them (no ISA13 to answer)."""

    offset: int
    issues: tuple[Issue, ...]


def is_ta1_finding(issue: Issue) -> bool:
    """The reader's 022 for a TA1 between ISA and GS: legitimate X12, no reason to reject."""
    return issue.code == InterchangeNote.INVALID_CONTROL_STRUCTURE and issue.segment_id == "TA1"


def _unique(issues: Iterable[Issue]) -> tuple[Issue, ...]:
    """Drop repeats (reader and validator may both see an SE count) but keep the order."""
    return tuple(dict.fromkeys(issues))


@dataclass(slots=True)
class _OpenGroup:
    header: GroupHeader
    transactions: list[TransactionOutcome] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    def close(self, declared: int | None, limit: int) -> GroupOutcome:
        issues = capped(_unique(self.issues), limit, limit_note(limit, "functional group"))
        return GroupOutcome(self.header, tuple(self.transactions), issues, declared)


@dataclass(slots=True)
class _OpenInterchange:
    header: InterchangeHeader
    groups: list[GroupOutcome] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    group: _OpenGroup | None = None
    listed: int = 0  # transaction set findings listed so far, against max_per_interchange


class OutcomeCollector:
    """Folds reader events into ``InterchangeOutcome``s, one interchange at a time.

    A class rather than a bare generator so that findings nobody can acknowledge (garbage
    before the first ISA) stay available in ``unreadable`` instead of being dropped.
    """

    def __init__(
        self,
        validate: Validate | None = None,
        *,
        max_per_set: int = MAX_FINDINGS_PER_SET,
        max_per_interchange: int = MAX_FINDINGS_PER_INTERCHANGE,
    ) -> None:
        self._validate = validate
        self._open: _OpenInterchange | None = None
        self._max_per_set = max_per_set
        self._max_per_interchange = max_per_interchange
        self.unreadable: list[UnreadableSpan] = []

    def feed(self, events: Iterable[Event]) -> Iterator[InterchangeOutcome]:
        """Consume ``events`` lazily; yield each interchange once it is complete."""
        for event in events:
            if isinstance(event, Transaction):
                self._transaction(event)
            elif isinstance(event, InterchangeStart):
                if self._open is not None:
                    yield self._close_unterminated()
                self._open = _OpenInterchange(event.header)
            elif isinstance(event, GroupStart):
                self._group_start(event)
            elif isinstance(event, GroupEnd):
                self._group_end(event)
            elif isinstance(event, InterchangeEnd):
                if self._open is None:  # IEA without ISA: nothing to answer
                    self.unreadable.append(UnreadableSpan(-1, tuple(event.issues)))
                    continue
                yield self._close(event)
            elif self._open is None:  # Unreadable outside any interchange
                self.unreadable.append(UnreadableSpan(event.offset, tuple(event.issues)))
            else:
                self._route(event.issues, self._open)
        if self._open is not None:
            yield self._close_unterminated()

    # -- events --------------------------------------------------------------------------

    def _interchange_for(self, header: InterchangeHeader) -> _OpenInterchange:
        if self._open is None:
            self._open = _OpenInterchange(header)
        return self._open

    def _group_start(self, event: GroupStart) -> None:
        interchange = self._interchange_for(event.interchange)
        if interchange.group is not None:  # GS inside a group: the old one never saw GE
            self._close_group(interchange, None, missing_trailer=True)
        interchange.group = _OpenGroup(event.header)

    def _group_end(self, event: GroupEnd) -> None:
        interchange = self._interchange_for(event.interchange)
        if interchange.group is None:
            interchange.group = _OpenGroup(event.header)
        self._route(event.issues, interchange)
        self._close_group(interchange, _declared(event))

    def _transaction(self, transaction: Transaction) -> None:
        interchange = self._interchange_for(transaction.interchange)
        if interchange.group is None:
            interchange.group = _OpenGroup(transaction.group)
        found: list[Issue] = list(transaction.issues)
        if self._validate is not None:
            result = self._validate(transaction)
            # Ask for ``.issues`` first: a NamedTuple result is itself a Sequence.
            found.extend(result.issues if hasattr(result, "issues") else result)
        own = [issue for issue in found if issue.level in _TRANSACTION_LEVELS]
        self._route(
            [issue for issue in found if issue.level not in _TRANSACTION_LEVELS], interchange
        )
        room = max(0, self._max_per_interchange - interchange.listed)
        if room < self._max_per_set:
            why = limit_note(self._max_per_interchange, "interchange")
        else:
            room, why = self._max_per_set, limit_note(self._max_per_set, "transaction set")
        kept = capped(_unique(own), room, why)
        interchange.listed += listed_count(kept)
        interchange.group.transactions.append(
            TransactionOutcome(
                transaction.code, transaction.control_number, transaction.implementation, kept
            )
        )

    # -- closing -------------------------------------------------------------------------

    def _route(self, issues: Iterable[Issue], interchange: _OpenInterchange) -> None:
        """Send each finding to the envelope whose acknowledgment reports it."""
        for issue in issues:
            if issue.level is IssueLevel.INTERCHANGE or interchange.group is None:
                interchange.issues.append(issue)
            else:
                interchange.group.issues.append(issue)

    def _close_group(
        self, interchange: _OpenInterchange, declared: int | None, *, missing_trailer: bool = False
    ) -> None:
        group = interchange.group
        assert group is not None
        if missing_trailer and not any(i.code == GroupError.TRAILER_MISSING for i in group.issues):
            group.issues.append(
                Issue(
                    IssueLevel.GROUP,
                    GroupError.TRAILER_MISSING,
                    "functional group ended without GE",
                    interchange_control=interchange.header.control_number,
                    group_control=group.header.control_number,
                )
            )
        interchange.groups.append(group.close(declared, self._max_per_set))
        interchange.group = None

    def _close(self, event: InterchangeEnd) -> InterchangeOutcome:
        interchange = self._open
        assert interchange is not None
        if interchange.group is not None:
            self._close_group(interchange, None, missing_trailer=True)
        interchange.issues.extend(i for i in event.issues if not is_ta1_finding(i))
        self._open = None
        return InterchangeOutcome(
            interchange.header, tuple(interchange.groups), self._envelope_issues(interchange)
        )

    def _close_unterminated(self) -> InterchangeOutcome:
        """The input stopped (or a new ISA began) before IEA: TA1 note 023."""
        interchange = self._open
        assert interchange is not None
        if interchange.group is not None:
            self._close_group(interchange, None, missing_trailer=True)
        if not any(i.code == InterchangeNote.PREMATURE_END_OF_FILE for i in interchange.issues):
            interchange.issues.append(
                Issue(
                    IssueLevel.INTERCHANGE,
                    InterchangeNote.PREMATURE_END_OF_FILE,
                    "interchange ended without IEA",
                    interchange_control=interchange.header.control_number,
                )
            )
        self._open = None
        return InterchangeOutcome(
            interchange.header,
            tuple(interchange.groups),
            self._envelope_issues(interchange),
            complete=False,
        )

    def _envelope_issues(self, interchange: _OpenInterchange) -> tuple[Issue, ...]:
        limit = self._max_per_set
        return capped(_unique(interchange.issues), limit, limit_note(limit, "interchange envelope"))


def _declared(event: GroupEnd) -> int | None:
    """GE01 for AK902.

    The event carries the count actually read; a GE01 that differs arrives as a code-5 issue
    whose ``bad_value`` is GE01, so it is taken from there when present.
    """
    if any(issue.code == GroupError.TRAILER_MISSING for issue in event.issues):
        return None  # no GE, no GE01: AK902 falls back to the count received
    for issue in event.issues:
        value = (issue.bad_value or "").strip()
        if issue.code == GroupError.COUNT_MISMATCH and value.isascii() and value.isdigit():
            return int(value)
    return event.transaction_count


def collect(
    events: Iterable[Event],
    validate: Validate | None = None,
    *,
    max_per_set: int = MAX_FINDINGS_PER_SET,
    max_per_interchange: int = MAX_FINDINGS_PER_INTERCHANGE,
) -> Iterator[InterchangeOutcome]:
    """Stream ``InterchangeOutcome``s from reader events, validating each transaction.

    Args:
        events: what ``reader.read`` yields (InterchangeStart, GroupStart, Transaction,
            GroupEnd, InterchangeEnd, Unreadable).
        validate: spec validation per transaction; may return the issues or an object with
            ``.issues`` (``validator.validate`` as is). None keeps only the reader's findings.
        max_per_set: findings listed per transaction set (and per envelope); the rest counted.
        max_per_interchange: findings listed over all sets of one interchange.

    Bytes outside any interchange cannot be acknowledged; use ``OutcomeCollector`` directly
    to see them in ``unreadable``.
    """
    collector = OutcomeCollector(
        validate, max_per_set=max_per_set, max_per_interchange=max_per_interchange
    )
    yield from collector.feed(events)
