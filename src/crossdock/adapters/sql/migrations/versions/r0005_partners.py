"""Partner registry: registered partners and their certification samples.

Revision ID: 0005_partners
Revises: 0004_oauth_keys
Create Date: 2026-12-07

Written out (not built from the live table definition), like every revision.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005_partners"
down_revision: str | Sequence[str] | None = "0004_oauth_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "partners",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("x12_sender", sa.String(length=32), nullable=True),
        sa.Column("settings", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.Column("state_changed_at", sa.Float(), nullable=False),
        sa.Column("live_at", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_index("ux_partners_x12_sender", "partners", ["x12_sender"], unique=True)
    op.create_table(
        "partner_certifications",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("partner", sa.String(length=64), nullable=False),
        sa.Column("document_type", sa.String(length=64), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("errors", sa.Text(), nullable=False),
        sa.Column("reference", sa.String(length=128), nullable=True),
        sa.Column("received_at", sa.Float(), nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_partner_certifications_partner",
        "partner_certifications",
        ["partner", "received_at"],
        unique=False,
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_partner_certifications_partner", table_name="partner_certifications")
    op.drop_table("partner_certifications")
    op.drop_index("ux_partners_x12_sender", table_name="partners")
    op.drop_table("partners")
