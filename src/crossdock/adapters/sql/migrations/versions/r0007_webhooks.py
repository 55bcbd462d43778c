"""Webhooks: subscriptions, the deliveries made for them, the inbound replay cache.

Revision ID: 0007_webhooks
Revises: 0006_throttle
Create Date: 2026-12-07

Written out (not built from the live table definition), like every revision.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007_webhooks"
down_revision: str | Sequence[str] | None = "0006_throttle"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("partner", sa.String(length=128), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("event_types", sa.Text(), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("previous_secret", sa.String(length=128), nullable=True),
        sa.Column("previous_until", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("created_by", sa.String(length=256), nullable=False),
        sa.Column("disabled_at", sa.Float(), nullable=True),
        sa.Column("disabled_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_webhook_subscriptions_partner", "webhook_subscriptions", ["partner"], unique=False
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("delivery_id", sa.String(length=26), nullable=False),
        sa.Column("subscription_id", sa.String(length=26), nullable=False),
        sa.Column("message_id", sa.String(length=26), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("delivery_id"),
    )
    op.create_index(
        "ix_webhook_deliveries_subscription",
        "webhook_deliveries",
        ["subscription_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "webhook_inbound_seen",
        sa.Column("id", _BIG, autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=128), nullable=False),
        sa.Column("msg_id", sa.String(length=256), nullable=False),
        sa.Column("timestamp", _BIG, nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "msg_id", "timestamp", name="uq_webhook_inbound_seen"),
    )
    op.create_index(
        "ix_webhook_inbound_seen_expires", "webhook_inbound_seen", ["expires_at"], unique=False
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_webhook_inbound_seen_expires", table_name="webhook_inbound_seen")
    op.drop_table("webhook_inbound_seen")
    op.drop_index("ix_webhook_deliveries_subscription", table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_index("ix_webhook_subscriptions_partner", table_name="webhook_subscriptions")
    op.drop_table("webhook_subscriptions")
