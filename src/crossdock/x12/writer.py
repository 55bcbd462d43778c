"""Write X12 interchanges: ISA/GS/ST..SE/GE/IEA with correct counts and fixed-width ISA.

The writer takes control numbers, it does not allocate them: the hub persists counters per
partner and must be able to re-send an interchange with the numbers it already used. Every
value is checked against the delimiters, because a '*' inside a name would silently shift
every following element for the receiver; a ``ValueError`` names the segment and element.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from crossdock.x12.model import Delimiters, Segment

Value = str | Sequence[str]
"""An element value: a string, or a list of components joined by the component separator."""


class Repeated(tuple[Value, ...]):
    """Repetitions of one element, joined by the repetition separator (00402 and later)."""

    __slots__ = ()


ElementValue = Value | Repeated

MAX_CONTROL = 999_999_999


@dataclass(frozen=True, slots=True)
class EnvelopeSettings:
    """Who sends to whom, in which version, with which delimiters: one partner's envelope."""

    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    gs_sender: str
    gs_receiver: str
    version: str = "00401"
    usage: str = "P"
    ack_requested: str = "0"
    authorization_qualifier: str = "00"
    authorization: str = ""
    security_qualifier: str = "00"
    security: str = ""
    delimiters: Delimiters = field(default_factory=Delimiters)

    def validate(self) -> None:
        """Raise ``ValueError`` for settings no receiver could read."""
        _check_delimiters(self.delimiters, self.version)
        fixed = (
            ("ISA01 authorization qualifier", self.authorization_qualifier, 2, 2),
            ("ISA02 authorization", self.authorization, 0, 10),
            ("ISA03 security qualifier", self.security_qualifier, 2, 2),
            ("ISA04 security", self.security, 0, 10),
            ("ISA05 sender qualifier", self.sender_qualifier, 2, 2),
            ("ISA06 sender id", self.sender_id, 1, 15),
            ("ISA07 receiver qualifier", self.receiver_qualifier, 2, 2),
            ("ISA08 receiver id", self.receiver_id, 1, 15),
            ("GS02 application sender", self.gs_sender, 2, 15),
            ("GS03 application receiver", self.gs_receiver, 2, 15),
        )
        for name, value, low, high in fixed:
            if not low <= len(value) <= high or not value.isascii():
                raise ValueError(f"{name} {value!r} must be {low}..{high} ASCII characters")
        if len(self.version) != 5 or not self.version.isdigit():
            raise ValueError(f"ISA12 version {self.version!r} must be 5 digits, e.g. '00401'")
        if self.usage not in ("P", "T", "I"):
            raise ValueError(f"ISA15 usage {self.usage!r} must be 'P', 'T' or 'I'")
        if self.ack_requested not in ("0", "1"):
            raise ValueError(f"ISA14 ack requested {self.ack_requested!r} must be '0' or '1'")


@dataclass(frozen=True, slots=True)
class TransactionBody:
    """One transaction set to write: its code and body segments (without ST and SE).

    Segment elements are written as they are, so composites inside them must already use
    the target delimiters; ``format_segment`` with lists builds them safely.
    """

    code: str
    segments: list[Segment]
    implementation: str = ""


GroupSpec = tuple[str, str, Sequence[TransactionBody]]
"""(GS01 functional id, GS08 version such as '004010', transaction sets)."""


def _check_delimiters(delimiters: Delimiters, version: str) -> None:
    named = [
        ("element separator", delimiters.element),
        ("component separator", delimiters.component),
        ("segment terminator", delimiters.segment),
    ]
    if version >= "00402":
        if delimiters.repetition is None:
            raise ValueError(f"version {version} needs a repetition separator (ISA11)")
        named.append(("repetition separator", delimiters.repetition))
    for name, char in named:
        if len(char) != 1 or char.isalnum() or char == " ":
            raise ValueError(f"{name} {char!r} must be one character, not a letter, digit or space")
    chars = [char for _, char in named]
    if len(set(chars)) != len(chars):
        raise ValueError(f"delimiters collide: {chars!r}")
    if delimiters.suffix.strip("\r\n") or delimiters.segment in delimiters.suffix:
        raise ValueError(
            f"suffix {delimiters.suffix!r} may only hold CR/LF other than the terminator"
        )


def _reserved(delimiters: Delimiters) -> str:
    chars = delimiters.element + delimiters.component + delimiters.segment + delimiters.suffix
    return chars + (delimiters.repetition or "")


