"""Order-to-delivery (with shipment tracking) on the real engine and a SQLite store."""

from __future__ import annotations

import copy
import itertools
from datetime import timedelta
from typing import Any

import pytest

from crossdock.hub.flows import order_to_delivery, shipment_tracking
from crossdock.hub.flows.model import HELD
from crossdock.hub.flows.order_to_delivery import NAME, OrderToDeliveryPolicy
from tests.conftest import SqlStore
from tests.unit.flows.flow_driver import Driver
from tests.unit.flows.helpers import T0, example

ORDER = "HP-SO-2024-552190"
SHIPMENT = "HP-SHP-2024-310077"
TRACKING = "1Z999AA10123456784"
TRACKER = shipment_tracking.NAME
_events = itertools.count(1)


@pytest.fixture
def o2d(store: SqlStore) -> Driver:
    return Driver(store, [order_to_delivery.definition(), shipment_tracking.definition()])


def fulfillment_order() -> dict[str, Any]:
    return copy.deepcopy(example("fulfillment_order"))


def shipping_advice(shipped: dict[int, int] | None = None) -> dict[str, Any]:
    """The WMS's shipping advice: picked quantities, no carrier booking yet."""
    doc = copy.deepcopy(example("shipment"))
    for name in ("tracking_number", "pro_number"):
        doc.pop(name)
    for line in doc["lines"]:
        value = (shipped or {}).get(line["line_number"])
        if value is not None:
            line["shipped_quantity"] = {"value": str(value), "unit": "CS"}
    return doc


def booking(tracking: str = TRACKING) -> dict[str, Any]:
    """The TMS's booking: the same shipment with the carrier's tracking number."""
    doc = shipping_advice()
    del doc["lines"]
    doc["tracking_number"] = tracking
    return doc


def milestone(
    code: str,
    *,
    shipment_id: str = SHIPMENT,
    tracking: str | None = TRACKING,
    event_id: str | None = None,
) -> dict[str, Any]:
    doc = copy.deepcopy(example("shipment_milestone"))
    doc.update(
        shipment_id=shipment_id,
        milestone=code,
        occurred_at="2026-11-27T10:00:00+00:00",
        event_id=event_id or f"EVT-{next(_events)}",
    )
    doc.pop("tracking_number")
    doc.pop("reported_at")
    if tracking:
        doc["tracking_number"] = tracking
    return doc


def proof_of_delivery(tracking: str | None = TRACKING) -> dict[str, Any]:
    doc = copy.deepcopy(example("proof_of_delivery"))
    doc["delivered_at"] = "2026-11-28T10:47:00+00:00"
    doc.pop("tracking_number")
    if tracking:
        doc["tracking_number"] = tracking
    return doc


def statuses(driver: Driver) -> list[tuple[str, bool]]:
    return [
        (s["milestone"], s["proof_of_delivery"]) for s in driver.emitted(TRACKER, "shipment_status")
    ]


def test_the_happy_path_ends_in_a_billing_trigger(o2d: Driver) -> None:
    fo = o2d.send("fulfillment_order", fulfillment_order())
    assert o2d.state(NAME, ORDER).state == "released"
    o2d.send("shipment", shipping_advice(), source="wms")
    assert o2d.state(NAME, ORDER).state == "picked"
    o2d.send("shipment", booking(), source="tms")
    assert o2d.state(NAME, ORDER).state == "booked"
    assert o2d.timers(NAME, ORDER) == {"milestone_due": T0 + timedelta(hours=12)}

    o2d.at(T0 + timedelta(hours=2))
    o2d.send("shipment_milestone", milestone("picked_up"), source="carrier")
    o2d.send("shipment_milestone", milestone("in_transit"), source="carrier")
    assert o2d.state(NAME, ORDER).state == "in_transit"
    assert o2d.timers(NAME, ORDER) == {"milestone_due": T0 + timedelta(hours=14)}

    o2d.at(T0 + timedelta(hours=20))
    delivered = o2d.send("shipment_milestone", milestone("delivered"), source="carrier")
    assert o2d.state(NAME, ORDER).state == "delivered"
    assert o2d.timers(NAME, ORDER) == {"pod_due": T0 + timedelta(hours=22)}
    pod = o2d.send("proof_of_delivery", proof_of_delivery(), source="carrier")

    state = o2d.state(NAME, ORDER)
    assert (state.state, state.completed) == ("completed", True)
    assert o2d.timers(NAME, ORDER) == {}
    assert o2d.exceptions() == []
    [trigger] = o2d.emitted(NAME, "billing_trigger")
    assert (trigger["order_number"], trigger["shipment_ids"], trigger["signed_by"]) == (
        ORDER,
        [SHIPMENT],
        "M. ROBINSON",
    )
    assert trigger["customer"]["name"] == fulfillment_order()["customer"]["name"]
    assert [
        (line["line_number"], line["shipped_quantity"]["value"]) for line in trigger["lines"]
    ] == [(1, "12"), (2, "20")]
    assert statuses(o2d) == [
        ("picked_up", False),
        ("in_transit", False),
        ("delivered", False),
        ("delivered", True),
    ]
    [status] = [s for s in o2d.emitted(TRACKER, "shipment_status") if s["proof_of_delivery"]]
    assert (status["order_number"], status["source_message_id"]) == (ORDER, pod.id)
    assert state.data["delivered"]["message"] == delivered.id
    assert state.data["order_message"] == fo.id


