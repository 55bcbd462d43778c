"""Managing webhook subscriptions: who may do what, shared by the HTTP API (and a CLI).

A partner manages its own subscriptions only: it creates them for itself, and lists, reads,
rotates, deletes and replays only its own (another partner's is "not found", never
"forbidden": a partner cannot learn that it exists). An operator manages all of them, may
subscribe on a partner's behalf, and may subscribe with no partner to every partner's events
(an internal system). Each function takes the ports and the caller's principal, like
`hub.operations`; every change goes through `audit` (one call site per action).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from crossdock.hub.delivery_wire import encode_delivery
from crossdock.hub.identity import Principal
from crossdock.hub.ids import new_id
from crossdock.hub.ports import Bus, UnitOfWork, UnitOfWorkFactory
from crossdock.hub.records import Delivery, DeliveryAttempt, DeliveryStatus
from crossdock.hub.routing import DELIVERY_SUBJECT
from crossdock.hub.webhook_events import EVENTS, PartnerAliases
from crossdock.hub.webhook_fanout import plan_event
from crossdock.hub.webhook_records import (
    WEBHOOK_ENDPOINT,
    Subscription,
    SubscriptionChange,
    WebhookDeliveryRef,
)
from crossdock.hub.webhook_signing import new_secret

#: Dead letters searched for the one a replay names (an operator action, not a hot path).
DEAD_LETTER_SCAN = 100_000


class SubscriptionNotFound(LookupError):
    """No such subscription or delivery, or not the caller's (answered 404)."""


class SubscriptionRefused(PermissionError):
    """The caller may not do this at all (a partner acting for another partner: 403)."""


class InvalidSubscription(ValueError):
    """The request names an unknown event type or an unusable URL (422)."""


class SubscriptionConflict(InvalidSubscription):
    """Not now: the subscription is disabled, or the delivery is still being retried (409)."""


def audit(
    uow: UnitOfWork,
    principal: Principal,
    action: str,
    target: str,
    outcome: str = "ok",
    *,
    source_ip: str | None = None,
    **detail: str,
) -> None:
    """The one place a webhook action is recorded for audit (who, what, target, from where,
    outcome): in `uow`'s transaction, before its commit, so the change and its entry are
    written together."""
    uow.audit.record(principal.subject, action, f"webhook:{target}", outcome, source_ip, detail)


@dataclass(frozen=True, slots=True)
class NewSubscription:
    url: str
    event_types: Sequence[str]
    partner: str | None = None
    description: str | None = None


def _owner_for(principal: Principal, wanted: str | None) -> str | None:
    if principal.is_operator:
        return wanted
    if principal.partner is None:
        raise SubscriptionRefused("only partners and operators manage webhook subscriptions")
    if wanted is not None and wanted != principal.partner:
        raise SubscriptionRefused("a partner subscribes for itself only")
    return principal.partner


