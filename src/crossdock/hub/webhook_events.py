"""The business events partners subscribe to, their payloads, and whose documents they are.

One module for the sender (`hub.webhook_fanout` builds each body from these definitions) and
the AsyncAPI document (its schemas are these models' JSON Schemas), so the two cannot drift.

Every event is a recorded message of the hub seen as a fact: a purchase order created or
changed, a carrier milestone, a proof of delivery, an invoice approved by the three-way
match. The body is ``{type, timestamp, data}`` (Standard Webhooks' recommended shape); `data`
names the message and carries the canonical document as the hub recorded it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field

from crossdock.canonical.flow_documents import InvoiceApproval
from crossdock.canonical.purchase_order import PurchaseOrder
from crossdock.canonical.shipment import ProofOfDelivery, ShipmentMilestone

PURCHASE_ORDER_CREATED = "purchase_order.created"
PURCHASE_ORDER_CHANGED = "purchase_order.changed"
SHIPMENT_MILESTONE = "shipment.milestone"
SHIPMENT_DELIVERED = "shipment.delivered"
INVOICE_APPROVED = "invoice.approved"

EventType = Literal[
    "purchase_order.created",
    "purchase_order.changed",
    "shipment.milestone",
    "shipment.delivered",
    "invoice.approved",
]


@dataclass(frozen=True, slots=True)
class EventKind:
    """One event type: the document type it comes from, the field of `data` holding the
    document, and which party of the document owns it (the partner that may receive it)."""

    type: str
    document_type: str
    field: str
    owner: Literal["supplier", "carrier"]
    summary: str


EVENTS: dict[str, EventKind] = {
    k.type: k
    for k in (
        EventKind(
            PURCHASE_ORDER_CREATED,
            "purchase_order",
            "purchase_order",
            "supplier",
            "A new purchase order for the supplier (purpose original).",
        ),
        EventKind(
            PURCHASE_ORDER_CHANGED,
            "purchase_order",
            "purchase_order",
            "supplier",
            "A purchase order replaced or cancelled (purpose replace / cancel).",
        ),
        EventKind(
            SHIPMENT_MILESTONE,
            "shipment_milestone",
            "milestone",
            "carrier",
            "A carrier milestone of a shipment (picked up, in transit, delivered...).",
        ),
        EventKind(
            SHIPMENT_DELIVERED,
            "proof_of_delivery",
            "proof_of_delivery",
            "carrier",
            "Proof of delivery of a shipment (who signed, when).",
        ),
        EventKind(
            INVOICE_APPROVED,
            "invoice_approval",
            "invoice_approval",
            "supplier",
            "A supplier invoice approved for payment by the three-way match.",
        ),
    )
}
#: Document types that raise events (the fan-out consumer subscribes to exactly these).
DOCUMENT_TYPES = frozenset(k.document_type for k in EVENTS.values())


class EventData(BaseModel):
    """What every event's `data` holds besides its document."""

    model_config = ConfigDict(extra="forbid")

    message_id: str = Field(description="the hub message the event reports (GET /v1/messages)")
    correlation_key: str = Field(description="the business key: PO number, shipment id...")
    partner: str | None = Field(description="the partner the document belongs to")


class PurchaseOrderData(EventData):
    purchase_order: PurchaseOrder


class ShipmentMilestoneData(EventData):
    milestone: ShipmentMilestone


class ProofOfDeliveryData(EventData):
    proof_of_delivery: ProofOfDelivery


class InvoiceApprovedData(EventData):
    invoice_approval: InvoiceApproval


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid")

    timestamp: datetime = Field(description="when the hub recorded the document (RFC 3339)")


class PurchaseOrderCreated(_Event):
    type: Literal["purchase_order.created"]
    data: PurchaseOrderData


class PurchaseOrderChanged(_Event):
    type: Literal["purchase_order.changed"]
    data: PurchaseOrderData


class ShipmentMilestoneEvent(_Event):
    type: Literal["shipment.milestone"]
    data: ShipmentMilestoneData


class ShipmentDelivered(_Event):
    type: Literal["shipment.delivered"]
    data: ProofOfDeliveryData


