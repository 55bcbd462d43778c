"""Throttling over HTTP: 429 problem+json with Retry-After and the IETF RateLimit headers,
the headers on served requests too, Retry-After honoured, buckets per client and product (a
reader at its inventory limit still gets its intake POSTs through), public paths untouched.

A small ASGI app on a fake clock behind a stand-in for authentication (the principal
`X-Test-As` names, put where the real middleware puts it), and a real hub (`create_asgi`:
authentication, throttling, intake fast path, FastAPI app) with real API keys, on the real
clock.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from crossdock.adapters.sql.tables import messages
from crossdock.adapters.sql.throttle_tables import throttle_buckets
from crossdock.bootstrap import HubServices, build_hub
from crossdock.config import Settings
from crossdock.entrypoints.api.app import create_asgi
from crossdock.entrypoints.api.fast_intake import FastIntake
from crossdock.entrypoints.api.security import PRINCIPAL_STATE
from crossdock.entrypoints.api.throttling import Throttling, product_of
from crossdock.hub.credentials import Client
from crossdock.hub.identity import ALL_SCOPES, Principal
from crossdock.hub.throttle import InMemoryBucketStore, Policies, Policy
from crossdock.hub.throttle_lease import LeasingLimiter
from tests.auth_helpers import key_headers, operator_headers
from tests.conftest import EXAMPLES

PO = json.loads((EXAMPLES / "purchase_order.json").read_text())
JSON = {"Content-Type": "application/json"}
T0 = 1_765_000_000.0


class AsPrincipal:
    """Stands in for the authentication middleware: the principal `X-Test-As` names."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            named = dict(scope["headers"]).get(b"x-test-as")
            if named is not None:
                subject = named.decode()
                partner = subject.split(":", 1)[1] if subject.startswith("partner:") else None
                kind = "partner" if partner else "operator"
                principal = Principal(subject, kind, partner=partner)  # type: ignore[arg-type]
                scope.setdefault("state", {})[PRINCIPAL_STATE] = principal
        await self.app(scope, receive, send)


