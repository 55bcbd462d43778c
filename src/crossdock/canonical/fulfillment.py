"""The fulfillment order: the hub tells a warehouse (own DC or 3PL) to pick, pack and ship a
customer order (X12 940 warehouse shipping order; UBL ``Order`` from the seller's side)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, Field, field_validator

from crossdock.canonical.base import CanonicalDocument, CanonicalModel
from crossdock.canonical.item import Item, Lot
from crossdock.canonical.party import Party, Site
from crossdock.canonical.registry import register
from crossdock.canonical.values import Code, LineNumber, Quantity, Text, check_unique_line_numbers


class FulfillmentPriority(StrEnum):
    """How urgently the warehouse should work the order."""

    STANDARD = "standard"
    EXPEDITED = "expedited"
    RUSH = "rush"


class FulfillmentOrderLine(CanonicalModel):
    """One item to pick (X12 940 W01 loop)."""

    line_number: LineNumber
    item: Item
    quantity: Quantity
    lot: Lot | None = Field(default=None, description="A required lot, when the customer asks")
    customer_line_reference: Code | None = None
    note: Text | None = None


@register
class FulfillmentOrder(CanonicalDocument):
    """An order released to a warehouse for shipment to a customer.

    Attributes:
        order_number: The hub's (ERP's) fulfillment order number; the correlation key.
        customer_order_number: The customer's PO number, printed on labels and the packing list.
    """

    document_type = "fulfillment_order"
    schema_version = 1

    order_number: Code
    customer_order_number: Code | None = None
    released_at: AwareDatetime
    ship_from: Site
    customer: Party
    ship_to: Party
    bill_to: Party | None = None
    carrier: Party | None = None
    service_level: Code | None = Field(default=None, description="e.g. GROUND, 2DAY, LTL")
    priority: FulfillmentPriority = FulfillmentPriority.STANDARD
    requested_ship_date: date | None = None
    requested_delivery_date: date | None = None
    notes: list[Text] = Field(default_factory=list)
    lines: Annotated[list[FulfillmentOrderLine], Field(min_length=1)]

    @field_validator("lines")
    @classmethod
    def _check_lines(cls, lines: list[FulfillmentOrderLine]) -> list[FulfillmentOrderLine]:
        check_unique_line_numbers(cls.__name__, [line.line_number for line in lines])
        return lines

    def correlation_key(self) -> str:
        """The order number: the order-to-delivery flow is keyed by it; shipments name it."""
        return self.order_number
