"""The bare store: the SQLite writes of one intake with no hub logic around them.

One transaction per message inserts a message-log row and an outbox (bus log) row, with the
hub's table shapes and indexes, into a fresh SQLite file in WAL mode with synchronous=NORMAL,
through the standard library's sqlite3. Rows are built before the clock starts, so the figure
is the database's alone.

    python -m bench.baseline_sqlite [--messages 50000]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from ulid import ULID

from bench.payloads import po_template, render

SCHEMA = """
CREATE TABLE messages (
    id VARCHAR(26) PRIMARY KEY, document_type VARCHAR(64) NOT NULL,
    schema_version INTEGER NOT NULL, source VARCHAR(128) NOT NULL, channel VARCHAR(32) NOT NULL,
    correlation_key VARCHAR(256), causation_id VARCHAR(64), idempotency_key VARCHAR(256),
    body_sha256 VARCHAR(64) NOT NULL, received_at FLOAT NOT NULL,
    content_type VARCHAR(128) NOT NULL, raw BLOB NOT NULL, canonical BLOB,
    status VARCHAR(16) NOT NULL, errors TEXT, lane VARCHAR(16) NOT NULL,
    duplicates INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT uq_messages_idempotency UNIQUE (source, idempotency_key));
CREATE INDEX ix_messages_correlation ON messages (correlation_key);
CREATE INDEX ix_messages_type_received ON messages (document_type, received_at);
CREATE INDEX ix_messages_received ON messages (received_at);
CREATE TABLE bus_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, subject VARCHAR(256) NOT NULL,
    key VARCHAR(256) NOT NULL, message_id VARCHAR(64) NOT NULL, payload BLOB NOT NULL,
    published_at FLOAT NOT NULL);
CREATE INDEX ix_bus_log_message ON bus_log (message_id);
"""

# The smallest rows that still make a message-log row and an outbox row: primary keys only.
MINIMAL_SCHEMA = """
CREATE TABLE messages (id VARCHAR(26) PRIMARY KEY, correlation_key VARCHAR(256),
    idempotency_key VARCHAR(256), body_sha256 VARCHAR(64), received_at FLOAT, raw BLOB,
    canonical BLOB);
CREATE TABLE bus_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, subject VARCHAR(256),
    key VARCHAR(256), message_id VARCHAR(64), payload BLOB, published_at FLOAT);
"""
MINIMAL_INSERT_MESSAGE = "INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?)"

INSERT_MESSAGE = (
    "INSERT INTO messages (id, document_type, schema_version, source, channel, correlation_key,"
    " idempotency_key, body_sha256, received_at, content_type, raw, canonical, status, lane,"
    " duplicates) VALUES (?, 'purchase_order', 1, 'bench', 'http', ?, ?, ?, ?,"
    " 'application/json', ?, ?, 'accepted', 'normal', 0)"
)
INSERT_OUTBOX = (
    "INSERT INTO bus_log (subject, key, message_id, payload, published_at)"
    " VALUES ('messages.purchase_order', ?, ?, X'', ?)"
)


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA temp_store=MEMORY")
    conn.execute("PRAGMA cache_size=-65536")
    return conn


def run(
    messages: int = 50_000, directory: Path | None = None, minimal: bool = False
) -> dict[str, Any]:
    """Time ``messages`` single-message transactions; returns tx/s and the setup.

    Args:
        messages: How many transactions.
        directory: Where the fresh database file goes (a temporary directory inside it).
        minimal: Primary keys only and 64-byte bodies instead of the hub's tables and indexes
            with the real PO body: the ceiling of one transaction per message on this disk.
    """
    template, origin = po_template("sqlite")
    rows = []
    now = time.time()
    for n in range(messages):
        raw = render(template, n)[:64] if minimal else render(template, n)
        key = f"BENCH-sqlite-{n}"
        # The canonical form is about as large as the raw body; store both, as the hub does.
        rows.append((str(ULID()), key, key, hashlib.sha256(raw).hexdigest(), now, raw, raw))
    with tempfile.TemporaryDirectory(dir=directory) as tmp:
        conn = connect(Path(tmp) / "bare.db")
        conn.executescript(MINIMAL_SCHEMA if minimal else SCHEMA)
        insert_message = MINIMAL_INSERT_MESSAGE if minimal else INSERT_MESSAGE
        start = time.perf_counter()
        for msg_id, corr, key, sha, received, raw, canonical in rows:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(insert_message, (msg_id, corr, key, sha, received, raw, canonical))
            conn.execute(INSERT_OUTBOX, (corr, msg_id, received))
            conn.execute("COMMIT")
        seconds = time.perf_counter() - start
        conn.close()
    return {
        "transactions": messages,
        "seconds": round(seconds, 3),
        "tx_per_s": round(messages / seconds, 1),
        "body_bytes": len(rows[0][5]),
        "body_origin": origin,
        "sqlite_version": sqlite3.sqlite_version,
        "schema": "minimal (primary keys only)" if minimal else "hub tables and indexes",
        "settings": "WAL, synchronous=NORMAL, one transaction per message (messages + bus_log)",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="bare SQLite intake writes")
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--dir", type=Path, default=None, help="where the fresh file goes")
    parser.add_argument("--minimal", action="store_true", help="primary keys, tiny bodies")
    args = parser.parse_args()
    print(json.dumps(run(args.messages, args.dir, args.minimal), indent=2))


if __name__ == "__main__":
    main()
