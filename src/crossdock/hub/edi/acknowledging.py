"""Our answer to an inbound interchange: 997/999 per group, TA1 when due, numbered by us.

Control numbers come from the ledger inside the recording unit of work, so an answer that
is rolled back gives its numbers back and two answers never share one. Groups that are
themselves acknowledgments (functional id FA) are never acknowledged, as X12 prescribes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from crossdock.hub.edi.prepare import PreparedInterchange
from crossdock.hub.edi.record import AckRenderer, RenderedAck
from crossdock.hub.edi_records import ControlLevel
from crossdock.hub.ports import UnitOfWork
from crossdock.x12.ack_interchange import acknowledge
from crossdock.x12.acks import AckKind, ta1_required


def ack_renderer(clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> AckRenderer:
    """An `AckRenderer` that follows each partner's `ack` setting (auto, 997, 999, none)."""

    def render(uow: UnitOfWork, prepared: PreparedInterchange) -> RenderedAck | None:
        outcome = prepared.outcome
        if outcome is None:
            return None
        partner = prepared.partner
        setting = partner.ack if partner is not None else "auto"
        if setting == "none":
            return None
        groups = tuple(g for g in outcome.groups if g.header.functional_id.strip() != "FA")
        answered = replace(outcome, groups=groups)
        if not groups and not ta1_required(answered):
            return None
        counter = partner.name if partner is not None else prepared.sender
        [interchange] = uow.edi.next_controls(counter, ControlLevel.INTERCHANGE)
        group_numbers = uow.edi.next_controls(counter, ControlLevel.GROUP, max(1, len(groups)))
        kind: AckKind | None = None if setting == "auto" else setting  # type: ignore[assignment]
        reply = acknowledge(
            answered,
            when=clock(),
            interchange_control=interchange,
            group_control=group_numbers[0],
            kind=kind,
        )
        if not reply.groups and reply.ta1 is None:
            return None
        kinds: list[str] = sorted({ack.code for group in reply.groups for ack in group.acks})
        if reply.ta1 is not None:
            kinds.append("TA1")
        return RenderedAck(kind="+".join(kinds), text=reply.to_text())

    return render