def _render(value: ElementValue, delimiters: Delimiters, reserved: str, where: str) -> str:
    """One element as text; lists become composites, ``Repeated`` become repetitions."""
    if isinstance(value, str):
        for char in reserved:
            if char in value:
                raise ValueError(f"{where}: value {value!r} contains the delimiter {char!r}")
        return value
    if isinstance(value, Repeated):
        if delimiters.repetition is None:
            raise ValueError(f"{where}: repeated values need a repetition separator")
        return delimiters.repetition.join(
            _render(v, delimiters, reserved, f"{where} repeat {i}") for i, v in enumerate(value, 1)
        )
    parts = [_render(v, delimiters, reserved, f"{where}-{i}") for i, v in enumerate(value, 1)]
    while parts and not parts[-1]:
        parts.pop()
    return delimiters.component.join(parts)


def format_segment(tag: str, elements: Sequence[ElementValue], delimiters: Delimiters) -> str:
    """Render one segment with its terminator and suffix, trailing empty elements trimmed.

    Raises:
        ValueError: a value contains one of the delimiters (naming segment and element).
    """
    reserved = _reserved(delimiters)
    texts = [_render(v, delimiters, reserved, f"{tag}{i:02d}") for i, v in enumerate(elements, 1)]
    while texts and not texts[-1]:
        texts.pop()
    texts.insert(0, tag)
    return delimiters.element.join(texts) + delimiters.segment + delimiters.suffix


def _check_control(name: str, number: int) -> None:
    if not 1 <= number <= MAX_CONTROL:
        raise ValueError(f"{name} control number {number} must be 1..{MAX_CONTROL}")


def iter_interchange(
    settings: EnvelopeSettings,
    groups: Sequence[GroupSpec],
    *,
    interchange_control: int,
    group_controls: Sequence[int],
    transaction_controls: Sequence[Sequence[int]],
    when: datetime,
) -> Iterator[str]:
    """Yield the interchange segment by segment (for streaming large outbound batches).

    Settings and control number shapes are checked before the first segment is yielded;
    a bad data value raises when its segment is reached.
    """
    settings.validate()
    _check_control("ISA13", interchange_control)
    if len(group_controls) != len(groups) or len(transaction_controls) != len(groups):
        raise ValueError("one group control and one list of transaction controls per group")
    for index, (group, controls) in enumerate(zip(groups, transaction_controls, strict=True)):
        _check_control(f"GS06 of group {index + 1}", group_controls[index])
        if len(controls) != len(group[2]):
            raise ValueError(f"group {index + 1}: one transaction control per transaction set")
        for number in controls:
            _check_control(f"ST02 in group {index + 1}", number)
    d = settings.delimiters
    if settings.version < "00402":  # no repetition separator: '^' is plain data there
        d = replace(d, repetition=None)
    standards = d.repetition or "U"
    isa = [
        settings.authorization_qualifier,
        settings.authorization.ljust(10),
        settings.security_qualifier,
        settings.security.ljust(10),
        settings.sender_qualifier,
        settings.sender_id.ljust(15),
        settings.receiver_qualifier,
        settings.receiver_id.ljust(15),
        when.strftime("%y%m%d"),
        when.strftime("%H%M"),
        standards,
        settings.version,
        f"{interchange_control:09d}",
        settings.ack_requested,
        settings.usage,
    ]
    reserved = _reserved(d)
    for i, value in enumerate(isa[:10], 1):
        _render(value, d, reserved, f"ISA{i:02d}")
    yield d.element.join(["ISA", *isa, d.component]) + d.segment + d.suffix
    for (functional_id, gs_version, bodies), gs_control, controls in zip(
        groups, group_controls, transaction_controls, strict=True
    ):
        gs = [functional_id, settings.gs_sender, settings.gs_receiver]
        gs += [when.strftime("%Y%m%d"), when.strftime("%H%M"), str(gs_control), "X", gs_version]
        yield format_segment("GS", gs, d)
        for body, st_control in zip(bodies, controls, strict=True):
            control = f"{st_control:04d}"
            yield format_segment("ST", [body.code, control, body.implementation], d)
            for segment in body.segments:
                yield format_segment(segment.tag, segment.elements, d)
            yield format_segment("SE", [str(len(body.segments) + 2), control], d)
        yield format_segment("GE", [str(len(bodies)), str(gs_control)], d)
    yield format_segment("IEA", [str(len(groups)), f"{interchange_control:09d}"], d)


def write_interchange(
    settings: EnvelopeSettings,
    groups: Sequence[GroupSpec],
    *,
    interchange_control: int,
    group_controls: Sequence[int],
    transaction_controls: Sequence[Sequence[int]],
    when: datetime,
) -> str:
    """The whole interchange as text: ISA, then per group GS, ST..SE per body, GE; IEA.

    Raises:
        ValueError: invalid settings (IDs too long, colliding delimiters), control numbers
            out of range or not matching the groups, or a value containing a delimiter.
    """
    return "".join(
        iter_interchange(
            settings,
            groups,
            interchange_control=interchange_control,
            group_controls=group_controls,
            transaction_controls=transaction_controls,
            when=when,
        )
    )
