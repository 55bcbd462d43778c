"""An endpoint outage of hours drains by itself: deliveries wait behind the open circuit
without spending a retry budget, and give up only after `max_age` (issue 10).

A real SQLite store, bus and dispatcher; the receiver is an in-process endpoint that is down,
then up, and the clocks (the bus's, the breaker's, the dispatcher's) are one fake clock moved
forward, so four simulated hours take a few seconds.
"""

from __future__ import annotations

import random
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from crossdock.hub.delivery import EndpointDispatcher, delivery_group
from crossdock.hub.intake import record
from crossdock.hub.policy import CircuitBreaker, CircuitState, DeliveryBudget, RetryPolicy
from crossdock.hub.ports import OutboundRequest, SendResult
from crossdock.hub.records import ConsumerGroup, DeliveryStatus
from crossdock.hub.routing import Route, Router
from crossdock.hub.store_runner import StoreRunner
from tests.conftest import EXAMPLES, SqlStore, inbound

GROUP = delivery_group("critical", "erp").name
ROUTE_GROUP = ConsumerGroup(name="route.critical", subjects=("doc.critical.>",))
HOUR = 3600.0


class Clock:
    def __init__(self) -> None:
        self.now = time.time()  # deliveries are stamped with the real time when routed

    def __call__(self) -> float:
        return self.now


@dataclass
class Erp:
    """The receiver: refuses connections while down, records what arrives while up."""

    name: str = "erp"
    up: bool = True
    arrived: list[tuple[str, str]] = field(default_factory=list)  # (key, message id)
    refused: int = 0

    async def send(self, request: OutboundRequest) -> SendResult:
        if not self.up:
            self.refused += 1
            return SendResult(
                ok=False, error="connect error: [Errno 111] Connection refused", retryable=True
            )
        self.arrived.append((request.correlation_key, request.message_id))
        return SendResult(ok=True, status_code=200, retryable=False)

    async def close(self) -> None:
        pass


@dataclass
class Hub:
    store: SqlStore
    runner: StoreRunner
    clock: Clock
    erp: Erp

    def dispatcher(self, budget: DeliveryBudget) -> EndpointDispatcher:
        """The defaults of `crossdock.yaml`: backoff 0.5 s doubling to 300 s, circuit of 5
        failures and 30 s."""
        return EndpointDispatcher(
            self.erp,
            self.runner,
            self.store.bus,
            RetryPolicy(initial_backoff=0.5, multiplier=2.0, max_backoff=300.0, jitter=0.2),
            CircuitBreaker(failure_threshold=5, reset_timeout=30.0, clock=self.clock),
            rng=random.Random(7),
            budget=budget,
            clock=self.clock,
        )

    def route_pos(self, keys: int, per_key: int) -> dict[str, list[str]]:
        """Record and route `keys * per_key` POs, interleaved; message ids per key in order."""
        raw = (EXAMPLES / "purchase_order.json").read_text()
        order: dict[str, list[str]] = {}
        for n in range(per_key):
            for k in range(keys):
                key = f"PO-K{k}"
                message = inbound(raw.replace("HP-PO-2024-018734", key).encode(), key=f"{key}.{n}")
                with self.store.uow() as uow:
                    record(uow, [message])
                    uow.commit()
                order.setdefault(key, []).append(message.id)
        # The log stamps entries with the real time: catch the fake clock up with them.
        self.clock.now = max(self.clock.now, time.time())
        router = Router([Route("po-to-erp", "purchase_order", "erp")])
        while entries := self.store.bus.fetch(ROUTE_GROUP.name, 100):
            with self.store.uow() as uow:
                router.handle_batch(uow, ROUTE_GROUP.name, entries)
                uow.commit()
            self.store.bus.ack(ROUTE_GROUP.name, entries)
        self.clock.now = max(self.clock.now, time.time())
        return order

    async def run_for(self, dispatcher: EndpointDispatcher, seconds: float, step: float) -> None:
        """What the delivery loop does, with time passing in steps instead of sleeps."""
        end = self.clock.now + seconds
        while self.clock.now < end:
            while await dispatcher.run_round(GROUP):
                pass
            self.clock.now += step


