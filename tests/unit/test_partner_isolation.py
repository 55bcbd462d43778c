"""Object-level isolation over HTTP: every read of messages, flows, exceptions and dead
letters, tried across partners. A partner sees its own objects only: another partner's is
404 (never 403, never its data) and lists leave it out; an operator sees everything.

Every request is authenticated by the hub's real middleware with a real API key issued into
the hub's store (`tests.auth_helpers`); the tests name the caller with an ``x-test-principal``
header, which `with_keys` swaps for that caller's ``Authorization: Bearer`` key before the hub
sees the request.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from crossdock.bootstrap import HubServices, build_hub
from crossdock.config import Settings
from crossdock.entrypoints.api.app import create_asgi
from crossdock.hub.credentials import Client
from crossdock.hub.flows.exceptions import ExceptionCategory, ExceptionRecord
from crossdock.hub.flows.model import FlowState
from crossdock.hub.identity import EDI_WRITE, MESSAGES_WRITE, PURCHASE_ORDERS_READ
from crossdock.hub.records import ConsumerGroup
from tests.auth_helpers import key_headers, operator_headers
from tests.conftest import EXAMPLES

PO: dict[str, Any] = json.loads((EXAMPLES / "purchase_order.json").read_bytes())
T0 = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)
PARTNER_SCOPES = [MESSAGES_WRITE, EDI_WRITE, PURCHASE_ORDERS_READ]

Scope = MutableMapping[str, Any]
ASGI = Callable[[Scope, Any, Any], Awaitable[None]]


def callers(hub: HubServices) -> dict[str, dict[str, str]]:
    """Real keys in the hub's store: two suppliers, a system, an operator."""
    return {
        "acme": key_headers(hub, Client("partner", "acme", "supplier"), PARTNER_SCOPES),
        "globex": key_headers(hub, Client("partner", "globex", "supplier"), PARTNER_SCOPES),
        "nobody": key_headers(hub, Client("system", "lost"), [MESSAGES_WRITE]),
        "ops": operator_headers(hub),
    }


def with_keys(app: ASGI, keys: dict[str, dict[str, str]]) -> ASGI:
    """Send the named caller's key (``x-test-principal: acme``) to the real auth stack."""

    async def wrapped(scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            headers = [(k, v) for k, v in scope["headers"] if k != b"x-test-principal"]
            who = dict(scope["headers"]).get(b"x-test-principal", b"").decode()
            if who in keys:
                value = keys[who]["Authorization"].encode()
                headers.append((b"authorization", value))
            scope = dict(scope, headers=headers)
        await app(scope, receive, send)

    return wrapped


def keyed_client(hub: HubServices) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=with_keys(create_asgi(hub), callers(hub)))
    return httpx.AsyncClient(transport=transport, base_url="http://hub")


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[HubServices]:
    services: HubServices = build_hub(Settings(hub={"data_dir": tmp_path / "data"}))
    await services.start()
    try:
        yield services
    finally:
        await services.stop()


@pytest.fixture
async def client(hub: HubServices) -> AsyncIterator[httpx.AsyncClient]:
    async with keyed_client(hub) as c:
        yield c


async def post_po(client: httpx.AsyncClient, who: str, number: str) -> str:
    body = json.dumps(PO | {"po_number": number}).encode()
    answer = await client.post(
        "/v1/messages/purchase_order",
        content=body,
        headers={"Content-Type": "application/json", "x-test-principal": who},
    )
    assert answer.status_code == 202, answer.text
    message_id: str = answer.json()["id"]
    return message_id


def seed(hub: HubServices, ids: dict[str, str]) -> dict[str, str]:
    """A flow instance, an exception and a dead letter about each partner's PO."""
    exception_ids = {}
    with hub.store.uow() as uow:
        for who, number in (("acme", "PO-ACME"), ("globex", "PO-GLOBEX")):
            uow.flows.save(
                FlowState("procure_to_pay", number, "ordered", {}, 1, T0, T0), expected_version=0
            )
            exception_ids[who] = f"EX-{who}"
            uow.exceptions.add(
                ExceptionRecord(
                    id=f"EX-{who}",
                    category=ExceptionCategory.LATE_ACKNOWLEDGMENT,
                    owner_role="purchasing",
                    detail=f"{who} is late",
                    created_at=T0,
                    evidence=[ids[who]],
                    flow="procure_to_pay",
                    correlation_key=number,
                )
            )
        uow.commit()
    hub.bus.ensure_group(ConsumerGroup("test.dead", ("test.>",)))
    with hub.store.uow() as uow:
        for who in ("acme", "globex"):
            uow.outbox.publish(f"test.{who}", who, ids[who])
        uow.commit()
    for entry in hub.bus.fetch("test.dead", 10):
        hub.bus.dead_letter("test.dead", entry, "receiver said no")
    return exception_ids


async def get(client: httpx.AsyncClient, who: str, path: str, **params: Any) -> httpx.Response:
    return await client.get(path, params=params, headers={"x-test-principal": who})


