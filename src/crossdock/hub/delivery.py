"""Delivery: hand each pending delivery to its endpoint, then settle what happened.

One `EndpointDispatcher` per endpoint owns the circuit breaker and the concurrency limit; it
serves one consumer group per lane. A round is fetch → send concurrently → settle (attempts,
statuses and the message's overall status in one transaction) → ack / nak-with-backoff /
dead-letter on the bus. A crash between settle and ack is harmless: the redelivered entry
finds its delivery already delivered and is acknowledged without a second send.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from crossdock.hub.delivered import announce
from crossdock.hub.delivery_wire import decode_delivery
from crossdock.hub.policy import CircuitBreaker, CircuitState, RetryPolicy
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

log = logging.getLogger(__name__)


def delivery_group(lane: str, endpoint: str) -> ConsumerGroup:
    return ConsumerGroup(
        name=f"deliver.{lane}.{endpoint}", subjects=(f"deliver.{lane}.{endpoint}",), lane=lane
    )


@dataclass(slots=True)
class _Outcome:
    entry: BusEntry
    delivery: Delivery | None
    result: SendResult | None
    started_at: datetime


class EndpointDispatcher:
    """Delivers to one endpoint across lanes, behind one circuit breaker."""

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
        announce: Mapping[str, str] | None = None,
    ) -> None:
        self.endpoint = endpoint
        # Routes whose successful deliveries flows wait for (route -> `delivered.` subject).
        self._announce = dict(announce or {})
        self.name = endpoint.name
        self._runner = runner
        self._bus = bus
        self.retry = retry
        self.breaker = breaker
        self.concurrency = concurrency
        self._rng = rng or random.Random()
        self._metrics = metrics
        self._state_dirty = True
        self._opened_wall: float | None = None
        # Shared by every lane's loops: the endpoint never has more than `concurrency`
        # requests in flight, so none waits inside the client's pool while its timeout runs.
        self._slots = asyncio.Semaphore(concurrency)
        breaker.on_change = self._on_breaker_change

    def _on_breaker_change(self, breaker: CircuitBreaker, _previous: CircuitState) -> None:
        # The breaker keeps monotonic time; operators want the wall-clock moment it opened.
        if breaker.state is CircuitState.OPEN:
            self._opened_wall = time.time()
        elif breaker.state is CircuitState.CLOSED:
            self._opened_wall = None
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
        if not self.breaker.allow():
            return 0
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
        await self._runner.call(self._settle, group, outcomes)
        return len(entries)

    async def _send(self, entry: BusEntry, delivery: Delivery | None) -> _Outcome:
        started = datetime.now(UTC)
        if delivery is None or delivery.status is DeliveryStatus.DELIVERED:
            # Nothing to send: a half-open probe slot taken for this entry must be given back,
            # or the breaker would wait forever for a probe result that never comes.
            self.breaker.release()
            return _Outcome(entry, delivery, None, started)
        request = OutboundRequest(
            delivery_id=delivery.id,
            message_id=delivery.message_id,
            idempotency_key=delivery.idempotency_key,
            correlation_key=delivery.correlation_key,
            content_type=delivery.content_type,
            body=delivery.body,
            headers={"X-Crossdock-Attempt": str(entry.deliveries)},
        )
        try:
            async with self._slots:
                result = await self.endpoint.send(request)
        except Exception as exc:  # an adapter bug must not kill the dispatcher
            log.exception("endpoint %s raised", self.name)
            result = SendResult(ok=False, error=f"adapter error: {exc!r}", retryable=True)
        if result.ok or not result.retryable:
            self.breaker.record_success()  # the receiver answered: it is up
        else:
            self.breaker.record_failure()
        return _Outcome(entry, delivery, result, started)

    def _settle(self, group: str, outcomes: Sequence[_Outcome]) -> None:
        """Runs on the store thread: record, then acknowledge what is settled."""
        ack: list[BusEntry] = []
        retry: list[tuple[BusEntry, float, str]] = []
        dead: list[tuple[BusEntry, str]] = []
        finished: list[str] = []
        delivered: list[tuple[Delivery, datetime]] = []
        with self._runner.uow_factory() as uow:
            attempts: list[DeliveryAttempt] = []
            for o in outcomes:
                if o.delivery is None or o.result is None:
                    ack.append(o.entry)  # already settled earlier, or vanished: nothing to send
                    continue
                d, r = o.delivery, o.result
                attempts.append(
                    DeliveryAttempt(
                        delivery_id=d.id,
                        attempt=o.entry.deliveries,
                        started_at=o.started_at,
                        duration_ms=r.duration_ms,
                        outcome="ok" if r.ok else ("retry" if r.retryable else "rejected"),
                        status_code=r.status_code,
                        error=r.error,
                    )
                )
                if r.ok:
                    uow.deliveries.set_status(
                        d.id, DeliveryStatus.DELIVERED, o.entry.deliveries, None
                    )
                    ack.append(o.entry)
                    finished.append(d.message_id)
                    if d.route in self._announce:
                        delivered.append((d, o.started_at + timedelta(milliseconds=r.duration_ms)))
                    continue
                error = r.error or f"HTTP {r.status_code}"
                exhausted = o.entry.deliveries >= self.retry.max_attempts
                if not r.retryable or exhausted:
                    reason = "rejected by receiver" if not r.retryable else "retries exhausted"
                    uow.deliveries.set_status(
                        d.id, DeliveryStatus.DEAD_LETTERED, o.entry.deliveries, f"{reason}: {error}"
                    )
                    dead.append(
                        (o.entry, f"{reason} after {o.entry.deliveries} attempt(s): {error}")
                    )
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
            if self._metrics is not None:
                for a in attempts:
                    self._metrics.deliveries.labels(self.name, a.outcome).inc()
                    self._metrics.delivery_seconds.labels(self.name).observe(a.duration_ms / 1000)
            self._update_message_status(uow, finished)
            announce(uow, self._announce, delivered)
            if self._state_dirty:
                uow.endpoints.save(self.state())
                self._state_dirty = False
            uow.commit()
        self._bus.ack(group, ack)
        for entry, delay, error in retry:
            self._bus.nak(group, entry, delay, error)
        for entry, error in dead:
            self._bus.dead_letter(group, entry, error)

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
