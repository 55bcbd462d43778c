"""Webhook subscriptions, their delivery log and the inbound replay cache, on SQL."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from crossdock.adapters.sql.convert import from_epoch, from_epoch_required, storable, to_epoch
from crossdock.adapters.sql.webhook_tables import (
    webhook_deliveries,
    webhook_inbound_seen,
    webhook_subscriptions,
)
from crossdock.hub.webhook_records import (
    ACTIVE,
    DISABLED,
    Subscription,
    SubscriptionChange,
    WebhookDeliveryRef,
)

_S = webhook_subscriptions
_D = webhook_deliveries


def _subscription(row: Any) -> Subscription:
    return Subscription(
        id=row.id,
        partner=row.partner,
        url=row.url,
        event_types=tuple(json.loads(row.event_types)),
        secret=row.secret,
        created_at=from_epoch_required(row.created_at),
        created_by=row.created_by,
        description=row.description,
        previous_secret=row.previous_secret,
        previous_until=from_epoch(row.previous_until),
        status=row.status,
        disabled_at=from_epoch(row.disabled_at),
        disabled_reason=row.disabled_reason,
    )


class SqlWebhookStore:
    """The hub's `WebhookStore` inside one unit of work's connection."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, subscription: Subscription) -> None:
        s = subscription
        self._conn.execute(
            insert(_S).values(
                id=s.id,
                partner=s.partner,
                url=s.url,
                event_types=json.dumps(list(s.event_types)),
                secret=s.secret,
                previous_secret=s.previous_secret,
                previous_until=None if s.previous_until is None else to_epoch(s.previous_until),
                status=s.status,
                description=storable(s.description),
                created_at=to_epoch(s.created_at),
                created_by=s.created_by,
                disabled_at=None if s.disabled_at is None else to_epoch(s.disabled_at),
                disabled_reason=storable(s.disabled_reason),
            )
        )

    def get(self, subscription_id: str) -> Subscription | None:
        row = self._conn.execute(select(_S).where(_S.c.id == subscription_id)).first()
        return None if row is None else _subscription(row)

    def subscriptions(self, partner: str | None = None) -> list[Subscription]:
        query = select(_S).order_by(_S.c.created_at, _S.c.id)
        if partner is not None:
            query = query.where(_S.c.partner == partner)
        return [_subscription(r) for r in self._conn.execute(query)]

    def active_for(self, event_types: Sequence[str]) -> list[Subscription]:
        wanted = set(event_types)
        rows = self._conn.execute(select(_S).where(_S.c.status == ACTIVE).order_by(_S.c.id))
        found = [_subscription(r) for r in rows]
        return [s for s in found if wanted.intersection(s.event_types)]

    def delete(self, subscription_id: str) -> bool:
        gone = self._conn.execute(delete(_S).where(_S.c.id == subscription_id))
        return bool(gone.rowcount == 1)

    def rotate(self, subscription_id: str, change: SubscriptionChange) -> bool:
        until = change.previous_until
        done = self._conn.execute(
            update(_S)
            .where(_S.c.id == subscription_id)
            .values(
                secret=change.secret,
                previous_secret=change.previous_secret,
                previous_until=None if until is None else to_epoch(until),
            )
        )
        return bool(done.rowcount == 1)

    def disable(self, subscription_id: str, at: Any, reason: str) -> bool:
        done = self._conn.execute(
            update(_S)
            .where(_S.c.id == subscription_id, _S.c.status == ACTIVE)
            .values(status=DISABLED, disabled_at=to_epoch(at), disabled_reason=storable(reason))
        )
        return bool(done.rowcount == 1)

    def link(self, refs: Sequence[WebhookDeliveryRef]) -> None:
        if refs:
            self._conn.execute(
                insert(_D),
                [
                    {
                        "delivery_id": r.delivery_id,
                        "subscription_id": r.subscription_id,
                        "message_id": r.message_id,
                        "event_type": r.event_type,
                        "created_at": to_epoch(r.created_at),
                    }
                    for r in refs
                ],
            )

    def deliveries(self, subscription_id: str, limit: int = 100) -> list[WebhookDeliveryRef]:
        rows = self._conn.execute(
            select(_D)
            .where(_D.c.subscription_id == subscription_id)
            .order_by(_D.c.created_at.desc(), _D.c.delivery_id.desc())
            .limit(limit)
        )
        return [
            WebhookDeliveryRef(
                r.subscription_id,
                r.delivery_id,
                r.message_id,
                r.event_type,
                from_epoch_required(r.created_at),
            )
            for r in rows
        ]

    def claim_inbound(
        self, source: str, msg_id: str, timestamp: int, expires_at: float, now: float
    ) -> bool:
        seen = webhook_inbound_seen
        self._conn.execute(delete(seen).where(seen.c.expires_at < now))
        # A savepoint: on PostgreSQL a unique violation would abort the whole transaction,
        # and the caller's recording of the request shares it.
        try:
            with self._conn.begin_nested():
                self._conn.execute(
                    insert(seen).values(
                        source=source,
                        msg_id=msg_id,
                        timestamp=timestamp,
                        expires_at=expires_at,
                    )
                )
        except IntegrityError:
            return False
        return True
