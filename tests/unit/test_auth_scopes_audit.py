"""Scopes on the existing routes (403 problem naming the scope), the admin API for keys, and
the audit log: written for admin, operator and credential events, queryable by API and CLI,
append-only through its port, refused credentials folded per minute."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from crossdock.adapters.sql.audit_log import SqlAuditLog
from crossdock.bootstrap import HubServices, build_hub
from crossdock.config import Settings
from crossdock.entrypoints.api.app import create_asgi
from crossdock.entrypoints.api.auth import Authenticate
from crossdock.hub import audit as audit_module
from crossdock.hub.audit import MAX_BUCKETS, AuditLog, RefusalCounter
from crossdock.hub.credentials import Client, new_key
from crossdock.hub.identity import (
    EDI_WRITE,
    MESSAGES_WRITE,
    OPERATIONS,
    PURCHASE_ORDERS_READ,
)
from tests.auth_helpers import bearer, key_headers, operator_headers
from tests.conftest import EXAMPLES

PO_RAW = (EXAMPLES / "purchase_order.json").read_bytes()
ADMIN = new_key()
JSON = {"Content-Type": "application/json"}


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[HubServices]:
    built = build_hub(Settings(hub={"data_dir": tmp_path / "data"}, auth={"admin_key": ADMIN}))
    await built.start()
    try:
        yield built
    finally:
        await built.stop()


@pytest.fixture
async def app(hub: HubServices) -> Authenticate:
    return create_asgi(hub)


@pytest.fixture
async def client(app: Authenticate) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4711))
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as c:
        yield c


def assert_403(answer: httpx.Response, scope: str) -> None:
    assert answer.status_code == 403, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["required_scope"] == scope


async def test_each_action_needs_its_scope(client: httpx.AsyncClient, hub: HubServices) -> None:
    supplier = key_headers(hub, Client("partner", "acme", "supplier"), [PURCHASE_ORDERS_READ])
    assert (await client.get("/v1/messages", headers=supplier)).status_code == 200  # a read
    for path, scope in [("/v1/messages/purchase_order", MESSAGES_WRITE),  # the fast path
                        ("/v1/messages/purchase_order/batch", MESSAGES_WRITE),
                        ("/v1/edi", EDI_WRITE), ("/v1/replay", OPERATIONS),
                        ("/v1/dlq/retry", OPERATIONS), ("/v1/inventory/reconcile", OPERATIONS),
                        ("/v1/exceptions/x/resolve", OPERATIONS),
                        ("/v1/messages/x/replay", OPERATIONS), ("/v1/admin/keys", "admin")]:  # fmt: skip
        assert_403(await client.post(path, content=b"{}", headers={**JSON, **supplier}), scope)
    assert_403(await client.get("/v1/audit", headers=supplier), "admin")
    assert_403(await client.get("/v1/admin/keys", headers=supplier), "admin")
    listed = await client.get("/v1/messages", headers=bearer(ADMIN))
    assert listed.json()["items"] == []  # the refused intake recorded nothing
    writer = key_headers(hub, Client("system", "erp"), [MESSAGES_WRITE])
    posted = await client.post(
        "/v1/messages/purchase_order", content=PO_RAW, headers={**JSON, **writer}
    )
    assert posted.status_code == 202, posted.text
    no_admin = operator_headers(hub, "ops", [OPERATIONS])
    assert_403(await client.get("/v1/admin/keys", headers=no_admin), "admin")


async def test_keys_through_the_admin_api_are_shown_once_and_audited(
    client: httpx.AsyncClient, hub: HubServices
) -> None:
    admin = bearer(ADMIN)
    created = await client.post(
        "/v1/admin/keys",
        json={"kind": "partner", "name": "acme", "role": "supplier", "scopes": [MESSAGES_WRITE]},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    token, key_id = created.json()["key"], created.json()["key_id"]
    assert token.startswith(f"cdk_{key_id}_")
    listing = (await client.get("/v1/admin/keys", headers=admin)).text
    assert key_id in listing and token.split("_")[-1] not in listing and '"key"' not in listing
    posted = await client.post(
        "/v1/messages/purchase_order", content=PO_RAW, headers={**JSON, **bearer(token)}
    )
    assert posted.status_code == 202

    rotated = await client.post(
        f"/v1/admin/keys/{key_id}/rotate", json={"overlap_seconds": 600}, headers=admin
    )
    assert rotated.status_code == 201 and rotated.json()["old"]["state"] == "expiring"
    successor = rotated.json()["key"]
    for t in (token, successor):
        assert (await client.get("/v1/messages", headers=bearer(t))).status_code == 200
    revoked = await client.post(f"/v1/admin/keys/{key_id}/revoke", headers=admin)
    assert revoked.json()["state"] == "revoked"
    # revoked through this process: refused at once, not after the cache period
    assert (await client.get("/v1/messages", headers=bearer(token))).status_code == 401
    assert (
        await client.post("/v1/admin/keys/nosuchkey000/revoke", headers=admin)
    ).status_code == 404
    bad = await client.post(
        "/v1/admin/keys", json={"kind": "partner", "name": "x", "scopes": ["nope"]}, headers=admin
    )
    assert bad.status_code == 422

    entries = (await client.get("/v1/audit", params={"action": "key."}, headers=admin)).json()
    actions = [(e["action"], e["actor"], e["source_ip"]) for e in entries["items"]]
    assert ("key.revoked", "operator:admin", "203.0.113.7") in actions
    assert ("key.rotated", "operator:admin", "203.0.113.7") in actions
    assert ("key.issued", "operator:admin", "203.0.113.7") in actions
    assert ("key.issued", "env", None) in actions  # the admin key itself, at start-up
    assert all(token not in str(e) and successor not in str(e) for e in entries["items"])


async def test_operator_actions_and_first_use_are_audited_and_the_log_pages(
    client: httpx.AsyncClient, hub: HubServices, app: Authenticate
) -> None:
    admin = bearer(ADMIN)
    posted = await client.post(
        "/v1/messages/purchase_order", content=PO_RAW, headers={**JSON, **admin}
    )
    message_id = posted.json()["id"]
    replayed = await client.post(f"/v1/messages/{message_id}/replay", headers=admin)
    assert replayed.status_code == 202, replayed.text
    await app.fastapi.state.auth.authenticator.drain()
    await asyncio.sleep(0.05)
    page = (await client.get("/v1/audit", params={"limit": 2}, headers=admin)).json()
    assert len(page["items"]) == 2 and page["next_cursor"] is not None
    rest = (
        await client.get("/v1/audit", params={"cursor": page["next_cursor"]}, headers=admin)
    ).json()
    every = page["items"] + rest["items"]
    assert [e["id"] for e in every] == sorted((e["id"] for e in every), reverse=True)
    replay = [e for e in every if e["action"] == "message.replay"]
    assert replay and replay[0]["target"] == f"message:{message_id}"
    assert replay[0]["actor"] == "operator:admin" and replay[0]["source_ip"] == "203.0.113.7"
    assert any(e["action"] == "key.first_used" for e in every)
    mine = (await client.get("/v1/audit", params={"actor": "env"}, headers=admin)).json()["items"]
    assert mine and all(e["actor"] == "env" for e in mine)


async def test_a_flood_of_bad_tokens_becomes_a_few_counted_rows(
    client: httpx.AsyncClient, app: Authenticate, hub: HubServices
) -> None:
    counter = app.refusals
    assert counter is not None
    for n in range(300):
        token = new_key() if n % 2 else f"junk-{n}"
        await client.get("/v1/messages", headers=bearer(token))
    counter.clock = lambda: 1e12  # the minute is over: the next request flushes
    await client.get("/healthz")
    await asyncio.sleep(0.5)
    rows = SqlAuditLog(hub.store.engine).query(action="credential.refused", limit=1000)
    assert 1 <= len(rows) <= MAX_BUCKETS + 1
    assert sum(r.detail["count"] for r in rows) == 300
    assert any(r.outcome == "overflow" for r in rows)  # 150 distinct unknown key ids


def test_refusals_are_counted_per_bucket_and_window() -> None:
    written: list[tuple[str, str, dict[str, object]]] = []

    class Log:
        def record(self, actor, action, target, outcome="ok", source_ip=None, detail=None):  # type: ignore[no-untyped-def]
            written.append((target, outcome, dict(detail or {})))

    now = [0.0]
    counter = RefusalCounter(Log(), clock=lambda: now[0], window=60)  # type: ignore[arg-type]
    for _ in range(1000):
        assert not counter.refused("invalid_token", "198.51.100.1", "abcdefabcdef")
    counter.refused("invalid_request", "198.51.100.1", None)
    assert not counter.due()
    now[0] = 60
    assert counter.due()
    assert counter.flush() == 2
    assert sorted(written) == [
        ("-", "invalid_request", {"count": 1, "window_seconds": 60}),
        ("key:abcdefabcdef", "invalid_token", {"count": 1000, "window_seconds": 60}),
    ]
    assert not counter.due() and counter.flush() == 0


async def test_the_audit_port_appends_and_offers_no_way_to_change_an_entry(
    hub: HubServices,
) -> None:
    log = SqlAuditLog(hub.store.engine)
    log.record("operator:alice", "message.replay", "message:1", "ok", "192.0.2.1", {"n": 1})
    log.record("operator:alice", "message.replay", "message:1", "ok", "192.0.2.1", {"n": 1})
    rows = log.query(actor="operator:alice")
    assert len(rows) == 2 and rows[0].id > rows[1].id  # appended, never merged
    public = {n for n, _ in inspect.getmembers(SqlAuditLog) if not n.startswith("_")}
    assert public == {"record", "query"}
    assert {n for n in dir(AuditLog) if not n.startswith("_")} == {"record", "query"}
    # no UPDATE or DELETE of the table anywhere in the code
    src = Path(audit_module.__file__).parents[1]
    for path in src.rglob("*.py"):
        text = path.read_text()
        for verb in (
            "update(audit_log",
            "delete(audit_log",
            "audit_log.update",
            "audit_log.delete",
        ):
            assert verb not in text, (path, verb)
