"""What the streaming reader yields, and the small tree ``reader.parse`` builds from it.

Events rather than a tree are the primary shape because a tree of a 1 GB file does not fit
in memory; ``Transaction`` (from the model) is the unit a consumer actually processes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crossdock.x12.model import GroupHeader, InterchangeHeader, Issue, Transaction


@dataclass(slots=True)
class InterchangeStart:
    """An ISA was read; its findings arrive with the matching ``InterchangeEnd``."""

    header: InterchangeHeader


@dataclass(slots=True)
class GroupStart:
    """A GS was read inside ``interchange``."""

    header: GroupHeader
    interchange: InterchangeHeader


@dataclass(slots=True)
class GroupEnd:
    """The group closed (GE read, or implied by IEA/ISA/end of input, then ``issues`` says so).

    ``transaction_count`` is the number of transaction sets actually read, the figure an
    AK9 reports as received.
    """

    header: GroupHeader
    interchange: InterchangeHeader
    transaction_count: int
    issues: list[Issue] = field(default_factory=list)


@dataclass(slots=True)
class InterchangeEnd:
    """The interchange closed; ``issues`` holds every interchange-level (TA1) finding.

    That includes the ISA's own findings (padding, delimiters), encoding quirks, segments
    found outside any transaction set and trailer mismatches.
    """

    header: InterchangeHeader
    group_count: int
    issues: list[Issue] = field(default_factory=list)


@dataclass(slots=True)
class Unreadable:
    """Input that is not X12, or an ISA that cannot be decoded.

    ``offset`` is the character offset in the decoded text where the unreadable stretch
    starts (the byte offset for ASCII, Latin-1 and EBCDIC input).
    """

    issues: list[Issue]
    offset: int


Event = InterchangeStart | GroupStart | Transaction | GroupEnd | InterchangeEnd | Unreadable


@dataclass(slots=True)
class Group:
    """A functional group with its transactions, for callers that want a tree."""

    header: GroupHeader
    transactions: list[Transaction] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


@dataclass(slots=True)
class Interchange:
    """An interchange with its groups, for callers that want a tree."""

    header: InterchangeHeader
    groups: list[Group] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def transactions(self) -> list[Transaction]:
        """All transaction sets of all groups, in order."""
        return [t for g in self.groups for t in g.transactions]


class ParsedFile(list[Interchange]):
    """The interchanges of one input, plus the stretches that could not be read.

    A list subclass so ``parse`` can return ``list[Interchange]`` as agreed while still
    keeping the ``Unreadable`` findings a TA1 or an operator needs.
    """

    unreadable: list[Unreadable]

    def __init__(self) -> None:
        super().__init__()
        self.unreadable = []

    def all_issues(self) -> list[Issue]:
        """Every finding of the file: unreadable parts, interchanges, groups, transactions."""
        found = [i for u in self.unreadable for i in u.issues]
        for interchange in self:
            found.extend(interchange.issues)
            for group in interchange.groups:
                found.extend(group.issues)
                for transaction in group.transactions:
                    found.extend(transaction.issues)
        return found
