"""The flow engine wired into a running hub, driven over its HTTP API (ASGI, in process).

A purchase order posted to the hub opens the toy flow through the `flow.critical` consumer;
its "ack due" timer (300 ms here) fires from the hub's scheduler and raises a late
acknowledgment; the acknowledgment then advances the flow, whose forwarded copy is routed to a
folder endpoint. The exception is operated through `/v1/exceptions`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from crossdock.bootstrap import HubServices, build_hub
from crossdock.config import Settings
from crossdock.entrypoints.api.app import create_asgi
from tests.auth_helpers import operator_headers
from tests.conftest import EXAMPLES
from tests.unit.flows.toy_flow import NAME, definition

PO_RAW = (EXAMPLES / "purchase_order.json").read_bytes()
ACK_RAW = (EXAMPLES / "purchase_order_acknowledgment.json").read_bytes()
PO_NUMBER = json.loads(PO_RAW)["po_number"]
PROBLEM = "application/problem+json"


def settings(tmp_path: Path) -> Settings:
    return Settings(
        hub={"data_dir": tmp_path / "data"},
        endpoints={"archive": {"type": "folder", "path": tmp_path / "out"}},
        routes=[
            {
                "name": "po-to-archive",
                "when": {"document_type": "purchase_order"},
                "deliver": {"endpoint": "archive"},
            },
            {
                "name": "ack-to-archive",
                "when": {
                    "document_type": "purchase_order_acknowledgment",
                    "source": f"crossdock.flow.{NAME}",
                },
                "deliver": {"endpoint": "archive"},
            },
        ],
    )


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[HubServices]:
    services = build_hub(settings(tmp_path), flows=[definition(timedelta(milliseconds=300))])
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


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 10.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await check()
        if value or asyncio.get_running_loop().time() > deadline:
            return value
        await asyncio.sleep(0.05)


async def post(client: httpx.AsyncClient, document_type: str, raw: bytes, key: str) -> str:
    response = await client.post(
        f"/v1/messages/{document_type}",
        content=raw,
        headers={
            "Content-Type": "application/json",
            "Idempotency-Key": key,
            "X-Crossdock-Source": "erp",
        },
    )
    assert response.status_code == 202, response.text
    message_id: str = response.json()["id"]
    return message_id


def test_without_flows_the_hub_runs_no_flow_consumer(tmp_path: Path) -> None:
    async def start_and_list() -> list[str]:
        services = build_hub(settings(tmp_path))
        await services.start()
        try:
            return [t.get_name() for t in services.runtime._tasks]
        finally:
            await services.stop()

    names = asyncio.run(start_and_list())
    assert "route.critical" in names
    added = {"fire_flow_timers", "raise_dead_letter_exceptions", "exceptions.rejected"}
    assert not [n for n in names if n.startswith("flow.") or n in added]


async def test_a_running_hub_advances_flows_fires_timers_and_routes_emissions(
    hub: HubServices, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    running = {t.get_name() for t in hub.runtime._tasks}
    assert {"flow.critical", "fire_flow_timers", "exceptions.rejected"} <= running
    po_id = await post(client, "purchase_order", PO_RAW, "po-1")

    async def late() -> list[dict[str, Any]]:
        page = await client.get("/v1/exceptions", params={"category": "late_acknowledgment"})
        items: list[dict[str, Any]] = page.json()["items"]
        return items

    [raised] = await eventually(late)
    assert (raised["correlation_key"], raised["evidence"]) == (PO_NUMBER, [po_id])
    flow = (await client.get(f"/v1/flows/{NAME}/{PO_NUMBER}")).json()
    assert flow["state"] == "late"
    assert [t["name"] for t in flow["timers"] if t["fired_at"]] == ["ack_due"]
    assert [e["id"] for e in flow["exceptions"]] == [raised["id"]]

    ack_id = await post(client, "purchase_order_acknowledgment", ACK_RAW, "ack-1")

    async def delivered() -> list[Path]:
        out = tmp_path / "out"
        return sorted(out.glob("*.json")) if out.exists() else []

    files = await eventually(lambda: _at_least(delivered, 2))
    bodies = [json.loads(f.read_bytes()) for f in files]
    assert sorted("acknowledgment_number" in b for b in bodies) == [False, True]
    flow = (await client.get(f"/v1/flows/{NAME}/{PO_NUMBER}")).json()
    assert (flow["state"], flow["data"]["ack_message"]) == ("acknowledged", ack_id)
    listed = (await client.get("/v1/flows", params={"flow": NAME})).json()["items"]
    assert [f["key"] for f in listed] == [PO_NUMBER]

    # A technical failure lands in the same list: a rejected message is a validation exception.
    bad = PO_RAW.replace(b'"currency": "USD"', b'"currency": "EURO"', 1)
    refused = await client.post(
        "/v1/messages/purchase_order",
        content=bad,
        headers={"Content-Type": "application/json", "X-Crossdock-Source": "erp"},
    )
    assert refused.status_code == 422

    async def validation() -> list[dict[str, Any]]:
        page = await client.get("/v1/exceptions", params={"category": "validation"})
        items: list[dict[str, Any]] = page.json()["items"]
        return items

    [invalid] = await eventually(validation)
    assert invalid["evidence"] == [refused.json()["message_id"]]


async def _at_least(fetch: Callable[[], Awaitable[list[Path]]], n: int) -> list[Path]:
    found = await fetch()
    return found if len(found) >= n else []


async def test_exceptions_api_show_resolve_retry_replay(
    hub: HubServices, client: httpx.AsyncClient
) -> None:
    po_id = await post(client, "purchase_order", PO_RAW, "po-1")

    async def raised() -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = (await client.get("/v1/exceptions")).json()["items"]
        return items

    [listed] = await eventually(raised)
    url = f"/v1/exceptions/{listed['id']}"
    shown = (await client.get(url)).json()
    assert shown["evidence_messages"][0]["id"] == po_id
    assert shown["owner_role"] == "buyer" and shown["status"] == "open"

    missing = await client.get("/v1/exceptions/NOPE")
    assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM
    assert missing.json()["detail"] == "no exception with id 'NOPE'"
    bad_filter = await client.get("/v1/exceptions", params={"category": "late"})
    assert bad_filter.status_code == 422 and bad_filter.headers["content-type"] == PROBLEM
    assert (await client.get(f"/v1/flows/{NAME}/PO-NONE")).status_code == 404

    no_reason = await client.post(f"{url}/resolve", json={})
    assert no_reason.status_code == 422 and no_reason.headers["content-type"] == PROBLEM
    assert no_reason.json()["errors"][0]["path"] == "body.reason"
    empty = await client.post(f"{url}/resolve", json={"reason": ""})
    assert empty.status_code == 422

    nothing = await client.post(f"{url}/retry")
    assert nothing.status_code == 409 and "nothing to retry" in nothing.json()["detail"]
    replayed = await client.post(f"{url}/replay")
    assert replayed.status_code == 202, replayed.text
    assert replayed.json()["replayed"] == {"route.critical": 1}

    resolved = await client.post(f"{url}/resolve", json={"reason": "supplier confirmed by phone"})
    assert resolved.status_code == 200
    assert (resolved.json()["status"], resolved.json()["resolution"]) == (
        "resolved",
        "supplier confirmed by phone",
    )
    again = await client.post(f"{url}/resolve", json={"reason": "again"})
    assert again.status_code == 409 and again.headers["content-type"] == PROBLEM
    actions = [a["action"] for a in (await client.get(url)).json()["actions"]]
    assert actions == ["replay", "resolve"]
    open_now = (await client.get("/v1/exceptions", params={"status": "open"})).json()["items"]
    assert open_now == []
