"""`/metrics` with the hub split into real processes on PostgreSQL: the api's scrape sums the
worker's counters (prometheus-client multiprocess mode) and reads the store gauges once.
Skipped without TEST_POSTGRES_URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from crossdock.observability.metrics import MULTIPROC_ENV
from crossdock.sandbox.sink import RunningSink
from tests.auth_helpers import ADMIN_HEADERS
from tests.integration.conftest import po_with_number
from tests.integration.hubproc import sink_config, wait_for
from tests.integration.test_processes_pg import processes, stats

pytestmark = pytest.mark.slow


def scrape(url: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    text = httpx.get(f"{url}/metrics", headers=ADMIN_HEADERS, timeout=10).text
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_the_api_scrape_sums_the_workers_counters_in_multiprocess_mode(
    workdir: Path, sink: RunningSink, po_example: dict[str, Any], postgres_url: str
) -> None:
    shared = workdir / "prom"
    shared.mkdir(parents=True)
    env = {"CROSSDOCK_STORE__URL": postgres_url, MULTIPROC_ENV: str(shared)}
    with processes(workdir, sink_config(sink.url), env, workers=1) as (api, _crew):
        for n in range(3):
            answer = httpx.post(
                f"{api.url}/v1/messages/purchase_order",
                json=po_with_number(po_example, f"PO-M{n}"),
                headers={**ADMIN_HEADERS, "Idempotency-Key": f"m-{n}"},
                timeout=10,
            )
            assert answer.status_code == 202, answer.text
        wait_for(lambda: stats(sink)["unique_keys"] >= 3, timeout=60)
        ok = (
            "crossdock_delivery_attempts_total",
            frozenset({("endpoint", "erp"), ("outcome", "ok")}),
        )
        # The api delivers nothing itself: these counts are the worker's, read from its files.
        found = wait_for(lambda: (f := scrape(api.url)).get(ok) == 3 and f, timeout=30)
        po = {("document_type", "purchase_order")}
        intake = frozenset({*po, ("outcome", "accepted")})
        assert found[("crossdock_intake_messages_total", intake)] == 3
        delivered = frozenset({*po, ("stage", "delivered")})
        assert found[("crossdock_document_seconds_count", delivered)] == 3
        pending = frozenset({("endpoint", "erp"), ("lane", "critical")})
        assert found[("crossdock_pending_deliveries", pending)] == 0
        assert found[("crossdock_circuit_state", frozenset({("endpoint", "erp")}))] == 0
    assert len(list(shared.glob("counter_*.db"))) >= 2  # the api's and the worker's
