"""A worker stopping (SIGTERM) finishes the batch in hand: what it sent is recorded as sent,
nothing stays leased, and the next worker sends nothing twice.

In process on SQLite (the roles do not depend on the backend), against the HTTP sink made slow
so the stop lands while deliveries are in flight.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from crossdock.bootstrap import build_hub
from crossdock.bootstrap.roles import API, worker_role
from crossdock.config import Settings
from crossdock.entrypoints.api.app import create_asgi
from crossdock.sandbox.sink import RunningSink
from tests.auth_helpers import operator_headers
from tests.conftest import EXAMPLES
from tests.integration.hubproc import sink_config

PO_RAW = (EXAMPLES / "purchase_order.json").read_bytes()
DOCUMENTS = 12


def settings(tmp_path: Path, sink: RunningSink) -> Settings:
    config: dict[str, Any] = sink_config(sink.url)
    config["endpoints"]["erp"]["timeout_seconds"] = 10
    config["endpoints"]["erp"]["concurrency"] = 4
    return Settings(
        hub={"data_dir": tmp_path / "data"}, lanes={"critical": {"workers": 1}}, **config
    )


async def sink_stats(sink: RunningSink) -> dict[str, Any]:
    async with httpx.AsyncClient() as client:
        return dict((await client.get(f"{sink.url}/_stats")).json())


def store_state(config: Settings) -> tuple[int, int]:
    """(entries still leased, messages delivered) in the store."""
    engine = create_engine(config.database_url)
    try:
        with engine.connect() as conn:
            leased = conn.execute(
                text("SELECT count(*) FROM bus_pending WHERE leased_until > :now"),
                {"now": time.time()},
            ).scalar_one()
            delivered = conn.execute(
                text("SELECT count(*) FROM messages WHERE status = 'delivered'")
            ).scalar_one()
    finally:
        engine.dispose()
    return int(leased), int(delivered)


async def test_a_stopping_worker_finishes_its_batch_and_nothing_is_sent_twice(
    tmp_path: Path, sink: RunningSink
) -> None:
    config = settings(tmp_path, sink)
    api = build_hub(config, role=API)
    await api.start()
    try:
        transport = httpx.ASGITransport(app=create_asgi(api))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://hub", headers=operator_headers(api)
        ) as client:
            for n in range(DOCUMENTS):
                posted = await client.post(
                    "/v1/messages/purchase_order",
                    content=PO_RAW.replace(b'"po_number": "', f'"po_number": "S{n}-'.encode()),
                    headers={"Idempotency-Key": f"s-{n}", "Content-Type": "application/json"},
                )
                assert posted.status_code == 202, posted.text
    finally:
        await api.stop()
    async with httpx.AsyncClient() as client:
        await client.post(f"{sink.url}/_fail", json={"mode": "slow", "delay": 0.8})
    worker = build_hub(config, role=worker_role())
    await worker.start()
    try:
        deadline = time.monotonic() + 20
        while (await sink_stats(sink))["requests"] == 0 and time.monotonic() < deadline:
            await asyncio.sleep(0.02)  # a batch is in flight, its answers still sleeping
    finally:
        await worker.stop()  # what SIGTERM does
    leased, delivered = store_state(config)
    stats = await sink_stats(sink)
    assert leased == 0  # the batch in hand was settled, not left to lease expiry
    assert 0 < delivered == stats["received"] < DOCUMENTS
    async with httpx.AsyncClient() as client:
        await client.post(f"{sink.url}/_fail", json={"mode": "up"})
    successor = build_hub(config, role=worker_role())
    await successor.start()
    try:
        deadline = time.monotonic() + 20
        while (await sink_stats(sink))["received"] < DOCUMENTS and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
    finally:
        await successor.stop()
    final = await sink_stats(sink)
    assert final["received"] == DOCUMENTS and final["duplicates"] == 0, final
