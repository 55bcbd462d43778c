"""Tables of the flow engine: instances, timers, exceptions. Portable SQLAlchemy Core.

Defined on the shared `metadata`, so `make_engine` creates them with the rest of the schema
(engine.py imports this module before `create_all`). Times are epoch seconds like every other
table; JSON documents are text (portable, and nothing queries inside them).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, Index, Integer, String, Table, Text

from crossdock.adapters.sql.tables import metadata

flow_instances = Table(
    "flow_instances",
    metadata,
    Column("flow", String(64), primary_key=True),
    Column("key", String(256), primary_key=True),
    Column("state", String(64), nullable=False),
    Column("data", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("completed", Boolean, nullable=False, default=False),
    Index("ix_flow_instances_state", "flow", "state"),
    Index("ix_flow_instances_updated", "updated_at"),
    # Retention keeps every message whose correlation key has an open flow (0010_retention).
    Index("ix_flow_instances_key", "key", "completed"),
)

# One row per (instance, timer name): setting a timer again moves it. `fired_at` stays set
# once fired (the flow view shows it); the lease keeps two processes from firing one timer.
flow_timers = Table(
    "flow_timers",
    metadata,
    Column("flow", String(64), primary_key=True),
    Column("key", String(256), primary_key=True),
    Column("name", String(64), primary_key=True),
    Column("due_at", Float, nullable=False),
    Column("lease_until", Float, nullable=False, default=0.0),
    Column("lease_owner", String(64)),
    Column("fired_at", Float),
    Index("ix_flow_timers_due", "due_at"),
)

exceptions = Table(
    "exceptions",
    metadata,
    Column("id", String(26), primary_key=True),
    Column("category", String(32), nullable=False),
    Column("owner_role", String(64), nullable=False),
    Column("flow", String(64)),
    Column("correlation_key", String(256)),
    Column("evidence", Text, nullable=False),
    Column("detail", Text, nullable=False),
    Column("data", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("resolved_at", Float),
    Column("resolution", Text),
    Column("actions", Text, nullable=False, default="[]"),
    Index("ix_exceptions_status", "status", "category"),
    Index("ix_exceptions_category", "category"),
    Index("ix_exceptions_correlation", "correlation_key"),
    # Retention reads the evidence of exceptions raised since its last look (0010_retention).
    Index("ix_exceptions_created", "created_at"),
)
