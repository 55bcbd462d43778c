"""Trace context: the producer's W3C ``traceparent`` stored with each message.

Revision ID: 0012_trace_ctx
Revises: 0011_alerts
Create Date: 2026-12-07

Written out (not built from the live table definition), like every revision. Nullable:
messages recorded before tracing have none (their deliveries start a new trace). 55
characters: the version-00 form, which the hub normalises every inbound header to.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0012_trace_ctx"
down_revision: str | Sequence[str] | None = "0011_alerts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("trace_context", sa.String(length=55), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("trace_context")
