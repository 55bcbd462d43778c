"""An X12 transaction set the hub has no map for, kept whole so routes can pass it on.

Partners send sets beyond those the hub maps (an 830 forecast, an 862 shipping schedule):
rather than refusing them, the hub checks their envelope (ST/SE counts, control numbers),
records them as an ``x12_transaction`` and acknowledges them per the partner's
``x12.unknown_sets`` setting. The document carries what a receiver needs to route or re-send
the set without the hub understanding it: its identity (set id, GS08 version, GS01, control
numbers), the parties of both envelopes, the delimiters it was written with and the set's
text as received (ST through SE).

``raw`` may hold the interchange's own delimiters, which X12 allows to be control characters
(e.g. ``\\x1d``, ``\\x85``), and line breaks after segments; any other control character is
refused, as in every canonical text.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints, ValidationInfo, field_validator

from crossdock.canonical.base import CanonicalDocument, CanonicalModel
from crossdock.canonical.registry import register
from crossdock.canonical.values import Code

SetId = Annotated[str, Field(pattern=r"^[0-9A-Z]{3}$")]
Delimiter = Annotated[str, Field(min_length=1, max_length=1, pattern=r"^[^0-9A-Za-z ]$")]

# Kept exactly as received: a newline may be the segment terminator, so never stripped.
RawText = Annotated[str, StringConstraints(strip_whitespace=False, min_length=1)]
_LINE_BREAKS = frozenset("\r\n")


def _is_control(char: str) -> bool:
    code = ord(char)
    return code < 0x20 or 0x7F <= code <= 0x9F


class X12EnvelopeParty(CanonicalModel):
    """An ISA sender or receiver: qualifier (ISA05/ISA07) and identifier (ISA06/ISA08)."""

    qualifier: Code
    id: Code


class X12SetDelimiters(CanonicalModel):
    """The separators ``raw`` is written with (the interchange's ISA declares them)."""

    element: Delimiter
    component: Delimiter
    segment: Delimiter
    repetition: Delimiter | None = None


@register
class X12Transaction(CanonicalDocument):
    """One transaction set recorded as received (ST..SE), with its envelope identity."""

    document_type = "x12_transaction"

    set_id: SetId = Field(description="ST01, e.g. '830'")
    implementation: Code | None = Field(None, description="ST03 (005010 and later), if sent")
    version: Code = Field(description="GS08 of the group the set came in, e.g. '004010'")
    functional_id: Code = Field(description="GS01 of that group, e.g. 'PS'")
    interchange_control: Code = Field(description="ISA13")
    group_control: Code = Field(description="GS06")
    transaction_control: Code = Field(description="ST02")
    sender: X12EnvelopeParty = Field(description="ISA05/ISA06")
    receiver: X12EnvelopeParty = Field(description="ISA07/ISA08")
    group_sender: Code = Field(description="GS02")
    group_receiver: Code = Field(description="GS03")
    delimiters: X12SetDelimiters
    raw: RawText = Field(description="the set's text as received, ST through SE")

    @field_validator("raw")
    @classmethod
    def _only_declared_controls(cls, value: str, info: ValidationInfo) -> str:
        """Control characters only where they are the set's own delimiters or line breaks."""
        found = info.data.get("delimiters")
        allowed = set(_LINE_BREAKS)
        if isinstance(found, X12SetDelimiters):
            allowed.update((found.element, found.component, found.segment))
            if found.repetition:
                allowed.add(found.repetition)
        bad = next((c for c in value if _is_control(c) and c not in allowed), None)
        if bad is not None:
            raise ValueError(
                f"contains the control character {bad!r}, which is not one of the set's delimiters"
            )
        return value

    def correlation_key(self) -> str:
        """The set's place in the partner's numbering: sender, ISA13, GS06 and ST02."""
        return (
            f"{self.sender.qualifier}/{self.sender.id}:{self.interchange_control}"
            f":{self.group_control}:{self.transaction_control}"
        )
