"""A real hub prunes a store of old messages in the background while intake keeps answering.

The store is filled (straight into the tables) with old, delivered messages; the hub starts
with retention on and a short interval, and purchase orders are posted at a steady rate while
the job works through the backlog in batches. Every post must be answered 202 promptly, the
prune must still have been under way while they were, and in the end every old message is
gone (archived) and every posted one kept.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import time
from pathlib import Path
from typing import Any

from crossdock.adapters.archive.ndjson import read_archive
from crossdock.adapters.sql.tables import deliveries, delivery_attempts, messages
from crossdock.adapters.sqlite.engine import sqlite_url
from crossdock.bootstrap.store import make_engine
from tests.integration.conftest import po_with_number
from tests.integration.hubproc import HubProcess, wait_for

OLD = 20_000
DAY = 86_400.0


def _fill(data_dir: Path) -> None:
    engine = make_engine(sqlite_url(data_dir))
    received = time.time() - 400 * DAY
    raw = json.dumps({"po_number": "x" * 200}).encode()
    try:
        with engine.begin() as conn:
            for start in range(0, OLD, 5_000):
                ids = [f"old-{n:06}" for n in range(start, start + 5_000)]
                conn.execute(
                    messages.insert(),
                    [
                        {
                            "id": i,
                            "document_type": "purchase_order",
                            "schema_version": 1,
                            "source": "erp",
                            "channel": "http",
                            "correlation_key": i,
                            "idempotency_key": i,
                            "body_sha256": "0" * 64,
                            "received_at": received + n,
                            "content_type": "application/json",
                            "raw": raw,
                            "canonical": raw,
                            "status": "delivered",
                            "lane": "critical",
                            "duplicates": 0,
                        }
                        for n, i in enumerate(ids)
                    ],
                )
                conn.execute(
                    deliveries.insert(),
                    [
                        {
                            "id": f"d{i}",
                            "message_id": i,
                            "route": "r",
                            "endpoint": "erp",
                            "lane": "critical",
                            "idempotency_key": i,
                            "correlation_key": i,
                            "content_type": "application/json",
                            "status": "delivered",
                            "attempts": 1,
                        }
                        for i in ids
                    ],
                )
                conn.execute(
                    delivery_attempts.insert(),
                    [
                        {
                            "delivery_id": f"d{i}",
                            "attempt": 1,
                            "started_at": received,
                            "duration_ms": 3.0,
                            "outcome": "ok",
                            "status_code": 200,
                        }
                        for i in ids
                    ],
                )
    finally:
        engine.dispose()


def _count_old(data_dir: Path) -> int:
    with sqlite3.connect(f"file:{data_dir / 'crossdock.db'}?mode=ro", uri=True, timeout=10) as db:
        return int(db.execute("SELECT count(*) FROM messages WHERE id LIKE 'old-%'").fetchone()[0])


def test_intake_keeps_answering_while_a_large_prune_runs(
    tmp_path: Path, po_example: dict[str, Any]
) -> None:
    work = tmp_path / "hub"
    archive = tmp_path / "archive"
    config = {
        "retention": {
            "enabled": True,
            "default_days": 30,
            "interval_seconds": 0.5,
            "batch_size": 100,
            "pause_ms": 10,
            "archive_dir": str(archive),
        },
    }
    hub = HubProcess(work, config)
    hub.data_dir.mkdir(parents=True)
    began = time.monotonic()
    _fill(hub.data_dir)
    filled = time.monotonic()
    hub.start()
    print(f"filled in {filled - began:.1f} s, hub up in {time.monotonic() - filled:.1f} s")
    try:
        wait_for(lambda: _count_old(hub.data_dir) < OLD, timeout=30, interval=0.02)
        latencies: list[float] = []
        remaining: list[int] = []
        with hub.client(timeout=10) as client:
            for n in range(100):
                started = time.perf_counter()
                answer = client.post(
                    "/v1/messages/purchase_order",
                    json=po_with_number(po_example, f"PO-NEW-{n}"),
                    headers={"Idempotency-Key": f"new-{n}"},
                )
                latencies.append(time.perf_counter() - started)
                assert answer.status_code == 202, answer.text
                remaining.append(_count_old(hub.data_dir))
                time.sleep(0.01)
        # the prune was under way while intake ran: most posts met a store still pruning
        assert sum(1 for r in remaining if r > 0) >= 50, remaining[::10]
        assert remaining[0] > remaining[49], remaining[::10]
        assert statistics.median(latencies) < 0.5, sorted(latencies)[-5:]
        assert max(latencies) < 5.0, sorted(latencies)[-5:]

        wait_for(lambda: _count_old(hub.data_dir) == 0, timeout=120, interval=0.2)
        status = wait_for(
            lambda: [
                r for r in json.loads(hub.cli("retention", "status", "--json").stdout)["runs"]
                if r["messages"]
            ],
            timeout=30,
        )  # fmt: skip
        assert sum(r["messages"] for r in status) == OLD
        assert sum(r["attempts"] for r in status) == OLD
    finally:
        hub.stop()
    with sqlite3.connect(hub.data_dir / "crossdock.db") as db:
        kept = db.execute("SELECT count(*) FROM messages WHERE id NOT LIKE 'old-%'").fetchone()
    assert kept[0] == 100  # the posted ones, young
    archived = {line["id"] for path in archive.glob("*/*.ndjson.gz") for line in read_archive(path)}
    assert len(archived) == OLD and all(i.startswith("old-") for i in archived)
