"""Message sender: who sent each message (the principal's subject) and its partner.

Revision ID: 0008_message_sender
Revises: 0007_webhooks
Create Date: 2026-12-07

Written out (not built from the live table definition), like every revision. Both columns
are nullable: messages recorded before have no proven sender, and work the hub does on its
own behalf (flows, acknowledgments) has none either. The index serves a partner's reads,
which are confined to its own messages, newest first.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008_message_sender"
down_revision: str | Sequence[str] | None = "0007_webhooks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("sender", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("partner", sa.String(length=64), nullable=True))
    op.create_index("ix_messages_partner", "messages", ["partner", "received_at"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_messages_partner", table_name="messages")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("partner")
        batch.drop_column("sender")