@pytest.fixture
async def hub(store: SqlStore) -> AsyncIterator[Hub]:
    clock = Clock()
    store.bus.clock = clock
    store.bus.ensure_group(ROUTE_GROUP)
    store.bus.ensure_group(delivery_group("critical", "erp"))
    runner = StoreRunner(store.uow, store.uow.reader)
    yield Hub(store, runner, clock, Erp())
    runner.close()


def attempts_per_delivery(hub: Hub, order: dict[str, list[str]]) -> list[int]:
    with hub.store.uow.reader() as uow:
        ids = [d.id for ids in order.values() for m in ids for d in uow.deliveries.for_message(m)]
        attempts = uow.deliveries.attempts(ids)
    per: dict[str, int] = {}
    for a in attempts:
        per[a.delivery_id] = per.get(a.delivery_id, 0) + 1
    return sorted(per.values())


async def test_a_four_hour_outage_drains_completely_in_order_per_key(hub: Hub) -> None:
    order = hub.route_pos(keys=10, per_key=5)
    dispatcher = hub.dispatcher(DeliveryBudget())  # the default: 3 days
    hub.erp.up = False

    await hub.run_for(dispatcher, 4 * HOUR, step=5.0)

    assert hub.erp.arrived == []
    assert hub.store.bus.dead_letters(GROUP) == []
    assert dispatcher.breaker.state is not CircuitState.CLOSED
    # Waiting behind the open circuit cost nothing: about one probe per reset timeout, not an
    # attempt per delivery per backoff (50 deliveries * ~50 backoffs).
    assert hub.erp.refused <= 4 * HOUR / 30.0 + 16
    # ...yet the probes fell on the same few heads of their keys: a count of attempts (the
    # old `max_attempts: 10`) would have made dead letters of them.
    assert max(attempts_per_delivery(hub, order)) > 10

    hub.erp.up = True
    recovered_at = hub.clock.now
    while len(hub.erp.arrived) < 50 and hub.clock.now - recovered_at < HOUR:
        await hub.run_for(dispatcher, 5.0, step=5.0)

    assert len(hub.erp.arrived) == 50
    # The next probe (within a reset timeout) finds the receiver back; then every delivery
    # waiting out a backoff is due at once, paced by the endpoint's concurrency alone.
    assert hub.clock.now - recovered_at <= 30.0 + 10.0
    assert hub.store.bus.dead_letters(GROUP) == []
    assert dispatcher.breaker.state is CircuitState.CLOSED
    arrived: dict[str, list[str]] = {}
    for key, message_id in hub.erp.arrived:
        arrived.setdefault(key, []).append(message_id)
    assert arrived == order
    with hub.store.uow.reader() as uow:
        for ids in order.values():
            for message_id in ids:
                [d] = uow.deliveries.for_message(message_id)
                assert d.status is DeliveryStatus.DELIVERED


async def test_an_outage_longer_than_max_age_dead_letters_with_the_reason(hub: Hub) -> None:
    order = hub.route_pos(keys=2, per_key=2)
    dispatcher = hub.dispatcher(DeliveryBudget(max_age=2 * HOUR))
    hub.erp.up = False

    await hub.run_for(dispatcher, 2 * HOUR - 60.0, step=5.0)
    assert hub.store.bus.dead_letters(GROUP) == []

    await hub.run_for(dispatcher, 2 * HOUR, step=5.0)

    dead = hub.store.bus.dead_letters(GROUP)
    assert {d.message_id for d in dead} == {m for ids in order.values() for m in ids}
    for d in dead:
        assert d.last_error is not None
        assert d.last_error.startswith("endpoint failing: gave up after "), d.last_error
        assert "(max_age 2h): connect error: [Errno 111] Connection refused" in d.last_error
