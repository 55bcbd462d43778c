"""Transport documents: the shipment a carrier moves, its milestones, and proof of delivery.

Milestones and the proof of delivery are keyed by the shipment id, so every carrier update
for one shipment is ordered on the bus and lands in the same flow. Milestone names follow
the X12 214 status codes (AF picked up, X6 en route, OO out for delivery, D1 delivered) and
GS1 EPCIS business steps (shipping, departing, arriving, receiving).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, Field, model_validator

from crossdock.canonical.base import CanonicalDocument, CanonicalModel
from crossdock.canonical.item import Item
from crossdock.canonical.party import Party
from crossdock.canonical.registry import register
from crossdock.canonical.values import (
    Code,
    CountryCode,
    LineNumber,
    Quantity,
    Sscc,
    Text,
    identifier,
)

Scac = Annotated[str, Field(pattern=r"^[A-Z]{2,4}$", description="NMFTA carrier code (SCAC)")]


class TransportMode(StrEnum):
    """How the goods travel."""

    PARCEL = "parcel"
    LTL = "ltl"
    FTL = "ftl"
    INTERMODAL = "intermodal"
    OCEAN = "ocean"
    AIR = "air"
    RAIL = "rail"


class MilestoneCode(StrEnum):
    """The shipment milestones the hub tracks, whatever vocabulary the carrier uses."""

    BOOKED = "booked"
    PICKED_UP = "picked_up"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    EXCEPTION = "exception"


class Place(CanonicalModel):
    """Where a milestone happened: carriers report a city, rarely a full address."""

    name: Text | None = None
    city: Text | None = None
    region: Code | None = None
    postal_code: Code | None = None
    country: CountryCode | None = None


class ShipmentPackage(CanonicalModel):
    """One package or pallet in the shipment, by label and/or carrier tracking number."""

    sscc: Sscc | None = None
    tracking_number: Code | None = None
    weight: Quantity | None = None

    @model_validator(mode="after")
    def _identified(self) -> ShipmentPackage:
        if self.sscc is None and self.tracking_number is None:
            raise ValueError("a package needs an sscc or a tracking_number")
        return self


class ShipmentLine(CanonicalModel):
    """What the warehouse picked for one fulfillment order line (X12 945 W12), so a short
    pick is seen before the goods leave."""

    order_number: Code
    line_number: LineNumber
    item: Item
    ordered_quantity: Quantity | None = None
    shipped_quantity: Quantity


@register
class Shipment(CanonicalDocument):
    """A shipment tendered to a carrier (X12 204 / carrier booking), referencing the orders in it.

    Attributes:
        shipment_id: The shipper's (TMS's) shipment id; the correlation key.
        order_numbers: Fulfillment order numbers shipped in it.
        po_numbers: Customer PO numbers, for carriers and consignees that track by them.
        lines: Picked quantities per order line, when the warehouse's shipping advice says.
    """

    document_type = "shipment"
    schema_version = 1

    shipment_id: Code
    created_at: AwareDatetime
    carrier: Party
    carrier_scac: Scac | None = None
    mode: TransportMode
    service_level: Code | None = None
    tracking_number: Code | None = None
    bill_of_lading: Code | None = None
    pro_number: Code | None = None
    ship_from: Party
    ship_to: Party
    planned_pickup_at: AwareDatetime | None = None
    planned_delivery_at: AwareDatetime | None = None
    order_numbers: list[Code] = Field(default_factory=list)
    po_numbers: list[Code] = Field(default_factory=list)
    total_weight: Quantity | None = None
    packages: Annotated[list[ShipmentPackage], Field(min_length=1)]
    lines: list[ShipmentLine] | None = None

    @model_validator(mode="after")
    def _planned_in_order(self) -> Shipment:
        pickup, delivery = self.planned_pickup_at, self.planned_delivery_at
        if pickup is not None and delivery is not None and delivery < pickup:
            raise ValueError("planned_delivery_at is before planned_pickup_at")
        return self

    def correlation_key(self) -> str:
        """The shipment id: milestones and the proof of delivery share it."""
        return self.shipment_id


@register
class ShipmentMilestone(CanonicalDocument):
    """A carrier's status update for one shipment (X12 214; carrier tracking webhooks).

    Attributes:
        event_id: The carrier's own event id when it has one; lets intake drop repeats.
        carrier_reference: The carrier's own id for the shipment when it differs from the
            tracking number (EasyPost's ``shp_…``): its API names the shipment by it, e.g.
            to fetch the proof of delivery.
        carrier_status_code: The carrier's raw status code, kept for troubleshooting.
    """

    document_type = "shipment_milestone"
    schema_version = 1

    shipment_id: Code
    event_id: Code | None = None
    milestone: MilestoneCode
    occurred_at: AwareDatetime
    reported_at: AwareDatetime | None = None
    carrier: Party
    tracking_number: Code | None = None
    carrier_reference: Code | None = None
    location: Place | None = None
    estimated_delivery_at: AwareDatetime | None = None
    carrier_status_code: Code | None = None
    exception_code: Code | None = None
    description: Text | None = None

    @model_validator(mode="after")
    def _exception_explained(self) -> ShipmentMilestone:
        # An exception nobody can categorise cannot be routed to the right person.
        if self.milestone is MilestoneCode.EXCEPTION and not (
            self.exception_code or self.description
        ):
            raise ValueError("an exception milestone needs an exception_code or a description")
        return self

    def correlation_key(self) -> str:
        """The shipment id, so a shipment's milestones stay in order."""
        return self.shipment_id


@register
class ProofOfDelivery(CanonicalDocument):
    """Evidence that a shipment was delivered, and to whom (X12 214 D1 with signature; ePOD).

    ``consignee`` is optional: carriers' POD APIs name who signed, not the consignee party (the
    shipment already names it as ``ship_to``). ``delivered_at`` is the carrier's delivery time;
    the hub's own recording time is the message's ``received_at``.
    """

    document_type = "proof_of_delivery"
    schema_version = 1

    shipment_id: Code
    delivered_at: AwareDatetime
    carrier: Party
    consignee: Party | None = None
    signed_by: Text | None = None
    tracking_number: Code | None = None
    packages_delivered: Annotated[int, Field(ge=0)] | None = None
    location: Place | None = None
    document_url: Annotated[str, identifier(2000)] | None = Field(
        default=None, description="Where the signed delivery receipt image can be fetched"
    )
    remarks: list[Text] = Field(default_factory=list)

    def correlation_key(self) -> str:
        """The shipment id: the proof of delivery closes its shipment's flow."""
        return self.shipment_id
