"""Alerts raised by the rules (`crossdock.hub.alerts`): one row per alert, open or cleared.

Defined on the shared `metadata` (`schema_version.metadata_with_every_table` imports this
module), portable Core only. `open_key` is ``rule|subject`` while the alert is open and NULL
once cleared: its unique constraint lets at most one open alert exist per (rule, subject) on
both backends (NULLs are distinct in SQLite and PostgreSQL alike). `open_sent` / `clear_sent`
are the webhook outbox: an event waits there until delivered.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, Index, String, Table, Text, UniqueConstraint

from crossdock.adapters.sql.tables import metadata

alerts = Table(
    "alerts",
    metadata,
    Column("id", String(26), primary_key=True),
    Column("rule", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("subject", String(256), nullable=False),
    Column("summary", Text, nullable=False),
    Column("details", Text, nullable=False),
    Column("opened_at", Float, nullable=False),
    Column("cleared_at", Float),
    Column("open_key", String(330)),
    Column("open_sent", Boolean, nullable=False),
    Column("clear_sent", Boolean, nullable=False),
    UniqueConstraint("open_key", name="uq_alerts_open_key"),
    Index("ix_alerts_opened", "opened_at"),
)
