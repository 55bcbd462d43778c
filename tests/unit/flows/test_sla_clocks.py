"""Issue 10: an SLA clock that measures the supplier starts when the PO reached the supplier.

Procure-to-pay on the real engine and timer job (SQLite store, settable clock). The PO's
delivery is announced the way the dispatcher announces it (`hub/delivered.announce`, in the
delivery's settle transaction); the hub's backlog before it, and between an acknowledgment's
receipt and the flow handling it, is the hub's and never raises late_acknowledgment.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from crossdock.bootstrap import build_flows
from crossdock.bootstrap.flows import delivered_subjects
from crossdock.config import Settings
from crossdock.hub.delivered import announce, delivered_subject
from crossdock.hub.flows.exceptions import ExceptionCategory
from crossdock.hub.flows.model import DeliveredEvent, FlowState, MessageEvent, Reaction
from crossdock.hub.flows.p2p_policy import ProcureToPayPolicy
from crossdock.hub.flows.procure_to_pay import NAME, definition
from crossdock.hub.flows.timers import TimerJob
from crossdock.hub.flows.workers import flows_caught_up
from crossdock.hub.ids import new_id
from crossdock.hub.records import Delivery, InboundMessage
from tests.conftest import SqlStore
from tests.unit.flows.flow_driver import Driver
from tests.unit.flows.helpers import T0, lane_for, recorded
from tests.unit.flows.p2p_documents import PO, acknowledgment, purchase_order

SUPPLIER_ROUTE = "po-to-supplier"
LATE = ExceptionCategory.LATE_ACKNOWLEDGMENT.value
DAY = timedelta(hours=24)


@pytest.fixture
def p2p(store: SqlStore) -> Driver:
    policy = ProcureToPayPolicy(ack_due=DAY, supplier_routes=frozenset({SUPPLIER_ROUTE}))
    return Driver(store, [definition(policy)])


def delivered(
    driver: Driver, po: InboundMessage, at: datetime, route: str = SUPPLIER_ROUTE
) -> None:
    """The dispatcher settled a successful delivery of `po` through `route` at `at`."""
    delivery = Delivery(new_id(), po.id, route, "supplier", "critical", f"{po.id}.{route}",
                        PO, "application/json", b"")  # fmt: skip
    subjects = {route: delivered_subject("critical", "purchase_order")}
    with driver.store.uow() as uow:
        announce(uow, subjects, [(delivery, at)])
        uow.commit()
    driver.drain()


def test_the_hubs_backlog_before_delivery_is_not_charged_to_the_supplier(p2p: Driver) -> None:
    po = p2p.send("purchase_order", purchase_order())
    assert "ack_due" not in p2p.timers(NAME, PO)  # the supplier has not got it yet

    p2p.advance(timedelta(hours=30))  # the hub could not deliver it for 30 h
    assert p2p.exceptions(LATE) == []

    delivered(p2p, po, T0 + timedelta(hours=30))
    assert p2p.timers(NAME, PO)["ack_due"] == T0 + timedelta(hours=54)
    assert p2p.state(NAME, PO).data["ack_clock"]["route"] == SUPPLIER_ROUTE
    p2p.at(T0 + timedelta(hours=40))
    p2p.send("purchase_order_acknowledgment", acknowledgment(), source="supplier")
    p2p.advance(timedelta(hours=30))
    assert p2p.exceptions(LATE) == []


def test_a_supplier_late_after_delivery_is_late(p2p: Driver) -> None:
    po = p2p.send("purchase_order", purchase_order())
    delivered(p2p, po, T0 + timedelta(hours=1))

    p2p.advance(timedelta(hours=24, minutes=59))
    assert p2p.exceptions(LATE) == []
    p2p.advance(timedelta(minutes=2))
    [late] = p2p.exceptions(LATE)
    assert late.data["delivered_at"] == (T0 + timedelta(hours=1)).isoformat()
    assert "delivered to the supplier at" in late.detail
    assert p2p.state(NAME, PO).state == "acknowledgment_late"


def test_an_acknowledgment_before_the_delivery_settled_starts_no_clock(p2p: Driver) -> None:
    """A fast supplier answers within the delivery call: its acknowledgment is recorded before
    the dispatcher settles the delivery, so the notice comes after it."""
    po = p2p.send("purchase_order", purchase_order())
    p2p.send("purchase_order_acknowledgment", acknowledgment(), source="supplier")
    delivered(p2p, po, T0)

    assert "ack_due" not in p2p.timers(NAME, PO)
    p2p.advance(timedelta(hours=48))
    assert p2p.exceptions(LATE) == []


def test_only_the_first_delivery_to_the_supplier_starts_the_clock(p2p: Driver) -> None:
    po = p2p.send("purchase_order", purchase_order())
    delivered(p2p, po, T0 + timedelta(hours=1), route="po-to-archive")  # not the supplier's
    assert "ack_due" not in p2p.timers(NAME, PO)

    delivered(p2p, po, T0 + timedelta(hours=2))
    changed = p2p.send("purchase_order", purchase_order("replace"))
    delivered(p2p, changed, T0 + timedelta(hours=5))  # the change does not restart it
    assert p2p.timers(NAME, PO)["ack_due"] == T0 + timedelta(hours=26)


def test_without_a_supplier_route_the_clock_starts_with_the_po(store: SqlStore) -> None:
    """POs reach suppliers some other way: nothing is delivered, the clock starts at once."""
    driver = Driver(store, [definition(ProcureToPayPolicy(ack_due=DAY))])
    driver.send("purchase_order", purchase_order())
    assert driver.timers(NAME, PO)["ack_due"] == T0 + DAY


def caught_up_job(driver: Driver) -> TimerJob:
    """The timer job as the hub wires it: held back by the flow group's backlog."""
    caught_up = flows_caught_up(driver.store.bus, [driver.group.name])
    return TimerJob(driver.definitions, driver.store.uow, lane_for=lane_for,
                    clock=driver.clock, caught_up=caught_up)  # fmt: skip


