"""`GET /v1/kpis` (a hub in process, over ASGI) and `crossdock kpis` (the CLI on a store)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from crossdock.bootstrap import HubServices, build_hub
from crossdock.config import Settings
from crossdock.entrypoints.api.app import create_asgi
from crossdock.entrypoints.cli import app as cli_app
from crossdock.entrypoints.cli_kpis import describe
from tests.auth_helpers import operator_headers
from tests.conftest import EXAMPLES, ROOT, SqlStore, inbound

PO_RAW = (EXAMPLES / "purchase_order.json").read_bytes()
ACK_RAW = (EXAMPLES / "purchase_order_acknowledgment.json").read_bytes()
PROBLEM = "application/problem+json"


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    hub: HubServices = build_hub(Settings(hub={"data_dir": tmp_path / "data"}))
    await hub.start()
    try:
        transport = httpx.ASGITransport(app=create_asgi(hub))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://hub", headers=operator_headers(hub)
        ) as c:
            yield c
    finally:
        await hub.stop()


async def test_kpis_over_http_measure_what_was_posted(client: httpx.AsyncClient) -> None:
    for path, raw in (("purchase_order", PO_RAW), ("purchase_order_acknowledgment", ACK_RAW)):
        answer = await client.post(
            f"/v1/messages/{path}", content=raw, headers={"Content-Type": "application/json"}
        )
        assert answer.status_code == 202, answer.text

    kpis = (await client.get("/v1/kpis")).json()
    assert kpis["po_acknowledgment_latency"]["n"] == 1
    assert kpis["integration_failure_rate"]["total"] == 2
    assert kpis["receipt_posting_time"].startswith("n/a (")

    later = await client.get("/v1/kpis", params={"since": "2999-01-01T00:00:00Z"})
    assert later.status_code == 200
    assert later.json()["window"]["since"].startswith("2999-01-01T00:00:00")
    assert later.json()["po_acknowledgment_latency"].startswith("n/a (")


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"since": "yesterday"}, "the request is invalid"),
        ({"since": "2026-03-02T10:00:00Z", "until": "2026-03-02T09:00:00Z"}, "until must be"),
    ],
)
async def test_a_bad_window_is_a_422_problem(
    client: httpx.AsyncClient, params: dict[str, str], detail: str
) -> None:
    answer = await client.get("/v1/kpis", params=params)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == PROBLEM
    problem = answer.json()
    assert problem["status"] == 422 and problem["detail"].startswith(detail)
    assert problem["instance"] == "/v1/kpis"


def test_the_cli_prints_kpis_as_json_and_as_a_table(store: SqlStore, tmp_path: Path) -> None:
    with store.uow() as uow:
        uow.messages.add_many([inbound(PO_RAW, key="po-1")])
        uow.commit()
    args = ["--config", str(ROOT / "crossdock.yaml"), "--data-dir", str(tmp_path)]
    runner = CliRunner()

    as_json = runner.invoke(cli_app, ["kpis", "--json", *args])
    assert as_json.exit_code == 0, as_json.output
    result = json.loads(as_json.stdout)
    assert result["integration_failure_rate"]["total"] == 1
    assert result["po_acknowledgment_latency"] == "n/a (no purchase order acknowledged)"

    table = runner.invoke(cli_app, ["kpis", "--since", "2000-01-01T00:00:00", *args])
    assert table.exit_code == 0, table.output
    assert "integration_failure_rate" in table.stdout and "0.00 %" in table.stdout

    backwards = runner.invoke(
        cli_app, ["kpis", "--since", "2026-01-02", "--until", "2026-01-01", *args]
    )
    assert backwards.exit_code == 2


def test_describe_formats_durations_ratios_and_reasons() -> None:
    assert describe("n/a (nothing)") == "n/a (nothing)"
    assert describe({"n": 2, "median_s": 1.5, "p95_s": 3.0, "max_s": 3.0, "undelivered": 1}) == (
        "n=2  median 1.5 s  p95 3.0 s  max 3.0 s  (undelivered 1)"
    )
    assert describe({"ratio": 0.25, "failed": 1, "total": 4}).startswith("25.00 %  (failed 1")
