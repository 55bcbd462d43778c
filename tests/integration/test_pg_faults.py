"""Faults on the PostgreSQL profile, with real processes: hub processes killed with SIGKILL,
PostgreSQL crashed and restarted under load, a receiver down for a while.

One throwaway PostgreSQL cluster for the module (`pgcluster`: one test restarts it, which the
shared server must never see), a fresh schema per test, the sandbox sink as the receiver, and
clients that keep posting through each fault (`faultload`). Every test then checks the same
things: every 202-acknowledged message is in the log, every message in the log was delivered,
nothing was recorded or delivered twice, and each PO's revisions arrived in order; and prints
what it counted.

The hub is one `crossdock api` and two `crossdock worker` processes on the cluster. A worker
killed with leases in hand leaves them to expire (`ack_wait`, a minute on every group) before
the other worker takes them over: the kill -9 worker test waits that long, by design.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from crossdock.sandbox.sink import RunningSink, run_sink_in_thread
from tests import pg
from tests.integration.faultload import PO, Clients, sink_stats, verify
from tests.integration.hubproc import HubProcess, sink_config, wait_for
from tests.integration.pgcluster import PgCluster, pg_cluster, unavailable_reason

pytestmark = pytest.mark.slow

MEMORY_LIMIT = 1536 * 1_048_576  # address space per hub process (threads, psycopg, pools)


@pytest.fixture(scope="module")
def cluster() -> Iterator[PgCluster]:
    if pg.base_url() is None:
        pytest.skip(pg.SKIP_REASON)
    if (reason := unavailable_reason()) is not None:
        pytest.skip(f"no throwaway PostgreSQL cluster: {reason}")
    with pg_cluster() as started:
        yield started


@pytest.fixture(scope="module")
def database(cluster: PgCluster) -> Iterator[str]:
    with pg.fresh_schema(cluster.url) as url:
        yield url


@pytest.fixture(scope="module")
def sink() -> Iterator[RunningSink]:
    running = run_sink_in_thread()
    yield running
    running.stop()


def hub_config(sink: RunningSink, database: str) -> dict[str, Any]:
    retry = {"max_attempts": 200, "initial_backoff_seconds": 0.05, "max_backoff_seconds": 0.5}
    return {**sink_config(sink.url, retry=retry), "store": {"url": database}}


@dataclass
class Hubs:
    """The hub's processes: `api` takes the posts, `workers` route and deliver."""

    api: HubProcess
    workers: list[HubProcess]

    @property
    def processes(self) -> list[HubProcess]:
        return list({id(p): p for p in [self.api, *self.workers]}.values())

    def pids(self) -> list[int | None]:
        return [p.proc.pid if p.proc else None for p in self.processes]

    def ensure_up(self) -> None:
        """Start what is not running: the api first (it creates the schema in a fresh
        database), then the workers side by side."""
        down = [p for p in self.processes if p.proc is None or p.proc.poll() is not None]
        if self.api in down:
            self.api.start(timeout=120)
            down.remove(self.api)
        with ThreadPoolExecutor(max(1, len(down))) as pool:
            list(pool.map(lambda p: p.start(timeout=120), down))

    def stop(self) -> None:
        for process in self.processes:
            process.stop()


@pytest.fixture(scope="module")
def running_hubs(
    tmp_path_factory: pytest.TempPathFactory, sink: RunningSink, database: str
) -> Iterator[Hubs]:
    """The module's processes (starting one costs seconds): each test posts its own POs
    (`prefix`) and checks only those; a test that kills a process starts it again."""
    workdir = tmp_path_factory.mktemp("hubs")
    config = hub_config(sink, database)

    def process(name: str, *command: str) -> HubProcess:
        return HubProcess(
            workdir / name, config, memory_limit=MEMORY_LIMIT, command=command, name=name
        )

    workers = [process(f"worker{n}", "worker") for n in range(2)]
    hubs = Hubs(api=process("api", "api"), workers=workers)
    try:
        hubs.ensure_up()
        yield hubs
    finally:
        hubs.stop()


