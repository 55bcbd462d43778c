"""Table definitions. Portable SQLAlchemy Core only: the same schema runs on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL wants BIGINT for a log.
BigId = BigInteger().with_variant(Integer(), "sqlite")
# Replay markers are epoch microseconds (~1.8e15): past a 32-bit INTEGER on PostgreSQL. SQLite's
# INTEGER is 64-bit already, and keeps its DDL, so stores written before stay identical.
Marker = BigInteger().with_variant(Integer(), "sqlite")

messages = Table(
    "messages",
    metadata,
    Column("id", String(26), primary_key=True),
    Column("document_type", String(64), nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("source", String(128), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("correlation_key", String(256)),
    Column("causation_id", String(64)),
    Column("idempotency_key", String(256)),
    Column("body_sha256", String(64), nullable=False),
    Column("received_at", Float, nullable=False),
    Column("content_type", String(128), nullable=False),
    Column("raw", LargeBinary, nullable=False),
    Column("canonical", LargeBinary),
    Column("status", String(16), nullable=False),
    Column("errors", Text),
    Column("lane", String(16), nullable=False),
    Column("duplicates", Integer, nullable=False, default=0),
    # Who sent it (the principal's subject) and the partner it belongs to (0008_message_sender).
    Column("sender", String(128)),
    Column("partner", String(64)),
    # The producer's W3C traceparent (0012_trace_ctx): deliveries continue its trace.
    Column("trace_context", String(55)),
    UniqueConstraint("source", "idempotency_key", name="uq_messages_idempotency"),
    # Type and time after the key: "the latest document of this type for this key" is one
    # index seek (API products), and its prefix serves every correlation lookup.
    Index("ix_messages_correlation_type", "correlation_key", "document_type", "received_at"),
    Index("ix_messages_partner", "partner", "received_at"),
    Index("ix_messages_type_received", "document_type", "received_at"),
    Index("ix_messages_received", "received_at"),
)

# The topic log: every published entry, in order. The outbox rows of a unit of work.
bus_log = Table(
    "bus_log",
    metadata,
    Column("seq", BigId, primary_key=True, autoincrement=True),
    Column("subject", String(256), nullable=False),
    Column("key", String(256), nullable=False),
    Column("message_id", String(64), nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("published_at", Float, nullable=False),
    Index("ix_bus_log_message", "message_id"),
)

# Durable consumer groups and how far each has pulled the log into its pending set.
bus_groups = Table(
    "bus_groups",
    metadata,
    Column("name", String(128), primary_key=True),
    Column("subjects", Text, nullable=False),
    Column("lane", String(16), nullable=False),
    Column("max_deliver", Integer, nullable=False),
    Column("ack_wait", Float, nullable=False),
    Column("cursor", BigInteger, nullable=False, default=0),
)

# Entries a group has pulled but not acknowledged: ready, leased, waiting for a retry, or dead.
bus_pending = Table(
    "bus_pending",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("group_name", String(128), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("key", String(256), nullable=False),
    Column("state", String(8), nullable=False),  # ready | dead
    Column("deliveries", Integer, nullable=False, default=0),
    Column("available_at", Float, nullable=False),
    Column("leased_until", Float, nullable=False, default=0.0),
    Column("replay", Marker, nullable=False, default=0),
    Column("last_error", Text),
    Column("dead_at", Float),
    # Scanned in id order: fetch stops after `limit` eligible rows instead of sorting them all.
    Index("ix_pending_ready", "group_name", "state", "id"),
    Index("ix_pending_key", "group_name", "key", "id"),
)

# One row per replay the bus performed (message replay, replay from a sequence or time, dead
# letters retried), written in the replay's own transaction: pending rows are deleted once
# acknowledged, so without this nothing durable would say a replay ever happened (replay KPI).
bus_replays = Table(
    "bus_replays",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False),
    Column("kind", String(16), nullable=False),  # messages | from | dead_letters
    Column("group_name", String(128)),
    Column("entries", Integer, nullable=False),
    Column("marker", BigInteger),
    Index("ix_bus_replays_at", "at"),
)

inbox = Table(
    "inbox",
    metadata,
    Column("consumer", String(128), primary_key=True),
    Column("message_id", String(64), primary_key=True),
    Column("replay", Marker, primary_key=True),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", String(26), primary_key=True),
    Column("message_id", String(26), nullable=False),
    Column("route", String(128), nullable=False),
    Column("endpoint", String(128), nullable=False),
    Column("lane", String(16), nullable=False),
    Column("idempotency_key", String(256), nullable=False),
    Column("correlation_key", String(256), nullable=False),
    Column("content_type", String(128), nullable=False),
    # The encoded body travels in the delivery's bus entry (stored once, sent without a read).
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Index("ix_deliveries_message", "message_id"),
)

delivery_attempts = Table(
    "delivery_attempts",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("delivery_id", String(26), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("started_at", Float, nullable=False),
    Column("duration_ms", Float, nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("status_code", Integer),
    Column("error", Text),
    Index("ix_attempts_delivery", "delivery_id"),
)

endpoint_states = Table(
    "endpoint_states",
    metadata,
    Column("name", String(128), primary_key=True),
    Column("circuit", String(16), nullable=False),
    Column("consecutive_failures", Integer, nullable=False),
    Column("opened_at", Float),
)

# Inbound interchanges by sender and ISA13: the duplicate check, and the ack sent back.
x12_interchanges = Table(
    "x12_interchanges",
    metadata,
    Column("sender", String(64), primary_key=True),
    Column("control_number", String(16), primary_key=True),
    Column("partner", String(128)),
    Column("received_at", Float, nullable=False),
    Column("message_ids", Text, nullable=False),
    Column("ack", Text),
)

# The next control number per partner and level (interchange / group / transaction).
x12_control_numbers = Table(
    "x12_control_numbers",
    metadata,
    Column("partner", String(128), primary_key=True),
    Column("level", String(16), primary_key=True),
    Column("next_value", BigInteger, nullable=False),
)

# Transaction sets sent to partners, so their 997/999 can mark them accepted or rejected.
x12_outbound = Table(
    "x12_outbound",
    metadata,
    Column("partner", String(128), primary_key=True),
    Column("group_control", BigInteger, primary_key=True),
    Column("transaction_control", BigInteger, primary_key=True),
    Column("interchange_control", BigInteger, nullable=False),
    Column("transaction_code", String(8), nullable=False),
    Column("functional_id", String(4), nullable=False),
    Column("message_id", String(26), nullable=False),
    Column("delivery_id", String(26), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("status", String(24), nullable=False),
    Column("reason", Text),
    Column("ack_message_id", String(26)),
    Index("ix_x12_outbound_message", "message_id"),
    # The alerts' "997 overdue" rule reads the unacknowledged ones (0011_alerts).
    Index("ix_x12_outbound_status", "status", "created_at"),
)

# Named leases that let one hub process at a time run a cluster-wide periodic job (flow
# timers, reconciliation, POD fetch, drop-folder polls): `job_leases.SqlJobLeases`. Epoch
# seconds from the acquiring process's clock; a lease is free once `expires_at` has passed.
job_leases = Table(
    "job_leases",
    metadata,
    Column("name", String(128), primary_key=True),
    Column("owner", String(128), nullable=False),
    Column("acquired_at", Float, nullable=False),
    Column("renewed_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
)
