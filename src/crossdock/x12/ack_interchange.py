"""The interchange that carries acknowledgments back to the sender of an inbound interchange.

Envelope values follow the inbound interchange so the partner's translator routes the reply
like any document it receives from us: ISA sender and receiver (with qualifiers) and GS02/GS03
swapped, the same usage indicator and delimiters, ISA12 as received (00501 as soon as a 999
travels), GS08 the acknowledged group's release (``acks.ack_version``: 005010X231A1 for a
999 answering a 005010 group).

Control numbers are not invented here: the hub owns the counters and passes the next ISA13
and GS06 in; ``AckInterchange.group_count`` says how many GS06 values were used.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime

from crossdock.x12.acks import (
    AckKind,
    FunctionalAck,
    build_functional_ack,
    build_ta1,
    default_kind,
    ta1_required,
    ta1_status,
)
from crossdock.x12.codes import TA1Ack
from crossdock.x12.model import Delimiters, GroupHeader, InterchangeHeader, Segment
from crossdock.x12.outcome import GroupOutcome, InterchangeOutcome
from crossdock.x12.writer import format_segment

_REPETITION_CANDIDATES = "^|{}!"
_COMPOSITE_FIRST = frozenset({"AK4", "IK4"})  # C030 position in segment


@dataclass(frozen=True, slots=True)
class AckGroup:
    """One FA functional group of the reply and the acks it carries (one GS08 per group)."""

    header: GroupHeader
    acks: tuple[FunctionalAck, ...]


@dataclass(frozen=True, slots=True)
class AckInterchange:
    """The reply interchange: its ISA, the TA1 (if any) and the FA groups.

    ``answers`` is the inbound ISA. ``segments()`` gives ISA..IEA with ST/SE/GE/IEA counted,
    so the reply can be formatted by any writer (or ``to_text``).
    """

    header: InterchangeHeader
    ta1: Segment | None
    groups: tuple[AckGroup, ...]
    answers: InterchangeHeader

    @property
    def empty(self) -> bool:
        """Nothing to say (no TA1 due, only FA groups received): do not send it."""
        return self.ta1 is None and not self.groups

    @property
    def group_count(self) -> int:
        """How many GS06 control numbers this reply consumed."""
        return len(self.groups)

    def segments(self) -> list[Segment]:
        """The whole reply as segments, envelopes included (ST02 numbered 0001.. per group)."""
        out = [_isa_segment(self.header)]
        if self.ta1 is not None:
            out.append(self.ta1)
        for group in self.groups:
            out.append(_gs_segment(group.header))
            for number, ack in enumerate(group.acks, start=1):
                control = f"{number:04d}"
                st = [ack.code, control] + ([ack.implementation] if ack.implementation else [])
                out.append(Segment("ST", st, 1))
                out.extend(ack.segments)
                out.append(Segment("SE", [str(len(ack.segments) + 2), control]))
            out.append(Segment("GE", [str(len(group.acks)), group.header.control_number]))
        out.append(Segment("IEA", [str(len(self.groups)), self.header.control_number]))
        return out

    def to_text(self) -> str:
        """The reply as text, each segment through ``writer.format_segment``.

        The writer checks that no value contains a delimiter. ``write_interchange`` itself is
        not used: it has no place for a TA1, one GS02/GS03 pair per interchange, and it
        rejects composites already joined in body segments (AK401/IK401).

        Raises:
            ValueError: an inbound value echoed in the reply contains a reply delimiter.
        """
        return "".join(_lines(self.segments(), self.header.delimiters))


def _lines(segments: list[Segment], d: Delimiters) -> Iterator[str]:
    for segment in segments:
        if segment.tag == "ISA":  # fixed width; ISA11/ISA16 are delimiters by design
            yield d.element.join([segment.tag, *segment.elements]) + d.segment + d.suffix
        elif segment.tag in _COMPOSITE_FIRST:
            first, *rest = segment.elements
            yield format_segment(segment.tag, [first.split(d.component), *rest], d)
        else:
            yield format_segment(segment.tag, segment.elements, d)


def _isa_segment(h: InterchangeHeader) -> Segment:
    return Segment(
        "ISA",
        [
            h.authorization_qualifier,
            h.authorization.ljust(10),
            h.security_qualifier,
            h.security.ljust(10),
            h.sender_qualifier,
            h.sender_id.ljust(15),
            h.receiver_qualifier,
            h.receiver_id.ljust(15),
            h.date,
            h.time,
            h.standards_or_repetition,
            h.version,
            h.control_number,
            h.ack_requested,
            h.usage,
            h.delimiters.component,
        ],
        1,
    )


def _gs_segment(g: GroupHeader) -> Segment:
    values = [g.functional_id, g.sender, g.receiver, g.date, g.time, g.control_number]
    return Segment("GS", [*values, g.agency, g.version])


def _reply_delimiters(inbound: Delimiters, version: str) -> Delimiters:
    """Keep the partner's delimiters; add a repetition separator when ISA12 moves to 00402+."""
    if version < "00402" or inbound.repetition is not None:
        return inbound
    used = {inbound.element, inbound.component, inbound.segment}
    return replace(inbound, repetition=next(c for c in _REPETITION_CANDIDATES if c not in used))