def test_a_timer_waits_until_the_flows_have_seen_what_the_hub_received_before_it(
    p2p: Driver,
) -> None:
    """The acknowledgment came in time but sits in the flows' backlog when the timer comes
    due: the timer waits for the flows to catch up, and the acknowledgment cancels it. (The
    bus stamps entries with the wall clock, so this test's clock is set around it.)"""
    now = datetime.now(UTC)
    p2p.at(now - timedelta(hours=23))
    po = p2p.send("purchase_order", purchase_order())
    delivered(p2p, po, now - timedelta(hours=23))  # due in an hour
    recorded(p2p.store, "purchase_order_acknowledgment", acknowledgment(), source="supplier")
    # ... received now, but not handled: the flow consumer is behind

    p2p.at(now + timedelta(hours=2))
    job = caught_up_job(p2p)
    job.run_once()  # (the ship notice's timer, due days ago, may fire)
    assert p2p.exceptions(LATE) == []
    assert "ack_due" in p2p.timers(NAME, PO)  # held back

    p2p.drain()
    job.run_once()
    assert "ack_due" not in p2p.timers(NAME, PO)
    assert p2p.exceptions(LATE) == []


def test_a_timer_fires_once_the_flows_have_caught_up(p2p: Driver) -> None:
    po = p2p.send("purchase_order", purchase_order())
    delivered(p2p, po, T0)
    p2p.at(T0 + timedelta(hours=25))
    caught_up_job(p2p).run_once()
    assert len(p2p.exceptions(LATE)) == 1


def _settings(**p2p: object) -> Settings:
    return Settings(
        endpoints={"supplier": {"type": "http", "url": "http://127.0.0.1:1/po"},
                   "wms": {"type": "http", "url": "http://127.0.0.1:1/wms"}},
        routes=[
            {"name": SUPPLIER_ROUTE, "when": {"document_type": "purchase_order"},
             "deliver": {"endpoint": "supplier"}},
            {"name": "po-to-wms", "when": {"document_type": "purchase_order"},
             "deliver": {"endpoint": "wms"}},
            {"name": "ack-to-wms", "when": {"document_type": "purchase_order_acknowledgment"},
             "deliver": {"endpoint": "wms"}},
        ],
        flows={"procure_to_pay": {"enabled": True, **p2p}},
    )  # fmt: skip


def test_supplier_routes_default_to_every_route_of_purchase_orders() -> None:
    settings = _settings()
    [flow] = build_flows(settings)
    # only the routes of the types a flow waits to see delivered announce their deliveries
    assert delivered_subjects(settings, [flow]) == {
        SUPPLIER_ROUTE: "delivered.critical.purchase_order",
        "po-to-wms": "delivered.critical.purchase_order",
    }
    po = MessageEvent("M1", "purchase_order", "erp", purchase_order(), T0, T0)
    state = FlowState(flow.name, PO, "new", {}, 0, T0, T0)
    assert "ack_due" not in {t.name for t in flow.react(state, po).set_timers}


def test_supplier_routes_name_the_routes_that_start_the_clock() -> None:
    [flow] = build_flows(_settings(supplier_routes=[SUPPLIER_ROUTE]))
    state = FlowState(flow.name, PO, "awaiting_acknowledgment", {}, 1, T0, T0)

    def via(route: str) -> Reaction:
        event = DeliveredEvent("M1", "purchase_order", purchase_order(), "D1", route, "x", T0, T0)
        return flow.react(state, event)

    assert [t.name for t in via(SUPPLIER_ROUTE).set_timers] == ["ack_due"]
    assert via("po-to-wms").is_noop


def test_a_supplier_route_that_is_not_a_purchase_order_route_is_refused() -> None:
    with pytest.raises(ValidationError, match="'ack-to-wms' is not a route of purchase_order"):
        _settings(supplier_routes=["ack-to-wms"])


def test_the_flow_backlog_starts_at_its_oldest_entry_not_failed_yet(p2p: Driver) -> None:
    bus, group = p2p.store.bus, p2p.group.name
    assert bus.oldest_unhandled(group) is None  # caught up
    before = time.time()
    recorded(p2p.store, "purchase_order", purchase_order())
    unpulled = bus.oldest_unhandled(group)
    assert unpulled is not None and before <= unpulled <= time.time()

    [entry] = bus.fetch(group, 10)  # pulled and leased: being handled, still holds timers
    assert bus.oldest_unhandled(group) == unpulled
    bus.nak(group, entry, 0.0, "conflict")
    [again] = bus.fetch(group, 10)  # failed once: retried, but no longer holds timers back
    assert again.deliveries == 2
    assert bus.oldest_unhandled(group) is None
