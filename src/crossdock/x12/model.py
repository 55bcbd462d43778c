"""The shapes an X12 interchange is read into and written from.

Kept deliberately plain (slotted dataclasses holding strings) because the reader creates one
``Segment`` per segment of files that run to gigabytes: no validation or conversion happens
here; the validator and the mappings interpret the strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Delimiters:
    """The separators of one interchange, as ISA declares them (or as a partner wants them).

    ``repetition`` is None before version 00402, where ISA11 is the standards identifier.
    ``suffix`` is what a writer puts after each segment terminator (``"\\n"`` or ``""``);
    a reader ignores CR/LF after terminators whatever it is.
    """

    element: str = "*"
    component: str = ":"
    repetition: str | None = "^"
    segment: str = "~"
    suffix: str = "\n"


@dataclass(slots=True)
class Segment:
    """One segment: its tag and its data elements as received.

    ``elements[0]`` is the first data element (e.g. BEG01); trailing empty elements may be
    absent. Composite elements and repeats stay joined by their separators: split them with
    ``components``/``repeats`` when the spec says the element is composite or repeatable.
    ``position`` counts segments from the transaction set header (ST = 1), the number AK3/IK3
    report; for envelope segments it counts from ISA = 1 within the interchange.
    """

    tag: str
    elements: list[str]
    position: int = 0

    def element(self, index: int) -> str:
        """Data element ``index`` (1-based, as in 'BEG03'), or '' when absent."""
        if 0 < index <= len(self.elements):
            return self.elements[index - 1]
        return ""

    def components(self, index: int, delimiters: Delimiters) -> list[str]:
        """The components of composite element ``index`` (1-based)."""
        return self.element(index).split(delimiters.component)

    def repeats(self, index: int, delimiters: Delimiters) -> list[str]:
        """The repetitions of element ``index`` (one item when the version has no repetition)."""
        value = self.element(index)
        if delimiters.repetition is None:
            return [value]
        return value.split(delimiters.repetition)


@dataclass(frozen=True, slots=True)
class InterchangeHeader:
    """The ISA segment, named. Values are stripped of the fixed-width padding."""

    authorization_qualifier: str
    authorization: str
    security_qualifier: str
    security: str
    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    date: str
    time: str
    standards_or_repetition: str
    version: str
    control_number: str
    ack_requested: str
    usage: str
    delimiters: Delimiters


@dataclass(frozen=True, slots=True)
class GroupHeader:
    """The GS segment, named."""

    functional_id: str
    sender: str
    receiver: str
    date: str
    time: str
    control_number: str
    agency: str
    version: str
    position: int = 0


class IssueLevel(StrEnum):
    """Where an issue belongs, which decides the acknowledgment segment that reports it."""

    INTERCHANGE = "interchange"  # TA1
    GROUP = "group"  # AK9 (AK905..)
    TRANSACTION = "transaction"  # AK5 / IK5
    SEGMENT = "segment"  # AK3 / IK3
    ELEMENT = "element"  # AK4 / IK4


class Severity(StrEnum):
    """An error rejects what it belongs to; a warning is accepted and reported (lenient reads)."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Issue:
    """One finding, located precisely enough to go into a 997/999/TA1.

    ``code`` is the X12 code for the level (see ``crossdock.x12.codes``): a TA1 note code,
    an AK9/AK5 syntax error code, an AK3/IK3 segment code or an AK4/IK4 element code.
    ``omitted`` is set only on the summary that stands for findings past a listing limit
    (``crossdock.x12.findings``): how many it stands for.
    ``in_ack`` is False for a finding the 997/999 leaves out: a code outside a code list the
    hub carries only in part (``specs.code_lists``). The hub cannot judge such a code, so it
    neither rejects the set nor tells the partner the code is invalid; the finding is kept
    on the message's record (its warnings) and shown by ``crossdock edi validate``.
    """

    level: IssueLevel
    code: str
    message: str
    severity: Severity = Severity.ERROR
    interchange_control: str | None = None
    group_control: str | None = None
    transaction_control: str | None = None
    transaction_code: str | None = None
    segment_position: int | None = None
    segment_id: str | None = None
    loop_id: str | None = None
    element_position: int | None = None
    component_position: int | None = None
    repetition_position: int | None = None
    element_reference: str | None = None
    bad_value: str | None = None
    omitted: int | None = None
    in_ack: bool = True

    def location(self) -> str:
        """Human-readable place, e.g. 'ISA 000000001 / GS 1 / ST 0001 / segment 5 PO1 / element 02'."""
        parts: list[str] = []
        if self.interchange_control is not None:
            parts.append(f"ISA {self.interchange_control}")
        if self.group_control is not None:
            parts.append(f"GS {self.group_control}")
        if self.transaction_control is not None:
            parts.append(f"ST {self.transaction_code or '?'} {self.transaction_control}")
        if self.segment_position is not None or self.segment_id is not None:
            parts.append(f"segment {self.segment_position or '?'} {self.segment_id or '?'}")
        if self.element_position is not None:
            element = f"element {self.element_position:02d}"
            if self.component_position is not None:
                element += f"-{self.component_position}"
            parts.append(element)
        return " / ".join(parts)

    def __str__(self) -> str:
        return f"{self.location()}: [{self.level.value} {self.code}] {self.message}"


@dataclass(slots=True)
class Transaction:
    """One transaction set (ST..SE inclusive) with the envelopes it arrived in.

    ``raw`` is the segment text as received (ST through SE, original delimiters), kept so the
    message log can store exactly what the partner sent. ``issues`` holds what the reader
    found (envelope and syntax); the validator appends spec findings in its own result.
    ``dropped`` counts the body segments not kept in ``segments`` because the set was larger
    than the reader keeps (then ``segments`` is ST and SE alone, and ``issues`` says so).
    """

    code: str
    control_number: str
    implementation: str
    segments: list[Segment]
    interchange: InterchangeHeader
    group: GroupHeader
    raw: str = ""
    issues: list[Issue] = field(default_factory=list)
    dropped: int = 0

    @property
    def delimiters(self) -> Delimiters:
        return self.interchange.delimiters
