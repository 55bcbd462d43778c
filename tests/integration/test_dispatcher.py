"""EndpointDispatcher with a real HttpEndpoint against the sandbox sink, on a real SQLite store.

Each test records a purchase order, routes it with the Router into a delivery on
`deliver.critical.erp`, and runs dispatcher rounds by hand, with the breaker on a fake clock.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from crossdock.adapters.endpoints.http import HttpEndpoint
from crossdock.adapters.sql.tables import bus_pending
from crossdock.hub.delivery import EndpointDispatcher, delivery_group
from crossdock.hub.ids import new_id
from crossdock.hub.intake import record
from crossdock.hub.policy import CircuitBreaker, CircuitState, DeliveryBudget, RetryPolicy
from crossdock.hub.records import (
    ConsumerGroup,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    InboundMessage,
)
from crossdock.hub.routing import Route, Router, enqueue_delivery
from crossdock.hub.store_runner import PriorityWorkers, StoreRunner
from crossdock.observability.metrics import build_metrics
from crossdock.sandbox.sink import RunningSink, run_sink_in_thread
from tests.conftest import EXAMPLES, SqlStore, inbound

GROUP = delivery_group("critical", "erp").name
ROUTE_GROUP = ConsumerGroup(name="route.critical", subjects=("doc.critical.>",))


@pytest.fixture(scope="module")
def sink() -> Iterator[RunningSink]:
    with run_sink_in_thread() as running:
        yield running


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Rig:
    store: SqlStore
    runner: StoreRunner
    endpoint: HttpEndpoint
    clock: FakeClock
    sink: RunningSink
    control: httpx.Client

    def dispatcher(
        self,
        retry: RetryPolicy | None = None,
        threshold: int = 3,
        budget: DeliveryBudget | None = None,
        wall: Callable[[], float] = time.time,
    ) -> EndpointDispatcher:
        breaker = CircuitBreaker(failure_threshold=threshold, reset_timeout=30.0, clock=self.clock)
        policy = retry or RetryPolicy(initial_backoff=5.0, jitter=0.0)
        return EndpointDispatcher(
            self.endpoint, self.runner, self.store.bus, policy, breaker, budget=budget, clock=wall
        )

    def fail(self, **spec: Any) -> None:
        self.control.post("/_fail", json=spec).raise_for_status()

    def record_and_route(self, po_number: str = "HP-PO-1") -> tuple[InboundMessage, Delivery]:
        raw = (EXAMPLES / "purchase_order.json").read_text().replace("HP-PO-2024-018734", po_number)
        message = inbound(raw.encode())
        with self.store.uow() as uow:
            record(uow, [message])
            uow.commit()
        entries = self.store.bus.fetch(ROUTE_GROUP.name, 10)
        with self.store.uow() as uow:
            result = Router([Route("po-to-erp", "purchase_order", "erp")]).handle_batch(
                uow, ROUTE_GROUP.name, entries
            )
            uow.commit()
        assert result.created == 1
        self.store.bus.ack(ROUTE_GROUP.name, entries)
        [delivery] = self.deliveries(message.id)
        return message, delivery

    def enqueue_unsendable(self, n: int) -> list[Delivery]:
        """Deliveries of recorded POs whose correlation key holds a line feed, written the way
        the router writes them, so the test does not depend on intake accepting such a key."""
        made = []
        for i in range(n):
            raw = (EXAMPLES / "purchase_order.json").read_text()
            message = inbound(raw.replace("HP-PO-2024-018734", f"HP-BAD-{i}").encode())
            delivery = Delivery(
                id=new_id(),
                message_id=message.id,
                route="po-to-erp",
                endpoint="erp",
                lane="critical",
                idempotency_key=f"{message.id}.po-to-erp",
                correlation_key=f"HP-BAD-{i}\nX-Injected: 1",
                content_type="application/json",
                body=raw.encode(),
            )
            with self.store.uow() as uow:
                record(uow, [message])
                enqueue_delivery(uow, delivery)
                uow.commit()
            made.append(delivery)
        # Their announcements are not for the router: only these deliveries exist for them.
        self.store.bus.ack(ROUTE_GROUP.name, self.store.bus.fetch(ROUTE_GROUP.name, 100))
        return made

    def deliveries(self, message_id: str) -> list[Delivery]:
        with self.store.uow.reader() as uow:
            return uow.deliveries.for_message(message_id)

    def delivery(self, delivery_id: str) -> Delivery:
        with self.store.uow.reader() as uow:
            found = uow.deliveries.get(delivery_id)
        assert found is not None
        return found

    def attempts(self, delivery_id: str) -> list[DeliveryAttempt]:
        with self.store.uow.reader() as uow:
            return sorted(uow.deliveries.attempts([delivery_id]), key=lambda a: a.attempt)

    def message_status(self, message_id: str) -> str:
        with self.store.uow.reader() as uow:
            message = uow.messages.get(message_id)
        assert message is not None
        return message.summary.status

    def available_in(self) -> list[float]:
        """Seconds until each pending entry of the delivery group may be handed out again."""
        with self.store.engine.connect() as conn:
            rows = conn.execute(
                select(bus_pending.c.available_at).where(bus_pending.c.group_name == GROUP)
            ).all()
        now = time.time()
        return [r.available_at - now for r in rows]

    def make_due(self) -> None:
        """Skip the backoff: make every waiting entry deliverable now."""
        with self.store.engine.begin() as conn:
            conn.execute(
                update(bus_pending)
                .where(bus_pending.c.group_name == GROUP)
                .values(available_at=0.0)
            )


@pytest.fixture
async def rig(store: SqlStore, sink: RunningSink, control: httpx.Client) -> AsyncIterator[Rig]:
    store.bus.ensure_group(ROUTE_GROUP)
    store.bus.ensure_group(delivery_group("critical", "erp"))
    runner = StoreRunner(store.uow, store.uow.reader)
    endpoint = HttpEndpoint("erp", f"{sink.url}/in/erp", timeout=5.0)
    yield Rig(store, runner, endpoint, FakeClock(), sink, control)
    await endpoint.close()
    runner.close()


async def test_a_delivery_that_succeeds_is_settled(rig: Rig) -> None:
    message, delivery = rig.record_and_route()
    dispatcher = rig.dispatcher()

    assert await dispatcher.run_round(GROUP) == 1

    assert rig.sink.state.received == 1
    [arrived] = rig.sink.state.deliveries
    assert arrived.idempotency_key == f"{message.id}.po-to-erp"
    assert arrived.message_id == message.id
    assert arrived.correlation_key == "HP-PO-1"
    assert arrived.path == "/in/erp"
    settled = rig.delivery(delivery.id)
    assert settled.status is DeliveryStatus.DELIVERED
    assert settled.attempts == 1
    assert settled.last_error is None
    [attempt] = rig.attempts(delivery.id)
    assert (attempt.attempt, attempt.outcome, attempt.status_code) == (1, "ok", 200)
    assert attempt.duration_ms > 0
    assert rig.message_status(message.id) == "delivered"
    assert rig.store.bus.backlog()[GROUP] == 0
    assert await dispatcher.run_round(GROUP) == 0
    assert rig.sink.state.requests == 1


async def test_receiver_outage_backs_off_then_opens_the_circuit(rig: Rig) -> None:
    message, delivery = rig.record_and_route()
    dispatcher = rig.dispatcher(threshold=3)
    rig.fail(mode="down", status=503)

    assert await dispatcher.run_round(GROUP) == 1
    pending = rig.delivery(delivery.id)
    assert pending.status is DeliveryStatus.PENDING
    assert pending.attempts == 1
    assert pending.last_error is not None and pending.last_error.startswith("HTTP 503")
    # nak with backoff: 5 s (no jitter) before the entry comes back
    [wait] = rig.available_in()
    assert 3.0 < wait <= 5.0
    assert await dispatcher.run_round(GROUP) == 0
    assert rig.sink.state.requests == 1

    for expected in (2, 3):
        rig.make_due()
        assert await dispatcher.run_round(GROUP) == 1
        assert rig.delivery(delivery.id).attempts == expected
    [wait] = rig.available_in()
    assert 15.0 < wait <= 20.0  # 5 * 2**2 after the third failure

    assert dispatcher.breaker.state is CircuitState.OPEN
    assert [(a.attempt, a.outcome, a.status_code) for a in rig.attempts(delivery.id)] == [
        (1, "retry", 503),
        (2, "retry", 503),
        (3, "retry", 503),
    ]
    with rig.store.uow.reader() as uow:
        [state] = [s for s in uow.endpoints.all() if s.name == "erp"]
    assert state.circuit == "open"
    assert state.consecutive_failures == 3
    assert state.opened_at is not None

    # open: no request reaches the receiver even though the entry is due
    rig.make_due()
    assert await dispatcher.run_round(GROUP) == 0
    assert rig.sink.state.requests == 3
    assert rig.message_status(message.id) == "routed"

    # after the reset timeout one probe goes through; the receiver is back
    rig.fail(mode="up")
    rig.clock.now += 30.0
    assert await dispatcher.run_round(GROUP) == 1
    assert dispatcher.breaker.state is CircuitState.CLOSED
    assert rig.sink.state.received == 1
    settled = rig.delivery(delivery.id)
    assert (settled.status, settled.attempts) == (DeliveryStatus.DELIVERED, 4)
    assert rig.message_status(message.id) == "delivered"
    with rig.store.uow.reader() as uow:
        [state] = [s for s in uow.endpoints.all() if s.name == "erp"]
    assert state.circuit == "closed"


async def test_retries_exhausted_become_a_dead_letter(rig: Rig) -> None:
    """An explicit cap on attempts (`retry.max_attempts`) still ends a delivery."""
    message, delivery = rig.record_and_route()
    dispatcher = rig.dispatcher(
        RetryPolicy(initial_backoff=0.0, jitter=0.0),
        threshold=10,
        budget=DeliveryBudget(max_attempts=2),
    )
    rig.fail(mode="down", status=503)

    assert await dispatcher.run_round(GROUP) == 1
    assert await dispatcher.run_round(GROUP) == 1
    assert await dispatcher.run_round(GROUP) == 0

    [dead] = rig.store.bus.dead_letters(GROUP)
    assert dead.message_id == message.id
    assert dead.last_error is not None
    assert dead.last_error.startswith("retries exhausted after 2 attempt(s): HTTP 503")
    settled = rig.delivery(delivery.id)
    assert settled.status is DeliveryStatus.DEAD_LETTERED
    assert settled.last_error is not None and settled.last_error.startswith("retries exhausted")
    assert rig.message_status(message.id) == "failed"
    assert rig.sink.state.requests == 2


async def test_a_rejection_is_a_dead_letter_at_once(rig: Rig) -> None:
    message, delivery = rig.record_and_route()
    dispatcher = rig.dispatcher()
    rig.fail(mode="status", status=400, count=1)

    assert await dispatcher.run_round(GROUP) == 1

    [dead] = rig.store.bus.dead_letters(GROUP)
    assert dead.message_id == message.id
    assert dead.deliveries == 1
    assert dead.last_error is not None
    assert dead.last_error.startswith("rejected by receiver after 1 attempt(s): HTTP 400")
    settled = rig.delivery(delivery.id)
    assert settled.status is DeliveryStatus.DEAD_LETTERED
    assert settled.last_error is not None
    assert settled.last_error.startswith("rejected by receiver: HTTP 400")
    [attempt] = rig.attempts(delivery.id)
    assert (attempt.outcome, attempt.status_code) == ("rejected", 400)
    assert rig.message_status(message.id) == "failed"
    # the receiver answered, so it is up: a rejection does not count against the circuit
    assert dispatcher.breaker.state is CircuitState.CLOSED
    assert dispatcher.breaker.consecutive_failures == 0
    # nothing is retried
    rig.make_due()
    assert await dispatcher.run_round(GROUP) == 0
    assert rig.sink.state.requests == 1
    assert rig.sink.state.received == 0


async def test_a_redelivered_entry_of_a_delivered_delivery_is_not_sent_again(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash between settle and ack: the entry comes back, finds its delivery delivered and
    is acknowledged without a second request."""
    message, delivery = rig.record_and_route()
    dispatcher = rig.dispatcher()
    real_ack = rig.store.bus.ack
    monkeypatch.setattr(rig.store.bus, "ack", lambda group, entries: None)  # the "crash"

    assert await dispatcher.run_round(GROUP) == 1
    assert rig.sink.state.received == 1
    assert rig.delivery(delivery.id).status is DeliveryStatus.DELIVERED

    monkeypatch.setattr(rig.store.bus, "ack", real_ack)
    assert rig.store.bus.release_leases() == 1  # what start-up does after a crash
    assert await dispatcher.run_round(GROUP) == 1

    assert rig.sink.state.requests == 1
    assert rig.sink.state.received == 1
    assert rig.sink.state.duplicates == 0
    assert len(rig.attempts(delivery.id)) == 1
    assert rig.delivery(delivery.id).attempts == 1
    assert rig.message_status(message.id) == "delivered"
    assert rig.store.bus.backlog()[GROUP] == 0


