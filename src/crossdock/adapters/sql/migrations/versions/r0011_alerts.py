"""Alerts: the alert events the rules raise (`crossdock.hub.alerts`), open and cleared; and
an index on the outbound X12 ledger's status, so the "997 overdue" rule reads the
unacknowledged documents without scanning every document ever sent.

Revision ID: 0011_alerts
Revises: 0010_retention
Create Date: 2026-12-07

Written out (not built from the live table definition), like every revision.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0011_alerts"
down_revision: str | Sequence[str] | None = "0010_retention"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "alerts",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=256), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("opened_at", sa.Float(), nullable=False),
        sa.Column("cleared_at", sa.Float(), nullable=True),
        sa.Column("open_key", sa.String(length=330), nullable=True),
        sa.Column("open_sent", sa.Boolean(), nullable=False),
        sa.Column("clear_sent", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("open_key", name="uq_alerts_open_key"),
    )
    op.create_index("ix_alerts_opened", "alerts", ["opened_at"], unique=False)
    # ``if_not_exists``: adopting a store from before migrations runs `create_all` first,
    # which already adds the new index to the existing table.
    op.create_index(
        "ix_x12_outbound_status",
        "x12_outbound",
        ["status", "created_at"],
        unique=False,
        if_not_exists=True,
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_x12_outbound_status", table_name="x12_outbound")
    op.drop_index("ix_alerts_opened", table_name="alerts")
    op.drop_table("alerts")
