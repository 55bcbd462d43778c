"""API products: the message log's correlation index also names the document type and time.

`GET /v1/inventory/availability` answers from the latest `inventory_position` of one
``site/item`` key, and the shipment and purchase order reads ask for one type's documents of
one key. Under the old index (correlation key alone) that read visited every message of the
key (each reconciliation run records a position per item, each movement a message) and
sorted them; with (correlation_key, document_type, received_at) it is one index seek. The
new index replaces the old one (its prefix serves every correlation lookup), so intake still
writes one index entry per message.

Revision ID: 0009_products
Revises: 0008_message_sender
Create Date: 2026-12-07

Written out (not built from the live table definition), like every revision.
"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0009_products"
down_revision: str | Sequence[str] | None = "0008_message_sender"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema. ``if_not_exists``: adopting a store from before migrations runs
    `create_all` first, which already adds the new index to the existing table."""
    op.create_index(
        "ix_messages_correlation_type",
        "messages",
        ["correlation_key", "document_type", "received_at"],
        unique=False,
        if_not_exists=True,
    )
    op.drop_index("ix_messages_correlation", table_name="messages", if_exists=True)


def downgrade() -> None:
    """Downgrade schema."""
    op.create_index("ix_messages_correlation", "messages", ["correlation_key"], unique=False)
    op.drop_index("ix_messages_correlation_type", table_name="messages")
