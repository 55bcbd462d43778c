"""The `webhooks` endpoint: each delivery signed and sent to its subscription's URL.

It is an ordinary `Endpoint` for the hub's one delivery machinery (`hub.delivery`): the
dispatcher fetches, retries with backoff, dead-letters and replays webhook deliveries like
any other. What is particular happens per attempt, here:

- the subscription is read (its URL, secrets and status may have changed since the event
  was fanned out: a rotated secret signs from the next attempt on, a disabled or deleted
  subscription gets nothing more: its delivery is a dead letter without a request);
- the request is signed afresh (`webhook-timestamp` is the attempt's time: receivers refuse
  stale timestamps, so a retry an hour later must not carry the first attempt's);
- a 410 Gone disables the subscription (recorded on it with the time and why), and the
  delivery is dead-lettered as the receiver's rejection;
- each subscription has its own circuit breaker (`webhooks.circuit`): while a partner's URL
  keeps failing, its deliveries wait without requests (one probe per reset timeout) and the
  other partners' deliveries are not held up behind its timeouts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from crossdock.hub.identity import INTERNAL
from crossdock.hub.policy import CircuitBreaker, Outcome
from crossdock.hub.ports import Endpoint, OutboundRequest, SendResult, UnitOfWork
from crossdock.hub.store_runner import StoreRunner
from crossdock.hub.webhook_fanout import subscription_of
from crossdock.hub.webhook_records import WEBHOOK_ENDPOINT, Subscription
from crossdock.hub.webhook_signing import sign_headers
from crossdock.hub.webhook_subscriptions import audit

log = logging.getLogger(__name__)

GONE = 410


def disabled_by_receiver(status: int) -> str:
    return f"the receiver answered {status} Gone: subscription disabled, no more deliveries"


class WebhookEndpoint:
    """Signs and sends webhook deliveries through `sender` (the HTTP adapter, which sends
    each request to the URL the request names)."""

    def __init__(
        self,
        sender: Endpoint,
        runner: StoreRunner,
        *,
        clock: Callable[[], float] = time.time,
        on_disabled: Callable[[Subscription, str], None] | None = None,
        circuit: Callable[[str], CircuitBreaker] | None = None,
    ) -> None:
        self.name = WEBHOOK_ENDPOINT
        self._sender = sender
        self._runner = runner
        self._clock = clock
        self._on_disabled = on_disabled
        # One circuit per subscription (the dispatcher's shared one never opens): a partner's
        # dead URL costs its own deliveries one probe per reset timeout, not everyone's slots.
        self._new_circuit = circuit or (lambda name: CircuitBreaker(name=name))
        self._circuits: dict[str, CircuitBreaker] = {}

    def circuit(self, subscription_id: str) -> CircuitBreaker:
        found = self._circuits.get(subscription_id)
        if found is None:
            found = self._circuits[subscription_id] = self._new_circuit(subscription_id)
        return found

    async def send(self, request: OutboundRequest) -> SendResult:
        sub_id = subscription_of(request.correlation_key)
        sub = await self._runner.read(lambda uow: uow.webhooks.get(sub_id))
        if sub is None or not sub.active:
            why = "deleted" if sub is None else f"disabled ({sub.disabled_reason})"
            # Nothing is sent and nothing is learnt about a receiver: the message's failure
            # (dead letter at once, the shared circuit hears nothing).
            return SendResult(
                ok=False,
                error=f"subscription {sub_id} is {why}",
                retryable=False,
                message_failure=True,
            )
        breaker = self.circuit(sub.id)
        if not breaker.allow():
            # Not sent: retried once the subscription's circuit lets a probe through.
            return SendResult(
                ok=False,
                error=f"circuit open for subscription {sub.id} after "
                f"{breaker.consecutive_failures} failure(s); not sent",
                retryable=True,
                retry_after=max(breaker.retry_in(), 1.0),
            )
        now = self._clock()
        keys = sub.signing_keys(datetime.fromtimestamp(now, UTC))
        signed = sign_headers(keys, request.idempotency_key, int(now), request.body)
        try:
            result = await self._send(request, sub, signed)
        except BaseException:
            breaker.release()
            raise
        outcome = result.outcome
        if outcome is Outcome.ENDPOINT_FAILURE:
            breaker.record_failure()
        elif outcome is Outcome.MESSAGE_FAILURE:
            breaker.release()
        else:
            breaker.record_success()
        if result.status_code == GONE:
            reason = disabled_by_receiver(GONE)
            await self._disable(sub, reason)
            result.error = f"{reason} ({result.error})" if result.error else reason
        return result

    async def _send(
        self, request: OutboundRequest, sub: Subscription, signed: dict[str, str]
    ) -> SendResult:
        return await self._sender.send(
            OutboundRequest(
                delivery_id=request.delivery_id,
                message_id=request.message_id,
                idempotency_key=request.idempotency_key,
                correlation_key=request.correlation_key,
                content_type=request.content_type,
                body=request.body,
                headers={**request.headers, **signed},
                url=sub.url,
            )
        )

    async def _disable(self, sub: Subscription, reason: str) -> None:
        at = datetime.fromtimestamp(self._clock(), UTC)

        def disable(uow: UnitOfWork) -> bool:
            done = uow.webhooks.disable(sub.id, at, reason)
            if done:  # the hub's own decision, audited with it
                audit(uow, INTERNAL, "webhook.subscription.disable", sub.id, reason=reason)
            uow.commit()
            return done

        if await self._runner.write(disable):
            log.warning("webhook subscription %s (%s) disabled: %s", sub.id, sub.url, reason)
            if self._on_disabled is not None:
                self._on_disabled(sub, reason)

    async def close(self) -> None:
        await self._sender.close()
