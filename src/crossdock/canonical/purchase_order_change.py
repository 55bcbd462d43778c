"""Changes to a purchase order after it was sent, and the supplier's answer (X12 860 / 865).

Two document types, the way the order and its acknowledgment are two (850 / 855):

- ``purchase_order_change`` (X12 860, UBL ``OrderChange``): the buyer changes or cancels an
  order it already sent, line by line (add a line, cancel one, a new quantity, price or
  date). The procure-to-pay flow applies it to what it expects of the supplier.
- ``purchase_order_change_acknowledgment`` (X12 865, UBL ``OrderResponse`` to a change): the
  supplier's answer, per line accepted, changed or rejected; a seller-initiated change
  request (BCA01 ``19``) is the same document with the supplier's own line changes.

Why two types and not one with an "originator": each maps to exactly one transaction set in
both directions (the hub sends 860s to suppliers and receives 865s from them), and the flow
needs no branching on who sent what: a change updates the order, an acknowledgment is an
answer that never changes the order by itself (a supplier's counter-proposal is a promise,
like an 855's, until the buyer confirms it with a change of its own).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import AwareDatetime, Field, ValidationInfo, field_validator, model_validator

from crossdock.canonical.acknowledgment import AcknowledgmentStatus, LineStatus
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


class ChangePurpose(StrEnum):
    """What the change does to the order (X12 BCH01: 04 change, 01 cancel, 05 replace)."""

    CHANGE = "change"
    CANCEL = "cancel"
    REPLACE = "replace"


class LineChange(StrEnum):
    """What happens to one line (X12 POC02, the change or response type code)."""

    ADD = "add"  # AI add additional item
    CANCEL = "cancel"  # DI delete item
    QUANTITY_INCREASE = "quantity_increase"  # QI
    QUANTITY_DECREASE = "quantity_decrease"  # QD
    PRICE_CHANGE = "price_change"  # PC
    PRICE_AND_QUANTITY_CHANGE = "price_and_quantity_change"  # PQ
    DATE_CHANGE = "date_change"  # RS reschedule
    QUANTITY_AND_DATE_CHANGE = "quantity_and_date_change"  # RQ reschedule / quantity change
    PRICE_AND_DATE_CHANGE = "price_and_date_change"  # PR unit price / reschedule change
    CHANGE = "change"  # CA changes to line items (whatever new values the line carries)
    REPLACE = "replace"  # RZ replace all values
    NO_CHANGE = "no_change"  # NC concurrent item, no change


#: What each change type must carry for the order to be changed by it.
NEEDS: dict[LineChange, tuple[str, ...]] = {
    LineChange.ADD: ("quantity", "unit_price"),
    LineChange.QUANTITY_INCREASE: ("quantity",),
    LineChange.QUANTITY_DECREASE: ("quantity",),
    LineChange.PRICE_CHANGE: ("unit_price",),
    LineChange.PRICE_AND_QUANTITY_CHANGE: ("quantity", "unit_price"),
    LineChange.DATE_CHANGE: ("requested_delivery_date",),
    LineChange.QUANTITY_AND_DATE_CHANGE: ("quantity", "requested_delivery_date"),
    LineChange.PRICE_AND_DATE_CHANGE: ("unit_price", "requested_delivery_date"),
}


class ChangeLine(CanonicalModel):
    """One changed line (X12 POC loop): the new values, not the differences.

    Attributes:
        line_number: The PO line changed (POC01); a new number for an added line.
        quantity: The line's new ordered quantity (POC03, the whole quantity, not a delta).
        unit_price: The line's new unit price (POC06).
        requested_delivery_date: The line's new date (DTM*002 in the POC loop).
    """

    line_number: LineNumber
    change: LineChange
    item: Item
    quantity: Quantity | None = None
    unit_price: Money | None = None
    requested_delivery_date: date | None = None
    reason: Text | None = Field(default=None, description="Why the line changes")

    @model_validator(mode="after")
    def _carries_new_values(self) -> ChangeLine:
        missing = [name for name in NEEDS.get(self.change, ()) if getattr(self, name) is None]
        if missing:
            raise ValueError(f"a {self.change.value} line needs {', '.join(missing)}")
        return self


@register
class PurchaseOrderChange(CanonicalDocument):
    """A buyer's change (or cancellation) of a purchase order it already sent."""

    document_type = "purchase_order_change"
    schema_version = 1

    po_number: Code = Field(description="The purchase order this changes")
    change_number: Code | None = Field(
        default=None, description="The buyer's sequence number of this change (BCH05)"
    )
    purpose: ChangePurpose = ChangePurpose.CHANGE
    po_date: date | None = None
    changed_at: AwareDatetime
    currency: CurrencyCode | None = None
    buyer: Party
    supplier: Party
    sales_order_number: Code | None = Field(
        default=None, description="The supplier's order number for this PO, if known"
    )
    requested_delivery_date: date | None = Field(
        default=None, description="A new date for the whole order (lines without their own)"
    )
    notes: list[Text] = Field(default_factory=list)
    lines: list[ChangeLine] = Field(default_factory=list)

    @field_validator("lines")
    @classmethod
    def _check_lines(cls, lines: list[ChangeLine], info: ValidationInfo) -> list[ChangeLine]:
        title = cls.__name__
        check_unique_line_numbers(title, [line.line_number for line in lines])
        currency = info.data.get("currency")
        for index, line in enumerate(lines):
            check_money_currency(title, (index, "unit_price"), line.unit_price, currency)
        return lines

    @model_validator(mode="after")
    def _says_something(self) -> PurchaseOrderChange:
        if (
            self.purpose is ChangePurpose.CHANGE
            and not self.lines
            and self.requested_delivery_date is None
        ):
            raise ValueError("a change names at least one line or a new requested_delivery_date")
        return self

    def correlation_key(self) -> str:
        """The PO number: the change belongs to its purchase order's flow."""
        return self.po_number


