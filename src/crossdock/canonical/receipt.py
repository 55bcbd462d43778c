"""The goods receipt: what the warehouse actually received (UBL ``ReceiptAdvice``; X12 861/944).

Each line names the PO line it receives against (and the ASN pack it came in, when there was
one), so the three-way match (order, receipt, invoice) can be done line by line.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, Field, field_validator, model_validator

from crossdock.canonical.base import CanonicalDocument, CanonicalModel
from crossdock.canonical.item import Item, Lot
from crossdock.canonical.party import Party, Site
from crossdock.canonical.registry import register
from crossdock.canonical.values import (
    Code,
    LineNumber,
    Quantity,
    Sscc,
    Text,
    check_unique_line_numbers,
)


class ReceiptCondition(StrEnum):
    """How a line arrived (X12 861 RCD receiving condition, simplified)."""

    GOOD = "good"
    DAMAGED = "damaged"
    SHORT = "short"
    OVER = "over"
    WRONG_ITEM = "wrong_item"


class ReceiptLine(CanonicalModel):
    """One received item against one PO line (UBL ``ReceiptLine``).

    Attributes:
        expected_quantity: What the ASN (or PO) said would come, when known.
        received_quantity: What was counted at the dock, in the same unit.
        putaway_location: The bin/location the goods were put away to, when already known.
    """

    line_number: LineNumber
    po_number: Code
    po_line_number: LineNumber
    item: Item
    expected_quantity: Quantity | None = None
    received_quantity: Quantity
    condition: ReceiptCondition = ReceiptCondition.GOOD
    sscc: Sscc | None = None
    lot: Lot | None = None
    putaway_location: Code | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _condition_matches_counts(self) -> ReceiptLine:
        # "short" with more than expected (or "over" with less) is a keying error upstream.
        expected = self.expected_quantity
        if expected is None:
            return self
        received = self.received_quantity
        if expected.unit != received.unit:
            raise ValueError(
                f"expected_quantity unit {expected.unit} differs from "
                f"received_quantity unit {received.unit}"
            )
        if self.condition is ReceiptCondition.SHORT and received.value >= expected.value:
            raise ValueError("condition is short but received_quantity is not below expected")
        if self.condition is ReceiptCondition.OVER and received.value <= expected.value:
            raise ValueError("condition is over but received_quantity is not above expected")
        return self


@register
class GoodsReceipt(CanonicalDocument):
    """A warehouse's record of receiving goods, usually against one advance ship notice."""

    document_type = "goods_receipt"
    schema_version = 1

    receipt_number: Code
    asn_number: Code | None = Field(
        default=None, description="The ship notice received against, when there was one"
    )
    received_at: AwareDatetime
    site: Site
    supplier: Party
    carrier: Party | None = None
    notes: list[Text] = Field(default_factory=list)
    lines: Annotated[list[ReceiptLine], Field(min_length=1)]

    @field_validator("lines")
    @classmethod
    def _check_lines(cls, lines: list[ReceiptLine]) -> list[ReceiptLine]:
        check_unique_line_numbers(cls.__name__, [line.line_number for line in lines])
        return lines

    def correlation_key(self) -> str:
        """The ASN number when the receipt answers one (so it follows its ship notice), else the
        receipt number."""
        return self.asn_number or self.receipt_number

    @property
    def po_numbers(self) -> list[str]:
        """The purchase orders received against, each once, in document order."""
        return list(dict.fromkeys(line.po_number for line in self.lines))
