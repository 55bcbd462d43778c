"""The OAuth signing keys' table: one row per key, the newest current, retired ones kept
until every token they signed has expired (then purged).

`private_key` is PKCS#8 PEM, encrypted with the configured key-encryption secret when there
is one (`encrypted`); no endpoint, log or CLI output ever shows it.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, String, Table, Text

from crossdock.adapters.sql.tables import metadata

oauth_signing_keys = Table(
    "oauth_signing_keys",
    metadata,
    Column("kid", String(64), primary_key=True),
    Column("algorithm", String(16), nullable=False),
    Column("public_jwk", Text, nullable=False),
    Column("private_key", Text, nullable=False),
    Column("encrypted", Boolean, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("retire_after", Float),
)
