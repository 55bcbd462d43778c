"""The purchase order: a distributor asks a supplier for goods (UBL ``Order``; X12 850).

It is the root of the procure-to-pay flow: the acknowledgment, ship notices, receipts and the
invoice all point back to its ``po_number`` and line numbers.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, Field, ValidationInfo, field_validator

from crossdock.canonical.base import CanonicalDocument, CanonicalModel
from crossdock.canonical.decimals import Percent
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
    rule_error,
)


class PurchaseOrderPurpose(StrEnum):
    """Why this PO message was sent (X12 BEG01: 00 original, 05 replace, 01 cancel)."""

    ORIGINAL = "original"
    REPLACE = "replace"
    CANCEL = "cancel"


class PurchaseOrderType(StrEnum):
    """The kind of order (X12 BEG02: SA stand-alone, BK blanket, RL release, DS drop ship)."""

    STANDARD = "standard"
    BLANKET = "blanket"
    RELEASE = "release"
    DROP_SHIP = "drop_ship"


class PaymentTerms(CanonicalModel):
    """Payment terms (UBL ``PaymentTerms``; X12 ITD), e.g. 2% 10, net 30."""

    description: Text | None = None
    net_days: Annotated[int, Field(ge=0, le=3650)] | None = None
    discount_percent: Percent | None = None
    discount_days: Annotated[int, Field(ge=0, le=3650)] | None = None


class PurchaseOrderLine(CanonicalModel):
    """One ordered item (UBL ``OrderLine``; X12 PO1 loop)."""

    line_number: LineNumber
    item: Item
    quantity: Quantity
    unit_price: Money = Field(description="Price per one unit of `quantity.unit`")
    requested_delivery_date: date | None = None
    note: Text | None = None

    @property
    def extended_amount(self) -> Money:
        """Quantity times unit price (UBL ``LineExtensionAmount``), unrounded."""
        return Money(
            amount=self.quantity.value * self.unit_price.amount, currency=self.unit_price.currency
        )


@register
class PurchaseOrder(CanonicalDocument):
    """A purchase order from a buyer (the distributor) to a supplier.

    Attributes:
        po_number: The buyer's order number; unique per buyer and the flow's correlation key.
        currency: The document currency; every price on the order must be in it.
        lines: At least one line, line numbers unique.
    """

    document_type = "purchase_order"
    schema_version = 1

    po_number: Code
    purpose: PurchaseOrderPurpose = PurchaseOrderPurpose.ORIGINAL
    order_type: PurchaseOrderType = PurchaseOrderType.STANDARD
    issued_at: AwareDatetime
    currency: CurrencyCode
    buyer: Party
    supplier: Party
    ship_to: Party
    bill_to: Party | None = None
    requested_ship_date: date | None = None
    requested_delivery_date: date | None = None
    payment_terms: PaymentTerms | None = None
    incoterms: Code | None = Field(default=None, description="Incoterms 2020 code, e.g. FCA")
    contract_number: Code | None = None
    notes: list[Text] = Field(default_factory=list)
    lines: Annotated[list[PurchaseOrderLine], Field(min_length=1)]

    @field_validator("lines")
    @classmethod
    def _check_lines(
        cls, lines: list[PurchaseOrderLine], info: ValidationInfo
    ) -> list[PurchaseOrderLine]:
        # One pass over the lines keeps the hot intake path cheap: the helpers (which build
        # the error) are only called once a cheap test has found something to report.
        title = cls.__name__
        numbers = [line.line_number for line in lines]
        if len(set(numbers)) != len(numbers):
            check_unique_line_numbers(title, numbers)
        currency = info.data.get("currency")
        for index, line in enumerate(lines):
            price = line.unit_price
            if currency is not None and price.currency != currency:
                check_money_currency(title, (index, "unit_price"), price, currency)
            if price.amount < 0:
                raise rule_error(
                    title,
                    (index, "unit_price", "amount"),
                    "a unit price cannot be negative",
                    price.amount,
                )
        return lines

    def correlation_key(self) -> str:
        """The PO number: every message of this order's procure-to-pay flow shares it."""
        return self.po_number

    def line(self, line_number: int) -> PurchaseOrderLine | None:
        """The line with ``line_number``, or None."""
        for line in self.lines:
            if line.line_number == line_number:
                return line
        return None

    @property
    def total_amount(self) -> Money:
        """Sum of the lines' extended amounts, in the document currency."""
        total = sum((line.extended_amount.amount for line in self.lines), Decimal(0))
        return Money(amount=total, currency=self.currency)
