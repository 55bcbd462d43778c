"""`crossdock up` on a PostgreSQL store, end to end, with real processes.

Two hub processes share one PostgreSQL schema (and even one data dir: the SQLite data-dir
lock does not apply to a PostgreSQL store). A few hundred purchase orders posted to both,
from several clients at once, all reach the HTTP sink exactly once, each PO's revisions in
the order they were accepted; `crossdock messages list` reads the same store.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from crossdock.sandbox.sink import RunningSink
from tests.auth_helpers import ADMIN_HEADERS
from tests.integration.conftest import po_with_number
from tests.integration.hubproc import HubProcess, sink_config, wait_for

pytestmark = pytest.mark.slow

CLIENTS = 4
POS_PER_CLIENT = 10
REVISIONS = 8  # per PO: 4 x 10 x 8 = 320 documents


def _post_all(
    hubs: list[HubProcess], client_no: int, po_example: dict[str, Any], accepted: dict[str, list]
) -> None:
    """One client's POs, revision by revision (a PO's revisions are posted in order, each
    after the previous one's 202), alternating between the hubs."""
    with httpx.Client(timeout=30, headers=ADMIN_HEADERS) as client:
        for revision in range(REVISIONS):
            for n in range(POS_PER_CLIENT):
                po = f"PO-{client_no}-{n}"
                doc = po_with_number(po_example, po)
                doc["notes"] = [f"revision {revision}"]
                hub = hubs[(revision + n) % len(hubs)]
                response = client.post(
                    f"{hub.url}/v1/messages/purchase_order",
                    json=doc,
                    headers={"Idempotency-Key": f"{po}-r{revision}"},
                )
                assert response.status_code == 202, response.text
                accepted[po].append(response.json()["id"])


def test_two_hubs_on_one_postgres_store_deliver_everything_once_in_key_order(
    workdir: Path, sink: RunningSink, po_example: dict[str, Any], postgres_url: str
) -> None:
    config = {**sink_config(sink.url), "store": {"url": postgres_url}}
    for name in ("a", "b"):
        (workdir / name).mkdir()
    first, second = HubProcess(workdir / "a", config), HubProcess(workdir / "b", config)
    second.data_dir = first.data_dir  # one data dir: no SQLite lock for a PostgreSQL store
    hubs = [first, second]
    accepted: dict[str, list[str]] = defaultdict(list)
    total = CLIENTS * POS_PER_CLIENT * REVISIONS
    try:
        started = time.monotonic()
        for hub in hubs:
            hub.start()
        up = time.monotonic()
        clients = [
            threading.Thread(target=_post_all, args=(hubs, c, po_example, accepted))
            for c in range(CLIENTS)
        ]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join(120)
        assert sum(len(ids) for ids in accepted.values()) == total
        posted = time.monotonic()

        def stats() -> dict[str, Any]:
            got = httpx.get(f"{sink.url}/_stats", params={"detail": 1}, timeout=10)
            return dict(got.json())

        wait_for(lambda: stats()["unique_keys"] >= total, timeout=90)
        final = stats()
        delivered = time.monotonic()
        deliveries = final["deliveries"]
        print(
            f"accepted {total} by 2 hubs; sink received {final['received']}, "
            f"unique {final['unique_keys']}, duplicates {final['duplicates']}; start "
            f"{up - started:.1f} s, posts {posted - up:.1f} s, last delivery after "
            f"{delivered - posted:.1f} s"
        )
        assert final["unique_keys"] == total and final["duplicates"] == 0
        by_key: dict[str, list[str]] = defaultdict(list)
        for delivery in deliveries:
            by_key[delivery["correlation_key"]].append(delivery["message_id"])
        assert dict(by_key) == dict(accepted)  # each PO's revisions in acceptance order

        listed = first.cli("messages", "list", "--json", "--limit", "1000")
        assert listed.returncode == 0, listed.stderr
        rows = json.loads(listed.stdout)
        assert len(rows) == total
        assert {r["status"] for r in rows} == {"delivered"}
    finally:
        for hub in hubs:
            hub.stop()
    # The hubs honoured the URL's search_path: everything is in the test's own schema.
    engine = create_engine(postgres_url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            schema = conn.execute(text("SELECT current_schema()")).scalar_one()
            where = conn.execute(
                text("SELECT table_schema FROM information_schema.tables WHERE table_name = :t"),
                {"t": "messages"},
            ).scalars()
            in_schema = [found for found in where if found == schema]
            stored = conn.execute(text("SELECT count(*) FROM messages")).scalar_one()
    finally:
        engine.dispose()
    assert schema.startswith("t_") and in_schema == [schema] and stored == total
    assert not (first.data_dir / "crossdock.db").exists()  # nothing went to SQLite
