"""Order-to-delivery: one fulfillment order from its release to the customer's invoice.

Keyed by the order number. The fulfillment order opens the instance (a shipment or status
that comes first is held until it does). The warehouse's shipping advice (a `shipment` with
picked quantities per line) raises short_shipment for each line picked short; a shipment with
a tracking or PRO number, or a ``booked`` status, means it is booked with the carrier. Carrier
events arrive as `shipment_status` documents: carriers key them by tracking number, and the
`shipment_tracking` flow relates those to the order. Every milestone restarts the "milestone
expected every 12 h" timer, whose firing raises missing_milestone; ``delivered`` starts the
"POD due 2 h after delivery" timer (missing_milestone too, when it fires). The proof of
delivery completes the flow and emits a `billing_trigger` (bill what shipped); events after
it are kept as evidence, not errors.

States: new, released, picked, booked, in_transit, delivered, completed (complete).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from crossdock.hub.flows.exceptions import ExceptionCategory, RaisedException
from crossdock.hub.flows.model import (
    ANY_STATE,
    EmittedDocument,
    FlowDefinition,
    FlowEvent,
    FlowState,
    MessageEvent,
    Reaction,
    SetTimer,
    by_field,
    hold,
)

NAME = "order_to_delivery"
MOVING = frozenset({"picked_up", "in_transit", "out_for_delivery", "exception"})


@dataclass(slots=True, frozen=True)
class OrderToDeliveryPolicy:
    """The flow's SLAs (built from `flows.order_to_delivery` by bootstrap)."""

    milestone_every: timedelta = timedelta(hours=12)
    pod_due: timedelta = timedelta(hours=2)


Handler = Callable[[FlowState, MessageEvent, dict[str, Any]], Reaction]


def order_keys(document: Mapping[str, Any]) -> list[str]:
    """A shipment advances every order it carries."""
    return [str(n) for n in document.get("order_numbers") or []]


def released(state: FlowState, event: MessageEvent, data: dict[str, Any]) -> Reaction:
    order = event.canonical
    data["order_message"] = event.message_id
    data["customer"] = order["customer"]
    data["customer_order_number"] = order.get("customer_order_number")
    data["lines"] = {
        str(line["line_number"]): {"item": line["item"], "quantity": line["quantity"]}
        for line in order["lines"]
    }
    return Reaction(state="released", data=data, release_held=True)


def _shipment(policy: OrderToDeliveryPolicy) -> Handler:
    def react(state: FlowState, event: MessageEvent, data: dict[str, Any]) -> Reaction:
        shipment = event.canonical
        number = shipment["shipment_id"]
        known = dict(data.get("shipments") or {}).get(number) or {}
        picked = {
            str(line["line_number"]): line["shipped_quantity"]
            for line in shipment.get("lines") or []
            if line["order_number"] == state.key
        }
        booked = bool(shipment.get("tracking_number") or shipment.get("pro_number"))
        entry = {
            "messages": [*known.get("messages", []), event.message_id],
            "picked": picked or known.get("picked", {}),
            "booked": booked or known.get("booked", False),
        }
        data["shipments"] = {**data.get("shipments", {}), number: entry}
        raised = _short_picks(state.key, data, picked, shipment, event.message_id)
        timers = []
        new_state = state.state
        if booked and not known.get("booked") and state.state in ("released", "picked"):
            new_state = "booked"
            timers.append(SetTimer("milestone_due", event.at + policy.milestone_every))
        elif state.state == "released":
            new_state = "picked"
        return Reaction(state=new_state, data=data, exceptions=raised, set_timers=timers)

    return react


def _short_picks(
    key: str,
    data: dict[str, Any],
    picked: Mapping[str, Any],
    shipment: Mapping[str, Any],
    message_id: str,
) -> list[RaisedException]:
    """Lines the warehouse shipped less of than the order (or its advice) asked for."""
    asked = {str(line["line_number"]): line for line in shipment.get("lines") or []}
    raised = []
    flagged = data.setdefault("flagged", [])
    for number, quantity in picked.items():
        ordered = asked[number].get("ordered_quantity") or (
            data["lines"].get(number, {}).get("quantity")
        )
        if ordered is None:
            continue
        short = Decimal(str(ordered["value"])) - Decimal(str(quantity["value"]))
        token = f"short:{shipment['shipment_id']}:{number}"
        if short > 0 and token not in flagged:
            flagged.append(token)
            raised.append(
                RaisedException(
                    ExceptionCategory.SHORT_SHIPMENT,
                    f"order {key} line {number}: ordered {ordered['value']}, shipped "
                    f"{quantity['value']} {quantity['unit']} (short {short})",
                    evidence=[data["order_message"], message_id],
                    owner_role="customer_service",
                    data={
                        "line_number": int(number),
                        "ordered": str(ordered["value"]),
                        "shipped": str(quantity["value"]),
                        "difference": str(short),
                    },
                )
            )
    return raised


