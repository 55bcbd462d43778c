"""Inbound Standard Webhooks verification on a carrier and a business system, through the API
of a hub in process (over ASGI, a real SQLite store): a good request is recorded; a bad
signature, a stale timestamp and a replayed request are refused with 401 problem+json and
recorded as refused messages with the reason; the replay records nothing twice."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from crossdock.bootstrap import HubServices, build_hub
from crossdock.config import Settings
from crossdock.entrypoints.api.app import create_asgi
from crossdock.hub.webhook_signing import decode_secret, new_secret, sign_headers
from tests.auth_helpers import operator_headers
from tests.unit.mapping.carrier_support import FIXTURES

OPERATOR: dict[str, str] = {}
CARRIER_KEY = new_secret()
OLD_KEY = new_secret()
ERP_KEY = new_secret()
SYSTEMS = Path(__file__).resolve().parents[1] / "fixtures" / "systems"
BODY = (FIXTURES / "flat_events_shipment.json").read_bytes()


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    standard = {"scheme": "standard-webhooks", "tolerance_seconds": 300}
    settings = Settings(
        hub={"data_dir": tmp_path / "data", "prepare_workers": 0},
        carriers={
            "northline": {
                "format": "flat_events",
                "signature": {**standard, "secret": CARRIER_KEY, "previous_secrets": [OLD_KEY]},
            }
        },
        systems={"erp": {"format": "sandbox_erp", "signature": {**standard, "secret": ERP_KEY}}},
    )
    hub: HubServices = build_hub(settings)
    await hub.start()
    OPERATOR.update(operator_headers(hub))  # reads need an operator; the webhooks their signature
    try:
        transport = httpx.ASGITransport(app=create_asgi(hub))
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as c:
            yield c
    finally:
        await hub.stop()


def signed(
    secret: str, body: bytes, msg_id: str = "msg_1", at: float | None = None
) -> dict[str, str]:
    stamp = int(time.time() if at is None else at)
    headers = sign_headers([decode_secret(secret)], msg_id, stamp, body)
    return {**headers, "Content-Type": "application/json"}


async def post(
    client: httpx.AsyncClient, headers: dict[str, str], body: bytes = BODY
) -> httpx.Response:
    return await client.post("/v1/webhooks/carriers/northline", content=body, headers=headers)


async def refused(client: httpx.AsyncClient, answer: httpx.Response, reason: str) -> None:
    assert answer.status_code == 401, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["www-authenticate"].startswith("Standard-Webhooks")
    problem = answer.json()
    assert reason in problem["detail"]
    view = (await client.get(f"/v1/messages/{problem['message_id']}", headers=OPERATOR)).json()
    assert view["status"] == "rejected"
    assert view["source"] == "northline"
    assert reason in view["errors"][0]["reason"]


async def milestones(client: httpx.AsyncClient) -> int:
    """Milestones recorded from northline (not the refusals): accepted, or already marked
    unrouted by the routing loop (no route takes them here)."""
    listed = await client.get(
        "/v1/messages",
        params={"source": "northline", "document_type": "shipment_milestone", "limit": "1000"},
        headers=OPERATOR,
    )
    return sum(m["status"] != "rejected" for m in listed.json()["items"])


async def test_a_signed_request_is_recorded(client: httpx.AsyncClient) -> None:
    answer = await post(client, signed(CARRIER_KEY, BODY))
    assert answer.status_code == 202, answer.text
    assert answer.json()["accepted"] == 5
    # the sender's previous key, still configured during its rotation, is accepted too
    again = await post(client, signed(OLD_KEY, BODY, "msg_2"))
    assert again.status_code == 202 and again.json()["duplicate"] == 5


async def test_a_bad_signature_is_refused_and_recorded(client: httpx.AsyncClient) -> None:
    await refused(client, await post(client, signed(new_secret(), BODY)), "no webhook-signature")
    tampered = signed(CARRIER_KEY, BODY)
    await refused(client, await post(client, tampered, BODY + b" "), "no webhook-signature")
    unsigned = {"Content-Type": "application/json"}
    await refused(client, await post(client, unsigned), "missing header(s)")
    assert await milestones(client) == 0


async def test_a_stale_timestamp_is_refused(client: httpx.AsyncClient) -> None:
    stale = signed(CARRIER_KEY, BODY, at=time.time() - 301)
    await refused(client, await post(client, stale), "stale or replayed")
    future = signed(CARRIER_KEY, BODY, at=time.time() + 600)
    await refused(client, await post(client, future), "stale or replayed")
    assert await milestones(client) == 0


async def test_a_replayed_request_is_refused(client: httpx.AsyncClient) -> None:
    captured = signed(CARRIER_KEY, BODY, "msg_replay")
    first = await post(client, captured)
    assert first.status_code == 202
    await refused(client, await post(client, captured), "a replay")
    assert await milestones(client) == 5
    # the sender's own retry of that message is signed afresh (a new timestamp): accepted,
    # and intake's idempotency makes it a duplicate
    time.sleep(1.01)
    retry = await post(client, signed(CARRIER_KEY, BODY, "msg_replay"))
    assert retry.status_code == 202 and retry.json()["duplicate"] == 5


async def test_a_business_system_signing_the_standard_way(client: httpx.AsyncClient) -> None:
    fixture = json.loads((SYSTEMS / "erp_purchaseOrder_released.json").read_text())
    body = json.dumps(fixture["body"]).encode()
    headers = {**fixture["headers"], **signed(ERP_KEY, body, "msg_erp")}
    answer = await client.post("/v1/inbound/erp", content=body, headers=headers)
    assert answer.status_code == 202, answer.text
    replay = await client.post("/v1/inbound/erp", content=body, headers=headers)
    assert replay.status_code == 401
    assert "a replay" in replay.json()["detail"] and replay.json()["message_id"]
    forged = await client.post(
        "/v1/inbound/erp", content=body, headers=signed(CARRIER_KEY, body, "msg_erp2")
    )
    assert forged.status_code == 401 and "no webhook-signature" in forged.json()["detail"]


async def test_an_inbound_webhook_continues_the_senders_trace(client: httpx.AsyncClient) -> None:
    trace_id = "0af7651916cd43dd8448eb211c80319c"
    headers = {**signed(CARRIER_KEY, BODY), "traceparent": f"00-{trace_id}-b7ad6b7169203331-01"}
    answer = await post(client, headers)
    assert answer.status_code == 202, answer.text
    listed = await client.get(
        "/v1/messages", params={"source": "northline", "limit": "100"}, headers=OPERATOR
    )
    ids = [m["id"] for m in listed.json()["items"]]
    assert len(ids) == 5
    for message_id in ids:
        view = (await client.get(f"/v1/messages/{message_id}", headers=OPERATOR)).json()
        assert view["trace_id"] == trace_id