async def echo(scope: Any, receive: Any, send: Any) -> None:
    """A tiny app: 202 for a POST, 200 otherwise."""
    status = 202 if scope["method"] == "POST" else 200
    await send({"type": "http.response.start", "status": status, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


class Clock:
    now = T0

    def __call__(self) -> float:
        return self.now


async def direct(fn: Any, *args: Any) -> Any:
    return fn(*args)


def small_app(clock: Clock, refused: list[str]) -> AsPrincipal:
    products = {p: Policy(50) for p in ("intake", "messages-read", "operations", "other")}
    products["inventory"] = products["token"] = Policy(requests=2, burst=3)
    policies = Policies(products, overrides={"bigco": {"inventory": Policy(requests=100)}})
    limiter = LeasingLimiter(InMemoryBucketStore(), clock=clock, run_blocking=direct)
    return AsPrincipal(Throttling(echo, limiter, policies, refused=refused.append))


def client_of(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub")


ACME = {"X-Test-As": "partner:acme"}


async def test_past_the_burst_429_problem_with_retry_after_and_ratelimit_headers() -> None:
    refused: list[str] = []
    async with client_of(small_app(Clock(), refused)) as c:
        served = [await c.get("/v1/inventory/availability", headers=ACME) for _ in range(3)]
        assert [r.status_code for r in served] == [200, 200, 200]
        assert [r.headers["RateLimit"] for r in served] == [
            '"inventory";r=2;t=1',
            '"inventory";r=1;t=1',
            '"inventory";r=0;t=2',
        ]
        assert served[0].headers["RateLimit-Policy"] == '"inventory";q=2;w=1'
        answer = await c.get("/v1/inventory/availability", headers=ACME)
    assert answer.status_code == 429
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["Retry-After"] == "1"
    assert answer.headers["RateLimit"] == '"inventory";r=0;t=1'
    assert answer.headers["RateLimit-Policy"] == '"inventory";q=2;w=1'
    problem = answer.json()
    assert problem["status"] == 429 and problem["product"] == "inventory"
    assert problem["retry_after_seconds"] == 1
    assert problem["instance"] == "/v1/inventory/availability"
    assert refused == ["inventory"]


async def test_retry_after_honoured_is_served() -> None:
    clock = Clock()
    async with client_of(small_app(clock, [])) as c:
        for _ in range(3):
            await c.get("/v1/inventory/availability", headers=ACME)
        refused = await c.get("/v1/inventory/availability", headers=ACME)
        assert refused.status_code == 429
        clock.now += int(refused.headers["Retry-After"])
        assert (await c.get("/v1/inventory/availability", headers=ACME)).status_code == 200


async def test_intake_flows_while_the_same_client_is_throttled_on_inventory() -> None:
    async with client_of(small_app(Clock(), [])) as c:
        codes = [
            (await c.get("/v1/inventory/availability", headers=ACME)).status_code for _ in range(10)
        ]
        assert codes.count(429) == 7
        posts = [await c.post("/v1/messages/purchase_order", headers=ACME) for _ in range(20)]
        assert {p.status_code for p in posts} == {202}
        assert posts[0].headers["RateLimit-Policy"] == '"intake";q=50;w=1'


async def test_buckets_are_per_client_and_a_partner_override_applies() -> None:
    async with client_of(small_app(Clock(), [])) as c:
        for _ in range(3):
            await c.get("/v1/inventory/availability", headers=ACME)
        assert (await c.get("/v1/inventory/availability", headers=ACME)).status_code == 429
        other = {"X-Test-As": "partner:other"}
        assert (await c.get("/v1/inventory/availability", headers=other)).status_code == 200
        big = {"X-Test-As": "partner:bigco"}
        codes = {(await c.get("/v1/inventory", headers=big)).status_code for _ in range(50)}
        assert codes == {200}  # its own policy: 100 at once


async def test_public_paths_are_not_throttled_and_the_token_endpoint_goes_by_address() -> None:
    async with client_of(small_app(Clock(), [])) as c:
        for _ in range(20):
            health = await c.get("/healthz", headers=ACME)
            assert health.status_code == 200 and "RateLimit" not in health.headers
            anonymous = await c.get("/v1/inventory/availability")  # a path made public
            assert anonymous.status_code == 200 and "RateLimit" not in anonymous.headers
        codes = [(await c.post("/oauth/token")).status_code for _ in range(4)]
        assert codes == [202, 202, 202, 429]  # keyed by the address, not by nobody


@pytest.mark.parametrize(
    ("method", "path", "product"),
    [
        ("GET", "/v1/inventory/availability?item=A", "inventory"),
        ("POST", "/v1/inventory/availability", "inventory"),
        ("POST", "/v1/inventory/reconcile", "operations"),
        ("GET", "/v1/purchase-orders", "purchase-orders"),
        ("POST", "/v1/purchase-orders/PO-1/acknowledgment", "purchase-orders"),
        ("GET", "/v2/shipments/S1", "shipments"),
        ("POST", "/v1/messages/purchase_order", "intake"),
        ("POST", "/v1/messages/purchase_order/batch", "intake"),
        ("POST", "/v1/messages/01HX/replay", "operations"),
        ("POST", "/v1/edi", "intake"),
        ("POST", "/v1/inbound/erp", "intake"),
        ("POST", "/v1/webhooks/carriers/fedex", "intake"),
        ("GET", "/v1/messages", "messages-read"),
        ("GET", "/v1/flows/procure_to_pay/PO-1", "messages-read"),
        ("POST", "/v1/exceptions/01HX/resolve", "operations"),
        ("POST", "/v1/dlq/retry", "operations"),
        ("GET", "/v1/audit", "admin"),
        ("POST", "/v1/partners", "admin"),
        ("POST", "/oauth/token", "token"),
        ("GET", "/healthz", None),
        ("GET", "/openapi.json", None),
        ("GET", "/", "other"),
    ],
)
def test_requests_are_classed_into_products(method: str, path: str, product: str | None) -> None:
    assert product_of(method, path.split("?")[0]) == product


# -- a real hub ------------------------------------------------------------------------------


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[HubServices]:
    settings = Settings(
        hub={"data_dir": tmp_path / "data", "prepare_workers": 0},
        throttle={
            "products": {
                "messages-read": {"requests": 1, "burst": 3},
                "intake": {"requests": 4},
                "inventory": {"requests": 2},
            }
        },
    )
    hub = build_hub(settings)
    await hub.start()
    try:
        yield hub
    finally:
        await hub.stop()


def recorded(hub: HubServices) -> int:
    with hub.store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(messages)).scalar_one())


def partner_key(hub: HubServices, name: str = "acme") -> dict[str, str]:
    """A real API key of partner `name` (every scope: the scopes are not what is tested)."""
    return key_headers(hub, Client("partner", name, "supplier"), sorted(ALL_SCOPES))


async def test_a_real_hub_throttles_reads_and_intake_per_bucket(hub: HubServices) -> None:
    acme, other = partner_key(hub), partner_key(hub, "other")
    served = create_asgi(hub)
    assert isinstance(served.app, Throttling)  # right inside authentication
    async with client_of(served) as c:
        reads = [await c.get("/v1/messages", headers=acme) for _ in range(4)]
        assert [r.status_code for r in reads] == [200, 200, 200, 429]
        assert reads[0].headers["RateLimit"] == '"messages-read";r=2;t=1'
        retry = int(reads[3].headers["Retry-After"])
        assert retry == 1 and reads[3].headers["RateLimit-Policy"] == '"messages-read";q=1;w=1'

        # a bulk reader at its inventory limit (naming no item: 422 until it is throttled)
        stock = [await c.get("/v1/inventory/availability", headers=acme) for _ in range(3)]
        assert [r.status_code for r in stock] == [422, 422, 429]

        # the fast intake path is behind the throttle too, in a bucket of its own
        posts = [
            await c.post(
                "/v1/messages/purchase_order",
                content=json.dumps({**PO, "po_number": f"PO-T{n}"}),
                headers={**JSON, **acme},
            )
            for n in range(5)
        ]
        assert [p.status_code for p in posts] == [202, 202, 202, 202, 429]
        assert posts[0].headers["RateLimit"].startswith('"intake";r=3;')
        assert recorded(hub) == 4  # the refused one never reached the log

        await asyncio.sleep(retry)
        assert (await c.get("/v1/messages", headers=acme)).status_code == 200

        # another partner, and another key of the same partner: their own bucket, and the same
        assert (await c.get("/v1/messages", headers=other)).status_code == 200
        second_key = partner_key(hub)
        answers = [(await c.get("/v1/messages", headers=second_key)).status_code for _ in range(3)]
        assert 429 in answers  # keys of one partner share its buckets

        scrape = (await c.get("/metrics", headers=operator_headers(hub))).text
        refused = 1 + answers.count(429)
        assert (
            f'crossdock_throttled_requests_total{{product="messages-read"}} {refused}.0' in scrape
        )
        assert 'crossdock_throttled_requests_total{product="intake"} 1.0' in scrape
    with hub.store.engine.connect() as conn:
        rows = conn.execute(select(throttle_buckets.c.client, throttle_buckets.c.product)).all()
    assert ("partner:other", "messages-read") in rows
    assert sorted(p for c, p in rows if c == "partner:acme") == [
        "intake",
        "inventory",
        "messages-read",
    ]


async def test_throttling_off_leaves_the_app_as_it_was(tmp_path: Path) -> None:
    settings = Settings(hub={"data_dir": tmp_path / "data"}, throttle={"enabled": False})
    hub = build_hub(settings)
    try:
        served = create_asgi(hub)
        assert isinstance(served.app, FastIntake)  # authentication straight to intake
        async with client_of(served) as c:
            answer = await c.get("/v1/messages", headers=partner_key(hub))
        assert answer.status_code == 200 and "RateLimit" not in answer.headers
    finally:
        hub.store.close()


async def test_the_store_failing_leaves_per_process_limits_logged_and_counted(
    hub: HubServices, caplog: pytest.LogCaptureFixture
) -> None:
    acme, operator = partner_key(hub), operator_headers(hub)
    with hub.store.engine.begin() as conn:
        throttle_buckets.drop(conn)  # every lease fails from now on
    async with client_of(create_asgi(hub)) as c:
        reads = [await c.get("/v1/messages", headers=acme) for _ in range(4)]
        assert [r.status_code for r in reads] == [200, 200, 200, 429]  # still limited
        scrape = (await c.get("/metrics", headers=operator)).text
    errors = re.search(r"^crossdock_throttle_store_errors_total (\S+)$", scrape, re.M)
    assert errors is not None and float(errors.group(1)) >= 1
    assert caplog.text.count("the bucket store failed") == 1