def _status(policy: OrderToDeliveryPolicy) -> Handler:
    def react(state: FlowState, event: MessageEvent, data: dict[str, Any]) -> Reaction:
        status = event.canonical
        milestone = status["milestone"]
        seen = status.get("source_message_id") or event.message_id
        data["milestones"] = [
            *data.get("milestones", []),
            {"milestone": milestone, "at": status["occurred_at"], "message": seen},
        ]
        if status.get("proof_of_delivery"):
            data["pod"] = {
                "message": seen,
                "at": status["occurred_at"],
                "signed_by": status.get("signed_by"),
            }
            trigger = billing_trigger(state.key, data, status, event)
            return Reaction(
                state="completed",
                data=data,
                complete=True,
                emit=[EmittedDocument("billing_trigger", trigger)],
            )
        if milestone == "delivered":
            data["delivered"] = {"message": seen, "at": status["occurred_at"]}
            return Reaction(
                state="delivered",
                data=data,
                cancel_timers=["milestone_due"],
                set_timers=[SetTimer("pod_due", event.at + policy.pod_due)],
            )
        if state.state == "delivered":
            return Reaction(data=data)  # a late in-transit scan changes nothing now
        new_state = "in_transit" if milestone in MOVING else "booked"
        if milestone == "booked" and state.state == "in_transit":
            new_state = state.state
        timers = [SetTimer("milestone_due", event.at + policy.milestone_every)]
        return Reaction(state=new_state, data=data, set_timers=timers)

    return react


def billing_trigger(
    key: str, data: Mapping[str, Any], status: Mapping[str, Any], event: MessageEvent
) -> dict[str, Any]:
    """Bill what shipped: the picked quantities where the warehouse said, else the order's."""
    picked: dict[str, Any] = {}
    for shipment in (data.get("shipments") or {}).values():
        for number, quantity in shipment.get("picked", {}).items():
            if number in picked:
                value = Decimal(str(picked[number]["value"])) + Decimal(str(quantity["value"]))
                quantity = {**quantity, "value": str(value)}
            picked[number] = quantity
    lines = [
        {
            "line_number": int(n),
            "item": line["item"],
            "ordered_quantity": line["quantity"],
            "shipped_quantity": picked.get(n, line["quantity"]),
        }
        for n, line in data["lines"].items()
    ]
    trigger: dict[str, Any] = {
        "order_number": key,
        "customer": data["customer"],
        "shipment_ids": sorted(data.get("shipments") or {}) or [status["shipment_id"]],
        "delivered_at": status["occurred_at"],
        "triggered_at": event.at.isoformat(),
        "lines": lines,
    }
    if data.get("customer_order_number"):
        trigger["customer_order_number"] = data["customer_order_number"]
    if status.get("signed_by"):
        trigger["signed_by"] = status["signed_by"]
    return trigger


def _message(handler: Handler) -> Callable[[FlowState, FlowEvent], Reaction]:
    """Adapt a handler: after completion an event is kept as evidence, not an error."""

    def react(state: FlowState, event: FlowEvent) -> Reaction:
        assert isinstance(event, MessageEvent)
        if state.completed:
            late = [
                *state.data.get("late_events", []),
                {"message_id": event.message_id, "document_type": event.document_type},
            ]
            return Reaction(data={"late_events": late})
        return handler(state, event, dict(state.data))

    return react


def early(state: FlowState, event: FlowEvent) -> Reaction:
    """A shipment or status before its fulfillment order: kept until the order opens."""
    assert isinstance(event, MessageEvent)
    return Reaction(data=hold(state, event))


def missing(what: str) -> Callable[[FlowState, FlowEvent], Reaction]:
    def react(state: FlowState, event: FlowEvent) -> Reaction:
        if state.completed:
            return Reaction()
        last = (state.data.get("milestones") or [{}])[-1]
        evidence = [last["message"]] if last.get("message") else [state.data["order_message"]]
        return Reaction(
            data={"missing": [*state.data.get("missing", []), what]},
            exceptions=[
                RaisedException(
                    ExceptionCategory.MISSING_MILESTONE,
                    f"order {state.key} ({state.state}): {what} by {event.at.isoformat()}",
                    evidence=evidence,
                    data={"timer": event.kind, "last_milestone": last.get("milestone")},
                )
            ],
        )

    return react


def definition(policy: OrderToDeliveryPolicy | None = None) -> FlowDefinition:
    """The order-to-delivery flow (defaults: a milestone every 12 h, POD 2 h after delivery).
    Run it with `shipment_tracking.definition()`, which relates carrier events to orders."""
    policy = policy or OrderToDeliveryPolicy()
    return FlowDefinition(
        name=NAME,
        keys={
            "fulfillment_order": by_field("order_number"),
            "shipment": order_keys,
            "shipment_status": by_field("order_number"),
        },
        initial_state="new",
        transitions={
            ("new", "fulfillment_order"): _message(released),
            ("new", "shipment"): early,
            ("new", "shipment_status"): early,
            (ANY_STATE, "shipment"): _message(_shipment(policy)),
            (ANY_STATE, "shipment_status"): _message(_status(policy)),
            (ANY_STATE, "timer:milestone_due"): missing("no carrier milestone in transit"),
            (ANY_STATE, "timer:pod_due"): missing("no proof of delivery after delivery"),
        },
    )