def test_a_carrier_event_keyed_only_by_tracking_number_finds_its_order(o2d: Driver) -> None:
    """EasyPost: its own shipment id, our tracking number, no shipper reference."""
    o2d.send("fulfillment_order", fulfillment_order())
    o2d.send("shipment", booking(), source="tms")
    o2d.send(
        "shipment_milestone",
        milestone("in_transit", shipment_id="shp_8c2f9a1b7e"),
        source="easypost",
    )
    assert o2d.state(NAME, ORDER).state == "in_transit"
    [status] = o2d.emitted(TRACKER, "shipment_status")
    assert (status["order_number"], status["shipment_id"]) == (ORDER, "shp_8c2f9a1b7e")
    # Its unknown shipment id waits in an unlinked instance; nothing is relayed twice.
    assert o2d.state(TRACKER, "shipment:shp_8c2f9a1b7e").state == "unlinked"


def test_an_event_naming_our_shipment_and_tracking_number_is_relayed_once(o2d: Driver) -> None:
    o2d.send("fulfillment_order", fulfillment_order())
    o2d.send("shipment", booking(), source="tms")
    o2d.send("shipment_milestone", milestone("picked_up"), source="carrier")
    assert statuses(o2d) == [("picked_up", False)]


def test_a_carrier_event_by_pro_number_without_a_tracking_number(o2d: Driver) -> None:
    o2d.send("fulfillment_order", fulfillment_order())
    o2d.send("shipment", example("shipment"), source="tms")  # PRO 4120558731
    o2d.send(
        "shipment_milestone", milestone("in_transit", shipment_id="BRFX-1", tracking="4120558731")
    )
    assert o2d.state(NAME, ORDER).state == "in_transit"


def test_a_booked_milestone_books_the_shipment(o2d: Driver) -> None:
    o2d.send("fulfillment_order", fulfillment_order())
    o2d.send("shipment", shipping_advice(), source="wms")
    o2d.send("shipment_milestone", milestone("booked", tracking=None), source="tms")
    assert o2d.state(NAME, ORDER).state == "booked"
    assert "milestone_due" in o2d.timers(NAME, ORDER)


def test_duplicate_carrier_events_are_harmless(o2d: Driver) -> None:
    o2d.send("fulfillment_order", fulfillment_order())
    o2d.send("shipment", booking(), source="tms")
    event = milestone("in_transit", event_id="EVT-SAME")
    o2d.send("shipment_milestone", event, source="carrier", key="webhook-1")
    o2d.send("shipment_milestone", event, source="carrier", key="webhook-1")  # intake dedup
    o2d.send("shipment_milestone", event, source="carrier", key="webhook-retry")  # carrier resend
    assert statuses(o2d) == [("in_transit", False)]
    assert len(o2d.state(NAME, ORDER).data["milestones"]) == 1


