"""What a mapping reports: precise errors and the result of one transaction.

Errors name both sides (segment position/id/element on the X12 side, the dotted canonical
field path on the other) because the person fixing a rejected document works from one side
or the other, and the 997/999 writer wants the X12 location.
"""

from __future__ import annotations

from dataclasses import dataclass

from crossdock.canonical.base import CanonicalDocument


class MappingConfigError(ValueError):
    """A map or a partner override is malformed; raised when the mapper is built, never later."""


@dataclass(frozen=True, slots=True)
class MappingError:
    """One reason a transaction could not become (part of) a canonical document.

    Attributes:
        reason: What is wrong, in words.
        field: The canonical field path (``lines.0.quantity.value``), '' when none applies.
        segment_position: Position of the segment from ST = 1, when the error has one.
        segment_id: The segment tag (``PO1``), when known (also for a missing segment).
        element: The 1-based element position (``2`` for PO102), when known.
        code: The X12 code the map's code table has no entry for (the map needs that
            code's meaning), when that is the error; the hub then names the partner too.
    """

    reason: str
    field: str = ""
    segment_position: int | None = None
    segment_id: str | None = None
    element: int | None = None
    code: str | None = None

    def location(self) -> str:
        """'segment 7 PO1 / element 02 -> lines.0.quantity.value', parts present only."""
        parts: list[str] = []
        if self.segment_id is not None:
            where = f"segment {self.segment_position} " if self.segment_position else "segment "
            parts.append(where + self.segment_id)
        if self.element is not None:
            parts.append(f"element {self.element:02d}")
        side = " / ".join(parts)
        if self.field:
            return f"{side} -> {self.field}" if side else self.field
        return side

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.reason}" if where else self.reason


@dataclass(frozen=True, slots=True)
class MappingResult:
    """The canonical document of one transaction, or the errors that prevented it.

    ``document_type`` is set whenever the transaction set is known, even when mapping failed,
    so the hub can record a rejected 850 as a failed purchase order.
    """

    document_type: str | None
    document: CanonicalDocument | None
    errors: tuple[MappingError, ...] = ()

    @property
    def ok(self) -> bool:
        """True when a document was produced."""
        return self.document is not None
