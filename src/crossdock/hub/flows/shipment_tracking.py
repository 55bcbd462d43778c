"""Shipment tracking: finds the order a carrier event belongs to, and says so.

Carriers name their own tracking number (EasyPost carries no shipper reference at all), while
the order-to-delivery flow is keyed by the order number. The engine's key functions are pure
functions of one document, so no key function can look the order up. This small flow keeps
the index instead: one instance per ``shipment:<shipment id>`` and per
``tracking:<tracking or PRO number>``, linked by the shipment messages (which name their
orders). A carrier milestone or proof of delivery advances the instance of its tracking
number and of its shipment id; a linked instance turns it into one `shipment_status` per
order (the status customer service gets, and the event the order's flow reacts to). Events
for a shipment not yet linked are held until the shipment message comes.

One carrier event reaches two instances when it names both a tracking number and a shipment
id; to relay it once, the tracking instance stays silent when its own shipment message had
that shipment id (the shipment instance speaks). A repeat of a carrier event id is dropped.

Limitation: an event whose tracking number and shipment id no shipment message ever named
stays held (an instance in state ``unlinked``) — there is nothing to relate it to.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crossdock.hub.flows.model import (
    ANY_STATE,
    EmittedDocument,
    FlowDefinition,
    FlowEvent,
    FlowState,
    MessageEvent,
    Reaction,
    hold,
)

NAME = "shipment_tracking"
CARRIER_EVENTS = ("shipment_milestone", "proof_of_delivery")


def shipment_keys(document: Mapping[str, Any]) -> list[str]:
    """A shipment links its id, tracking and PRO numbers and its packages' tracking numbers."""
    numbers = [document.get("tracking_number"), document.get("pro_number")]
    numbers += [p.get("tracking_number") for p in document.get("packages") or []]
    keys = [f"shipment:{document['shipment_id']}"] if document.get("shipment_id") else []
    return keys + [f"tracking:{n}" for n in numbers if n]


def carrier_event_keys(document: Mapping[str, Any]) -> list[str]:
    """A milestone or proof of delivery names a shipment id and, often, a tracking number."""
    keys = [f"shipment:{document['shipment_id']}"] if document.get("shipment_id") else []
    if document.get("tracking_number"):
        keys.append(f"tracking:{document['tracking_number']}")
    return keys


def linked(state: FlowState, event: FlowEvent) -> Reaction:
    """A shipment message: remember its orders and hand back what waited for them."""
    assert isinstance(event, MessageEvent)
    shipment = event.canonical
    orders = list(dict.fromkeys([*state.data.get("orders", []), *shipment["order_numbers"]]))
    ids = list(dict.fromkeys([*state.data.get("shipment_ids", []), shipment["shipment_id"]]))
    if not orders:
        return Reaction()  # a shipment naming no order cannot link anything
    return Reaction(state="linked", data={"orders": orders, "shipment_ids": ids}, release_held=True)


def early(state: FlowState, event: FlowEvent) -> Reaction:
    assert isinstance(event, MessageEvent)
    return Reaction(data=hold(state, event))


def relayed(state: FlowState, event: FlowEvent) -> Reaction:
    """A carrier event for a linked shipment: one shipment status per order it carries."""
    assert isinstance(event, MessageEvent)
    document = event.canonical
    if state.key.startswith("tracking:") and document.get("shipment_id") in state.data.get(
        "shipment_ids", []
    ):
        return Reaction()  # the shipment id's instance relays it
    event_id = document.get("event_id")
    seen = list(state.data.get("events", []))
    if event_id and event_id in seen:
        return Reaction()
    emit = [
        EmittedDocument("shipment_status", status(document, event, order))
        for order in state.data["orders"]
    ]
    return Reaction(data={"events": [*seen, event_id]} if event_id else {}, emit=emit)


def status(document: Mapping[str, Any], event: MessageEvent, order: str) -> dict[str, Any]:
    """The `shipment_status` of one carrier event, for one order."""
    pod = event.document_type == "proof_of_delivery"
    out: dict[str, Any] = {
        "order_number": order,
        "shipment_id": document["shipment_id"],
        "tracking_number": document.get("tracking_number"),
        "milestone": "delivered" if pod else document["milestone"],
        "occurred_at": document["delivered_at"] if pod else document["occurred_at"],
        "proof_of_delivery": pod,
        "signed_by": document.get("signed_by"),
        "location": document.get("location"),
        "estimated_delivery_at": document.get("estimated_delivery_at"),
        "description": document.get("description"),
        "source_message_id": event.message_id,
    }
    return {k: v for k, v in out.items() if v is not None}


def definition() -> FlowDefinition:
    return FlowDefinition(
        name=NAME,
        keys={
            "shipment": shipment_keys,
            "shipment_milestone": carrier_event_keys,
            "proof_of_delivery": carrier_event_keys,
        },
        initial_state="unlinked",
        transitions={
            (ANY_STATE, "shipment"): linked,
            **{("unlinked", kind): early for kind in CARRIER_EVENTS},
            **{("linked", kind): relayed for kind in CARRIER_EVENTS},
        },
    )
