"""Response and request models of the API products (v1; shipments also v2): what the
OpenAPI document promises and what the routes build their answers from."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field

from crossdock.entrypoints.api.models.common import Model as _Model


class LineAnswerIn(_Model):
    """The supplier's answer for one PO line."""

    line_number: int = Field(ge=1, le=999_999)
    action: Literal["accept", "change", "reject", "backorder"]
    quantity: Decimal | None = Field(None, ge=0, max_digits=18, decimal_places=6)
    unit: str | None = Field(None, min_length=1, max_length=16)
    unit_price: Decimal | None = Field(None, ge=0, max_digits=18, decimal_places=6)
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")
    promised_date: date | None = None
    reason: str | None = Field(None, max_length=500)


class AcknowledgmentIn(_Model):
    lines: list[LineAnswerIn] = Field(min_length=1, max_length=10_000)
    acknowledgment_number: str | None = Field(None, min_length=1, max_length=64)
    sales_order_number: str | None = Field(None, min_length=1, max_length=64)
    notes: list[str] = Field(default_factory=list, max_length=20)


class PurchaseOrderSummary(_Model):
    po_number: str
    status: str = Field(description="where the procure-to-pay flow stands")
    issued_at: datetime
    ship_to: dict[str, Any]
    requested_delivery_date: date | None = None
    currency: str
    line_count: int
    acknowledged: bool
    updated_at: datetime


class PurchaseOrderPageOut(_Model):
    items: list[PurchaseOrderSummary]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page")


class PurchaseOrderOut(_Model):
    po_number: str
    status: str
    completed: bool
    updated_at: datetime
    document: dict[str, Any] = Field(description="the canonical purchase order")
    acknowledgment: dict[str, Any] = Field(description="per line: status, promised, date")
    schedule: dict[str, Any] = Field(description="per line: expected quantity and date")


class AcknowledgmentOut(_Model):
    po_number: str
    message_id: str
    status: str = Field(description="the recorded message's status (accepted)")
    acknowledgment_status: str
    duplicate: bool = False


class AvailabilityOut(_Model):
    site: str
    item: str
    found: bool
    available_to_promise: str | None = None
    on_hand: str | None = None
    allocated: str | None = None
    unit: str | None = None
    as_of: datetime | None = None
    staleness_seconds: float | None = None
    source: str | None = None


class LookupItem(_Model):
    site: str = Field(min_length=1, max_length=128)
    item: str = Field(min_length=1, max_length=256)


class LookupIn(_Model):
    items: list[LookupItem] = Field(min_length=1, max_length=100)


class LookupOut(_Model):
    items: list[AvailabilityOut]


class MilestoneV1(_Model):
    code: str
    occurred_at: datetime
    location: str | None = Field(None, description="'City, REGION, COUNTRY' as one string")
    description: str | None = None


class PodOut(_Model):
    delivered_at: datetime
    signed_by: str | None = None
    packages_delivered: int | None = None
    document_url: str | None = None


class ShipmentV1(_Model):
    shipment_id: str
    carrier: str | None = None
    tracking_number: str | None = None
    order_numbers: list[str] = Field(default_factory=list)
    status: str | None = Field(None, description="the latest milestone code")
    ship_to: str | None = None
    milestones: list[MilestoneV1]
    proof_of_delivery: PodOut | None = None


class ShipmentsV1(_Model):
    items: list[ShipmentV1]


class LocationV2(_Model):
    city: str | None = None
    region: str | None = None
    country: str | None = None
    postal_code: str | None = None
    geo: dict[str, float] | None = Field(None, description="{lat, lon} when the carrier gave it")


class Standard(_Model):
    epcis_biz_step: str | None = Field(None, description="GS1 EPCIS 2.0 business step")
    x12_at7: str | None = Field(None, description="X12 214 AT7-01 shipment status code")


class MilestoneCodeV2(_Model):
    code: str
    label: str
    standard: Standard


class MilestoneV2(_Model):
    code: MilestoneCodeV2
    occurred_at: datetime
    location: LocationV2 | None = None
    description: str | None = None


class ShipmentV2(_Model):
    shipment_id: str
    carrier: dict[str, Any] | None = None
    tracking_number: str | None = None
    order_numbers: list[str] = Field(default_factory=list)
    status: MilestoneCodeV2 | None = None
    ship_to: LocationV2 | None = None
    milestones: list[MilestoneV2]
    proof_of_delivery: PodOut | None = None


class ShipmentsV2(_Model):
    items: list[ShipmentV2]
