"""A store error in the middle of a batch (the database restarted, a connection dropped) costs
a retry, not a lease: the batch's entries are handed back as soon as the store answers again,
instead of sitting leased for `ack_wait` (a minute) while the processes are up and well.

A real SQLite store and bus; the bus's clock is frozen, so a lease never expires by itself
here: only the hand-back can bring an entry round again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from crossdock.hub.delivery import EndpointDispatcher, delivery_group
from crossdock.hub.intake import record
from crossdock.hub.policy import CircuitBreaker, RetryPolicy
from crossdock.hub.ports import OutboundRequest, SendResult, UnitOfWork
from crossdock.hub.records import BusEntry, ConsumerGroup, DeliveryStatus
from crossdock.hub.routing import Route, Router
from crossdock.hub.runtime import Consumer, Runtime
from crossdock.hub.store_runner import StoreRunner
from tests.conftest import EXAMPLES, SqlStore, inbound

GROUP = ConsumerGroup(name="flow.test", subjects=("doc.critical.>",), lane="critical")
ROUTE_GROUP = ConsumerGroup(name="route.critical", subjects=("doc.critical.>",))
DELIVERY_GROUP = delivery_group("critical", "erp")


def freeze_bus_clock(store: SqlStore) -> None:
    frozen = time.time() + 5  # later than every entry published here, and it never moves
    store.bus.clock = lambda: frozen


def record_po(store: SqlStore, number: str) -> str:
    raw = (EXAMPLES / "purchase_order.json").read_text().replace("HP-PO-2024-018734", number)
    message = inbound(raw.encode(), key=number)
    with store.uow() as uow:
        record(uow, [message])
        uow.commit()
    return message.id


@dataclass
class Result:
    created: int = 0
    failed: list[tuple[BusEntry, str]] = field(default_factory=list)


@dataclass
class StoreLostOnce:
    """A handler whose first batch dies on a store error, as a batch does when PostgreSQL
    restarts under it; it records every message id it was handed."""

    seen: list[str] = field(default_factory=list)
    calls: int = 0

    def handle_batch(self, uow: UnitOfWork, consumer: str, entries: Sequence[BusEntry]) -> Result:
        self.calls += 1
        self.seen.extend(e.message_id for e in entries)
        if self.calls == 1:
            raise ConnectionError("server closed the connection unexpectedly")
        return Result()


async def wait_until(predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def test_a_consumer_batch_that_hit_a_store_error_is_redelivered_at_once(
    store: SqlStore,
) -> None:
    freeze_bus_clock(store)
    message_id = record_po(store, "PO-LOST-1")
    handler = StoreLostOnce()
    runner = StoreRunner(store.uow, store.uow.reader)
    runtime = Runtime(
        runner,
        store.bus,
        Router([]),
        [],
        {},
        handler_retry=RetryPolicy(),
        lane_for=lambda _t: "critical",
        consumers=[Consumer(GROUP, handler)],
    )
    await runtime.start()
    try:
        await wait_until(lambda: handler.calls >= 2)
        await wait_until(lambda: store.bus.backlog().get(GROUP.name, 0) == 0)
    finally:
        await runtime.stop()
        runner.close()
    assert handler.seen == [message_id, message_id]


@dataclass
class Erp:
    arrived: list[str] = field(default_factory=list)
    name: str = "erp"

    async def send(self, request: OutboundRequest) -> SendResult:
        self.arrived.append(request.idempotency_key)
        return SendResult(ok=True, status_code=200, retryable=False)

    async def close(self) -> None:
        pass


class CommitFailsOnce:
    """The unit-of-work factory of a store whose next commit, once armed, fails."""

    def __init__(self, factory: Any) -> None:
        self._factory = factory
        self.reader = factory.reader
        self.armed = False

    def __call__(self) -> Any:
        uow = self._factory()
        if self.armed:
            self.armed = False

            def failing() -> None:
                raise ConnectionError("server closed the connection unexpectedly")

            uow.commit = failing
        return uow


async def test_deliveries_whose_settling_hit_a_store_error_are_redelivered_at_once(
    store: SqlStore,
) -> None:
    freeze_bus_clock(store)
    for group in (ROUTE_GROUP, DELIVERY_GROUP):
        store.bus.ensure_group(group)
    message_id = record_po(store, "PO-LOST-2")
    entries = store.bus.fetch(ROUTE_GROUP.name, 10)
    with store.uow() as uow:
        Router([Route("po-to-erp", "purchase_order", "erp")]).handle_batch(
            uow, ROUTE_GROUP.name, entries
        )
        uow.commit()
    store.bus.ack(ROUTE_GROUP.name, entries)

    factory = CommitFailsOnce(store.uow)
    runner = StoreRunner(factory, store.uow.reader)
    erp = Erp()
    dispatcher = EndpointDispatcher(
        erp,
        runner,
        store.bus,
        RetryPolicy(initial_backoff=0.01, jitter=0.0),
        CircuitBreaker(failure_threshold=5, reset_timeout=30.0),
    )
    try:
        factory.armed = True
        try:
            await dispatcher.run_round(DELIVERY_GROUP.name)
        except ConnectionError:
            pass
        else:
            raise AssertionError("the armed commit did not fail")
        assert len(erp.arrived) == 1  # sent, but the store did not learn of it
        assert await dispatcher.run_round(DELIVERY_GROUP.name) == 1
    finally:
        runner.close()
    # Sent again under the same idempotency key (the receiver absorbs it), and settled.
    assert len(erp.arrived) == 2 and len(set(erp.arrived)) == 1
    with store.uow.reader() as uow:
        [delivery] = uow.deliveries.for_message(message_id)
    assert delivery.status is DeliveryStatus.DELIVERED
    assert store.bus.backlog().get(DELIVERY_GROUP.name, 0) == 0
