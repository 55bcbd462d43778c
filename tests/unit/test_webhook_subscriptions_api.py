"""``/v1/webhooks/subscriptions`` over ASGI on a hub in process (real SQLite store, runtime
loops running, a loopback receiver), called with real API keys: a partner's keys (scope
``webhooks:manage``), an operator's, a key without the scope, and none."""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from crossdock.bootstrap import HubServices, build_hub
from crossdock.config import Settings
from crossdock.entrypoints.api.app import create_asgi
from crossdock.hub.credentials import Client
from crossdock.hub.identity import WEBHOOKS_MANAGE
from tests.auth_helpers import key_headers, operator_headers
from tests.conftest import EXAMPLES
from tests.integration.webhook_rig import Receiver, start_receiver

PO = json.loads((EXAMPLES / "purchase_order.json").read_text())  # supplier CASCADEPAPER


def keys(hub: HubServices) -> dict[str, dict[str, str]]:
    """Authorization headers by caller."""
    return {
        "ops": operator_headers(hub),
        "cascade": key_headers(hub, Client("partner", "cascade", "supplier"), [WEBHOOKS_MANAGE]),
        "acme": key_headers(hub, Client("partner", "acme", "supplier"), [WEBHOOKS_MANAGE]),
        "reader": key_headers(hub, Client("partner", "acme", "supplier"), ["purchase-orders:read"]),
    }


@dataclass
class Api:
    client: httpx.AsyncClient
    receiver: Receiver
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    async def call(self, who: str | None, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = self.headers[who] if who else {}
        return await self.client.request(method, path, headers=headers, **kw)

    async def subscribe(self, who: str, path: str, *types: str, **extra: Any) -> dict[str, Any]:
        body = {"url": self.receiver.url + path, "event_types": list(types), **extra}
        answer = await self.call(who, "POST", "/v1/webhooks/subscriptions", json=body)
        assert answer.status_code == 201, answer.text
        created: dict[str, Any] = answer.json()
        self.receiver.secrets.setdefault(path, []).append(created["secret"])
        return created


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Api]:
    receiver = Receiver()
    server = await start_receiver(receiver)
    settings = Settings(
        hub={"data_dir": tmp_path / "data", "prepare_workers": 0},
        partners={"cascade": {"x12": {"id": "CASCADEPAPER"}}, "acme": {"x12": {"id": "ACME"}}},
        webhooks={
            "enabled": True,
            "allow_private_urls": True,  # the receiver is on loopback
            "retry": {"initial_backoff_seconds": 0.05, "jitter": 0},
        },
    )
    hub: HubServices = build_hub(settings)
    await hub.start()
    try:
        transport = httpx.ASGITransport(app=create_asgi(hub))
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as c:
            yield Api(c, receiver, keys(hub))
    finally:
        await hub.stop()
        await server.cleanup()


async def until(check: Callable[[], Any], seconds: float = 15.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not reached in time")


async def test_partners_manage_their_own_subscriptions_only(api: Api) -> None:
    mine = await api.subscribe("cascade", "/c", "purchase_order.created", description="POs")
    assert mine["secret"].startswith("whsec_") and mine["partner"] == "cascade"
    theirs = await api.subscribe("acme", "/a", "invoice.approved")
    await api.subscribe("ops", "/ops", "shipment.delivered", partner="acme")

    listed = await api.call("cascade", "GET", "/v1/webhooks/subscriptions")
    assert [s["id"] for s in listed.json()["items"]] == [mine["id"]]
    assert "secret" not in listed.json()["items"][0]  # shown once, never listed
    everyone = await api.call("ops", "GET", "/v1/webhooks/subscriptions")
    assert len(everyone.json()["items"]) == 3
    for method, tail in (("GET", ""), ("DELETE", ""), ("POST", "/rotate"), ("GET", "/deliveries")):
        other = await api.call(
            "cascade", method, f"/v1/webhooks/subscriptions/{theirs['id']}{tail}"
        )
        assert other.status_code == 404, (method, tail, other.text)
        assert other.headers["content-type"] == "application/problem+json"

    refused = await api.call(
        "cascade",
        "POST",
        "/v1/webhooks/subscriptions",
        json={"url": "https://x.example/", "event_types": ["invoice.approved"], "partner": "acme"},
    )
    assert refused.status_code == 403 and "for itself" in refused.json()["detail"]


async def test_bad_requests_and_missing_credentials_are_problems(api: Api) -> None:
    url = "/v1/webhooks/subscriptions"
    for body in (
        {"url": "https://x.example/", "event_types": ["order.shipped"]},
        {"url": "ftp://x.example/", "event_types": ["invoice.approved"]},
        {"url": "https://x.example/", "event_types": []},
    ):
        answer = await api.call("cascade", "POST", url, json=body)
        assert answer.status_code == 422, body
        assert answer.headers["content-type"] == "application/problem+json"
    assert (await api.call(None, "GET", url)).status_code == 401
    no_scope = await api.call("reader", "GET", url)
    assert no_scope.status_code == 403 and no_scope.json()["required_scope"] == WEBHOOKS_MANAGE


async def test_an_intake_po_is_delivered_signed_logged_and_replayable(api: Api) -> None:
    sub = await api.subscribe("cascade", "/c", "purchase_order.created")
    await api.subscribe("acme", "/a", "purchase_order.created")
    api.receiver.answers["/c"] = deque([400])  # the first delivery is rejected: dead letter
    posted = await api.call("ops", "POST", "/v1/messages/purchase_order", json=PO)
    assert posted.status_code == 202, posted.text

    await until(lambda: len(api.receiver.at("/c")) == 1)
    base = f"/v1/webhooks/subscriptions/{sub['id']}"

    async def log() -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = (
            await api.call("cascade", "GET", f"{base}/deliveries")
        ).json()["items"]
        return items

    for _ in range(100):
        items = await log()
        if items and items[0]["status"] == "dead_lettered":
            break
        await asyncio.sleep(0.05)
    [entry] = items
    assert entry["status"] == "dead_lettered" and entry["event_type"] == "purchase_order.created"
    [attempt] = entry["attempts"]
    assert (attempt["outcome"], attempt["status_code"]) == ("rejected", 400)
    assert attempt["latency_ms"] > 0

    replay = await api.call("cascade", "POST", f"{base}/deliveries/{entry['id']}/replay")
    assert replay.status_code == 202 and replay.json()["result"] == "dead letter retried"
    await until(lambda: len(api.receiver.at("/c")) == 2)
    got = api.receiver.at("/c")[-1]
    assert got.verified_with == [sub["secret"]]
    Webhook(sub["secret"]).verify(got.body, got.headers)
    assert got.headers["webhook-id"] == entry["webhook_id"]
    assert got.event["data"]["purchase_order"]["po_number"] == PO["po_number"]
    assert api.receiver.at("/a") == []  # acme never hears of cascade's PO

    rotated = await api.call("cascade", "POST", f"{base}/rotate")
    assert rotated.status_code == 200 and rotated.json()["previous_secret_valid_until"]
    gone = await api.call("cascade", "DELETE", base)
    assert gone.status_code == 204
    assert (await api.call("cascade", "GET", base)).status_code == 404