class InvoiceApproved(_Event):
    type: Literal["invoice.approved"]
    data: InvoiceApprovedData


#: The payload model of each event type (the AsyncAPI document's messages).
PAYLOADS: dict[str, type[BaseModel]] = {
    PURCHASE_ORDER_CREATED: PurchaseOrderCreated,
    PURCHASE_ORDER_CHANGED: PurchaseOrderChanged,
    SHIPMENT_MILESTONE: ShipmentMilestoneEvent,
    SHIPMENT_DELIVERED: ShipmentDelivered,
    INVOICE_APPROVED: InvoiceApproved,
}


def payload_schemas() -> dict[str, dict[str, Any]]:
    """Each event type's JSON Schema (pydantic's, serialization mode): what the AsyncAPI
    document publishes as the message payloads."""
    return {name: model.model_json_schema(mode="serialization") for name, model in PAYLOADS.items()}


def event_type(document_type: str, document: Mapping[str, Any]) -> str | None:
    """The event a recorded document raises, or None (pure)."""
    if document_type == "purchase_order":
        purpose = document.get("purpose", "original")
        return PURCHASE_ORDER_CREATED if purpose == "original" else PURCHASE_ORDER_CHANGED
    for kind in EVENTS.values():
        if kind.document_type == document_type:
            return kind.type
    return None


@dataclass(frozen=True, slots=True)
class PartnerAliases:
    """How partners are recognised in documents: each partner's logical name plus its
    identifiers (X12 ids, GLN, own codes), compared case-insensitively against the owning
    party's name, GLN, D-U-N-S, X12 id and codes (as procure-to-pay finds a supplier)."""

    by_partner: Mapping[str, frozenset[str]]

    @classmethod
    def of(cls, partners: Mapping[str, Iterable[str]]) -> PartnerAliases:
        return cls(
            {
                name: frozenset(a.casefold() for a in (name, *ids) if a)
                for name, ids in partners.items()
            }
        )

    def joined(self, registered: Mapping[str, Iterable[str]]) -> PartnerAliases:
        """These aliases plus the registered partners' identifiers (the partner directory's
        `identifiers()`); the configuration wins for a name both know."""
        extra = {name: ids for name, ids in registered.items() if name not in self.by_partner}
        if not extra:
            return self
        return PartnerAliases({**self.by_partner, **PartnerAliases.of(extra).by_partner})

    def including(self, partners: Iterable[str | None]) -> PartnerAliases:
        """These aliases plus any of `partners` they lack, known by name alone (a partner
        registered at run time rather than in the configuration)."""
        missing = {p for p in partners if p and p not in self.by_partner}
        if not missing:
            return self
        return PartnerAliases(
            {**self.by_partner, **{p: frozenset({p.casefold()}) for p in missing}}
        )

    def partner_for(self, party: Mapping[str, Any] | None) -> str | None:
        if not party:
            return None
        found = {party.get("name"), party.get("gln"), party.get("duns")}
        found.add((party.get("x12") or {}).get("identifier"))
        found |= {c.get("value") for c in party.get("codes") or []}
        wanted = {str(v).casefold() for v in found if v}
        return next((p for p, ids in self.by_partner.items() if ids & wanted), None)


def owner_of(
    kind: EventKind, document: Mapping[str, Any], source: str, aliases: PartnerAliases
) -> str | None:
    """The partner a document belongs to: a PO's or invoice's supplier; a milestone's or
    POD's carrier, which is the message's source when a configured carrier sent it."""
    if kind.owner == "carrier" and source in aliases.by_partner:
        return source
    return aliases.partner_for(document.get(kind.owner))


def event_body(
    kind: EventKind,
    type_: str,
    *,
    message_id: str,
    correlation_key: str,
    partner: str | None,
    received_at: datetime,
    canonical: bytes,
) -> bytes:
    """The JSON body of one event; the canonical bytes are embedded as recorded, not parsed
    and re-serialised (they were validated when the document was recorded)."""
    return orjson.dumps(
        {
            "type": type_,
            "timestamp": received_at.isoformat(),
            "data": {
                "message_id": message_id,
                "correlation_key": correlation_key,
                "partner": partner,
                kind.field: orjson.Fragment(canonical),
            },
        }
    )
