"""Tables for authentication and accountability: API keys and the audit log.

`api_keys` holds a salt and a digest per key, never a secret (`hub.credentials` says why a
keyed BLAKE2b and not bcrypt). `audit_log` is append-only: the code has an INSERT and SELECTs
for it and nothing else (`audit_log.SqlAuditLog`). Times are epoch seconds, like `job_leases`.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, LargeBinary, String, Table, Text

from crossdock.adapters.sql.tables import BigId, metadata

api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", String(32), primary_key=True),
    Column("client_kind", String(16), nullable=False),
    Column("client_name", String(128), nullable=False),
    Column("partner_role", String(16)),
    Column("scopes", Text, nullable=False),  # space-separated
    Column("salt", LargeBinary, nullable=False),
    Column("digest", LargeBinary, nullable=False),
    Column("origin", String(8), nullable=False),
    Column("label", String(200), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float),
    Column("revoked_at", Float),
    Column("first_used_at", Float),
    Column("last_used_at", Float),
    Column("replaces", String(32)),
    Index("ix_api_keys_client", "client_kind", "client_name"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(64), nullable=False),
    Column("target", String(300), nullable=False),
    Column("outcome", String(32), nullable=False),
    Column("source_ip", String(64)),
    Column("detail", Text, nullable=False),  # JSON object
    Index("ix_audit_log_at", "at"),
    Index("ix_audit_log_actor", "actor", "id"),
    Index("ix_audit_log_action", "action", "id"),
)
