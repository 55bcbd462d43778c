"""Tables of the inventory reconciliation: drift episodes, runs and the schedule's lease.

Defined on the shared `metadata`, so `make_engine` creates them with the rest of the schema
(`engine.py` imports this module before `create_all`, as it does `flow_tables`). Portable Core
only. Quantities are exact decimals kept as text (nothing sums them in SQL, and SQLite has no
exact numeric type); times are epoch seconds like every other table.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, String, Table, Text

from crossdock.adapters.sql.tables import metadata

# One row per drift episode of one item at one site; at most one open (resolved_at NULL) per
# (site, item). Resolved episodes stay as the item's drift history.
inventory_drift = Table(
    "inventory_drift",
    metadata,
    Column("id", String(26), primary_key=True),
    Column("site", String(128), nullable=False),
    Column("item", String(256), nullable=False),
    Column("unit", String(16), nullable=False),
    Column("erp_on_hand", String(48)),
    Column("wms_on_hand", String(48)),
    Column("erp_available", String(48)),
    Column("wms_available", String(48)),
    Column("difference", String(48), nullable=False),
    Column("first_seen_at", Float, nullable=False),
    Column("last_checked_at", Float, nullable=False),
    Column("resolved_at", Float),
    Column("runs", Integer, nullable=False, default=1),
    Column("exception_id", String(26)),
    Column("evidence", Text, nullable=False, default="[]"),
    Index("ix_inventory_drift_open", "resolved_at", "site", "item"),
    Index("ix_inventory_drift_item", "site", "item"),
)

inventory_runs = Table(
    "inventory_runs",
    metadata,
    Column("id", String(26), primary_key=True),
    Column("started_at", Float, nullable=False),
    Column("finished_at", Float, nullable=False),
    Column("status", String(16), nullable=False),
    Column("items_compared", Integer, nullable=False, default=0),
    Column("drifting", Integer, nullable=False, default=0),
    Column("new_drift", Integer, nullable=False, default=0),
    Column("resolved", Integer, nullable=False, default=0),
    Column("raised", Integer, nullable=False, default=0),
    Column("in_flight", Integer, nullable=False, default=0),
    Column("erp_positions", Integer, nullable=False, default=0),
    Column("wms_positions", Integer, nullable=False, default=0),
    Column("problems", Text, nullable=False, default="[]"),
    Column("error", Text),
    Index("ix_inventory_runs_started", "started_at"),
)

# The schedule of a periodic job: when it is next due and who runs it now (lease, like
# flow_timers), so a restart keeps the rhythm and two processes never run it at once.
job_schedules = Table(
    "job_schedules",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("next_due_at", Float, nullable=False, default=0.0),
    Column("lease_until", Float, nullable=False, default=0.0),
    Column("lease_owner", String(64)),
)
