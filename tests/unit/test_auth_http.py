"""Authentication over HTTP, in process (`create_asgi` as served): the middleware in front of
the intake fast path and every FastAPI route, public paths, signed webhooks, the admin key
from the settings, and hostile Authorization headers (400/401, never 500)."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from crossdock.bootstrap import HubServices, build_hub
from crossdock.bootstrap.auth import key_service
from crossdock.config import Settings, load_settings
from crossdock.entrypoints.api.app import create_asgi
from crossdock.entrypoints.api.auth import Authenticate
from crossdock.hub.credentials import Client, new_key
from crossdock.hub.identity import MESSAGES_WRITE
from tests.auth_helpers import bearer, secret_of
from tests.conftest import EXAMPLES

PO_RAW = (EXAMPLES / "purchase_order.json").read_bytes()
ADMIN = new_key()
JSON = {"Content-Type": "application/json"}


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[HubServices]:
    settings = Settings(
        hub={"data_dir": tmp_path / "data"},
        auth={"admin_key": ADMIN},
        carriers={"fedex": {"format": "track_v1", "signature": {"secret": "s3cret"}}},
        systems={"erp": {"format": "sandbox_erp"}},
    )
    built = build_hub(settings)
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
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as c:
        yield c


def assert_401(answer: httpx.Response, error: str | None = "invalid_token") -> None:
    assert answer.status_code == 401, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    challenge = answer.headers["www-authenticate"]
    assert challenge.startswith('Bearer realm="crossdock"')
    assert (f'error="{error}"' in challenge) if error else ("error=" not in challenge)
    assert answer.json()["status"] == 401


async def test_no_credential_is_a_401_on_every_route_including_the_intake_fast_path(
    client: httpx.AsyncClient, hub: HubServices
) -> None:
    for method, path in [("GET", "/v1/messages"), ("GET", "/v1/flows"), ("GET", "/metrics"),
                         ("POST", "/v1/replay"), ("GET", "/v1/kpis"), ("GET", "/nowhere"),
                         ("POST", "/v1/messages/purchase_order"),
                         ("POST", "/v1/messages/purchase_order/batch"), ("POST", "/v1/edi"),
                         ("POST", "/v1/inbound/erp")]:  # fmt: skip
        assert_401(await client.request(method, path, content=PO_RAW, headers=JSON), None)
    listed = await client.get("/v1/messages", headers=bearer(ADMIN))
    assert listed.json()["items"] == []  # nothing was recorded by the refused intake


async def test_public_paths_answer_without_credentials(client: httpx.AsyncClient) -> None:
    for path in ("/healthz", "/openapi.json", "/docs", "/redoc"):
        assert (await client.get(path)).status_code == 200, path
    docs = (await client.get("/docs")).text
    static = next(p for p in docs.split('"') if p.startswith("/static-offline-docs/"))
    assert (await client.get(static)).status_code == 200


async def test_the_admin_key_from_the_settings_is_an_operator(client: httpx.AsyncClient) -> None:
    posted = await client.post(
        "/v1/messages/purchase_order", content=PO_RAW, headers={**JSON, **bearer(ADMIN)}
    )
    assert posted.status_code == 202, posted.text
    assert (await client.get("/v1/messages", headers=bearer(ADMIN))).status_code == 200


async def test_unknown_revoked_and_expired_keys_are_401(
    client: httpx.AsyncClient, hub: HubServices, app: Authenticate
) -> None:
    keys = key_service(hub.store.engine)
    assert_401(await client.get("/v1/messages", headers=bearer(new_key())))
    revoked = keys.issue(Client("operator", "bob"))
    keys.revoke(revoked.key.key_id)
    assert_401(await client.get("/v1/messages", headers=bearer(revoked.token)))
    expired = keys.issue(Client("operator", "carol"), expires_at=1.0)
    assert_401(await client.get("/v1/messages", headers=bearer(expired.token)))
    old = keys.issue(Client("system", "erp"), [MESSAGES_WRITE])
    new, _ = keys.rotate(old.key.key_id, overlap=3600)
    for token in (old.token, new.token):  # the overlap: both keys work
        answer = await client.post(
            "/v1/messages/purchase_order", content=PO_RAW, headers={**JSON, **bearer(token)}
        )
        assert answer.status_code == 202, answer.text


async def test_hostile_authorization_headers_are_400_or_401_never_500(
    client: httpx.AsyncClient,
) -> None:
    two = [("Authorization", f"Bearer {ADMIN}"), ("Authorization", f"Bearer {ADMIN}")]
    answer = await client.get("/v1/messages", headers=two)
    assert (
        answer.status_code == 400
        and 'error="invalid_request"' in answer.headers["www-authenticate"]
    )
    for value in (f"Basic {ADMIN}", "Bearer", "Bearer ", f"Bearer {ADMIN} extra",
                  "Bearer " + "A" * 100_000, f"bearer\t{ADMIN}x"):  # fmt: skip
        answer = await client.get("/v1/messages", headers={"Authorization": value})
        assert answer.status_code in (400, 401), (value[:40], answer.status_code)
        assert answer.headers["content-type"] == "application/problem+json"


async def test_control_characters_and_non_ascii_in_the_header_are_400(app: Authenticate) -> None:
    """httpx refuses to send CR/LF in a header; a server could still hand one over (or bytes
    beyond ASCII): the middleware is called with them directly."""
    for raw in (b"Bearer " + ADMIN.encode() + b"\r\nX-Admin: 1", b"Bearer \x00" + ADMIN.encode(),
                b"Bearer " + ADMIN.encode() + b"\xff", b"Bearer \xe2\x80\x8b" + ADMIN.encode()):  # fmt: skip
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Any, sent: list[dict[str, Any]] = sent) -> None:
            sent.append(message)

        scope = {"type": "http", "method": "GET", "path": "/v1/messages", "headers": [
            (b"authorization", raw)], "query_string": b"", "state": {}}  # fmt: skip
        await app(scope, receive, send)
        assert sent[0]["status"] == 400, raw
        assert b"admin" not in sent[1]["body"].lower()


async def test_a_case_insensitive_scheme_with_spaces_around_is_accepted(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.get("/v1/messages", headers={"Authorization": f"bearer  {ADMIN} "})
    assert answer.status_code == 200


async def test_a_signed_webhook_needs_no_bearer_but_an_unsigned_system_does(
    client: httpx.AsyncClient,
) -> None:
    """fedex has a signature secret: its route authenticates by the signature (here missing,
    so the route's own HMAC 401); erp has none, so the middleware wants a bearer token."""
    unsigned = await client.post("/v1/webhooks/carriers/fedex", content=b"{}", headers=JSON)
    assert unsigned.status_code == 401
    assert unsigned.headers["www-authenticate"].startswith("HMAC")
    assert_401(await client.post("/v1/inbound/erp", content=b"{}", headers=JSON), None)
    bad = await client.post(
        "/v1/webhooks/carriers/fedex", content=b"{}", headers={**JSON, **bearer(new_key())}
    )
    assert_401(bad)  # a bearer token that is sent is judged, signed path or not


async def test_keys_never_reach_the_log(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    forged = ADMIN[:-4] + "AAAA"
    await client.get("/v1/messages", headers=bearer(ADMIN))
    await client.get("/v1/messages", headers=bearer(forged))
    await client.post(
        "/v1/messages/purchase_order", content=b"{", headers={**JSON, **bearer(ADMIN)}
    )
    secret = secret_of(ADMIN)
    assert secret not in caplog.text and secret_of(forged) not in caplog.text


def test_crossdock_admin_key_and_its_section_variable_both_set_the_admin_key() -> None:
    a, b = new_key(), new_key()
    only = load_settings(None, env={"CROSSDOCK_ADMIN_KEY": a})
    assert only.auth.admin_key is not None and only.auth.admin_key.get_secret_value() == a
    both = load_settings(None, env={"CROSSDOCK_ADMIN_KEY": a, "CROSSDOCK_AUTH__ADMIN_KEY": b})
    assert both.auth.admin_key is not None and both.auth.admin_key.get_secret_value() == b
    assert a not in repr(only) and a not in json.dumps(only.model_dump(mode="json"))


def test_a_malformed_admin_key_stops_the_start_with_a_clear_message(tmp_path: Path) -> None:
    from crossdock.hub.credentials import BadKey

    hub = build_hub(Settings(hub={"data_dir": tmp_path / "d"}, auth={"admin_key": "hunter2"}))
    try:
        with pytest.raises(BadKey, match="crossdock keys generate"):
            create_asgi(hub)
    finally:
        hub.store.close()
