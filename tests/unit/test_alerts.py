"""Alerts end to end in one process: the settings, the evaluator wired by `build_hub`, the
webhook receiving each open and clear over real loopback HTTP (signed, in order, retried after
a failure), `GET /v1/alerts` and `crossdock alerts list`.

Each rule kind's raise and clear over real rows is in `tests/contract/test_alerts_contract.py`
(both backends)."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from crossdock.bootstrap import HubServices, build_hub
from crossdock.bootstrap.alerts import alert_rules
from crossdock.config import Settings
from crossdock.config.alerts import KPI_NAMES, AlertsConfig
from crossdock.entrypoints.api.app import create_asgi
from crossdock.entrypoints.cli import app as cli_app
from crossdock.hub.alerts import CLEARED, OPENED
from crossdock.hub.credentials import Client
from crossdock.hub.kpis import compute_kpis
from crossdock.hub.records import EndpointState
from crossdock.hub.webhook_signing import StandardWebhookCheck, decode_secret, new_secret
from tests.alert_receiver import Receiver
from tests.auth_helpers import key_headers, operator_headers
from tests.conftest import ROOT

PROBLEM = "application/problem+json"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


SECRET = new_secret()


@pytest.fixture
async def hub(tmp_path: Path, receiver: Receiver) -> AsyncIterator[HubServices]:
    settings = Settings(
        hub={"data_dir": tmp_path / "data"},
        endpoints={"erp": {"type": "http", "url": "http://127.0.0.1:9/in"}},
        alerts={
            "interval_seconds": 5,
            "webhook": {"url": receiver.url, "secret": SECRET, "max_attempts": 1},
            "rules": [
                {"name": "erp-down", "kind": "endpoint_down", "minutes": 5, "severity": "critical"}
            ],
        },
    )
    services = build_hub(settings)
    await services.start()
    try:
        yield services
    finally:
        await services.stop()


def save_circuit(hub: HubServices, circuit: str, opened: datetime | None) -> None:
    with hub.store.uow() as uow:
        uow.endpoints.save(EndpointState("erp", circuit, 5, opened))
        uow.commit()


async def test_the_webhook_receives_the_open_and_the_clear_signed_and_in_order(
    hub: HubServices, receiver: Receiver
) -> None:
    assert hub.alerts is not None
    # The evaluator runs as a cluster-wide (leased) job at the configured interval.
    assert (5, "evaluate_alerts") in [
        (interval, job.__name__)
        for interval, job in hub.runtime._leased.jobs  # type: ignore[union-attr]
    ]
    save_circuit(hub, "open", datetime.now(UTC) - timedelta(minutes=10))
    await hub.alerts.job()
    await hub.alerts.job()  # the condition still holds: nothing new is sent
    save_circuit(hub, "closed", None)
    await hub.alerts.job()

    events = receiver.delivered()
    assert [(e["type"], e["alert"]["rule"], e["alert"]["subject"]) for e in events] == [
        (OPENED, "erp-down", "erp"),
        (CLEARED, "erp-down", "erp"),
    ]
    opened, cleared = events
    assert opened["alert"]["status"] == "open" and opened["alert"]["cleared_at"] is None
    assert opened["alert"]["severity"] == "critical"
    assert "circuit open for 10.0 min" in opened["alert"]["summary"]
    assert cleared["alert"]["status"] == "cleared" and cleared["alert"]["cleared_at"]
    assert cleared["alert"]["id"] == opened["alert"]["id"]
    check = StandardWebhookCheck((decode_secret(SECRET),))
    for (headers, body), event in zip(receiver.requests, events, strict=True):
        assert check.verify(headers, body, time.time()).msg_id == event["id"]
        assert headers["content-type"] == "application/json"


async def test_an_undelivered_event_waits_and_goes_out_first_next_round(
    hub: HubServices, receiver: Receiver
) -> None:
    assert hub.alerts is not None
    receiver.statuses = [503]
    save_circuit(hub, "open", datetime.now(UTC) - timedelta(minutes=10))
    await hub.alerts.job()  # opened; the webhook answered 503
    save_circuit(hub, "closed", None)
    await hub.alerts.job()  # cleared; the open goes out first, then the clear
    assert [e["type"] for e in receiver.delivered()] == [OPENED, OPENED, CLEARED]
    assert receiver.delivered()[0]["id"] == receiver.delivered()[1]["id"]  # the same event
    await hub.alerts.job()
    assert len(receiver.requests) == 3  # nothing left to send


@pytest.fixture
async def client(hub: HubServices) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_asgi(hub))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://hub", headers=operator_headers(hub)
    ) as c:
        yield c


async def test_get_alerts_lists_open_ones_or_all(
    hub: HubServices, client: httpx.AsyncClient
) -> None:
    assert hub.alerts is not None
    assert (await client.get("/v1/alerts")).json() == {"alerts": []}
    save_circuit(hub, "open", datetime.now(UTC) - timedelta(minutes=10))
    await hub.alerts.job()
    [alert] = (await client.get("/v1/alerts")).json()["alerts"]
    assert (alert["rule"], alert["kind"], alert["subject"], alert["status"]) == (
        "erp-down", "endpoint_down", "erp", "open",
    )  # fmt: skip
    assert alert["details"]["circuit"] == "open"
    save_circuit(hub, "closed", None)
    await hub.alerts.job()
    assert (await client.get("/v1/alerts")).json() == {"alerts": []}
    [done] = (await client.get("/v1/alerts", params={"status": "all"})).json()["alerts"]
    assert done["id"] == alert["id"] and done["status"] == "cleared" and done["cleared_at"]


async def test_get_alerts_refuses_a_bad_status_and_non_operators(
    hub: HubServices, client: httpx.AsyncClient
) -> None:
    bad = await client.get("/v1/alerts", params={"status": "closed"})
    assert bad.status_code == 422 and bad.headers["content-type"] == PROBLEM
    partner = key_headers(hub, Client("partner", "acme", "supplier"), ["messages:write"])
    refused = await client.get("/v1/alerts", headers=partner)
    assert refused.status_code == 403 and refused.headers["content-type"] == PROBLEM


async def test_the_cli_lists_alerts_as_json_and_as_a_table(
    hub: HubServices, tmp_path: Path
) -> None:
    assert hub.alerts is not None
    save_circuit(hub, "open", datetime.now(UTC) - timedelta(minutes=10))
    await hub.alerts.job()
    args = ["--config", str(ROOT / "crossdock.yaml"), "--data-dir", str(tmp_path / "data")]
    runner = CliRunner()
    as_json = runner.invoke(cli_app, ["alerts", "list", "--json", *args])
    assert as_json.exit_code == 0, as_json.output
    [row] = json.loads(as_json.stdout)
    assert (row["rule"], row["subject"], row["status"]) == ("erp-down", "erp", "open")
    table = runner.invoke(cli_app, ["alerts", "list", "--status", "all", *args])
    assert table.exit_code == 0, table.output
    assert "erp-down" in table.stdout and "1 alert(s)" in table.stdout
    bad = runner.invoke(cli_app, ["alerts", "list", "--status", "closed", *args])
    assert bad.exit_code == 2 and "unknown status 'closed'" in bad.output


# --- settings ----------------------------------------------------------------------------


def test_the_kpi_names_are_those_compute_kpis_returns() -> None:
    class Empty:
        def __getattr__(self, _name: str) -> Any:
            return lambda *_a, **_k: (
                ([], 0) if _name == "onboarding" else (0, 0, 0) if _name == "message_outcomes"
                else {} if _name in ("unrouted_counts", "exception_counts") else []
            )  # fmt: skip

    assert tuple(k for k in compute_kpis(Empty()) if k != "window") == KPI_NAMES


def test_rules_become_evaluator_rules_in_seconds() -> None:
    config = AlertsConfig(
        rules=[
            {"name": "sla", "kind": "kpi_sla", "kpi": "po_delivery_latency", "max": 30},
            {"name": "b", "kind": "backlog", "max": 10, "groups": ["deliver.*"]},
            {"name": "d", "kind": "endpoint_down", "minutes": 2, "endpoints": ["erp"]},
            {"name": "s", "kind": "partner_silent", "minutes": 60, "partners": {"a": 5, "b": None}},
            {"name": "o", "kind": "ack_overdue", "minutes": 30},
        ]
    )
    sla, backlog, down, silent, overdue = alert_rules(config)
    assert (sla.kpi, sla.statistic, sla.limit, sla.window_seconds) == (
        "po_delivery_latency", "p95_s", 30, 86_400,
    )  # fmt: skip
    assert (backlog.limit, backlog.matches("deliver.erp"), backlog.matches("route.bulk")) == (
        10, True, False,
    )  # fmt: skip
    assert (down.limit, down.patterns) == (120, ("erp",))
    assert (silent.limit, dict(silent.per_subject)) == (3600, {"a": 300, "b": 3600})
    assert (overdue.kind, overdue.limit, dict(overdue.per_subject)) == ("ack_overdue", 1800, {})


@pytest.mark.parametrize(
    ("alerts", "error"),
    [
        ({"rules": [{"name": "x", "kind": "kpi_sla", "kpi": "nope", "max": 1}]}, "unknown kpi"),
        ({"rules": [{"name": "x", "kind": "loud"}]}, "does not match any of the expected tags"),
        (
            {"rules": [{"name": "x", "kind": "backlog", "max": 1}] * 2},
            "rule names must be unique: x",
        ),
        ({"rules": [{"name": "x", "kind": "endpoint_down", "minutes": 0}]}, "greater than 0"),
        ({"webhook": {"url": "http://h/x", "secret": "plain"}}, "starts with whsec_"),
        ({"webhook": {"url": "not a url"}}, "URL"),
    ],
)
def test_bad_alert_settings_are_refused_saying_why(alerts: dict[str, Any], error: str) -> None:
    with pytest.raises(ValidationError, match=error):
        Settings(alerts=alerts)


def test_without_rules_no_evaluator_is_built(tmp_path: Path) -> None:
    import asyncio

    async def build() -> None:
        services = build_hub(Settings(hub={"data_dir": tmp_path / "data"}))
        try:
            assert services.alerts is None
        finally:
            services.runner.close()
            services.store.close()

    asyncio.run(build())