async def test_several_messages_in_one_round(rig: Rig) -> None:
    routed = [rig.record_and_route(f"HP-PO-{n}") for n in range(5)]
    dispatcher = rig.dispatcher()

    assert await dispatcher.run_round(GROUP) == 5

    assert rig.sink.state.received == 5
    assert {d.idempotency_key for d in rig.sink.state.deliveries} == {
        f"{m.id}.po-to-erp" for m, _ in routed
    }
    for message, delivery in routed:
        assert rig.delivery(delivery.id).status is DeliveryStatus.DELIVERED
        assert rig.message_status(message.id) == "delivered"


async def test_a_half_open_probe_that_sends_nothing_does_not_wedge_the_circuit(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The probe round may draw an entry whose delivery is already delivered (a redelivery
    after a crash, or an operator's replay): nothing is sent, and the breaker must still let
    the next probe through rather than wait forever for a result that never comes."""
    _done_message, done = rig.record_and_route("HP-PO-DONE")
    dispatcher = rig.dispatcher(threshold=1)
    real_ack = rig.store.bus.ack
    monkeypatch.setattr(rig.store.bus, "ack", lambda group, entries: None)
    assert await dispatcher.run_round(GROUP) == 1  # delivered, but the ack is lost
    monkeypatch.setattr(rig.store.bus, "ack", real_ack)
    assert rig.delivery(done.id).status is DeliveryStatus.DELIVERED

    message, delivery = rig.record_and_route("HP-PO-NEXT")
    rig.fail(mode="down", status=503)
    assert await dispatcher.run_round(GROUP) == 1  # the new one fails: the circuit opens
    assert dispatcher.breaker.state is CircuitState.OPEN
    rig.fail(mode="up")

    rig.store.bus.release_leases()  # the lost-ack entry comes back, first in line
    rig.make_due()
    rig.clock.now += 30.0
    assert await dispatcher.run_round(GROUP) == 1  # the probe: already delivered, not sent
    assert rig.sink.state.requests == 2

    for _ in range(3):
        await dispatcher.run_round(GROUP)
    assert rig.delivery(delivery.id).status is DeliveryStatus.DELIVERED
    assert dispatcher.breaker.state is CircuitState.CLOSED
    assert rig.message_status(message.id) == "delivered"


async def test_a_store_error_during_the_probe_round_does_not_wedge_the_circuit(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    message, delivery = rig.record_and_route()
    dispatcher = rig.dispatcher(threshold=1)
    rig.fail(mode="down", status=503)
    assert await dispatcher.run_round(GROUP) == 1
    assert dispatcher.breaker.state is CircuitState.OPEN
    rig.fail(mode="up")
    rig.make_due()
    rig.clock.now += 30.0

    real_fetch = rig.store.bus.fetch

    def broken_fetch(group: str, limit: int) -> Any:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(rig.store.bus, "fetch", broken_fetch)
    with pytest.raises(RuntimeError, match="locked"):
        await dispatcher.run_round(GROUP)
    monkeypatch.setattr(rig.store.bus, "fetch", real_fetch)

    assert dispatcher.ready_in() == 0.0
    assert await dispatcher.run_round(GROUP) == 1
    assert dispatcher.breaker.state is CircuitState.CLOSED
    assert rig.delivery(delivery.id).status is DeliveryStatus.DELIVERED
    assert rig.message_status(message.id) == "delivered"


async def test_unsendable_messages_dead_letter_and_never_open_the_circuit(rig: Rig) -> None:
    """Issue 10: four POs whose key cannot go into a header used to open the ERP circuit, and a
    normal PO behind them stayed pending while the receiver answered 200."""
    bad = rig.enqueue_unsendable(4)
    dispatcher = rig.dispatcher(threshold=3)

    assert await dispatcher.run_round(GROUP) == 4
    assert dispatcher.breaker.state is CircuitState.CLOSED
    assert dispatcher.breaker.consecutive_failures == 0
    assert rig.sink.state.requests == 0  # nothing was sent: the request could not be built

    message, delivery = rig.record_and_route("HP-PO-GOOD")
    assert await dispatcher.run_round(GROUP) == 1
    assert rig.delivery(delivery.id).status is DeliveryStatus.DELIVERED
    assert rig.message_status(message.id) == "delivered"
    assert rig.sink.state.received == 1
    assert dispatcher.breaker.state is CircuitState.CLOSED

    dead = {d.message_id: d for d in rig.store.bus.dead_letters(GROUP)}
    assert set(dead) == {d.message_id for d in bad}
    for d in bad:
        error = dead[d.message_id].last_error
        assert error is not None
        assert error.startswith(
            "message failure after 1 attempt(s): header X-Crossdock-Correlation-Key cannot"
            " carry control character U+000A"
        ), error
        settled = rig.delivery(d.id)
        assert settled.status is DeliveryStatus.DEAD_LETTERED
        assert settled.last_error is not None
        assert settled.last_error.startswith("message failure: header")
        [attempt] = rig.attempts(d.id)
        assert attempt.outcome == "message_failure"
        assert rig.message_status(d.message_id) == "failed"


async def test_an_unsendable_probe_gives_the_probe_slot_back(rig: Rig) -> None:
    """A half-open probe that turns out to be a message failure proves nothing about the
    receiver: the next entry is probed at once, and its success closes the circuit."""
    dispatcher = rig.dispatcher(threshold=1)
    _message, first = rig.record_and_route("HP-PO-FIRST")
    rig.fail(mode="down", status=503)
    assert await dispatcher.run_round(GROUP) == 1
    assert dispatcher.breaker.state is CircuitState.OPEN
    rig.fail(mode="up")
    [bad] = rig.enqueue_unsendable(1)
    rig.clock.now += 30.0

    delivered = False
    for _ in range(3):
        await dispatcher.run_round(GROUP)
        rig.make_due()
        delivered = rig.delivery(first.id).status is DeliveryStatus.DELIVERED
    assert delivered
    assert rig.delivery(bad.id).status is DeliveryStatus.DEAD_LETTERED
    assert dispatcher.breaker.state is CircuitState.CLOSED


async def test_an_endpoint_failure_past_max_age_is_a_dead_letter(rig: Rig) -> None:
    message, delivery = rig.record_and_route()
    wall = FakeClock()
    wall.now = time.time()
    dispatcher = rig.dispatcher(
        threshold=100, budget=DeliveryBudget(max_age=3600.0), wall=lambda: wall.now
    )
    rig.fail(mode="down", status=503)

    for _ in range(5):  # far more attempts than the old default cap would matter for: age only
        rig.make_due()
        assert await dispatcher.run_round(GROUP) == 1
    assert rig.delivery(delivery.id).status is DeliveryStatus.PENDING
    wall.now += 3600.0
    rig.make_due()
    assert await dispatcher.run_round(GROUP) == 1

    [dead] = rig.store.bus.dead_letters(GROUP)
    assert dead.last_error is not None
    assert dead.last_error.startswith(
        "endpoint failing: gave up after 6 attempt(s) over 1h (max_age 1h): HTTP 503"
    ), dead.last_error
    assert rig.delivery(delivery.id).status is DeliveryStatus.DEAD_LETTERED
    assert rig.message_status(message.id) == "failed"


async def test_a_retried_acknowledgement_records_and_counts_the_attempt_once(
    store: SqlStore, sink: RunningSink, control: httpx.Client
) -> None:
    """On PostgreSQL a store job is run again after a transient error. The bus acknowledgement
    failing once after the attempt was committed used to re-run the whole settle: the attempt
    was recorded twice and counted twice in the metrics."""

    def retry_once(job: Callable[[], Any]) -> Any:
        try:
            return job()
        except RuntimeError:
            return job()

    store.bus.ensure_group(ROUTE_GROUP)
    store.bus.ensure_group(delivery_group("critical", "erp"))
    runner = StoreRunner(
        store.uow, store.uow.reader, executor=PriorityWorkers(1, attempt=retry_once)
    )
    endpoint = HttpEndpoint("erp", f"{sink.url}/in/erp", timeout=5.0)
    rig = Rig(store, runner, endpoint, FakeClock(), sink, control)
    try:
        message, delivery = rig.record_and_route()
        metrics = build_metrics()
        dispatcher = EndpointDispatcher(
            endpoint,
            runner,
            store.bus,
            RetryPolicy(initial_backoff=5.0, jitter=0.0),
            CircuitBreaker(failure_threshold=3, reset_timeout=30.0, clock=rig.clock),
            metrics=metrics,
        )
        real_ack = store.bus.ack
        failures = [RuntimeError("connection dropped")]

        def ack_failing_once(group: str, entries: Any) -> None:
            if failures:
                raise failures.pop()
            real_ack(group, entries)

        store.bus.ack = ack_failing_once  # type: ignore[method-assign]
        try:
            assert await dispatcher.run_round(GROUP) == 1
        finally:
            store.bus.ack = real_ack  # type: ignore[method-assign]
        assert failures == []  # the acknowledgement did fail once
        assert [a.attempt for a in rig.attempts(delivery.id)] == [1]
        assert metrics.deliveries.labels("erp", "ok")._value.get() == 1
        assert rig.delivery(delivery.id).status is DeliveryStatus.DELIVERED
        assert rig.message_status(message.id) == "delivered"
        assert store.bus.backlog()[GROUP] == 0
    finally:
        await endpoint.close()
        runner.close()