@pytest.fixture
def hubs(running_hubs: Hubs, cluster: PgCluster, sink: RunningSink) -> Hubs:
    """The module's processes, up (again, should an earlier test have failed half-way), with
    the database up and the sink answering and counting afresh."""
    if not cluster.running():
        cluster.start()
    running_hubs.ensure_up()
    httpx.post(f"{sink.url}/_reset", timeout=10).raise_for_status()
    return running_hubs


def fail(sink: RunningSink, **spec: Any) -> None:
    httpx.post(f"{sink.url}/_fail", json=spec, timeout=10).raise_for_status()


def test_kill_9_of_the_worker_mid_delivery(hubs: Hubs, sink: RunningSink, database: str) -> None:
    fail(sink, mode="slow", delay=0.05)  # deliveries in flight when the kill comes
    with Clients(lambda: hubs.api.url, prefix="KW") as clients:
        clients.wait_acknowledged(60)
        wait_for(lambda: sink_stats(sink.url)["received"] >= 10, timeout=60)
        worker = hubs.workers[0]
        worker.kill9()
        worker.start(timeout=120)
        clients.wait_acknowledged(len(clients.ledger.acknowledged) + 30)
    fail(sink, mode="up")
    verify("kill -9 worker", clients, database, sink.url, timeout=150)


def test_kill_9_of_the_api_mid_intake(hubs: Hubs, sink: RunningSink, database: str) -> None:
    with Clients(lambda: hubs.api.url, count=4, prefix="KA") as clients:
        clients.wait_acknowledged(60)
        hubs.api.kill9()  # posts are in flight: some recorded without their answer
        hubs.api.start(timeout=120)
        clients.wait_acknowledged(len(clients.ledger.acknowledged) + 30)
    verify("kill -9 api", clients, database, sink.url)


def test_postgresql_restarted_under_load(
    hubs: Hubs, sink: RunningSink, database: str, cluster: PgCluster
) -> None:
    pids = hubs.pids()
    with Clients(lambda: hubs.api.url, prefix="PG") as clients:
        clients.wait_acknowledged(40)
        cluster.restart("immediate")
        clients.wait_acknowledged(len(clients.ledger.acknowledged) + 40)
        cluster.stop("immediate")
        try:
            for n in range(3):  # while the database is down, intake says so at once
                started = time.monotonic()
                try:
                    answer = httpx.post(
                        f"{hubs.api.url}/v1/messages/purchase_order",
                        json={**PO, "po_number": f"PROBE-{n}"},
                        headers={"Idempotency-Key": f"probe-{n}", **hubs.api.headers},
                        timeout=30,
                    )
                except httpx.TimeoutException:
                    pytest.fail("intake hung (no answer in 30 s) with the database down")
                took = time.monotonic() - started
                assert answer.status_code == 503, answer.text
                assert answer.headers["content-type"] == "application/problem+json"
                assert answer.json()["status"] == 503
                assert took < 5, f"intake took {took:.1f}s to answer with the database down"
        finally:
            cluster.start()
        clients.wait_acknowledged(len(clients.ledger.acknowledged) + 40)
    assert all(p.proc and p.proc.poll() is None for p in hubs.processes)
    assert hubs.pids() == pids  # no process was restarted: each reconnected on its own
    verify("pg_ctl restart -m immediate", clients, database, sink.url)


def test_an_endpoint_down_for_a_while_then_up(hubs: Hubs, sink: RunningSink, database: str) -> None:
    with Clients(lambda: hubs.api.url, prefix="EP") as clients:
        clients.wait_acknowledged(20)
        fail(sink, mode="down", status=503)
        clients.wait_acknowledged(len(clients.ledger.acknowledged) + 60)
        wait_for(lambda: sink_stats(sink.url)["failed"] >= 10, timeout=60)
        fail(sink, mode="up")
        clients.wait_acknowledged(len(clients.ledger.acknowledged) + 20)
    verify("endpoint down, then up", clients, database, sink.url)
