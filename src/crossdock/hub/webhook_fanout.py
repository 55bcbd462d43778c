"""Business events to webhook deliveries: the fan-out consumer.

A consumer group of its own (`webhooks.fanout`) reads the accepted documents that raise
events (new and changed purchase orders, carrier milestones, proofs of delivery, invoice
approvals — the last emitted by the three-way match flow). For each it finds the active
subscriptions to the event whose partner owns the document (an operator's subscription with
no partner gets every partner's), and writes one delivery per subscription to the `webhooks`
endpoint, announced on its delivery subject, in the transaction that claims the message in
the group's inbox. From there the hub's one delivery machinery takes over: retries with
backoff, the time budget, dead letters, replay (`hub.delivery`, `hub.webhook_endpoint`).

Isolation is decided here, once: a delivery for a subscription exists only if the
subscription's partner owns the document, so another partner's events never reach its URL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import orjson

from crossdock.hub.ids import new_id
from crossdock.hub.ports import UnitOfWork
from crossdock.hub.records import BusEntry, ConsumerGroup, Delivery, StoredMessage
from crossdock.hub.routing import enqueue_delivery
from crossdock.hub.runtime import LANES
from crossdock.hub.webhook_events import (
    DOCUMENT_TYPES,
    EVENTS,
    PartnerAliases,
    event_body,
    event_type,
    owner_of,
)
from crossdock.hub.webhook_records import WEBHOOK_ENDPOINT, Subscription, WebhookDeliveryRef

FANOUT_GROUP = "webhooks.fanout"


def fanout_group() -> ConsumerGroup:
    """The fan-out consumer: every lane's event documents (exact subjects, no wildcard)."""
    subjects = tuple(f"doc.{lane}.{t}" for lane in LANES for t in sorted(DOCUMENT_TYPES))
    return ConsumerGroup(name=FANOUT_GROUP, subjects=subjects, lane="critical", max_deliver=20)


def webhook_id(message_id: str, subscription_id: str) -> str:
    """The `webhook-id` of one event for one subscription: the same on every attempt and on
    a replay (the spec's "same when the same webhook is resent"), so receivers drop repeats."""
    return f"msg_{message_id}_{subscription_id}"


def delivery_key(subscription_id: str, correlation_key: str) -> str:
    """The bus key of a webhook delivery: per subscription and document, so one receiver's
    trouble holds back only its own later events about that document."""
    return f"{subscription_id}:{correlation_key}"


def subscription_of(key: str) -> str:
    """The subscription id a delivery key (`delivery_key`) names."""
    return key.split(":", 1)[0]


@dataclass(slots=True)
class FanoutResult:
    created: int = 0
    failed: list[tuple[BusEntry, str]] = field(default_factory=list)


class WebhookFanout:
    """The `webhooks.fanout` group's batch handler (`runtime.BatchHandler`)."""

    def __init__(
        self,
        aliases: PartnerAliases,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        registered: Callable[[], Mapping[str, frozenset[str]]] | None = None,
    ) -> None:
        """`registered`: the registered partners' identifiers (the partner directory's
        in-memory snapshot), so a partner created through the admin API owns its
        documents' events by its GLN, D-U-N-S, X12 ids and codes, without a restart."""
        self._aliases = aliases
        self._clock = clock
        self._registered = registered
        self._joined: tuple[object, PartnerAliases] | None = None

    def aliases(self) -> PartnerAliases:
        """The configuration's aliases joined with the registered partners' (rebuilt only
        when the directory's snapshot changed)."""
        if self._registered is None:
            return self._aliases
        registered = self._registered()
        joined = self._joined
        if joined is None or joined[0] is not registered:
            joined = self._joined = (registered, self._aliases.joined(registered))
        return joined[1]

    def handle_batch(
        self, uow: UnitOfWork, consumer: str, entries: Sequence[BusEntry]
    ) -> FanoutResult:
        result = FanoutResult()
        fresh = uow.inbox.claim_many(consumer, [(e.message_id, e.replay) for e in entries])
        claimed = [e for e in entries if (e.message_id, e.replay) in fresh]
        if not claimed:
            return result
        subscriptions = uow.webhooks.active_for(list(EVENTS))
        if not subscriptions:
            return result  # nobody listens: the claims are all there is to write
        aliases = self.aliases().including(s.partner for s in subscriptions)
        stored = uow.messages.get_many([e.message_id for e in claimed], with_raw=False)
        refs: list[WebhookDeliveryRef] = []
        now = self._clock()
        for entry in claimed:
            message = stored.get(entry.message_id)
            if message is None:
                continue
            for delivery, type_ in plan_event(message, subscriptions, aliases):
                enqueue_delivery(uow, delivery)
                refs.append(
                    WebhookDeliveryRef(
                        subscription_of(delivery.correlation_key),
                        delivery.id,
                        delivery.message_id,
                        type_,
                        now,
                    )
                )
        uow.webhooks.link(refs)
        result.created = len(refs)
        return result


def plan_event(
    message: StoredMessage, subscriptions: Sequence[Subscription], aliases: PartnerAliases
) -> list[tuple[Delivery, str]]:
    """The deliveries (with their event type) one recorded message owes `subscriptions`
    (pure). None for a message that raises no event (a rejected one has nothing to tell)."""
    if message.canonical is None:
        return []
    summary = message.summary
    document = orjson.loads(message.canonical)
    type_ = event_type(summary.document_type, document)
    if type_ is None:
        return []
    kind = EVENTS[type_]
    owner = owner_of(kind, document, summary.source, aliases)
    receivers = [sub for sub in subscriptions if _receives(sub, type_, owner)]
    if not receivers:
        return []
    key = summary.correlation_key or summary.id
    body = event_body(
        kind,
        type_,
        message_id=summary.id,
        correlation_key=key,
        partner=owner,
        received_at=summary.received_at,
        canonical=message.canonical,
    )
    return [
        (
            Delivery(
                id=new_id(),
                message_id=summary.id,
                route=sub.route,
                endpoint=WEBHOOK_ENDPOINT,
                lane=message.lane,
                idempotency_key=webhook_id(summary.id, sub.id),
                correlation_key=delivery_key(sub.id, key),
                content_type="application/json",
                body=body,
                trace_context=message.trace_context,
            ),
            type_,
        )
        for sub in receivers
    ]


def _receives(sub: Subscription, type_: str, owner: str | None) -> bool:
    """A subscription gets an event it subscribed to about its own partner's document; an
    operator's subscription with no partner gets every partner's."""
    if type_ not in sub.event_types:
        return False
    return sub.partner is None or (owner is not None and sub.partner == owner)
