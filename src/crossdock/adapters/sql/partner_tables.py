"""Tables of the partner registry: registered partners and their certification samples.

Defined on the shared `metadata` (`schema_version.metadata_with_every_table` imports this
module), created by revision 0005. The partner's settings are one JSON document (validated
by `hub.partners.model` on the way in and out); the columns beside it are what is looked up
or kept unique: the name, the state, and the X12 sender (``QUALIFIER/ID``, upper-cased), which
a unique index keeps to one registered partner. Times are epoch seconds like every table.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, Index, LargeBinary, String, Table, Text

from crossdock.adapters.sql.tables import metadata

partners = Table(
    "partners",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("x12_sender", String(32)),
    Column("settings", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("state_changed_at", Float, nullable=False),
    Column("live_at", Float),
    Index("ux_partners_x12_sender", "x12_sender", unique=True),
)

partner_certifications = Table(
    "partner_certifications",
    metadata,
    Column("id", String(26), primary_key=True),
    Column("partner", String(64), nullable=False),
    Column("document_type", String(64), nullable=False),
    Column("format", String(8), nullable=False),
    Column("passed", Boolean, nullable=False),
    Column("errors", Text, nullable=False),
    Column("reference", String(128)),
    Column("received_at", Float, nullable=False),
    Column("body_sha256", String(64), nullable=False),
    Column("raw", LargeBinary, nullable=False),
    Index("ix_partner_certifications_partner", "partner", "received_at"),
)
