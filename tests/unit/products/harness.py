"""A hub with procure-to-pay on, served in process, and callers as principals.

Until authentication is in main the tests hand the route its principal the way the
authentication middleware will: in ``scope["state"]["principal"]`` (`AsPrincipal`, chosen by
a test-only header). Everything below the middleware is the real app on a real SQLite file.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from crossdock.bootstrap import HubServices, build_hub
from crossdock.config import Settings
from crossdock.entrypoints.api.app import create_asgi
from crossdock.entrypoints.api.security import PRINCIPAL_STATE
from crossdock.hub.identity import (
    INVENTORY_READ,
    PURCHASE_ORDERS_ACKNOWLEDGE,
    PURCHASE_ORDERS_READ,
    SHIPMENTS_READ,
    Principal,
)
from tests.conftest import EXAMPLES

PO_RAW = (EXAMPLES / "purchase_order.json").read_bytes()
PO_NUMBER = json.loads(PO_RAW)["po_number"]
SUPPLIER_SCOPES = frozenset({PURCHASE_ORDERS_READ, PURCHASE_ORDERS_ACKNOWLEDGE, INVENTORY_READ})

PRINCIPALS = {
    "operator": Principal("operator:ops", "operator", frozenset({
        PURCHASE_ORDERS_READ, PURCHASE_ORDERS_ACKNOWLEDGE, INVENTORY_READ, SHIPMENTS_READ})),
    "cascade": Principal("partner:cascade", "partner", SUPPLIER_SCOPES, "cascade", "supplier"),
    "acme": Principal("partner:acme", "partner", SUPPLIER_SCOPES, "acme", "supplier"),
    "reader": Principal("partner:cascade", "partner", frozenset({PURCHASE_ORDERS_READ}),
                        "cascade", "supplier"),
    "brfx": Principal("carrier:brfx", "partner", frozenset({SHIPMENTS_READ}), "brfx", "carrier"),
    "augusta": Principal("partner:augusta", "partner", frozenset({SHIPMENTS_READ}), "augusta",
                         "customer"),
    # a supplier holding shipments:read: suppliers see no shipments (not their role)
    "cascade-shipments": Principal("partner:cascade", "partner", frozenset({SHIPMENTS_READ}),
                                   "cascade", "supplier"),
    "ups": Principal("carrier:ups", "partner", frozenset({SHIPMENTS_READ}), "ups", "carrier"),
    "fedex": Principal("carrier:fedex", "partner", frozenset({SHIPMENTS_READ}), "fedex", "carrier"),
    "harbor": Principal("partner:harbor", "partner", frozenset({SHIPMENTS_READ}), "harbor",
                        "customer"),
    "other-customer": Principal("partner:other", "partner", frozenset({SHIPMENTS_READ}), "other",
                                "customer"),
}  # fmt: skip


class AsPrincipal:
    """Test stand-in for the authentication middleware: ``X-Test-As: <name>``."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            name = dict(scope["headers"]).get(b"x-test-as")
            if name is not None:
                scope.setdefault("state", {})[PRINCIPAL_STATE] = PRINCIPALS[name.decode()]
        await self.app(scope, receive, send)


def settings(tmp_path: Path) -> Settings:
    return Settings(
        hub={"data_dir": tmp_path / "data"},
        partners={"cascade": {"x12": {"id": "CASCADEPAPER"}}, "acme": {"x12": {"id": "ACME"}}},
        flows={"procure_to_pay": {"enabled": True}, "order_to_delivery": {"enabled": True}},
    )


@contextlib.asynccontextmanager
async def serve(tmp_path: Path) -> AsyncIterator[tuple[HubServices, httpx.AsyncClient]]:
    hub = build_hub(settings(tmp_path))
    await hub.start()
    try:
        transport = httpx.ASGITransport(app=AsPrincipal(create_asgi(hub)))
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
            yield hub, client
    finally:
        await hub.stop()


async def post(client: httpx.AsyncClient, document_type: str, raw: bytes, key: str) -> None:
    headers = {"Idempotency-Key": key, "X-Crossdock-Source": "erp",
               "Content-Type": "application/json"}  # fmt: skip
    posted = await client.post(f"/v1/messages/{document_type}", content=raw, headers=headers)
    assert posted.status_code == 202, posted.text


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 10.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await check()
        if value or asyncio.get_running_loop().time() > deadline:
            return value
        await asyncio.sleep(0.05)


def as_(name: str, **headers: str) -> dict[str, str]:
    return {"X-Test-As": name, **headers}
