"""Delivery: hand each pending delivery to its endpoint, then settle what happened.

One `EndpointDispatcher` per endpoint owns the circuit breaker and the concurrency limit; it
serves one consumer group per lane. A round is fetch → send concurrently → settle (attempts,
statuses and the message's overall status in one transaction) → ack / nak-with-backoff /
dead-letter on the bus. A crash between settle and ack is harmless: the redelivered entry
finds its delivery already delivered and is acknowledged without a second send.

Each attempt is classified (`policy.Outcome`): only the endpoint's own failures feed its
circuit and are retried, against a time budget (`policy.DeliveryBudget`) rather than a
count, so an outage makes deliveries wait instead of dying; a receiver's rejection and a
message that cannot be made into a request are dead letters at once and never open the
circuit. While the circuit is open nothing is fetched, so waiting costs no attempts.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from crossdock.hub.delivered import announce
from crossdock.hub.delivery_metrics import count_round, delivered_latencies
from crossdock.hub.delivery_wire import decode_delivery
from crossdock.hub.policy import (
    DEAD_LETTER_REASONS,
    CircuitBreaker,
    CircuitState,
    DeliveryBudget,
    Outcome,
    RetryPolicy,
)
from crossdock.hub.ports import Bus, Endpoint, OutboundRequest, SendResult, UnitOfWork
from crossdock.hub.records import (
    BusEntry,
    ConsumerGroup,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    EndpointState,
    MessageStatus,
)
from crossdock.hub.store_runner import StoreRunner
from crossdock.observability.metrics import HubMetrics
from crossdock.observability.tracing import TRACEPARENT, tracing

log = logging.getLogger(__name__)

#: What each outcome is called in `delivery_attempts.outcome`.
ATTEMPT_OUTCOMES = {
    Outcome.DELIVERED: "ok",
    Outcome.ENDPOINT_FAILURE: "retry",
    Outcome.REJECTED: "rejected",
    Outcome.MESSAGE_FAILURE: "message_failure",
}


#: A delivery group's max_deliver when only the age budget ends deliveries (fits INTEGER).
UNLIMITED_DELIVERIES = 2**31 - 1


def delivery_group(lane: str, endpoint: str, max_attempts: int | None = None) -> ConsumerGroup:
    """The group delivering one lane to one endpoint. The dispatcher gives deliveries up (by
    age, see `DeliveryBudget`); the bus's own cap only applies when attempts are capped."""
    return ConsumerGroup(
        name=f"deliver.{lane}.{endpoint}",
        subjects=(f"deliver.{lane}.{endpoint}",),
        lane=lane,
        max_deliver=max_attempts or UNLIMITED_DELIVERIES,
    )


@dataclass(slots=True)
class _Outcome:
    entry: BusEntry
    delivery: Delivery | None
    result: SendResult | None
    started_at: datetime


@dataclass(slots=True, frozen=True)
class _Settled:
    """A recorded round's bus settlement: acknowledge, retry after a delay, dead-letter."""

    ack: list[BusEntry]
    retry: list[tuple[BusEntry, float, str]]
    dead: list[tuple[BusEntry, str]]