def private_host(host: str) -> bool:
    """A loopback, private, link-local or otherwise non-public address (literal, or
    ``localhost``): where a partner's URL must not point the hub's requests."""
    name = host.strip("[]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False  # a name: resolved when sent (see the report on DNS)
    return not address.is_global


def create(
    uow: UnitOfWork,
    principal: Principal,
    new: NewSubscription,
    now: datetime,
    *,
    private_urls: bool = False,
    source_ip: str | None = None,
) -> tuple[Subscription, str]:
    """Store a subscription; returns it and its secret (shown once). Commits.

    A partner's URL may not name a loopback, private or link-local address unless
    `private_urls` (the hub's `webhooks.allow_private_urls`): the hub would otherwise send
    requests into its own network on a partner's behalf. Operators are trusted with it."""
    unknown = sorted(set(new.event_types) - set(EVENTS))
    if unknown or not new.event_types:
        raise InvalidSubscription(
            f"unknown event type(s) {unknown} (known: {', '.join(EVENTS)})"
            if unknown
            else "subscribe to at least one event type"
        )
    parts = urlsplit(new.url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidSubscription(f"the URL must be http(s) with a host, got {new.url!r}")
    if not principal.is_operator and not private_urls and private_host(parts.hostname):
        raise InvalidSubscription(
            f"the URL names a private or loopback address ({parts.hostname}): not allowed"
        )
    secret = new_secret()
    sub = Subscription(
        id=new_id(),
        partner=_owner_for(principal, new.partner),
        url=new.url,
        event_types=tuple(dict.fromkeys(new.event_types)),
        secret=secret,
        created_at=now,
        created_by=principal.subject,
        description=new.description,
    )
    uow.webhooks.add(sub)
    audit(
        uow,
        principal,
        "webhook.subscription.create",
        sub.id,
        source_ip=source_ip,
        partner=sub.partner or "*",
    )
    uow.commit()
    return sub, secret


def visible(uow: UnitOfWork, principal: Principal, subscription_id: str) -> Subscription:
    sub = uow.webhooks.get(subscription_id)
    if sub is None or not principal.may_see(sub.partner):
        raise SubscriptionNotFound(f"no webhook subscription {subscription_id[:64]!r}")
    return sub


def list_for(uow: UnitOfWork, principal: Principal) -> list[Subscription]:
    if principal.is_operator:
        return uow.webhooks.subscriptions()
    if principal.partner is None:
        return []
    return uow.webhooks.subscriptions(principal.partner)


def delete(
    uow: UnitOfWork, principal: Principal, subscription_id: str, *, source_ip: str | None = None
) -> None:
    """Delete a subscription: deliveries still queued for it become dead letters unsent."""
    sub = visible(uow, principal, subscription_id)
    uow.webhooks.delete(sub.id)
    audit(uow, principal, "webhook.subscription.delete", sub.id, source_ip=source_ip)
    uow.commit()


def rotate(
    uow: UnitOfWork,
    principal: Principal,
    subscription_id: str,
    now: datetime,
    overlap: float,
    *,
    source_ip: str | None = None,
) -> tuple[Subscription, str]:
    """A new secret; the old one keeps signing next to it for `overlap` seconds (each
    delivery then carries both signatures). Returns the subscription and the new secret."""
    sub = visible(uow, principal, subscription_id)
    secret = new_secret()
    until = now + timedelta(seconds=overlap) if overlap > 0 else None
    change = SubscriptionChange(secret, sub.secret if until else None, until)
    uow.webhooks.rotate(sub.id, change)
    audit(uow, principal, "webhook.subscription.rotate", sub.id, source_ip=source_ip)
    uow.commit()
    rotated = uow.webhooks.get(sub.id)
    assert rotated is not None
    return rotated, secret


@dataclass(slots=True)
class DeliveryLogEntry:
    """One delivery of a subscription with every attempt (status, code, latency)."""

    ref: WebhookDeliveryRef
    delivery: Delivery | None
    attempts: list[DeliveryAttempt] = field(default_factory=list)


def delivery_log(
    uow: UnitOfWork, principal: Principal, subscription_id: str, limit: int = 100
) -> list[DeliveryLogEntry]:
    sub = visible(uow, principal, subscription_id)
    refs = uow.webhooks.deliveries(sub.id, limit)
    found = uow.deliveries.get_many([r.delivery_id for r in refs])
    by_delivery: dict[str, list[DeliveryAttempt]] = {}
    for a in uow.deliveries.attempts(list(found)) if found else []:
        by_delivery.setdefault(a.delivery_id, []).append(a)
    return [
        DeliveryLogEntry(r, found.get(r.delivery_id), by_delivery.get(r.delivery_id, []))
        for r in refs
    ]


def replay_delivery(
    uows: UnitOfWorkFactory,
    bus: Bus,
    principal: Principal,
    subscription_id: str,
    delivery_id: str,
    aliases: PartnerAliases,
    clock: Callable[[], datetime],
    *,
    source_ip: str | None = None,
) -> str:
    """Send one delivery again through the delivery machinery; returns how.

    A dead-lettered delivery's dead letter is retried (the same delivery gets a new attempt);
    a delivered one is queued anew (a new delivery, built from the message as the fan-out
    built it, with the same `webhook-id`, so a receiver that has it can drop it). One still
    being retried is left to its retries. Short units of work of its own, never one open
    while the bus writes (the embedded store has one writer)."""
    with uows() as uow:
        sub = visible(uow, principal, subscription_id)
        delivery = uow.deliveries.get(delivery_id)
    if not sub.active:
        raise SubscriptionConflict(f"subscription {sub.id} is {sub.status}: nothing is sent")
    if delivery is None or delivery.route != sub.route:
        raise SubscriptionNotFound(f"no delivery {delivery_id[:64]!r} of this subscription")
    if delivery.status is DeliveryStatus.PENDING:
        raise SubscriptionConflict(f"delivery {delivery.id} is still being retried")
    group = f"deliver.{delivery.lane}.{WEBHOOK_ENDPOINT}"
    if delivery.status is DeliveryStatus.DEAD_LETTERED:
        for dead in bus.dead_letters(group, limit=DEAD_LETTER_SCAN):
            if dead.message_id == delivery.message_id and dead.key == delivery.correlation_key:
                bus.retry_dead_letters(group, [dead.pending_id])
                with uows() as uow:
                    uow.deliveries.set_status(
                        delivery.id, DeliveryStatus.PENDING, delivery.attempts, delivery.last_error
                    )
                    audit(
                        uow,
                        principal,
                        "webhook.delivery.replay",
                        f"{sub.id}/{delivery.id}",
                        source_ip=source_ip,
                        how="dead letter",
                    )
                    uow.commit()
                return "dead letter retried"
    with uows() as uow:
        message = uow.messages.get(delivery.message_id)
        known = aliases.including([sub.partner])
        planned = [] if message is None else plan_event(message, [sub], known)
        if not planned:
            raise SubscriptionNotFound(f"the message of delivery {delivery.id} is gone")
        again, type_ = planned[0]
        uow.deliveries.add(again)
        subject = DELIVERY_SUBJECT.format(lane=again.lane, endpoint=again.endpoint)
        uow.outbox.publish(subject, again.correlation_key, again.message_id, encode_delivery(again))
        uow.webhooks.link([WebhookDeliveryRef(sub.id, again.id, again.message_id, type_, clock())])
        audit(
            uow,
            principal,
            "webhook.delivery.replay",
            f"{sub.id}/{delivery.id}",
            source_ip=source_ip,
            how="requeued",
            new=again.id,
        )
        uow.commit()
    return f"queued again as delivery {again.id}"