class ChangeAcknowledgmentLine(CanonicalModel):
    """The supplier's answer for one changed line (X12 POC loop with its ACK).

    Attributes:
        status: Accepted as asked, changed (the supplier's own values follow), or rejected
            (the line stays as it was before the change).
        quantity / unit_price / promised_date: What the supplier commits to, when it says.
    """

    line_number: LineNumber
    status: LineStatus
    change: LineChange | None = Field(default=None, description="The change answered (POC02)")
    item: Item
    quantity: Quantity | None = None
    unit_price: Money | None = None
    promised_date: date | None = None
    reason: Text | None = Field(default=None, description="Why a line changed or was rejected")


@register
class PurchaseOrderChangeAcknowledgment(CanonicalDocument):
    """A supplier's answer to a purchase order change, or its own change request."""

    document_type = "purchase_order_change_acknowledgment"
    schema_version = 1

    po_number: Code = Field(description="The purchase order whose change this answers")
    change_number: Code | None = Field(
        default=None, description="The buyer's change sequence number answered (BCA05)"
    )
    purpose: ChangePurpose = ChangePurpose.CHANGE
    status: AcknowledgmentStatus
    po_date: date | None = None
    acknowledged_at: AwareDatetime
    currency: CurrencyCode | None = None
    supplier: Party
    buyer: Party
    sales_order_number: Code | None = None
    notes: list[Text] = Field(default_factory=list)
    lines: list[ChangeAcknowledgmentLine] = Field(default_factory=list)

    @field_validator("lines")
    @classmethod
    def _check_lines(
        cls, lines: list[ChangeAcknowledgmentLine], info: ValidationInfo
    ) -> list[ChangeAcknowledgmentLine]:
        title = cls.__name__
        check_unique_line_numbers(title, [line.line_number for line in lines])
        currency = info.data.get("currency")
        for index, line in enumerate(lines):
            check_money_currency(title, (index, "unit_price"), line.unit_price, currency)
        return lines

    @model_validator(mode="after")
    def _header_matches_lines(self) -> PurchaseOrderChangeAcknowledgment:
        if self.status is AcknowledgmentStatus.ACCEPTED:
            for line in self.lines:
                if line.status is not LineStatus.ACCEPTED:
                    raise ValueError(
                        f"status is accepted but line {line.line_number} is {line.status.value}; "
                        "use accepted_with_changes"
                    )
        return self

    def correlation_key(self) -> str:
        """The PO number: the answer belongs to its purchase order's flow."""
        return self.po_number
