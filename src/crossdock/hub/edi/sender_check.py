"""The X12 sender check: an interchange must name, as its sender, the partner that sent it.

A partner proven by its credential (or by its drop folder) may only send interchanges whose
ISA05/ISA06 is one of its own sender ids and whose GS02 is its own application sender code.
An interchange claiming another partner's sender id is refused: its transaction sets are
recorded as rejected (with why), and the answer is a TA1 rejecting the interchange with note
006 (invalid interchange sender ID). A functional group whose GS02 is not the partner's is
rejected in the 997/999 (AK9 R, AK905 1: this group is not supported from this sender),
the rest of the interchange goes through. Operators may post for any partner: no check.

`owner_of_sender` is the one lookup of "whose sender id is this": the `PartnerDirectory` the
hub wires (`RegistryPartnerDirectory`: the file's partners, then the registered ones), so a
partner registered through the admin API owns its X12 ids at once, without a restart.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

from crossdock.hub.edi.partners import PartnerDirectory, TradingPartner
from crossdock.x12.codes import GroupError, InterchangeNote, TransactionError
from crossdock.x12.model import GroupHeader, InterchangeHeader, Issue, IssueLevel
from crossdock.x12.outcome import GroupOutcome, InterchangeOutcome

#: The error type a refused transaction set carries in the message log.
SENDER_MISMATCH = "x12.sender_mismatch"


@dataclass(frozen=True, slots=True)
class SenderRefusal:
    """Why an interchange (or a group of it) is refused, as the log and the ack say it."""

    path: str  # ISA06 or GS02
    reason: str
    issue: Issue


def owner_of_sender(
    directory: PartnerDirectory, qualifier: str, identifier: str
) -> TradingPartner | None:
    """The partner an ISA sender (ISA05/ISA06) belongs to, None when nobody's."""
    return directory.by_sender(qualifier, identifier)


def interchange_refusal(
    directory: PartnerDirectory, header: InterchangeHeader, confine: str | None
) -> SenderRefusal | None:
    """None when `confine` (the proven partner; None = an operator) may send this interchange."""
    if confine is None:
        return None
    owner = owner_of_sender(directory, header.sender_qualifier, header.sender_id)
    if owner is not None and owner.name == confine:
        return None
    claimed = f"{header.sender_qualifier.strip()}/{header.sender_id.strip()}"
    reason = f"ISA05/ISA06 {claimed} is not a sender id of partner {confine!r}"
    issue = Issue(
        IssueLevel.INTERCHANGE,
        InterchangeNote.INVALID_SENDER_ID,
        reason,
        interchange_control=header.control_number,
        segment_id="ISA",
        element_position=6,
    )
    return SenderRefusal("ISA06", reason, issue)


def group_refusal(
    partner: TradingPartner | None,
    group: GroupHeader,
    confine: str | None,
    known: dict[str, SenderRefusal] | None = None,
) -> SenderRefusal | None:
    """None when the group's GS02 is the proven partner's application sender code. A refusal
    is kept in `known` by GS06 (each set of a refused group is refused for the same reason)."""
    if confine is None or partner is None:
        return None
    if known is not None and group.control_number in known:
        return known[group.control_number]
    if group.sender.strip().upper() == partner.gs_id.strip().upper():
        return None
    reason = f"GS02 {group.sender.strip()!r} is not the application sender code of {confine!r}"
    issue = Issue(
        IssueLevel.GROUP,
        GroupError.NOT_SUPPORTED,
        reason,
        group_control=group.control_number,
        segment_id="GS",
        element_position=2,
    )
    refusal = SenderRefusal("GS02", reason, issue)
    if known is not None:
        known[group.control_number] = refusal
    return refusal


class _Refusals(Protocol):
    @property
    def refusal(self) -> SenderRefusal | None: ...

    @property
    def refused_groups(self) -> dict[str, SenderRefusal]: ...


def refused_outcome(outcome: InterchangeOutcome, refusals: _Refusals) -> InterchangeOutcome:
    """The outcome the acknowledgment is built from, with the refusals in it: a refused
    interchange is answered by a TA1 alone (its groups are not acknowledged: they were never
    taken), a refused group by its 997/999 rejecting it."""
    if refusals.refusal is not None:
        return replace(outcome, groups=(), issues=(*outcome.issues, refusals.refusal.issue))
    if not refusals.refused_groups:
        return outcome
    groups = tuple(
        _refused_group(group, refused)
        if (refused := refusals.refused_groups.get(group.header.control_number)) is not None
        else group
        for group in outcome.groups
    )
    return replace(outcome, groups=groups)


def _refused_group(group: GroupOutcome, refused: SenderRefusal) -> GroupOutcome:
    """AK9 R with AK905 1, and each set AK5 R with AK502 1 (not supported from this sender),
    so the ack says consistently that nothing of the group was taken."""
    transactions = tuple(
        replace(
            t,
            issues=(
                *t.issues,
                Issue(
                    IssueLevel.TRANSACTION,
                    TransactionError.NOT_SUPPORTED,
                    refused.reason,
                    group_control=group.header.control_number,
                    transaction_control=t.control_number,
                    transaction_code=t.code,
                ),
            ),
        )
        for t in group.transactions
    )
    return replace(group, transactions=transactions, issues=(*group.issues, refused.issue))
