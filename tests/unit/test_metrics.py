"""`/metrics` after real traffic through a hub in process, multiprocess aggregation over files
written by two real processes, and the documented metric table."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from crossdock.bootstrap import HubServices, build_hub
from crossdock.bootstrap.metrics_scrape import KPI_CACHE_SECONDS
from crossdock.config import Settings
from crossdock.entrypoints.api.app import create_asgi
from crossdock.observability.metrics import (
    MULTIPROC_ENV,
    GroupBacklog,
    StoreGauges,
    build_metrics,
)
from crossdock.sandbox.sink import RunningSink, run_sink_in_thread
from tests.auth_helpers import operator_headers
from tests.conftest import EXAMPLES, ROOT

PO_RAW = (EXAMPLES / "purchase_order.json").read_bytes()
RETRY = {"initial_backoff_seconds": 3600, "max_backoff_seconds": 3600, "max_attempts": 50}

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples(text: str) -> Samples:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(found: Samples, name: str, **labels: str) -> float | None:
    return found.get((name, frozenset(labels.items())))


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def sinks() -> Iterator[tuple[RunningSink, RunningSink]]:
    ok, picky = run_sink_in_thread(), run_sink_in_thread()
    picky.state.configure_failure({"mode": "status", "status": 400})  # a permanent refusal
    yield ok, picky
    ok.stop()
    picky.stop()


def settings(tmp_path: Path, ok: str, picky: str) -> Settings:
    def http(url: str, **extra: Any) -> dict[str, Any]:
        return {"type": "http", "url": url, "timeout_seconds": 2, "retry": RETRY, **extra}

    names = ("erp", "picky", "down")
    return Settings(
        hub={"data_dir": tmp_path / "data"},
        endpoints={
            "erp": http(f"{ok}/in/erp"),
            "picky": http(f"{picky}/in/picky"),
            "down": http(
                f"http://127.0.0.1:{closed_port()}/in",
                circuit={"failure_threshold": 1, "reset_timeout_seconds": 3600},
            ),
        },
        routes=[
            {
                "name": f"po-to-{name}",
                "when": {"document_type": "purchase_order"},
                "deliver": {"endpoint": name},
            }
            for name in names
        ],
        flows={"procure_to_pay": {"enabled": True, "ack_due_hours": 10}},
    )


@pytest.fixture
async def hub(tmp_path: Path, sinks: tuple[RunningSink, RunningSink]) -> AsyncIterator[HubServices]:
    ok, picky = sinks
    services = build_hub(settings(tmp_path, ok.url, picky.url))
    await services.start()
    try:
        yield services
    finally:
        await services.stop()


@pytest.fixture
async def client(hub: HubServices) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_asgi(hub))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://hub", headers=operator_headers(hub)
    ) as c:
        yield c


def flow_states(found: Samples, flow: str) -> dict[str, float]:
    return {
        dict(labels)["state"]: n
        for (name, labels), n in found.items()
        if name == "crossdock_flow_instances" and dict(labels)["flow"] == flow
    }


async def scrape_until(
    client: httpx.AsyncClient, ready: Callable[[Samples], bool], timeout: float = 30.0
) -> Samples:
    """Scrape until `ready` holds: delivery, dead-lettering and the flow run in the background."""
    deadline = time.monotonic() + timeout
    while True:
        answer = await client.get("/metrics")
        assert answer.status_code == 200
        found = samples(answer.text)
        if ready(found):
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"metrics never got there: {sorted(found.items())}")
        await asyncio.sleep(0.05)


async def test_metrics_after_a_po_delivered_refused_and_stuck_behind_an_open_circuit(
    client: httpx.AsyncClient, hub: HubServices
) -> None:
    posted = await client.post(
        "/v1/messages/purchase_order",
        content=PO_RAW,
        headers={"Content-Type": "application/json", "Idempotency-Key": "po-1"},
    )
    assert posted.status_code == 202, posted.text
    erp, picky, down = ("erp", "picky", "down")
    lane = hub.settings.lane_for("purchase_order")
    wanted = [
        ("crossdock_delivery_attempts_total", {"endpoint": erp, "outcome": "ok"}),
        ("crossdock_dead_letters_total", {"group": f"deliver.{lane}.{picky}"}),
        ("crossdock_circuit_open", {"endpoint": down}),
    ]
    found = await scrape_until(
        client,
        lambda f: (
            all(value(f, name, **labels) == 1 for name, labels in wanted)
            and sum(flow_states(f, "procure_to_pay").values()) == 1
        ),
    )
    # Process metrics: intake, the document latencies per type, attempt latency per endpoint.
    assert (
        value(
            found,
            "crossdock_intake_messages_total",
            document_type="purchase_order",
            outcome="accepted",
        )
        == 1
    )
    doc = {"document_type": "purchase_order"}
    assert value(found, "crossdock_document_seconds_count", **doc, stage="recorded") == 1
    assert value(found, "crossdock_document_seconds_count", **doc, stage="delivered") == 1
    assert (
        value(found, "crossdock_document_seconds_bucket", **doc, stage="delivered", le="+Inf") == 1
    )
    recorded = value(found, "crossdock_document_seconds_sum", **doc, stage="recorded")
    assert recorded is not None and 0 < recorded < 5
    for endpoint in (erp, picky, down):
        assert value(found, "crossdock_delivery_seconds_count", endpoint=endpoint) == 1
    # State read from the store: one dead letter held, one delivery waiting behind the circuit.
    assert value(found, "crossdock_dead_letters_current", group=f"deliver.{lane}.{picky}") == 1
    assert value(found, "crossdock_dead_letters_current", group=f"deliver.{lane}.{erp}") == 0
    assert value(found, "crossdock_pending_deliveries", endpoint=down, lane=lane) == 1
    assert value(found, "crossdock_pending_deliveries", endpoint=erp, lane=lane) == 0
    assert (
        value(found, "crossdock_consumer_backlog", group=f"deliver.{lane}.{down}", lane=lane) == 1
    )
    lane_total = value(found, "crossdock_lane_backlog", lane=lane)
    assert lane_total is not None and lane_total >= 1
    assert value(found, "crossdock_circuit_state", endpoint=erp) == 0
    assert value(found, "crossdock_circuit_open", endpoint=down) == 1
    assert value(found, "crossdock_circuit_state", endpoint=down) == 2
    assert list(flow_states(found, "procure_to_pay").values()) == [1]
    # KPIs (the first scrape's, cached) and the SLA target they are held to.
    assert value(found, "crossdock_kpi", kpi="integration_failure_rate", stat="total") == 1
    target = value(found, "crossdock_kpi_sla_target_seconds", kpi="po_acknowledgment_latency")
    assert target == 10 * 3600
    # The KPIs are cached for a minute: a second PO shows in intake at once, in the KPIs later.
    again = await client.post(
        "/v1/messages/purchase_order",
        content=PO_RAW.replace(b'"po_number": "', b'"po_number": "2-'),
        headers={"Content-Type": "application/json", "Idempotency-Key": "po-2"},
    )
    assert again.status_code == 202, again.text
    cached = samples((await client.get("/metrics")).text)
    accepted = {"document_type": "purchase_order", "outcome": "accepted"}
    assert value(cached, "crossdock_intake_messages_total", **accepted) == 2
    assert value(cached, "crossdock_kpi", kpi="integration_failure_rate", stat="total") == 1
    assert hub.scraper is not None
    hub.scraper.clock = lambda: time.monotonic() + KPI_CACHE_SECONDS + 1
    later = samples((await client.get("/metrics")).text)
    assert value(later, "crossdock_kpi", kpi="integration_failure_rate", stat="total") == 2
    # A worker's probe shows its own process only: no store gauges there.
    local = hub.metrics.local_exposition().decode()
    assert "crossdock_delivery_attempts_total" in local and "crossdock_flow_instances" not in local


WRITER = """
import sys
from crossdock.observability.metrics import build_metrics
m = build_metrics()
n = int(sys.argv[1])
m.intake_count("purchase_order", "accepted", n)
m.recorded_latency("purchase_order", 0.002, n)
m.delivered_latency("invoice", 1.5)
m.dead_letters.labels("deliver.critical.erp").inc()
"""


def test_multiprocess_mode_sums_every_process_and_adds_the_store_gauges_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "prom"
    shared.mkdir()
    env = {"PATH": "/usr/bin:/bin", MULTIPROC_ENV: str(shared), "PYTHONPATH": str(ROOT / "src")}
    for n in (3, 4):
        done = subprocess.run(
            [sys.executable, "-c", WRITER, str(n)], env=env, capture_output=True, timeout=60
        )
        assert done.returncode == 0, done.stderr.decode()
    assert len(list(shared.glob("*.db"))) >= 2  # one set of files per process

    monkeypatch.setenv(MULTIPROC_ENV, str(shared))
    here = build_metrics()  # this process's registry is not what is shown in this mode
    gauges = StoreGauges(
        groups=[GroupBacklog("deliver.critical.erp", "critical", pending=5, dead=2)]
    )
    text = here.exposition(gauges).decode()
    found = samples(text)
    po = {"document_type": "purchase_order"}
    assert value(found, "crossdock_intake_messages_total", **po, outcome="accepted") == 7
    assert value(found, "crossdock_document_seconds_count", **po, stage="recorded") == 7
    assert (
        value(found, "crossdock_document_seconds_count", document_type="invoice", stage="delivered")
        == 2
    )
    invoice_sum = value(
        found, "crossdock_document_seconds_sum", document_type="invoice", stage="delivered"
    )
    assert invoice_sum == pytest.approx(3.0)
    assert value(found, "crossdock_dead_letters_total", group="deliver.critical.erp") == 2
    assert value(found, "crossdock_pending_deliveries", endpoint="erp", lane="critical") == 5
    assert value(found, "crossdock_dead_letters_current", group="deliver.critical.erp") == 2
    assert text.count("# TYPE crossdock_pending_deliveries gauge") == 1


def test_a_missing_multiprocess_directory_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MULTIPROC_ENV, str(tmp_path / "nope"))
    with pytest.raises(ValueError, match="is not a directory; create it"):
        build_metrics()


def test_circuit_states_are_numbered_and_kpis_without_data_have_no_series() -> None:
    gauges = StoreGauges(
        circuits={"a": "closed", "b": "half_open", "c": "open"},
        kpis={"po_delivery_latency": {"n": 2, "median_s": 1.5}, "pod_update_speed": "n/a (none)"},
    )
    found = samples(build_metrics().exposition(gauges).decode())
    assert [value(found, "crossdock_circuit_state", endpoint=e) for e in "abc"] == [0, 1, 2]
    assert [value(found, "crossdock_circuit_open", endpoint=e) for e in "abc"] == [0, 1, 1]
    assert value(found, "crossdock_kpi", kpi="po_delivery_latency", stat="median_s") == 1.5
    assert not any(dict(labels).get("kpi") == "pod_update_speed" for _, labels in found)


def test_every_metric_is_in_the_operations_table() -> None:
    gauges = StoreGauges(
        groups=[GroupBacklog("deliver.critical.erp", "critical", 1, 0)],
        circuits={"erp": "closed"},
        flows={("f", "s"): 1},
        kpis={"k": {"n": 1}},
        sla_targets={"k": 1.0},
    )
    families = [*build_metrics().registry.collect(), *gauges.collect()]
    names = {f.name + ("_total" if f.type == "counter" else "") for f in families}
    table = (ROOT / "docs" / "operations.md").read_text()
    rows = {line.split("`")[1] for line in table.splitlines() if line.startswith("| `crossdock_")}
    assert names <= rows, sorted(names - rows)


def test_crossdock_up_refuses_a_missing_multiprocess_directory_in_one_line(
    tmp_path: Path,
) -> None:
    env = {"PATH": "/usr/bin:/bin", MULTIPROC_ENV: str(tmp_path / "missing")}
    crossdock = Path(sys.executable).with_name("crossdock")
    done = subprocess.run(
        [str(crossdock), "up", "--port", "0", "--data-dir", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert "missing is not a directory; create it (empty) first" in done.stderr
    assert "Traceback" not in done.stderr
