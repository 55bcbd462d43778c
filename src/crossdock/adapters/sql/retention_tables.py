"""The record of retention runs (`crossdock retention status`): one row per run.

Defined on the shared `metadata` (`schema_version.metadata_with_every_table` imports this
module), portable Core only; times are epoch seconds, the archive paths a JSON list.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, String, Table, Text

from crossdock.adapters.sql.tables import BigId, metadata

retention_runs = Table(
    "retention_runs",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("started_at", Float, nullable=False),
    Column("finished_at", Float),
    Column("trigger", String(16), nullable=False),
    Column("messages", Integer, nullable=False),
    Column("deliveries", Integer, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("flows", Integer, nullable=False),
    Column("batches", Integer, nullable=False),
    Column("archives", Text, nullable=False),
    Column("error", Text),
    Index("ix_retention_runs_started", "started_at"),
)
