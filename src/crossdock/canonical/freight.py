"""Motor freight documents: the load tender (X12 204), the carrier's answer (990) and its
freight invoice (210).

A distributor tenders a load to a carrier (stops with appointment windows and the orders
picked up or dropped at each), the carrier accepts or declines it, and later bills it line
by line. Tender and response share the shipment id as correlation key, so the answer lands
in the tender's flow; the invoice is keyed by its invoice number, as invoices are.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, Field, model_validator

from crossdock.canonical.base import CanonicalDocument, CanonicalModel
from crossdock.canonical.decimals import Amount, NonNegativeDecimal
from crossdock.canonical.party import Party
from crossdock.canonical.registry import register
from crossdock.canonical.shipment import Scac
from crossdock.canonical.values import Code, CurrencyCode, LineNumber, Money, Quantity, Text


class StopReason(StrEnum):
    """Why the truck stops (X12 163: LD, UL, PL, PU, CL, CU)."""

    LOAD = "load"
    UNLOAD = "unload"
    PART_LOAD = "part_load"
    PART_UNLOAD = "part_unload"
    COMPLETE_LOAD = "complete_load"
    COMPLETE_UNLOAD = "complete_unload"

    @property
    def is_pickup(self) -> bool:
        """True for the stops where goods are loaded."""
        return self in (StopReason.LOAD, StopReason.PART_LOAD, StopReason.COMPLETE_LOAD)


class FreightOrder(CanonicalModel):
    """One customer order moving in a load (X12 OID): what a consignee counts on arrival.

    ``packaging_code`` is the X12 packaging form (CTN, PLT…), not a unit of measure.
    """

    reference: Code | None = None
    po_number: Code | None = None
    packaging_code: Code | None = None
    quantity: NonNegativeDecimal | None = None
    weight: Quantity | None = None

    @model_validator(mode="after")
    def _identified(self) -> FreightOrder:
        if self.reference is None and self.po_number is None:
            raise ValueError("an order needs a reference or a po_number")
        return self


class Stop(CanonicalModel):
    """A pick-up or delivery stop (X12 S5 loop) with its appointment window.

    ``earliest_at``/``latest_at`` are the window the carrier must arrive in (G62 37/38 at a
    pick-up, 53/54 at a delivery).
    """

    sequence: Annotated[int, Field(ge=1, le=999)]
    reason: StopReason
    party: Party | None = None
    earliest_at: AwareDatetime | None = None
    latest_at: AwareDatetime | None = None
    po_numbers: list[Code] = Field(default_factory=list)
    weight: Quantity | None = None
    orders: list[FreightOrder] = Field(default_factory=list)

    @model_validator(mode="after")
    def _window_in_order(self) -> Stop:
        if self.earliest_at and self.latest_at and self.latest_at < self.earliest_at:
            raise ValueError("latest_at is before earliest_at")
        return self


class Equipment(CanonicalModel):
    """The trailer or container asked for or used (X12 N7): N711 type (TL trailer, TF dry
    van…), N702 its number once assigned."""

    type_code: Code | None = None
    number: Code | None = None


class TenderPurpose(StrEnum):
    """What a tender does to the load (X12 B2A01: 00 original, 04 change, 01 cancellation)."""

    ORIGINAL = "original"
    CHANGE = "change"
    CANCELLATION = "cancellation"


@register
class LoadTender(CanonicalDocument):
    """A load offered to a carrier (X12 204), stop by stop.

    Attributes:
        shipment_id: The shipper's load id (B204); the correlation key, which the carrier's
            990 answer and its 214 statuses repeat.
        payment_method: X12 146 as sent (PP prepaid, CC collect, TP third party).
    """

    document_type = "load_tender"
    schema_version = 1

    shipment_id: Code
    purpose: TenderPurpose = TenderPurpose.ORIGINAL
    carrier: Party | None = None
    carrier_scac: Scac | None = None
    payment_method: Code | None = None
    bill_to: Party | None = None
    po_numbers: list[Code] = Field(default_factory=list)
    notes: list[Text] = Field(default_factory=list)
    equipment: Equipment | None = None
    total_weight: Quantity | None = None
    stops: Annotated[list[Stop], Field(min_length=1)]

    def correlation_key(self) -> str:
        """The shipment id, shared with the carrier's response and status messages."""
        return self.shipment_id


class TenderDecision(StrEnum):
    """The carrier's answer (X12 B104: A accepted, D declined)."""

    ACCEPTED = "accepted"
    DECLINED = "declined"


@register
class LoadTenderResponse(CanonicalDocument):
    """A carrier's answer to a load tender (X12 990).

    Attributes:
        shipment_id: The tendered load's id (B102); the correlation key, the tender's own.
        reason: Why, in the carrier's words, mostly for a declined tender (K1).
    """

    document_type = "load_tender_response"
    schema_version = 1

    shipment_id: Code
    decision: TenderDecision
    responded_on: date | None = None
    carrier: Party | None = None
    carrier_scac: Scac | None = None
    carrier_reference: Code | None = None
    reason: Text | None = None

    def correlation_key(self) -> str:
        """The shipment id: the response joins its tender."""
        return self.shipment_id


class FreightCharge(CanonicalModel):
    """One charge of a freight bill line (X12 L1): line haul, fuel surcharge, accessorials.

    ``code`` is the carrier's special charge code (L108: FUE fuel, 400 freight…), ``rate``
    and ``rate_qualifier`` how it was rated (L102/L103: per hundredweight, flat…).
    """

    amount: Money
    code: Code | None = None
    description: Text | None = None
    rate: Amount | None = None
    rate_qualifier: Code | None = None


class FreightInvoiceLine(CanonicalModel):
    """A billed lading line (X12 LX loop): what moved (L5, L0) and what it cost (L1)."""

    line_number: LineNumber
    description: Text | None = None
    weight: Quantity | None = None
    packaging_code: Code | None = None
    quantity: NonNegativeDecimal | None = None
    charges: list[FreightCharge] = Field(default_factory=list)


@register
class FreightInvoice(CanonicalDocument):
    """A carrier's freight bill (X12 210), for freight audit and payment.

    Attributes:
        invoice_number: The carrier's invoice number (B302, often the PRO); the correlation key.
        shipment_id: The shipper's shipment or load id (B303), to match the tender.
        amount_due: What the carrier asks to be paid (B307).
        total_charges: The sum of the charges (L305), when the carrier states it.
        payment_method: X12 146 as sent (PP prepaid, CC collect, TP third party).
    """

    document_type = "freight_invoice"
    schema_version = 1

    invoice_number: Code
    invoice_date: date
    carrier: Party
    carrier_scac: Scac | None = None
    shipment_id: Code | None = None
    pro_number: Code | None = None
    bill_of_lading: Code | None = None
    po_numbers: list[Code] = Field(default_factory=list)
    payment_method: Code | None = None
    shipped_on: date | None = None
    delivered_on: date | None = None
    currency: CurrencyCode
    amount_due: Money
    total_charges: Money | None = None
    total_weight: Quantity | None = None
    ship_from: Party | None = None
    consignee: Party | None = None
    bill_to: Party | None = None
    stops: list[Stop] = Field(default_factory=list)
    lines: list[FreightInvoiceLine] = Field(default_factory=list)

    def correlation_key(self) -> str:
        """The invoice number, as for every invoice."""
        return self.invoice_number
