"""The purchase order acknowledgment: the supplier's answer to a PO (UBL OrderResponse; X12 855).

It names the PO it answers and, line by line, what the supplier will do: ship as ordered,
ship something different (quantity, price, date), not ship, or ship later.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, Field, ValidationInfo, field_validator, model_validator

from crossdock.canonical.base import CanonicalDocument, CanonicalModel
from crossdock.canonical.item import Item
from crossdock.canonical.party import Party
from crossdock.canonical.registry import register
from crossdock.canonical.values import (
    Code,
    CurrencyCode,
    LineNumber,
    Money,
    Quantity,
    Text,
    check_money_currency,
    check_unique_line_numbers,
)


class AcknowledgmentStatus(StrEnum):
    """The answer for the whole order (X12 BAK02: AC, AD, AK, RJ)."""

    ACCEPTED = "accepted"
    ACCEPTED_WITH_CHANGES = "accepted_with_changes"
    REJECTED = "rejected"


class LineStatus(StrEnum):
    """The answer for one line (X12 ACK01: IA accepted, IC changed, IR rejected, IB backordered)."""

    ACCEPTED = "accepted"
    CHANGED = "changed"
    REJECTED = "rejected"
    BACKORDERED = "backordered"


class AcknowledgmentLine(CanonicalModel):
    """The supplier's answer for one PO line (UBL ``OrderLine`` in an ``OrderResponse``).

    Attributes:
        line_number: The PO line this answers (PO101), not a numbering of its own.
        ordered_quantity: What the PO asked for, echoed when the supplier sends it.
        promised_quantity: What the supplier commits to ship (zero or absent when rejected).
        promised_date: When the supplier commits to ship or deliver that quantity.
        unit_price: The confirmed price, when the supplier states one.
    """

    line_number: LineNumber
    status: LineStatus
    item: Item
    ordered_quantity: Quantity | None = None
    promised_quantity: Quantity | None = None
    promised_date: date | None = None
    unit_price: Money | None = None
    reason: Text | None = Field(default=None, description="Why a line changed or was rejected")

    @model_validator(mode="after")
    def _status_consistent(self) -> AcknowledgmentLine:
        promised = self.promised_quantity
        if self.status is LineStatus.REJECTED and promised is not None and promised.value != 0:
            raise ValueError("a rejected line cannot promise a quantity")
        if self.status is LineStatus.BACKORDERED and self.promised_date is None:
            raise ValueError("a backordered line needs a promised_date")
        return self


@register
class PurchaseOrderAcknowledgment(CanonicalDocument):
    """A supplier's acknowledgment of one purchase order."""

    document_type = "purchase_order_acknowledgment"
    schema_version = 1

    acknowledgment_number: Code | None = Field(
        default=None, description="The supplier's own number for this acknowledgment, if any"
    )
    po_number: Code = Field(description="The purchase order this acknowledges")
    po_date: date | None = None
    status: AcknowledgmentStatus
    acknowledged_at: AwareDatetime
    currency: CurrencyCode | None = None
    supplier: Party
    buyer: Party
    sales_order_number: Code | None = Field(
        default=None, description="The supplier's sales order number for this PO"
    )
    notes: list[Text] = Field(default_factory=list)
    lines: Annotated[list[AcknowledgmentLine], Field(min_length=1)]

    @field_validator("lines")
    @classmethod
    def _check_lines(
        cls, lines: list[AcknowledgmentLine], info: ValidationInfo
    ) -> list[AcknowledgmentLine]:
        title = cls.__name__
        check_unique_line_numbers(title, [line.line_number for line in lines])
        currency = info.data.get("currency")
        for index, line in enumerate(lines):
            check_money_currency(title, (index, "unit_price"), line.unit_price, currency)
        return lines

    @model_validator(mode="after")
    def _header_matches_lines(self) -> PurchaseOrderAcknowledgment:
        # "accepted" promises the order as sent; a changed or rejected line contradicts that.
        if self.status is AcknowledgmentStatus.ACCEPTED:
            for line in self.lines:
                if line.status is not LineStatus.ACCEPTED:
                    raise ValueError(
                        f"status is accepted but line {line.line_number} is {line.status.value}; "
                        "use accepted_with_changes"
                    )
        return self

    def correlation_key(self) -> str:
        """The PO number: the acknowledgment belongs to its purchase order's flow."""
        return self.po_number
