"""Retention: the record of retention runs, and the indexes its eligibility checks use.

`retention_runs` is what `crossdock retention status` reports. The index on flow instances by
key lets a prune batch ask "is there an open flow for this correlation key" in one seek; the
one on exceptions by creation time lets it read only the exceptions raised since its last look.

Revision ID: 0010_retention
Revises: 0009_products
Create Date: 2026-12-07

Written out (not built from the live table definition), like every revision.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0010_retention"
down_revision: str | Sequence[str] | None = "0009_products"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema. The indexes are ``if_not_exists``: adopting a store from before
    migrations runs `create_all` first, which already adds them to the existing tables."""
    op.create_table(
        "retention_runs",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("started_at", sa.Float(), nullable=False),
        sa.Column("finished_at", sa.Float(), nullable=True),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("deliveries", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("flows", sa.Integer(), nullable=False),
        sa.Column("batches", sa.Integer(), nullable=False),
        sa.Column("archives", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_retention_runs_started", "retention_runs", ["started_at"], unique=False)
    op.create_index(
        "ix_flow_instances_key",
        "flow_instances",
        ["key", "completed"],
        unique=False,
        if_not_exists=True,
    )
    op.create_index(
        "ix_exceptions_created", "exceptions", ["created_at"], unique=False, if_not_exists=True
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_exceptions_created", table_name="exceptions")
    op.drop_index("ix_flow_instances_key", table_name="flow_instances")
    op.drop_index("ix_retention_runs_started", table_name="retention_runs")
    op.drop_table("retention_runs")
