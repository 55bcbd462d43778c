"""Many hub processes on one PostgreSQL store: `crossdock api` + `crossdock worker`s.

Real processes, a real HTTP sink, one fresh schema per test (`postgres_url`: the URL's
`search_path` option, which the hub must honour). Skipped without TEST_POSTGRES_URL.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from crossdock.hub.runtime import MAX_IDLE_SECONDS
from crossdock.sandbox.sink import RunningSink
from tests.auth_helpers import ADMIN_HEADERS
from tests.integration.conftest import po_with_number
from tests.integration.hubproc import CROSSDOCK, HubProcess, free_port, sink_config, wait_for

pytestmark = pytest.mark.slow

SHARE = re.compile(r"crossdock worker stopped: deliveries ok=(\d+)")


def stats(sink: RunningSink, detail: bool = False) -> dict[str, Any]:
    params = {"detail": 1} if detail else None
    return dict(httpx.get(f"{sink.url}/_stats", params=params, timeout=10).json())


def upgrade(workdir: Path, env: dict[str, str]) -> None:
    """`crossdock db upgrade` first, as deploy/compose.yaml does: processes starting together
    must not race to create the schema."""
    workdir.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [str(CROSSDOCK), "db", "upgrade", "--data-dir", str(workdir / "data")],
        cwd=workdir, env={**_env(), **env}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != "CROSSDOCK_CONFIG"}


@contextmanager
def processes(
    workdir: Path,
    config: dict[str, Any],
    env: dict[str, str],
    workers: int,
    worker_args: tuple[str, ...] = (),
) -> Iterator[tuple[HubProcess, list[HubProcess]]]:
    """An api and `workers` workers on the store `env` names; all stopped on exit."""
    upgrade(workdir, env)
    started: list[HubProcess] = []
    try:
        api = HubProcess(workdir / "api", config, command=("api",), env=env, name="api")
        started.append(api.start())
        crew = []
        for n in range(workers):
            worker = HubProcess(
                workdir / f"w{n}",
                config,
                command=("worker", *worker_args),
                env=env,
                name=f"worker{n}",
            )
            started.append(worker.start())
            crew.append(worker)
        yield api, crew
    finally:
        for proc in reversed(started):
            proc.stop()


def share_of(worker: HubProcess) -> int:
    """The deliveries a stopped worker made, from its last log line (its own metric)."""
    found = SHARE.findall(worker.log.read_text())
    assert found, worker.log.read_text()[-2000:]
    return int(found[-1])


def test_one_api_two_workers_deliver_every_document_once_in_key_order(
    workdir: Path, sink: RunningSink, po_example: dict[str, Any], postgres_url: str
) -> None:
    env = {"CROSSDOCK_STORE__URL": postgres_url}
    keys, revisions = 12, 25  # 300 documents
    with processes(workdir, sink_config(sink.url), env, workers=2) as (api, crew):

        def post_key(k: int) -> None:
            with httpx.Client(timeout=30, headers=ADMIN_HEADERS) as client:
                for r in range(revisions):  # one key's revisions in order
                    doc = po_with_number(po_example, f"PO-{k}")
                    doc["notes"] = [f"revision {r}"]
                    response = client.post(
                        f"{api.url}/v1/messages/purchase_order",
                        json=doc,
                        headers={"Idempotency-Key": f"PO-{k}-{r}"},
                    )
                    assert response.status_code == 202, response.text

        started = time.monotonic()
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(post_key, range(keys)))
        total = keys * revisions
        wait_for(lambda: stats(sink)["unique_keys"] >= total, timeout=90)
        elapsed = time.monotonic() - started
        for worker in crew:
            worker.stop()
            assert worker.proc is not None and worker.proc.returncode == 0
        shares = [share_of(w) for w in crew]
        print(f"\n{total} documents, 1 api + 2 workers: delivered in {elapsed:.1f}s; "
              f"shares {shares} (each worker's `deliveries ok` on its last log line)")  # fmt: skip
        final = stats(sink, detail=True)
        assert final["unique_keys"] == total and final["duplicates"] == 0, final
        assert sum(shares) == total
        assert all(share > 0 for share in shares), shares
        for k in range(keys):
            bodies = [d for d in final["deliveries"] if d["correlation_key"] == f"PO-{k}"]
            ids = [d["message_id"] for d in bodies]
            assert len(ids) == revisions and ids == sorted(ids), f"PO-{k} out of order"
    _assert_tables_in_own_schema(postgres_url)


def _assert_tables_in_own_schema(url: str) -> None:
    """The hub honoured the URL's search_path: its tables are in the test's schema."""
    options = make_url(url).query["options"]
    schema = str(options).split("search_path=", 1)[1]
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            tables = conn.execute(
                text("SELECT table_name FROM information_schema.tables WHERE table_schema = :s"),
                {"s": schema},
            ).scalars().all()  # fmt: skip
    finally:
        engine.dispose()
    assert "bus_log" in tables and "messages" in tables, tables


def _latencies(
    api: HubProcess, sink: RunningSink, po: dict[str, Any], n: int, tag: str
) -> list[float]:
    """Seconds from a 202 to the sink's receipt, each after the worker's loops went idle
    (backed off to MAX_IDLE_SECONDS: 0.02 s doubling, there after 1.3 s)."""
    out = []
    with httpx.Client(timeout=10, headers=ADMIN_HEADERS) as client:
        for i in range(n):
            time.sleep(MAX_IDLE_SECONDS * 2)
            before = stats(sink)["received"]
            sent = time.monotonic()
            response = client.post(
                f"{api.url}/v1/messages/purchase_order",
                json=po_with_number(po, f"PO-{tag}{i}"),
                headers={"Idempotency-Key": f"{tag}-{i}"},
            )
            assert response.status_code == 202
            wait_for(lambda b=before: stats(sink)["received"] > b, timeout=10, interval=0.01)
            out.append(time.monotonic() - sent)
    return out


def test_a_notify_wakes_an_idle_worker_at_once_and_polling_covers_without_it(
    workdir: Path, sink: RunningSink, po_example: dict[str, Any], postgres_url: str
) -> None:
    """The api NOTIFYs after each intake commit; an idle worker that LISTENs routes at once,
    one that does not (`store.notify: false`) finds the work at its next poll, within one
    idle interval. (`test_pg_wakeups.py` proves the channel itself, reconnection included.)"""
    env = {"CROSSDOCK_STORE__URL": postgres_url}
    probe = free_port()
    with processes(
        workdir, sink_config(sink.url), env, workers=1, worker_args=("--metrics-port", str(probe))
    ) as (api, [listening]):
        woken = _latencies(api, sink, po_example, 4, "on")
        # The worker's tiny probe: alive, and its own metrics (what it delivered).
        base = f"http://127.0.0.1:{probe}"
        assert httpx.get(f"{base}/healthz", timeout=5).json() == {"status": "ok"}
        scraped = httpx.get(f"{base}/metrics", timeout=5).text
        assert 'crossdock_delivery_attempts_total{endpoint="erp",outcome="ok"} 4.0' in scraped
        listening.stop()
        deaf = HubProcess(
            workdir / "deaf",
            sink_config(sink.url),
            command=("worker",),
            env={**env, "CROSSDOCK_STORE__NOTIFY": "false"},
            name="deaf",
        )
        try:
            deaf.start()
            polled = _latencies(api, sink, po_example, 3, "off")
        finally:
            deaf.stop()
    print(f"\nidle worker, 202 -> sink: woken by NOTIFY {[round(s, 3) for s in woken]}s, "
          f"polling only {[round(s, 3) for s in polled]}s")  # fmt: skip
    # Woken: well inside one idle interval, every time (a poll-only worker would land below
    # this bound in all four samples by chance about one time in eight).
    assert max(woken) < MAX_IDLE_SECONDS * 0.75, woken
    # Not woken: routing waits at most one idle interval, delivery is woken in-process.
    assert max(polled) < MAX_IDLE_SECONDS + 0.75, polled
