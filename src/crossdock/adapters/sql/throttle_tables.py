"""The throttle's token buckets: one row per (client, product), shared by every process.

Defined on the shared `metadata` (`schema_version.metadata_with_every_table` imports this
module), portable Core only. `tokens` is the level at `updated_at` (epoch seconds from the
process that last leased); the level now is computed from the policy, never stored.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, PrimaryKeyConstraint, String, Table

from crossdock.adapters.sql.tables import metadata

throttle_buckets = Table(
    "throttle_buckets",
    metadata,
    Column("client", String(256), nullable=False),
    Column("product", String(64), nullable=False),
    Column("tokens", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    PrimaryKeyConstraint("client", "product"),
)
