"""Untransformable and unrouted messages through a real hub process (flows off)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from crossdock.sandbox.sink import RunningSink
from tests.conftest import EXAMPLES
from tests.integration.conftest import po_with_number
from tests.integration.hubproc import HubProcess, sink_config, wait_for

pytestmark = pytest.mark.slow

ROUTES = [
    {
        "name": "po-from-erp",
        "when": {"document_type": "purchase_order", "source": "erp"},
        "deliver": {"endpoint": "erp"},
    },
    # a path the schema has (so config check accepts it) that this document lacks
    {
        "name": "po-contract",
        "when": {"document_type": "purchase_order", "source": "portal"},
        "deliver": {
            "endpoint": "erp",
            "transform": "fields",
            "fields": {"contract": "contract_number"},
        },
    },
]


@pytest.fixture
def hub(workdir: Path, sink: RunningSink) -> Iterator[HubProcess]:
    config = {
        **sink_config(sink.url, routes=ROUTES),
        "unrouted": [{"document_type": "goods_receipt", "reason": "nobody needs receipts"}],
    }
    process = HubProcess(workdir, config)
    try:
        yield process.start(timeout=60)
    finally:
        process.stop()


def post(hub: HubProcess, document_type: str, doc: Any, source: str | None = None) -> str:
    headers = {"X-Crossdock-Source": source} if source else {}
    response = httpx.post(
        f"{hub.url}/v1/messages/{document_type}",
        json=doc,
        headers={**hub.headers, **headers},
        timeout=10,
    )
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


def status(hub: HubProcess, message_id: str) -> str:
    return str(
        httpx.get(f"{hub.url}/v1/messages/{message_id}", timeout=10, headers=hub.headers).json()[
            "status"
        ]
    )


def exceptions(hub: HubProcess, category: str) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{hub.url}/v1/exceptions", params={"category": category}, timeout=10, headers=hub.headers
    )
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def test_unrouted_and_untransformable_messages_are_settled_at_once(
    hub: HubProcess, po_example: dict[str, Any]
) -> None:
    unrouted = [post(hub, "purchase_order", po_with_number(po_example, f"PO-U{n}")) for n in (1, 2)]
    failed = post(hub, "purchase_order", po_with_number(po_example, "PO-T1"), source="portal")
    receipt = json.loads((EXAMPLES / "goods_receipt.json").read_text())
    declared = post(hub, "goods_receipt", receipt)  # no route at all, declared unrouted
    invoice = json.loads((EXAMPLES / "invoice.json").read_text())
    forgotten = post(hub, "invoice", invoice, source="supplier")  # no route at all

    # untransformable: failed, dead-lettered after one attempt, a mapping exception
    wait_for(lambda: status(hub, failed) == "failed", timeout=30)
    dlq = httpx.get(f"{hub.url}/v1/dlq", timeout=10, headers=hub.headers).json()["items"]
    [dead] = [d for d in dlq if d["message_id"] == failed]
    assert dead["group"] == "route.critical" and dead["deliveries"] == 1
    assert "contract_number" in dead["last_error"]
    [mapping] = exceptions(hub, "mapping")
    assert mapping["evidence"] == [failed] and "po-contract" in mapping["detail"]

    # unrouted: a status of its own, one routing exception per (type, source)
    for message_id in (*unrouted, declared, forgotten):
        wait_for(lambda m=message_id: status(hub, m) == "unrouted", timeout=30)
    routing = {e["correlation_key"]: e for e in exceptions(hub, "routing")}
    assert set(routing) == {"unrouted:purchase_order:api", "unrouted:invoice:supplier"}
    assert routing["unrouted:purchase_order:api"]["evidence"] == unrouted
    assert routing["unrouted:invoice:supplier"]["evidence"] == [forgotten]

    listed = httpx.get(
        f"{hub.url}/v1/messages", params={"status": "unrouted"}, timeout=10, headers=hub.headers
    )
    assert {m["id"] for m in listed.json()["items"]} == {*unrouted, declared, forgotten}
    kpis = httpx.get(f"{hub.url}/v1/kpis", timeout=10, headers=hub.headers).json()
    assert kpis["unrouted_messages"]["n"] == 4
    assert kpis["unrouted_messages"]["by_type_and_source"]["purchase_order from api"] == 2
    assert kpis["integration_failure_rate"]["dead_lettered"] == 1
    metrics = httpx.get(f"{hub.url}/metrics", timeout=10, headers=hub.headers).text
    assert 'crossdock_routing_problems_total{outcome="unrouted"} 4.0' in metrics
    assert 'crossdock_routing_problems_total{outcome="untransformable"} 1.0' in metrics

    cli = hub.cli("messages", "list", "--status", "unrouted", "--json")
    assert cli.returncode == 0, cli.stderr
    assert {m["id"] for m in json.loads(cli.stdout)} == {*unrouted, declared, forgotten}
    bad = hub.cli("messages", "list", "--status", "unroutd")
    assert bad.returncode == 2 and "unknown status 'unroutd'" in bad.stderr
