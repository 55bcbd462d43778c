"""Outbound webhooks wired from `webhooks:` settings: the fan-out consumer and the `webhooks`
endpoint's dispatcher, which the runtime runs like every other consumer and dispatcher."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from crossdock.adapters.endpoints.http import HttpEndpoint
from crossdock.config import Settings
from crossdock.hub.delivery import EndpointDispatcher
from crossdock.hub.identity import INTERNAL
from crossdock.hub.policy import CircuitBreaker, DeliveryBudget, RetryPolicy
from crossdock.hub.ports import Bus
from crossdock.hub.runtime import Consumer
from crossdock.hub.store_runner import StoreRunner
from crossdock.hub.webhook_endpoint import WebhookEndpoint
from crossdock.hub.webhook_events import PartnerAliases
from crossdock.hub.webhook_fanout import WebhookFanout, fanout_group
from crossdock.hub.webhook_records import WEBHOOK_ENDPOINT, Subscription
from crossdock.hub.webhook_subscriptions import audit
from crossdock.observability.metrics import HubMetrics

SHARED_NEVER_OPENS = 2**31 - 1
#: The HTTP adapter wants a URL of its own; every webhook request names its subscription's.
_NO_URL = "http://webhook-subscription.invalid/"


@dataclass(slots=True)
class OutboundWebhooks:
    """What the API needs to manage subscriptions, and what the runtime runs."""

    dispatcher: EndpointDispatcher
    consumer: Consumer
    aliases: PartnerAliases
    rotation_overlap: float
    private_urls: bool = False
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


def _audit_disabled(sub: Subscription, reason: str) -> None:
    audit(INTERNAL, "webhook.subscription.disable", sub.id, reason=reason)


def partner_aliases(settings: Settings) -> PartnerAliases:
    """Partners and carriers by logical name, with the identifiers their documents carry."""
    ids: dict[str, list[str]] = {}
    for name, partner in settings.partners.items():
        x12 = partner.x12
        ids[name] = [x12.id, x12.group_id] if x12 is not None else []
    for name, carrier in settings.carriers.items():
        ids.setdefault(name, []).extend(v for v in (carrier.display_name, carrier.scac) if v)
    return PartnerAliases.of(ids)


def build_outbound_webhooks(
    settings: Settings, runner: StoreRunner, bus: Bus, metrics: HubMetrics
) -> OutboundWebhooks | None:
    config = settings.webhooks
    if not config.enabled:
        return None
    sender = HttpEndpoint(
        WEBHOOK_ENDPOINT,
        _NO_URL,
        timeout=config.timeout_seconds,
        max_connections=config.concurrency,
    )
    retry = config.retry
    dispatcher = EndpointDispatcher(
        WebhookEndpoint(
            sender,
            runner,
            on_disabled=_audit_disabled,
            circuit=lambda sub_id: CircuitBreaker(
                failure_threshold=config.circuit.failure_threshold,
                reset_timeout=config.circuit.reset_timeout_seconds,
                clock=time.monotonic,
                name=f"webhook subscription {sub_id}",
            ),
        ),
        runner,
        bus,
        RetryPolicy(
            initial_backoff=retry.initial_backoff_seconds,
            multiplier=retry.multiplier,
            max_backoff=retry.max_backoff_seconds,
            jitter=retry.jitter,
        ),
        # Shared by every subscriber, so it never opens: each subscription has its own.
        CircuitBreaker(failure_threshold=SHARED_NEVER_OPENS, clock=time.monotonic),
        concurrency=config.concurrency,
        metrics=metrics,
        budget=DeliveryBudget(max_age=retry.max_age_seconds, max_attempts=retry.max_attempts),
        sets_message_status=False,
    )
    aliases = partner_aliases(settings)
    consumer = Consumer(fanout_group(), WebhookFanout(aliases), wakes=("deliver.",))
    return OutboundWebhooks(
        dispatcher,
        consumer,
        aliases,
        config.rotation_overlap_seconds,
        private_urls=config.allow_private_urls,
    )