def _reply_header(
    inbound: InterchangeHeader, base: Delimiters, version: str, control: int, when: datetime
) -> InterchangeHeader:
    delimiters = _reply_delimiters(base, version)
    return InterchangeHeader(
        authorization_qualifier="00",
        authorization="",
        security_qualifier="00",
        security="",
        sender_qualifier=inbound.receiver_qualifier,
        sender_id=inbound.receiver_id,
        receiver_qualifier=inbound.sender_qualifier,
        receiver_id=inbound.sender_id,
        date=when.strftime("%y%m%d"),
        time=when.strftime("%H%M"),
        standards_or_repetition=(delimiters.repetition or "U") if version >= "00402" else "U",
        version=version,
        control_number=f"{control:09d}",
        ack_requested="0",  # acks are never acknowledged
        usage=inbound.usage,
        delimiters=delimiters,
    )


def acknowledge(
    outcome: InterchangeOutcome,
    *,
    when: datetime,
    interchange_control: int,
    group_control: int,
    kind: AckKind | None = None,
    ta1: bool | None = None,
    acks_for_rejected_interchange: bool = False,
    delimiters: Delimiters | None = None,
) -> AckInterchange:
    """The reply to one inbound interchange: TA1 when due, one 997/999 per inbound group.

    Args:
        outcome: what was found in the inbound interchange.
        when: the reply's ISA09/ISA10 and GS04/GS05.
        interchange_control: the reply's ISA13 (from the hub's counter).
        group_control: GS06 of the first FA group; the next groups count up from it.
        kind: force 997 or 999 for every group; by default each group's version decides.
        ta1: force (True) or suppress (False) the TA1; by default ``ta1_required``.
        acks_for_rejected_interchange: a rejected interchange (TA104 R) is answered by the
            TA1 alone, as X12 prescribes, unless this asks for the functional acks as well.
        delimiters: the partner's preferred delimiters; by default those it sent with.

    Groups of acknowledgments (GS01 FA) are not answered; a reply that ends up ``empty``
    need not be sent (and uses no GS06).
    """
    send_ta1 = ta1_required(outcome) if ta1 is None else ta1
    answered: list[GroupOutcome] = []
    if acks_for_rejected_interchange or ta1_status(outcome.issues) != TA1Ack.REJECTED:
        # Acknowledgments are never acknowledged (X12): FA groups get no 997/999.
        answered = [g for g in outcome.groups if g.header.functional_id.strip() != "FA"]
    kinds = [kind or default_kind(g.header.version) for g in answered]
    version = outcome.header.version
    if "999" in kinds:
        version = max(version, "00501")
    header = _reply_header(
        outcome.header, delimiters or outcome.header.delimiters, version, interchange_control, when
    )
    acks = [
        build_functional_ack(g, kind=k, delimiters=header.delimiters)
        for g, k in zip(answered, kinds, strict=True)
    ]
    groups: list[AckGroup] = []
    keyed: dict[tuple[str, str, str], list[FunctionalAck]] = {}
    for ack in acks:  # one FA group per (GS02, GS03, GS08): a group has one version
        keyed.setdefault((ack.answers.receiver, ack.answers.sender, ack.version), []).append(ack)
    for offset, ((sender, receiver, gs_version), members) in enumerate(keyed.items()):
        gs = GroupHeader(
            functional_id="FA",
            sender=sender,
            receiver=receiver,
            date=when.strftime("%Y%m%d" if gs_version >= "004010" else "%y%m%d"),
            time=when.strftime("%H%M"),
            control_number=str(group_control + offset),
            agency="X",
            version=gs_version,
        )
        groups.append(AckGroup(gs, tuple(members)))
    return AckInterchange(
        header=header,
        ta1=build_ta1(outcome, when=when) if send_ta1 else None,
        groups=tuple(groups),
        answers=outcome.header,
    )
