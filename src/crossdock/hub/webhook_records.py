"""Webhook subscriptions as the hub keeps them, and the store port that holds them.

A subscription is a partner's URL for some event types, with the secret its deliveries are
signed with. Secrets are stored as they are (an HMAC needs the key itself, unlike an API key
that can be kept as a hash): the store is where the hub's other credentials' effects live too,
and the secret is shown once, at creation or rotation, never listed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from crossdock.hub.webhook_signing import decode_secret

#: The one endpoint of the delivery machinery that every subscription's deliveries go through.
WEBHOOK_ENDPOINT = "webhooks"
ROUTE_PREFIX = "webhook:"

ACTIVE = "active"
DISABLED = "disabled"


@dataclass(slots=True)
class Subscription:
    """A partner's (or, with no partner, an operator's) URL for some event types.

    `previous_secret` keeps signing next to `secret` until `previous_until` after a rotation,
    so a receiver that has not switched yet still verifies. `status` is ``active`` or
    ``disabled`` (the receiver answered 410 Gone, or an operator disabled it: `disabled_reason`
    says which); a disabled subscription gets no deliveries.
    """

    id: str
    partner: str | None
    url: str
    event_types: tuple[str, ...]
    secret: str
    created_at: datetime
    created_by: str
    description: str | None = None
    previous_secret: str | None = None
    previous_until: datetime | None = None
    status: str = ACTIVE
    disabled_at: datetime | None = None
    disabled_reason: str | None = None

    @property
    def active(self) -> bool:
        return self.status == ACTIVE

    @property
    def route(self) -> str:
        return ROUTE_PREFIX + self.id

    def signing_keys(self, now: datetime) -> list[bytes]:
        """The keys an attempt at `now` is signed with: the current one, then the previous
        one while its overlap lasts (receivers verify with whichever they hold)."""
        keys = [decode_secret(self.secret)]
        if self.previous_secret and self.previous_until and now < self.previous_until:
            keys.append(decode_secret(self.previous_secret))
        return keys


@dataclass(frozen=True, slots=True)
class WebhookDeliveryRef:
    """A delivery made for a subscription: which event of which message."""

    subscription_id: str
    delivery_id: str
    message_id: str
    event_type: str
    created_at: datetime


@dataclass(slots=True)
class SubscriptionChange:
    """A secret rotation: the new current secret, the old one kept until `previous_until`."""

    secret: str
    previous_secret: str | None
    previous_until: datetime | None
    extra: dict[str, str] = field(default_factory=dict)


class WebhookStore(Protocol):
    """Subscriptions, the deliveries made for them, and the inbound replay cache."""

    def add(self, subscription: Subscription) -> None: ...

    def get(self, subscription_id: str) -> Subscription | None: ...

    def subscriptions(self, partner: str | None = None) -> list[Subscription]:
        """Every subscription, or only `partner`'s, oldest first."""
        ...

    def active_for(self, event_types: Sequence[str]) -> list[Subscription]:
        """The active subscriptions to any of `event_types`."""
        ...

    def delete(self, subscription_id: str) -> bool: ...

    def rotate(self, subscription_id: str, change: SubscriptionChange) -> bool: ...

    def disable(self, subscription_id: str, at: datetime, reason: str) -> bool:
        """Disable an active subscription; False when it was not active (already disabled,
        or gone): the caller records the change only once."""
        ...

    def link(self, refs: Sequence[WebhookDeliveryRef]) -> None:
        """Remember which deliveries were made for which subscription (the delivery log)."""
        ...

    def deliveries(self, subscription_id: str, limit: int = 100) -> list[WebhookDeliveryRef]:
        """A subscription's deliveries, newest first."""
        ...

    def claim_inbound(
        self, source: str, msg_id: str, timestamp: int, expires_at: float, now: float
    ) -> bool:
        """Remember a verified inbound (source, webhook-id, timestamp) until `expires_at`
        (epoch seconds: the end of its tolerance window, after which its timestamp is refused
        anyway); False when it was seen before (a replay). Entries past their window (at
        `now`) are forgotten on the way."""
        ...
