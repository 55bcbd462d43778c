"""A hub with procure-to-pay and order-to-delivery on, served in process on a real SQLite
file, and its callers: each a real API key issued into the hub's store (`CALLERS`), sent as
``Authorization: Bearer`` through the authentication middleware like any partner's."""

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
from crossdock.hub.credentials import Client
from crossdock.hub.identity import (
    INVENTORY_READ,
    MESSAGES_WRITE,
    OPERATIONS,
    PURCHASE_ORDERS_ACKNOWLEDGE,
    PURCHASE_ORDERS_READ,
    SHIPMENTS_READ,
)
from tests.auth_helpers import key_headers
from tests.conftest import EXAMPLES

PO_RAW = (EXAMPLES / "purchase_order.json").read_bytes()
PO_NUMBER = json.loads(PO_RAW)["po_number"]
SUPPLIER_SCOPES = frozenset({PURCHASE_ORDERS_READ, PURCHASE_ORDERS_ACKNOWLEDGE, INVENTORY_READ})

SHIPMENT_READER = [SHIPMENTS_READ]
#: The callers the tests act as: a real API key each, issued into the hub's store by `serve`.
CALLERS: dict[str, tuple[Client, list[str]]] = {
    "operator": (Client("operator", "ops"), [
        PURCHASE_ORDERS_READ, PURCHASE_ORDERS_ACKNOWLEDGE, INVENTORY_READ, SHIPMENTS_READ,
        MESSAGES_WRITE, OPERATIONS]),
    "cascade": (Client("partner", "cascade", "supplier"), sorted(SUPPLIER_SCOPES)),
    "acme": (Client("partner", "acme", "supplier"), sorted(SUPPLIER_SCOPES)),
    "reader": (Client("partner", "cascade", "supplier"), [PURCHASE_ORDERS_READ]),
    # a supplier holding shipments:read: suppliers see no shipments (not their role)
    "cascade-shipments": (Client("partner", "cascade", "supplier"), SHIPMENT_READER),
    "brfx": (Client("carrier", "brfx"), SHIPMENT_READER),
    "ups": (Client("carrier", "ups"), SHIPMENT_READER),
    "augusta": (Client("partner", "augusta", "customer"), SHIPMENT_READER),
    "other-customer": (Client("partner", "other", "customer"), SHIPMENT_READER),
}  # fmt: skip
#: name -> Authorization header of the hub `serve` runs now (one hub per test).
KEYS: dict[str, dict[str, str]] = {}


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
        KEYS.clear()
        KEYS.update({name: key_headers(hub, c, scopes) for name, (c, scopes) in CALLERS.items()})
        transport = httpx.ASGITransport(app=create_asgi(hub))
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
            yield hub, client
    finally:
        await hub.stop()


async def post(client: httpx.AsyncClient, document_type: str, raw: bytes, key: str) -> None:
    headers = {"Idempotency-Key": key, "X-Crossdock-Source": "erp",
               "Content-Type": "application/json", **KEYS["operator"]}  # fmt: skip
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
    """The headers of caller `name` (its API key) plus `headers`."""
    return {**KEYS[name], **headers}
