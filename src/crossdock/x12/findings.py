"""Bounded lists of findings: the first N are listed, the rest only counted.

A transaction set of 750,000 junk segments has 750,000 findings; listing them all made one
input cost gigabytes (an ``Issue`` each, then a stored error, an AK3, a line of JSON each).
Translators list the first hundred or so per transaction set and count the rest; so does
this library. Past the limit nothing is built per finding: the walker asks ``full`` before it
makes an ``Issue`` and only ``omit``s afterwards, so memory does not depend on how many
findings there are. What was not listed travels as one summary ``Issue`` (``omitted`` = how
many), which rejects like the findings it stands for and reaches every consumer (stored
errors, 997/999 AK5 code 5, the CLI) without a second channel.
"""

from __future__ import annotations

from collections.abc import Sequence

from crossdock.x12.codes import TransactionError
from crossdock.x12.model import Issue, IssueLevel, Severity

MAX_FINDINGS_PER_SET = 100
MAX_FINDINGS_PER_INTERCHANGE = 1000
# Characters of a bad value an issue keeps (AK404 shows 99): a listed finding must not keep
# a megabyte element alive until the interchange's ack is built.
MAX_BAD_VALUE = 200


class Findings(list[Issue]):
    """A list of issues that stops growing at ``limit``; callers ``omit`` what comes after.

    A list subclass so the walker's hot path keeps plain ``append``; it checks ``full``
    first, which is only reached once a finding exists.
    """

    __slots__ = ("limit", "omitted")

    def __init__(self, limit: int) -> None:
        super().__init__()
        if limit < 1:
            raise ValueError(f"the findings limit must be at least 1, got {limit}")
        self.limit = limit
        self.omitted = 0

    @property
    def full(self) -> bool:
        return len(self) >= self.limit

    def omit(self, count: int = 1) -> None:
        self.omitted += count


def limit_note(limit: int, scope: str) -> str:
    """Why findings were not listed: 'at most 100 are listed per transaction set'."""
    return f"at most {limit:,} are listed per {scope}"


def omitted_issue(
    count: int,
    why: str,
    *,
    severity: Severity = Severity.ERROR,
    in_ack: bool = True,
    like: Issue | None = None,
    interchange_control: str | None = None,
    group_control: str | None = None,
    transaction_control: str | None = None,
    transaction_code: str | None = None,
) -> Issue:
    """The one issue standing for ``count`` findings not listed.

    Within a transaction set it is a set-level code 5 ("one or more segments in error": AK5
    in an ack); ``like`` (the first finding omitted from an envelope's list) gives the level,
    code and control numbers instead, so a TA1 or AK9 summary stays in its own envelope.
    """
    level, code = IssueLevel.TRANSACTION, TransactionError.SEGMENTS_IN_ERROR
    if like is not None:
        if like.level not in (IssueLevel.SEGMENT, IssueLevel.ELEMENT):
            level, code = like.level, like.code
        interchange_control, group_control = like.interchange_control, like.group_control
        transaction_control, transaction_code = like.transaction_control, like.transaction_code
    return Issue(
        level,
        code,
        f"{count:,} more finding{'s' if count != 1 else ''} not listed ({why})",
        severity,
        interchange_control=interchange_control,
        group_control=group_control,
        transaction_control=transaction_control,
        transaction_code=transaction_code,
        omitted=count,
        in_ack=in_ack,
    )


def listed_count(issues: Sequence[Issue]) -> int:
    """How many of ``issues`` are listed findings (summaries of omitted ones excluded)."""
    return sum(1 for issue in issues if not issue.omitted)


def total_count(issues: Sequence[Issue]) -> int:
    """Every finding ``issues`` stands for: the listed ones plus those summaries count."""
    return sum(issue.omitted or 1 for issue in issues)


def capped(issues: Sequence[Issue], limit: int, why: str) -> tuple[Issue, ...]:
    """``issues`` with at most ``limit`` listed; the rest (and earlier summaries) as one summary.

    Used where findings of several sources meet (the reader's and the validator's for one
    set, every set of an interchange): each source is already bounded, so this only trims.
    ``limit`` may be 0 (an interchange whose budget is spent lists nothing more).
    """
    listed: list[Issue] = []
    omitted = 0
    error = False
    in_ack = False  # the summary goes into the 997/999 if any finding it stands for would
    first: Issue | None = None
    summaries = 0
    for issue in issues:
        if issue.omitted:
            omitted += issue.omitted
            summaries += 1
        elif len(listed) < limit:
            listed.append(issue)
            continue
        else:
            omitted += 1
        first = first or issue
        error = error or issue.severity is Severity.ERROR
        in_ack = in_ack or issue.in_ack
    if first is None:
        return tuple(listed)
    if summaries == 1 and first.omitted == omitted:
        return (*listed, first)  # nothing trimmed here: keep the summary as it was made
    severity = Severity.ERROR if error else Severity.WARNING
    return (*listed, omitted_issue(omitted, why, severity=severity, in_ack=in_ack, like=first))
