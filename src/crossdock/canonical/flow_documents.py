"""Documents the flows issue: invoice approvals, billing triggers and shipment statuses.

No partner sends these; crossdock's process managers (``crossdock.hub.flows``) emit them so
that routes deliver them like any other document: the procure-to-pay flow releases a matched
invoice to the ERP for payment (``invoice_approval``), the order-to-delivery flow asks the ERP
to bill the customer once the goods are proven delivered (``billing_trigger``), and each
carrier event becomes a ``shipment_status`` naming the order, for customer service (carriers
name only their tracking number, so this is also how a milestone finds its order).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, Field

from crossdock.canonical.base import CanonicalDocument, CanonicalModel
from crossdock.canonical.item import Item
from crossdock.canonical.party import Party
from crossdock.canonical.registry import register
from crossdock.canonical.shipment import MilestoneCode, Place
from crossdock.canonical.values import Code, LineNumber, Money, Quantity, Text


class ApprovedLine(CanonicalModel):
    """One invoice line released for payment, with what it was matched against."""

    invoice_line_number: LineNumber
    po_line_number: LineNumber
    quantity: Quantity
    unit_price: Money
    amount: Money
    received_quantity: Quantity | None = None


@register
class InvoiceApproval(CanonicalDocument):
    """A supplier invoice (or the part of it that bills one PO) released to the ERP for
    payment after a successful three-way match.

    Attributes:
        invoice_number: The supplier's invoice number; the correlation key.
        po_number: The purchase order whose lines were matched (an invoice billing several
            POs gets one approval per PO).
        approved_amount: Sum of the approved lines' amounts.
    """

    document_type = "invoice_approval"
    schema_version = 1

    invoice_number: Code
    po_number: Code
    approved_at: AwareDatetime
    supplier: Party | None = None
    approved_amount: Money
    lines: Annotated[list[ApprovedLine], Field(min_length=1)]
    notes: list[Text] = Field(default_factory=list)

    def correlation_key(self) -> str:
        """The invoice number: the ERP posts and pays per invoice."""
        return self.invoice_number


class BilledLine(CanonicalModel):
    """One fulfillment order line as shipped: what the customer is billed for."""

    line_number: LineNumber
    item: Item
    ordered_quantity: Quantity
    shipped_quantity: Quantity


@register
class BillingTrigger(CanonicalDocument):
    """Tells the ERP to invoice the customer: the order was delivered and the proof is in.

    Attributes:
        order_number: The fulfillment order; the correlation key.
        lines: Shipped quantities per order line (bill what shipped, not what was ordered).
    """

    document_type = "billing_trigger"
    schema_version = 1

    order_number: Code
    customer_order_number: Code | None = None
    customer: Party
    shipment_ids: list[Code] = Field(default_factory=list)
    delivered_at: AwareDatetime
    signed_by: Text | None = None
    triggered_at: AwareDatetime
    lines: Annotated[list[BilledLine], Field(min_length=1)]

    def correlation_key(self) -> str:
        """The order number: the customer invoice belongs to the order."""
        return self.order_number


@register
class ShipmentStatus(CanonicalDocument):
    """Where an order's shipment stands, for customer service: one per carrier event.

    Attributes:
        order_number: The fulfillment order the shipment carries; the correlation key.
        milestone: The carrier event, in the hub's milestone vocabulary.
        proof_of_delivery: True when the status reports a proof of delivery.
        source_message_id: The carrier message this status was derived from (evidence).
    """

    document_type = "shipment_status"
    schema_version = 1

    order_number: Code
    shipment_id: Code
    tracking_number: Code | None = None
    milestone: MilestoneCode
    occurred_at: AwareDatetime
    proof_of_delivery: bool = False
    signed_by: Text | None = None
    location: Place | None = None
    estimated_delivery_at: AwareDatetime | None = None
    description: Text | None = None
    source_message_id: Code | None = None

    def correlation_key(self) -> str:
        """The order number: customer service looks orders up, not tracking numbers."""
        return self.order_number