async def test_every_cross_partner_read_is_404_or_filtered(
    hub: HubServices, client: httpx.AsyncClient
) -> None:
    ids = {
        "acme": await post_po(client, "acme", "PO-ACME"),
        "globex": await post_po(client, "globex", "PO-GLOBEX"),
    }
    exceptions = seed(hub, ids)

    for me, other in (("acme", "globex"), ("globex", "acme")):
        # messages: list (also when asking for the other's partner, key or source), detail, raw
        listed = (await get(client, me, "/v1/messages")).json()["items"]
        assert [m["id"] for m in listed] == [ids[me]]
        assert listed[0]["sender"] == f"partner:{me}" and listed[0]["partner"] == me
        for params in ({"partner": other}, {"correlation_key": f"PO-{other.upper()}"}):
            assert (await get(client, me, "/v1/messages", **params)).json()["items"] == []
        for raw in ("false", "true"):
            mine = await get(client, me, f"/v1/messages/{ids[me]}", raw=raw)
            assert mine.status_code == 200 and mine.json()["partner"] == me
            theirs = await get(client, me, f"/v1/messages/{ids[other]}", raw=raw)
            assert theirs.status_code == 404, theirs.text
            assert ids[other] in theirs.json()["detail"] and "PO-" not in theirs.text
        # flows: list and instance
        flows = (await get(client, me, "/v1/flows")).json()["items"]
        assert [f["key"] for f in flows] == [f"PO-{me.upper()}"]
        own_flow = await get(client, me, f"/v1/flows/procure_to_pay/PO-{me.upper()}")
        assert own_flow.status_code == 200 and ids[other] not in own_flow.text
        other_flow = await get(client, me, f"/v1/flows/procure_to_pay/PO-{other.upper()}")
        assert other_flow.status_code == 404
        # exceptions: list (any filter) and detail
        answer = await get(client, me, "/v1/exceptions")
        listed_ex = answer.json()["items"]
        # its own, and the hub's "unrouted" exception, whose evidence holds both POs: only
        # its own message of that evidence is shown
        assert exceptions[me] in [e["id"] for e in listed_ex]
        assert exceptions[other] not in answer.text and ids[other] not in answer.text
        for row in listed_ex:
            assert row["evidence"] == [ids[me]]
        by_key = await get(client, me, "/v1/exceptions", correlation_key=f"PO-{other.upper()}")
        assert by_key.json()["items"] == []
        for row in listed_ex:
            view = await get(client, me, f"/v1/exceptions/{row['id']}")
            assert view.status_code == 200 and ids[other] not in view.text
        other_ex = await get(client, me, f"/v1/exceptions/{exceptions[other]}")
        assert other_ex.status_code == 404 and "late" not in other_ex.text
        # dead letters
        dead = (await get(client, me, "/v1/dlq")).json()["items"]
        assert [d["message_id"] for d in dead] == [ids[me]]

    # another principal (a system key, acting for itself) sees none of it; an operator all
    for path in ("/v1/messages", "/v1/flows", "/v1/exceptions", "/v1/dlq"):
        assert (await get(client, "nobody", path)).json()["items"] == []
        assert len((await get(client, "ops", path)).json()["items"]) >= 2
    for message_id in ids.values():
        assert (await get(client, "nobody", f"/v1/messages/{message_id}")).status_code == 404
        assert (await get(client, "ops", f"/v1/messages/{message_id}")).status_code == 200
    assert (await get(client, "ops", f"/v1/exceptions/{exceptions['acme']}")).status_code == 200
    # and without a credential, nothing at all
    assert (await client.get("/v1/messages")).status_code == 401


async def test_paging_a_partners_list_skips_only_its_own(
    hub: HubServices, client: httpx.AsyncClient
) -> None:
    mine = [await post_po(client, "acme", f"PO-A{n}") for n in range(3)]
    for n in range(4):
        await post_po(client, "globex", f"PO-G{n}")
    first = (await get(client, "acme", "/v1/messages", limit=2)).json()["items"]
    second = (await get(client, "acme", "/v1/messages", limit=2, offset=2)).json()["items"]
    assert [m["id"] for m in first + second] == list(reversed(mine))


async def test_a_partners_documents_come_from_the_partner(client: httpx.AsyncClient) -> None:
    """Routes choose by source: a partner cannot pass its documents off as the ERP's."""
    body = json.dumps(PO | {"po_number": "PO-SPOOF"}).encode()
    headers = {"Content-Type": "application/json", "x-test-principal": "acme"}
    spoofed = await client.post(
        "/v1/messages/purchase_order", content=body, headers=headers | {"X-Crossdock-Source": "erp"}
    )
    assert spoofed.status_code == 403, spoofed.text
    assert "is not yours" in spoofed.json()["detail"]
    recorded = await get(client, "acme", f"/v1/messages/{spoofed.json()['message_id']}")
    assert recorded.json()["status"] == "rejected" and recorded.json()["source"] == "acme"
    for extra in ({}, {"X-Crossdock-Source": "acme"}):
        taken = await client.post(
            "/v1/messages/purchase_order", content=body, headers=headers | extra
        )
        assert taken.status_code == 202, taken.text
        view = (await get(client, "acme", f"/v1/messages/{taken.json()['id']}")).json()
        assert (view["source"], view["sender"]) == ("acme", "partner:acme")
    # an operator names any source
    as_ops = await client.post(
        "/v1/messages/purchase_order",
        content=body,
        headers=headers | {"x-test-principal": "ops", "X-Crossdock-Source": "erp"},
    )
    assert as_ops.status_code == 202
