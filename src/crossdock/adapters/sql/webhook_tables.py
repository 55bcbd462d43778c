"""Tables of outbound webhook subscriptions and the inbound replay cache (portable Core).

Times are epoch seconds like every other table; the event types are a JSON list in text
(nothing queries inside it: the fan-out reads the few active subscriptions and filters).
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, String, Table, Text, UniqueConstraint

from crossdock.adapters.sql.tables import BigId, metadata

webhook_subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    Column("id", String(26), primary_key=True),
    Column("partner", String(128)),  # NULL: an operator's subscription to every partner
    Column("url", Text, nullable=False),
    Column("event_types", Text, nullable=False),
    Column("secret", String(128), nullable=False),
    Column("previous_secret", String(128)),
    Column("previous_until", Float),
    Column("status", String(16), nullable=False),
    Column("description", Text),
    Column("created_at", Float, nullable=False),
    Column("created_by", String(256), nullable=False),
    Column("disabled_at", Float),
    Column("disabled_reason", Text),
    Index("ix_webhook_subscriptions_partner", "partner"),
)

# One row per delivery made for a subscription (the delivery itself is in `deliveries`).
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("delivery_id", String(26), primary_key=True),
    Column("subscription_id", String(26), nullable=False),
    Column("message_id", String(26), nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
    Index("ix_webhook_deliveries_subscription", "subscription_id", "created_at"),
)

# Verified inbound Standard Webhooks requests within their timestamp window: a second one
# with the same (source, id, timestamp) is a replay of a captured request.
webhook_inbound_seen = Table(
    "webhook_inbound_seen",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("source", String(128), nullable=False),
    Column("msg_id", String(256), nullable=False),
    Column("timestamp", BigId, nullable=False),
    Column("expires_at", Float, nullable=False),
    UniqueConstraint("source", "msg_id", "timestamp", name="uq_webhook_inbound_seen"),
    Index("ix_webhook_inbound_seen_expires", "expires_at"),
)
