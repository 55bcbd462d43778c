"""Issue 10 end to end in one process: a PO is routed, delivered over real HTTP to the sandbox
sink by the real dispatcher, and procure-to-pay starts the acknowledgment clock at the end of
the successful attempt — not at the PO's receipt, and not while the supplier cannot get it."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from crossdock.adapters.endpoints.http import HttpEndpoint
from crossdock.hub.delivered import delivered_subject
from crossdock.hub.delivery import EndpointDispatcher, delivery_group
from crossdock.hub.flows.engine import FlowEngine, flow_group
from crossdock.hub.flows.p2p_policy import ProcureToPayPolicy
from crossdock.hub.flows.procure_to_pay import NAME, definition
from crossdock.hub.intake import record
from crossdock.hub.policy import CircuitBreaker, RetryPolicy
from crossdock.hub.records import ConsumerGroup, InboundMessage
from crossdock.hub.routing import Route, Router
from crossdock.hub.store_runner import StoreRunner
from crossdock.sandbox.sink import RunningSink
from tests.conftest import EXAMPLES, SqlStore, inbound

ROUTE = "po-to-supplier"
ROUTE_GROUP = ConsumerGroup(name="route.critical", subjects=("doc.critical.>",))
DELIVER_GROUP = delivery_group("critical", "supplier")
ACK_DUE = timedelta(hours=24)
PO = "HP-PO-2024-018734"


def lane_for(_document_type: str) -> str:
    return "critical"


@dataclass
class Rig:
    store: SqlStore
    dispatcher: EndpointDispatcher
    flows: FlowEngine
    flow_group: str

    def record_and_route(self) -> InboundMessage:
        message = inbound((EXAMPLES / "purchase_order.json").read_bytes())
        with self.store.uow() as uow:
            record(uow, [message])
            uow.commit()
        entries = self.store.bus.fetch(ROUTE_GROUP.name, 10)
        with self.store.uow() as uow:
            Router([Route(ROUTE, "purchase_order", "supplier")]).handle_batch(
                uow, ROUTE_GROUP.name, entries
            )
            uow.commit()
        self.store.bus.ack(ROUTE_GROUP.name, entries)
        return message

    def run_flows(self) -> None:
        for _ in range(10):
            entries = self.store.bus.fetch(self.flow_group, 100)
            if not entries:
                return
            with self.store.uow() as uow:
                result = self.flows.handle_batch(uow, self.flow_group, entries)
                uow.commit()
            assert result.failed == []
            self.store.bus.ack(self.flow_group, entries)

    def ack_due(self) -> datetime | None:
        with self.store.uow.reader() as uow:
            timers = {t.name: t.due_at for t in uow.flows.timers(NAME, PO)}
        return timers.get("ack_due")


@pytest.fixture
async def rig(store: SqlStore, sink: RunningSink, control: httpx.Client) -> AsyncIterator[Rig]:
    policy = ProcureToPayPolicy(ack_due=ACK_DUE, supplier_routes=frozenset({ROUTE}))
    flows = [definition(policy)]
    group = flow_group("critical", flows, lane_for)
    for g in (ROUTE_GROUP, DELIVER_GROUP, group):
        store.bus.ensure_group(g)
    runner = StoreRunner(store.uow, store.uow.reader)
    endpoint = HttpEndpoint("supplier", f"{sink.url}/in/supplier", timeout=5.0)
    dispatcher = EndpointDispatcher(
        endpoint,
        runner,
        store.bus,
        RetryPolicy(max_attempts=5, initial_backoff=0.01, jitter=0.0),
        CircuitBreaker(failure_threshold=100, reset_timeout=1.0, clock=time.monotonic),
        announce={ROUTE: delivered_subject("critical", "purchase_order")},
    )
    yield Rig(store, dispatcher, FlowEngine(flows, lane_for=lane_for), group.name)
    await endpoint.close()
    runner.close()


async def test_the_clock_starts_when_the_supplier_accepted_the_po(
    rig: Rig, control: httpx.Client
) -> None:
    rig.record_and_route()
    rig.run_flows()
    assert rig.ack_due() is None  # received, not delivered: nothing is the supplier's yet

    control.post("/_fail", json={"mode": "down", "status": 503}).raise_for_status()
    assert await rig.dispatcher.run_round(DELIVER_GROUP.name) == 1
    rig.run_flows()
    assert rig.ack_due() is None  # the supplier's endpoint is down: still not theirs

    control.post("/_reset").raise_for_status()
    time.sleep(0.05)  # past the retry's backoff
    before = datetime.now(UTC)
    assert await rig.dispatcher.run_round(DELIVER_GROUP.name) == 1
    after = datetime.now(UTC)
    rig.run_flows()
    due = rig.ack_due()
    assert due is not None and before + ACK_DUE <= due <= after + ACK_DUE
    with rig.store.uow.reader() as uow:
        state = uow.flows.get(NAME, PO)
    assert state is not None and state.data["ack_clock"]["endpoint"] == "supplier"