class EndpointDispatcher:
    """Delivers to one endpoint across lanes, behind one circuit breaker.

    `retry` gives the backoff between attempts; `budget` says when a delivery whose endpoint
    keeps failing is given up (its `max_attempts` bounds the bus's redeliveries too). `clock`
    is wall-clock epoch seconds, read to age deliveries against the budget.
    """

    def __init__(
        self,
        endpoint: Endpoint,
        runner: StoreRunner,
        bus: Bus,
        retry: RetryPolicy,
        breaker: CircuitBreaker,
        *,
        concurrency: int = 16,
        rng: random.Random | None = None,
        metrics: HubMetrics | None = None,
        budget: DeliveryBudget | None = None,
        clock: Callable[[], float] = time.time,
        announce: Mapping[str, str] | None = None,
        sets_message_status: bool = True,
    ) -> None:
        self.endpoint = endpoint
        # Webhook deliveries tell partners about a message; they are not its routing, so
        # their outcome leaves the message's status alone.
        self._sets_message_status = sets_message_status
        # Routes whose successful deliveries flows wait for (route -> `delivered.` subject).
        self._announce = dict(announce or {})
        self.name = endpoint.name
        self._runner = runner
        self._bus = bus
        self.retry = retry
        self.budget = budget or DeliveryBudget()
        self._clock = clock
        self.breaker = breaker
        self.concurrency = concurrency
        self._rng = rng or random.Random()
        self._metrics = metrics
        self._state_dirty = True
        self._opened_wall: float | None = None
        self._groups: set[str] = set()  # the lanes' groups this dispatcher has served
        self._recovered = False  # a probe just closed the circuit: hasten the waiting ones
        # Entries of rounds whose settling failed (the store went away after the sends): handed
        # back for redelivery once the store answers, instead of sitting out their leases.
        self._unsettled: dict[str, list[BusEntry]] = {}
        # Shared by every lane's loops: the endpoint never has more than `concurrency`
        # requests in flight, so none waits inside the client's pool while its timeout runs.
        self._slots = asyncio.Semaphore(concurrency)
        breaker.on_change = self._on_breaker_change

    def _on_breaker_change(self, breaker: CircuitBreaker, previous: CircuitState) -> None:
        # The breaker keeps monotonic time; operators want the wall-clock moment it opened.
        # A failed probe (half-open -> open again) keeps the moment the outage began, so
        # `opened_at` says how long the endpoint has been down (the endpoint_down alert).
        if breaker.state is CircuitState.OPEN:
            if previous is not CircuitState.HALF_OPEN or self._opened_wall is None:
                self._opened_wall = time.time()
        elif breaker.state is CircuitState.CLOSED:
            self._opened_wall = None
            self._recovered = previous is CircuitState.HALF_OPEN
        self._state_dirty = True

    def state(self) -> EndpointState:
        return EndpointState(
            name=self.name,
            circuit=self.breaker.state.value,
            consecutive_failures=self.breaker.consecutive_failures,
            opened_at=(
                None
                if self._opened_wall is None
                else datetime.fromtimestamp(self._opened_wall, UTC)
            ),
        )

    def ready_in(self) -> float:
        """Seconds until the breaker lets a request through (0 when closed)."""
        return self.breaker.retry_in()

    async def run_round(self, group: str, limit: int | None = None) -> int:
        """One fetch-send-settle round for a lane's group (up to `limit` entries, default the
        endpoint's concurrency); returns entries handled."""
        stranded = self._unsettled.pop(group, None)
        if stranded:
            nak = [(e, 0.0, "settling interrupted by a store error; redelivered") for e in stranded]
            try:
                await self._runner.call(self._bus.settle, group, (), nak)
            except BaseException:
                self._unsettled.setdefault(group, []).extend(stranded)
                raise
        if not self.breaker.allow():
            return 0
        self._groups.add(group)
        if self.breaker.state is CircuitState.HALF_OPEN:
            limit = 1
        else:
            limit = min(limit or self.concurrency, self.concurrency)
        try:
            entries = await self._runner.call(self._bus.fetch, group, limit)
            if not entries:
                self.breaker.release()
                return 0
            deliveries = {e.pending_id: decode_delivery(e.payload) for e in entries}
            # A redelivered entry may belong to a delivery settled just before a crash (settle
            # committed, ack lost): look those up so they are acknowledged, not sent twice.
            again = [d.id for e in entries if e.deliveries > 1 for d in [deliveries[e.pending_id]]]
            if again:
                stored = await self._runner.read(lambda uow: uow.deliveries.get_many(again))
                for e in entries:
                    d = stored.get(deliveries[e.pending_id].id)
                    if d is not None and d.status is DeliveryStatus.DELIVERED:
                        deliveries[e.pending_id].status = DeliveryStatus.DELIVERED
        except BaseException:
            self.breaker.release()  # no call was made: free a half-open probe slot
            raise
        outcomes = await asyncio.gather(*(self._send(e, deliveries[e.pending_id]) for e in entries))
        try:
            # Two jobs: on PostgreSQL a job is re-run after a transient error, and a failed
            # acknowledgement must not record the attempts (and count them) a second time.
            settled = await self._runner.call(self._record, outcomes)
            await self._runner.call(self._acknowledge, group, settled)
        except Exception:
            self._unsettled.setdefault(group, []).extend(entries)
            raise
        return len(entries)

    async def _send(self, entry: BusEntry, delivery: Delivery | None) -> _Outcome:
        started = datetime.now(UTC)
        if delivery is None or delivery.status is DeliveryStatus.DELIVERED:
            # Nothing to send: a half-open probe slot taken for this entry must be given back,
            # or the breaker would wait forever for a probe result that never comes.
            self.breaker.release()
            return _Outcome(entry, delivery, None, started)
        attributes: dict[str, str | int] = {
            "messaging.message.id": delivery.message_id,
            "messaging.consumer.group.name": f"deliver.{delivery.lane}.{self.name}",
            "messaging.message.delivery_count": entry.deliveries,
            "crossdock.delivery.id": delivery.id,
            "crossdock.route": delivery.route,
        }
        subject = f"deliver.{delivery.lane}.{self.name}"
        # The message's stored context continues: the receiver sees the sender's trace id.
        tracer = tracing()
        with tracer.process(delivery.trace_context, subject, attributes) as traceparent:
            request = OutboundRequest(
                delivery_id=delivery.id,
                message_id=delivery.message_id,
                idempotency_key=delivery.idempotency_key,
                correlation_key=delivery.correlation_key,
                content_type=delivery.content_type,
                body=delivery.body,
                headers={"X-Crossdock-Attempt": str(entry.deliveries), TRACEPARENT: traceparent},
            )
            try:
                async with self._slots:
                    result = await self.endpoint.send(request)
            except Exception as exc:  # an adapter bug must not kill the dispatcher
                log.exception("endpoint %s raised", self.name)
                result = SendResult(ok=False, error=f"adapter error: {exc!r}", retryable=True)
            if not result.ok:
                tracer.failed(result.error or f"HTTP {result.status_code}")
        outcome = result.outcome
        if outcome is Outcome.ENDPOINT_FAILURE:
            self.breaker.record_failure()
        elif outcome is Outcome.MESSAGE_FAILURE:
            # Nothing was learnt about the receiver: neither a failure nor a success, and a
            # half-open probe slot this entry held goes back for a real probe.
            self.breaker.release()
        else:
            self.breaker.record_success()  # the receiver answered: it is up
        return _Outcome(entry, delivery, result, started)

    def age(self, entry: BusEntry) -> float:
        """Seconds this delivery has been trying: since it was routed, or deliberately
        replayed (a replay marker is the replay's epoch microseconds), which starts afresh."""
        since = max(entry.published_at.timestamp(), entry.replay / 1_000_000)
        return max(0.0, self._clock() - since)

    def _record(self, outcomes: Sequence[_Outcome]) -> _Settled:
        """On the store thread: record the attempts and statuses in one unit of work; what to
        acknowledge, retry or dead-letter is returned (`_acknowledge`). Metrics are counted
        once the commit succeeded, so a retried job never counts an attempt twice."""
        ack: list[BusEntry] = []
        retry: list[tuple[BusEntry, float, str]] = []
        dead: list[tuple[BusEntry, str]] = []
        finished: list[str] = []
        delivered: list[tuple[Delivery, datetime]] = []
        ended: list[tuple[str, datetime]] = []  # (message id, attempt end), for the metrics
        with self._runner.uow_factory() as uow:
            attempts: list[DeliveryAttempt] = []
            for o in outcomes:
                if o.delivery is None or o.result is None:
                    ack.append(o.entry)  # already settled earlier, or vanished: nothing to send
                    continue
                d, r = o.delivery, o.result
                outcome = r.outcome
                attempts.append(
                    DeliveryAttempt(
                        delivery_id=d.id,
                        attempt=o.entry.deliveries,
                        started_at=o.started_at,
                        duration_ms=r.duration_ms,
                        outcome=ATTEMPT_OUTCOMES[outcome],
                        status_code=r.status_code,
                        error=r.error,
                    )
                )
                if outcome is Outcome.DELIVERED:
                    uow.deliveries.set_status(
                        d.id, DeliveryStatus.DELIVERED, o.entry.deliveries, None
                    )
                    ack.append(o.entry)
                    finished.append(d.message_id)
                    ended_at = o.started_at + timedelta(milliseconds=r.duration_ms)
                    if d.route in self._announce:
                        delivered.append((d, ended_at))
                    if self._metrics is not None:
                        ended.append((d.message_id, ended_at))
                    continue
                error = r.error or f"HTTP {r.status_code}"
                n = o.entry.deliveries
                if outcome is Outcome.ENDPOINT_FAILURE:
                    spent = self.budget.exhausted(n, self.age(o.entry))
                    gave_up = None if spent is None else (spent, spent)
                else:  # rejected, or the message's own failure: no retry can help
                    reason = DEAD_LETTER_REASONS[outcome]
                    gave_up = (reason, f"{reason} after {n} attempt(s)")
                if gave_up is not None:
                    uow.deliveries.set_status(
                        d.id, DeliveryStatus.DEAD_LETTERED, n, f"{gave_up[0]}: {error}"
                    )
                    dead.append((o.entry, f"{gave_up[1]}: {error}"))
                    finished.append(d.message_id)
                else:
                    uow.deliveries.set_status(
                        d.id, DeliveryStatus.PENDING, o.entry.deliveries, error
                    )
                    delay = self.retry.delay(o.entry.deliveries, self._rng)
                    if r.retry_after is not None:  # the receiver said when; never sooner
                        delay = min(max(delay, r.retry_after), self.retry.max_backoff)
                    retry.append((o.entry, delay, error))
            uow.deliveries.record_attempts(attempts)
            if self._sets_message_status:
                self._update_message_status(uow, finished)
            announce(uow, self._announce, delivered)
            saved_state = self._state_dirty
            if saved_state:
                uow.endpoints.save(self.state())
            # Read before the commit (the unit of work closes with it); used only once the
            # commit succeeded, like the attempts.
            latencies = delivered_latencies(uow, ended)
            uow.commit()
        if saved_state:
            self._state_dirty = False
        if self._metrics is not None:
            count_round(self._metrics, self.name, attempts, latencies)
        return _Settled(ack, retry, dead)

    def _acknowledge(self, group: str, settled: _Settled) -> None:
        """On the store thread: settle the recorded round's entries on the bus."""
        ack, retry, dead = settled.ack, settled.retry, settled.dead
        self._bus.ack(group, ack)
        for entry, delay, error in retry:
            self._bus.nak(group, entry, delay, error)
        for entry, error in dead:
            self._bus.dead_letter(group, entry, error)
        if dead and self._metrics is not None:
            self._metrics.dead_letters.labels(group).inc(len(dead))
        if self._recovered:
            # The receiver is back: deliveries tried during the outage would otherwise sit out
            # backoffs of up to max_backoff each, holding their keys; the concurrency limit,
            # not the backoff, paces the drain now.
            self._recovered = False
            for served in sorted(self._groups):
                hastened = self._bus.hasten(served)
                if hastened:
                    log.info("%s is back: %d waiting deliveries in %s", self.name, hastened, served)

    @staticmethod
    def _update_message_status(uow: UnitOfWork, message_ids: list[str]) -> None:
        if not message_ids:
            return
        delivered: list[str] = []
        failed: list[str] = []
        for message_id, (pending, dead) in uow.deliveries.open_for_messages(message_ids).items():
            if pending == 0:
                (failed if dead else delivered).append(message_id)
        uow.messages.set_status(delivered, MessageStatus.DELIVERED)
        uow.messages.set_status(failed, MessageStatus.FAILED)
