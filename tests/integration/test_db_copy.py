"""`crossdock db copy`: a store a real hub filled on SQLite moves to PostgreSQL through the real
command, survives a kill -9 midway, and a hub on the copy carries on where the first stopped.
PostgreSQL tests skip without TEST_POSTGRES_URL; the refusals run on SQLite alone."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, insert, select

from crossdock.adapters.sql import schema_version as sv
from crossdock.adapters.sql.copy import copy_tables
from crossdock.adapters.sql.tables import bus_log, bus_pending, messages, x12_control_numbers
from crossdock.adapters.sqlite.engine import sqlite_url
from crossdock.bootstrap.store import make_engine
from crossdock.sandbox.sink import RunningSink
from tests.conftest import EXAMPLES, ROOT
from tests.integration.hubproc import CROSSDOCK, HubProcess, free_port, wait_for
from tests.store_rows import snapshot

pytestmark = pytest.mark.slow

FAST = {"max_attempts": 20, "initial_backoff_seconds": 0.05, "max_backoff_seconds": 0.3}
EDI = {"Content-Type": "application/edi-x12"}
ISA13 = re.compile(r"\*(\d{9})\*[01]\*[PT]\*")


def _config(sink: RunningSink, outbox: Path, store_url: str | None = None) -> dict[str, Any]:
    config: dict[str, Any] = {
        "x12": {"qualifier": "ZZ", "id": "PARTNERTEST", "gs_id": "PARTNERTEST"},
        "endpoints": {
            "erp": {"type": "http", "url": f"{sink.url}/in/erp", "retry": FAST},
            "acme-edi": {"type": "folder", "path": str(outbox), "retry": FAST},
            "gone": {  # nothing listens there: its deliveries become dead letters
                "type": "http",
                "url": f"http://127.0.0.1:{free_port()}/in",
                "timeout_seconds": 1,
                "retry": {"max_attempts": 2, "initial_backoff_seconds": 0.05},
            },
        },
        "partners": {
            "acme": {"x12": {"qualifier": "ZZ", "id": "CROSSDOCKTEST", "ack_endpoint": "acme-edi"}}
        },
        "routes": [
            {
                "name": "po-to-erp",
                "when": {"document_type": "purchase_order", "source": "acme"},
                "deliver": {"endpoint": "erp"},
            },
            {
                "name": "po-to-acme",
                "when": {"document_type": "purchase_order", "source": "erp"},
                "deliver": {"endpoint": "acme-edi", "transform": "x12", "partner": "acme"},
            },
            {
                "name": "po-to-nowhere",
                "when": {"document_type": "purchase_order", "source": "legacy"},
                "deliver": {"endpoint": "gone"},
            },
        ],
    }
    if store_url is not None:
        config["store"] = {"url": store_url}
    return config


def _post_po(hub: HubProcess, number: str, source: str) -> None:
    doc = json.loads((EXAMPLES / "purchase_order.json").read_text())
    doc["po_number"] = number
    response = httpx.post(
        f"{hub.url}/v1/messages/purchase_order",
        json=doc,
        headers={**hub.headers, **{"X-Crossdock-Source": source, "Idempotency-Key": number}},
        timeout=10,
    )
    assert response.status_code == 202, response.text


def _count(engine: Engine, *where: Any, table: Any = messages) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


def _fill_with_a_real_hub(workdir: Path, sink: RunningSink, outbox: Path) -> HubProcess:
    """A hub on SQLite takes X12 in (ack, control numbers), sends X12 out, routes JSON to the
    ERP, fails a delivery for good (dead letter), rejects a document and takes one no route
    wants (an exception); then it is left running for the caller to stop."""
    workdir.mkdir()
    hub = HubProcess(workdir, _config(sink, outbox)).start()
    edi = (ROOT / "tests" / "fixtures" / "x12" / "850.edi").read_text()
    assert (
        httpx.post(
            f"{hub.url}/v1/edi", content=edi, headers={**hub.headers, **EDI}, timeout=30
        ).status_code
        == 202
    )
    for n in range(3):
        _post_po(hub, f"PO-OUT-{n}", "erp")
    _post_po(hub, "PO-LOST", "legacy")
    _post_po(hub, "PO-UNROUTED", "nobody")
    bad = httpx.post(
        f"{hub.url}/v1/messages/purchase_order",
        json={"po_number": 1},
        timeout=10,
        headers=hub.headers,
    )
    assert bad.status_code == 422, bad.text
    store = make_engine(sqlite_url(hub.data_dir), create_schema=False)
    try:
        wait_for(lambda: sink.state.received == 1 and len(list(outbox.glob("*.x12"))) == 4)
        wait_for(lambda: _count(store, bus_pending.c.state == "dead", table=bus_pending) == 1)
    finally:
        store.dispose()
    return hub


def _copy(hub: HubProcess, to: str, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(CROSSDOCK), "db", "copy", "--to", to, "--data-dir", str(hub.data_dir), *extra,
         "--config", str(hub.config_path)],
        cwd=hub.workdir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def test_a_real_store_moves_to_postgresql_resumes_after_kill_9_and_the_hub_carries_on(
    tmp_path: Path, sink: RunningSink, postgres_url: str
) -> None:
    outbox = tmp_path / "acme-out"
    hub = _fill_with_a_real_hub(tmp_path / "sqlite", sink, outbox)
    try:
        running = _copy(hub, postgres_url)
        out, err = running.communicate(timeout=60)
        assert running.returncode == 1 and "while a hub runs on the store" in err, out + err
    finally:
        hub.stop()
    source = make_engine(sqlite_url(hub.data_dir))
    target = make_engine(postgres_url, create_schema=False)
    try:
        with source.connect() as conn:
            before = snapshot(conn, copy_tables())
            next_numbers = {
                (r.partner, r.level): r.next_value
                for r in conn.execute(select(x12_control_numbers))
            }
        total = sum(len(rows) for rows in before.values())
        assert all(before[name] for name in ("x12_outbound", "x12_interchanges", "exceptions"))

        # kill -9 midway through bus_log: a row per transaction, the third one blocked by an
        # uncommitted insert of the same key here, so the kill lands at a known place
        sv.ensure(target)
        third = sorted(before["bus_log"], key=lambda r: r["seq"])[2]
        with target.connect() as blocker, blocker.begin() as held:
            blocker.execute(insert(bus_log).values({**third, "subject": "blocker"}))
            first = _copy(hub, postgres_url, "--chunk-rows", "1")
            wait_for(lambda: _count(target, table=bus_log) == 2, timeout=60)
            time.sleep(0.2)
            assert first.poll() is None and _count(target, table=bus_log) == 2
            first.send_signal(signal.SIGKILL)
            first.communicate(timeout=10)
            held.rollback()
        with target.connect() as conn:
            partial = sum(len(rows) for rows in snapshot(conn, copy_tables()).values())
        order = [t.name for t in copy_tables()]  # tables copied whole before bus_log, then 2 rows
        earlier = order[: order.index("bus_log")]
        assert partial == sum(len(before[name]) for name in earlier) + 2, (partial, earlier)

        resumed = _copy(hub, postgres_url, "--chunk-rows", "7")
        out, err = resumed.communicate(timeout=120)
        assert resumed.returncode == 0, out + err
        assert "every table's count matches the source" in out and "Traceback" not in err
        assert f"copied {total - partial} rows" in out, out
        with target.connect() as conn:
            assert snapshot(conn, copy_tables()) == before  # row by row, value by value
        print(f"\ncopied {total} rows; killed after {partial}, the rest on resume")

        _carry_on_on_postgresql(tmp_path / "pg", sink, outbox, postgres_url, target)
        with target.connect() as conn:
            after = {
                (r.partner, r.level): r.next_value
                for r in conn.execute(select(x12_control_numbers))
            }
        [moved] = [k for k in next_numbers if after[k] != next_numbers[k] and k[1] == "interchange"]
        newest = max(outbox.glob("*.x12"), key=lambda p: p.stat().st_mtime_ns).read_text()
        assert int(ISA13.search(newest).group(1)) == next_numbers[moved]  # type: ignore[union-attr]
    finally:
        source.dispose()
        target.dispose()


def _carry_on_on_postgresql(
    workdir: Path, sink: RunningSink, outbox: Path, url: str, target: Engine
) -> None:
    """A hub on the copy delivers nothing twice and takes new work, numbering it onward."""
    workdir.mkdir()
    before = _count(target)
    hub = HubProcess(workdir, _config(sink, outbox, store_url=url)).start()
    try:
        time.sleep(1.5)  # time enough to redeliver, were the bus positions not honoured
        assert sink.state.received == 1 and len(list(outbox.glob("*.x12"))) == 4
        assert _count(target, bus_pending.c.state == "dead", table=bus_pending) == 1
        _post_po(hub, "PO-ON-PG", "erp")
        wait_for(lambda: len(list(outbox.glob("*.x12"))) == 5)
        assert _count(target) == before + 1
    finally:
        hub.stop()