def test_a_shipment_before_its_order_and_a_milestone_before_its_shipment(o2d: Driver) -> None:
    o2d.send("shipment_milestone", milestone("picked_up"), source="carrier")
    assert o2d.state(TRACKER, f"tracking:{TRACKING}").state == "unlinked"
    o2d.send("shipment", shipping_advice() | {"tracking_number": TRACKING}, source="wms")
    early = o2d.state(NAME, ORDER)  # the shipment and the relayed status wait for the order
    assert early.state == "new" and [h["document_type"] for h in early.data[HELD]] == [
        "shipment",
        "shipment_status",
    ]

    o2d.send("fulfillment_order", fulfillment_order())
    state = o2d.state(NAME, ORDER)
    assert state.state == "in_transit" and HELD not in state.data
    assert list(state.data["shipments"]) == [SHIPMENT]


def test_a_milestone_after_the_proof_of_delivery_is_kept_not_an_error(o2d: Driver) -> None:
    o2d.send("fulfillment_order", fulfillment_order())
    o2d.send("shipment", booking(), source="tms")
    o2d.send("proof_of_delivery", proof_of_delivery(), source="carrier")
    assert o2d.state(NAME, ORDER).state == "completed"
    o2d.send("shipment_milestone", milestone("out_for_delivery"), source="carrier")
    state = o2d.state(NAME, ORDER)
    assert state.state == "completed"
    assert [e["document_type"] for e in state.data["late_events"]] == ["shipment_status"]
    assert o2d.exceptions() == []
    assert len(o2d.emitted(NAME, "billing_trigger")) == 1


def test_a_short_pick_raises_a_short_shipment_per_line(o2d: Driver) -> None:
    o2d.send("fulfillment_order", fulfillment_order())
    advice = o2d.send("shipment", shipping_advice({1: 9}), source="wms")
    [short] = o2d.exceptions()
    assert (short.category, short.correlation_key) == ("short_shipment", ORDER)
    assert short.data == {"line_number": 1, "ordered": "12", "shipped": "9", "difference": "3"}
    assert advice.id in short.evidence
    o2d.send("shipment", booking(), source="tms")  # the booking repeats nothing
    o2d.send("proof_of_delivery", proof_of_delivery(), source="carrier")
    [trigger] = o2d.emitted(NAME, "billing_trigger")
    assert trigger["lines"][0]["shipped_quantity"]["value"] == "9"  # bill what shipped
    assert len(o2d.exceptions()) == 1


def test_no_milestone_for_twelve_hours_in_transit_raises(o2d: Driver) -> None:
    o2d.send("fulfillment_order", fulfillment_order())
    o2d.send("shipment", booking(), source="tms")
    last = o2d.send("shipment_milestone", milestone("in_transit"), source="carrier")
    assert o2d.advance(timedelta(hours=11)).fired == 0
    assert o2d.advance(timedelta(hours=2)).fired == 1
    [missing] = o2d.exceptions()
    assert (missing.category, missing.owner_role) == ("missing_milestone", "logistics")
    assert "no carrier milestone" in missing.detail
    assert missing.data == {"timer": "timer:milestone_due", "last_milestone": "in_transit"}
    [status] = o2d.emitted(TRACKER, "shipment_status")
    assert missing.evidence == [last.id] == [status["source_message_id"]]


def test_the_milestone_interval_is_configurable(store: SqlStore) -> None:
    policy = OrderToDeliveryPolicy(milestone_every=timedelta(hours=4))
    driver = Driver(store, [order_to_delivery.definition(policy), shipment_tracking.definition()])
    driver.send("fulfillment_order", fulfillment_order())
    driver.send("shipment", booking(), source="tms")
    assert driver.timers(NAME, ORDER) == {"milestone_due": T0 + timedelta(hours=4)}


def test_no_proof_of_delivery_two_hours_after_delivery_raises(o2d: Driver) -> None:
    o2d.send("fulfillment_order", fulfillment_order())
    o2d.send("shipment", booking(), source="tms")
    o2d.send("shipment_milestone", milestone("delivered"), source="carrier")
    assert o2d.advance(timedelta(hours=3)).fired == 1
    [missing] = o2d.exceptions()
    assert missing.category == "missing_milestone" and "no proof of delivery" in missing.detail
    assert o2d.state(NAME, ORDER).state == "delivered"

    o2d.send("proof_of_delivery", proof_of_delivery(), source="carrier")  # late, still billed
    assert o2d.state(NAME, ORDER).state == "completed"
    assert len(o2d.emitted(NAME, "billing_trigger")) == 1
