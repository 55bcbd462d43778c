"""Shipment status: a shipment's document, milestone timeline and proof of delivery.

Everything is read by the shipment id (the correlation key of the shipment, its milestones
and its POD). An order number leads to shipment ids through the ``shipment_status`` messages
the shipment-tracking flow emits per order, and through shipments naming the order; a
tracking number through that flow's ``tracking:<number>`` instance. A carrier sees only its
shipments (it is the shipment's carrier party), a customer only shipments to it (the ship-to
party); another's shipment is not found, like one that does not exist.

The answer is shaped per API version (`v1` / `v2` in `entrypoints/api/shipments.py`); this
module gathers the facts once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from crossdock.canonical.versions import upcast
from crossdock.hub.identity import Principal
from crossdock.hub.products.ownership import PartnerIdentifiers, is_party
from crossdock.hub.products.ports import ProductReads, StoredDocument

SHIPMENT = "shipment"
MILESTONE = "shipment_milestone"
POD = "proof_of_delivery"
TRACKING_FLOW = "shipment_tracking"
MAX_SHIPMENTS = 50


@dataclass(slots=True)
class ShipmentFacts:
    shipment_id: str
    shipment: dict[str, Any] | None
    milestones: list[dict[str, Any]] = field(default_factory=list)
    pod: dict[str, Any] | None = None
    carrier: dict[str, Any] | None = None


def _current(stored: StoredDocument) -> dict[str, Any]:
    return upcast(stored.document_type, stored.document, stored.schema_version)


def may_see(principal: Principal, facts: ShipmentFacts, known: PartnerIdentifiers) -> bool:
    """Operators all; a carrier partner its own shipments; a customer those shipped to it."""
    if principal.is_operator:
        return True
    role = principal.partner_role
    if role == "carrier" or principal.kind == "carrier":
        return is_party(principal, facts.carrier, known)
    if role == "customer":
        return facts.shipment is not None and is_party(
            principal, facts.shipment.get("ship_to"), known
        )
    return False


def facts(reads: ProductReads, shipment_id: str) -> ShipmentFacts | None:
    """What the hub knows of one shipment, None when it knows nothing."""
    documents = reads.by_key([SHIPMENT, MILESTONE, POD], shipment_id)
    if not documents:
        return None
    out = ShipmentFacts(shipment_id, None)
    seen_events: set[str] = set()
    for stored in documents:
        doc = _current(stored)
        if stored.document_type == SHIPMENT:
            out.shipment = doc  # the latest version of the shipment wins
        elif stored.document_type == MILESTONE:
            event = doc.get("event_id")
            if event and event in seen_events:
                continue  # a carrier resending its history
            seen_events.add(event or stored.message_id)
            out.milestones.append(doc)
        else:
            out.pod = doc
        out.carrier = out.carrier or doc.get("carrier")
    if out.shipment is not None:
        out.carrier = out.shipment.get("carrier") or out.carrier
    # by the instant, not the text: carriers report local times with different offsets
    out.milestones.sort(key=lambda m: datetime.fromisoformat(str(m["occurred_at"])))
    return out


def get(
    reads: ProductReads, principal: Principal, known: PartnerIdentifiers, shipment_id: str
) -> ShipmentFacts | None:
    found = facts(reads, shipment_id)
    return found if found is not None and may_see(principal, found, known) else None


def find(
    reads: ProductReads,
    principal: Principal,
    known: PartnerIdentifiers,
    *,
    order_number: str | None = None,
    tracking_number: str | None = None,
) -> list[ShipmentFacts]:
    """The caller's shipments for an order number or a tracking number."""
    ids: list[str] = []
    if order_number is not None:
        statuses = reads.by_key(["shipment_status"], order_number)
        ids += [str(s.document.get("shipment_id")) for s in statuses]
    if tracking_number is not None:
        state = reads.flow(TRACKING_FLOW, f"tracking:{tracking_number}")
        ids += [str(i) for i in (state.data.get("shipment_ids") or [])] if state else []
    found = []
    for shipment_id in list(dict.fromkeys(ids))[:MAX_SHIPMENTS]:
        one = get(reads, principal, known, shipment_id)
        if one is None:
            continue
        if order_number is not None and order_number not in (one.shipment or {}).get(
            "order_numbers", [order_number]
        ):
            continue
        found.append(one)
    return found
