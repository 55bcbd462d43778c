"""Throttle buckets: per-client token buckets per API product, shared by every process.

Revision ID: 0006_throttle
Revises: 0005_partners
Create Date: 2026-12-07

Written out (not built from the live table definition), like every revision.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0006_throttle"
down_revision: str | Sequence[str] | None = "0005_partners"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "throttle_buckets",
        sa.Column("client", sa.String(length=256), nullable=False),
        sa.Column("product", sa.String(length=64), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("client", "product"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("throttle_buckets")
