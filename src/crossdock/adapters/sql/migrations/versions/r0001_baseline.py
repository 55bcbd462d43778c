"""Baseline: the schema of the last release without migrations (what `create_all` made).

Revision ID: 0001_baseline
Revises:
Create Date: 2026-12-06

A store that release wrote has no ``alembic_version`` table; `schema_version` recognises it
and stamps it at this revision in place. Written out (not built from the live table
definitions), so later revisions that change those definitions leave this one as it was.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0001_baseline"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "bus_groups",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("subjects", sa.Text(), nullable=False),
        sa.Column("lane", sa.String(length=16), nullable=False),
        sa.Column("max_deliver", sa.Integer(), nullable=False),
        sa.Column("ack_wait", sa.Float(), nullable=False),
        sa.Column("cursor", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "bus_log",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("subject", sa.String(length=256), nullable=False),
        sa.Column("key", sa.String(length=256), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("published_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index("ix_bus_log_message", "bus_log", ["message_id"], unique=False)
    op.create_table(
        "bus_pending",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("group_name", sa.String(length=128), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.String(length=256), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("deliveries", sa.Integer(), nullable=False),
        sa.Column("available_at", sa.Float(), nullable=False),
        sa.Column("leased_until", sa.Float(), nullable=False),
        sa.Column("replay", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("dead_at", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_pending_key", "bus_pending", ["group_name", "key", "id"], unique=False)
    op.create_index("ix_pending_ready", "bus_pending", ["group_name", "state", "id"], unique=False)
    op.create_table(
        "bus_replays",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("group_name", sa.String(length=128), nullable=True),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("marker", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_bus_replays_at", "bus_replays", ["at"], unique=False)
    op.create_table(
        "deliveries",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("message_id", sa.String(length=26), nullable=False),
        sa.Column("route", sa.String(length=128), nullable=False),
        sa.Column("endpoint", sa.String(length=128), nullable=False),
        sa.Column("lane", sa.String(length=16), nullable=False),
        sa.Column("idempotency_key", sa.String(length=256), nullable=False),
        sa.Column("correlation_key", sa.String(length=256), nullable=False),
        sa.Column("content_type", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_deliveries_message", "deliveries", ["message_id"], unique=False)
    op.create_table(
        "delivery_attempts",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("delivery_id", sa.String(length=26), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.Float(), nullable=False),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_attempts_delivery", "delivery_attempts", ["delivery_id"], unique=False)
    op.create_table(
        "endpoint_states",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("circuit", sa.String(length=16), nullable=False),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "exceptions",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("owner_role", sa.String(length=64), nullable=False),
        sa.Column("flow", sa.String(length=64), nullable=True),
        sa.Column("correlation_key", sa.String(length=256), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("resolved_at", sa.Float(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("actions", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_exceptions_category", "exceptions", ["category"], unique=False)
    op.create_index("ix_exceptions_correlation", "exceptions", ["correlation_key"], unique=False)
    op.create_index("ix_exceptions_status", "exceptions", ["status", "category"], unique=False)
    op.create_table(
        "flow_instances",
        sa.Column("flow", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=256), nullable=False),
        sa.Column("state", sa.String(length=64), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("flow", "key"),
    )
    op.create_index("ix_flow_instances_state", "flow_instances", ["flow", "state"], unique=False)
    op.create_index("ix_flow_instances_updated", "flow_instances", ["updated_at"], unique=False)
    op.create_table(
        "flow_timers",
        sa.Column("flow", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=256), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("due_at", sa.Float(), nullable=False),
        sa.Column("lease_until", sa.Float(), nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("fired_at", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("flow", "key", "name"),
    )
    op.create_index("ix_flow_timers_due", "flow_timers", ["due_at"], unique=False)
    op.create_table(
        "inbox",
        sa.Column("consumer", sa.String(length=128), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("replay", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "message_id", "replay"),
    )
    op.create_table(
        "inventory_drift",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("site", sa.String(length=128), nullable=False),
        sa.Column("item", sa.String(length=256), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("erp_on_hand", sa.String(length=48), nullable=True),
        sa.Column("wms_on_hand", sa.String(length=48), nullable=True),
        sa.Column("erp_available", sa.String(length=48), nullable=True),
        sa.Column("wms_available", sa.String(length=48), nullable=True),
        sa.Column("difference", sa.String(length=48), nullable=False),
        sa.Column("first_seen_at", sa.Float(), nullable=False),
        sa.Column("last_checked_at", sa.Float(), nullable=False),
        sa.Column("resolved_at", sa.Float(), nullable=True),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.Column("exception_id", sa.String(length=26), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_inventory_drift_item", "inventory_drift", ["site", "item"], unique=False)
    op.create_index(
        "ix_inventory_drift_open", "inventory_drift", ["resolved_at", "site", "item"], unique=False
    )
    op.create_table(
        "inventory_runs",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("started_at", sa.Float(), nullable=False),
        sa.Column("finished_at", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("items_compared", sa.Integer(), nullable=False),
        sa.Column("drifting", sa.Integer(), nullable=False),
        sa.Column("new_drift", sa.Integer(), nullable=False),
        sa.Column("resolved", sa.Integer(), nullable=False),
        sa.Column("raised", sa.Integer(), nullable=False),
        sa.Column("in_flight", sa.Integer(), nullable=False),
        sa.Column("erp_positions", sa.Integer(), nullable=False),
        sa.Column("wms_positions", sa.Integer(), nullable=False),
        sa.Column("problems", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_inventory_runs_started", "inventory_runs", ["started_at"], unique=False)
    op.create_table(
        "job_schedules",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("next_due_at", sa.Float(), nullable=False),
        sa.Column("lease_until", sa.Float(), nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "messages",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("document_type", sa.String(length=64), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=128), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("correlation_key", sa.String(length=256), nullable=True),
        sa.Column("causation_id", sa.String(length=64), nullable=True),
        sa.Column("idempotency_key", sa.String(length=256), nullable=True),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.Float(), nullable=False),
        sa.Column("content_type", sa.String(length=128), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("canonical", sa.LargeBinary(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("errors", sa.Text(), nullable=True),
        sa.Column("lane", sa.String(length=16), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "idempotency_key", name="uq_messages_idempotency"),
    )
    op.create_index("ix_messages_correlation", "messages", ["correlation_key"], unique=False)
    op.create_index("ix_messages_received", "messages", ["received_at"], unique=False)
    op.create_index(
        "ix_messages_type_received", "messages", ["document_type", "received_at"], unique=False
    )
    op.create_table(
        "x12_control_numbers",
        sa.Column("partner", sa.String(length=128), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("next_value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("partner", "level"),
    )
    op.create_table(
        "x12_interchanges",
        sa.Column("sender", sa.String(length=64), nullable=False),
        sa.Column("control_number", sa.String(length=16), nullable=False),
        sa.Column("partner", sa.String(length=128), nullable=True),
        sa.Column("received_at", sa.Float(), nullable=False),
        sa.Column("message_ids", sa.Text(), nullable=False),
        sa.Column("ack", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("sender", "control_number"),
    )
    op.create_table(
        "x12_outbound",
        sa.Column("partner", sa.String(length=128), nullable=False),
        sa.Column("group_control", sa.BigInteger(), nullable=False),
        sa.Column("transaction_control", sa.BigInteger(), nullable=False),
        sa.Column("interchange_control", sa.BigInteger(), nullable=False),
        sa.Column("transaction_code", sa.String(length=8), nullable=False),
        sa.Column("functional_id", sa.String(length=4), nullable=False),
        sa.Column("message_id", sa.String(length=26), nullable=False),
        sa.Column("delivery_id", sa.String(length=26), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("ack_message_id", sa.String(length=26), nullable=True),
        sa.PrimaryKeyConstraint("partner", "group_control", "transaction_control"),
    )
    op.create_index("ix_x12_outbound_message", "x12_outbound", ["message_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_x12_outbound_message", table_name="x12_outbound")
    op.drop_table("x12_outbound")
    op.drop_table("x12_interchanges")
    op.drop_table("x12_control_numbers")
    op.drop_index("ix_messages_type_received", table_name="messages")
    op.drop_index("ix_messages_received", table_name="messages")
    op.drop_index("ix_messages_correlation", table_name="messages")
    op.drop_table("messages")
    op.drop_table("job_schedules")
    op.drop_index("ix_inventory_runs_started", table_name="inventory_runs")
    op.drop_table("inventory_runs")
    op.drop_index("ix_inventory_drift_open", table_name="inventory_drift")
    op.drop_index("ix_inventory_drift_item", table_name="inventory_drift")
    op.drop_table("inventory_drift")
    op.drop_table("inbox")
    op.drop_index("ix_flow_timers_due", table_name="flow_timers")
    op.drop_table("flow_timers")
    op.drop_index("ix_flow_instances_updated", table_name="flow_instances")
    op.drop_index("ix_flow_instances_state", table_name="flow_instances")
    op.drop_table("flow_instances")
    op.drop_index("ix_exceptions_status", table_name="exceptions")
    op.drop_index("ix_exceptions_correlation", table_name="exceptions")
    op.drop_index("ix_exceptions_category", table_name="exceptions")
    op.drop_table("exceptions")
    op.drop_table("endpoint_states")
    op.drop_index("ix_attempts_delivery", table_name="delivery_attempts")
    op.drop_table("delivery_attempts")
    op.drop_index("ix_deliveries_message", table_name="deliveries")
    op.drop_table("deliveries")
    op.drop_index("ix_bus_replays_at", table_name="bus_replays")
    op.drop_table("bus_replays")
    op.drop_index("ix_pending_ready", table_name="bus_pending")
    op.drop_index("ix_pending_key", table_name="bus_pending")
    op.drop_table("bus_pending")
    op.drop_index("ix_bus_log_message", table_name="bus_log")
    op.drop_table("bus_log")
    op.drop_table("bus_groups")
