"""Batch preparation in worker processes: the same messages as inline, in line order.

Real worker processes (forkserver); each test starts its own pool and stops it.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crossdock.hub import prepare_pool
from crossdock.hub.intake import IntakeRequest, prepare
from crossdock.hub.prepare_pool import PoolSettings, PreparePool, default_workers
from crossdock.hub.records import InboundMessage, MessageStatus

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "purchase_order.json"


def _requests(count: int, *, bad_every: int = 7) -> list[IntakeRequest]:
    body = json.loads(EXAMPLE.read_text())
    now = datetime.now(UTC)
    requests = []
    for n in range(1, count + 1):
        doc = dict(body, po_number=f"POOL-{n}")
        if n % bad_every == 0:
            doc["lines"] = []  # at least one line is required: rejected with a field path
        requests.append(
            IntakeRequest(
                document_type="purchase_order",
                raw=json.dumps(doc).encode(),
                content_type="application/json",
                source="test",
                channel="http-batch",
                received_at=now,
                idempotency_key=f"batch-1:{n}",
            )
        )
    return requests


def _comparable(message: InboundMessage) -> tuple[object, ...]:
    return (
        message.status,
        message.idempotency_key,
        message.correlation_key,
        message.canonical,
        message.body_sha256,
        message.lane,
        [(e.path, e.type) for e in message.errors],
    )


async def _with_pool(settings: PoolSettings, requests: list[IntakeRequest]) -> list[InboundMessage]:
    pool = PreparePool(settings)
    try:
        return await pool.prepare(requests, "bulk")
    finally:
        await pool.stop()


def test_workers_prepare_what_inline_prepare_would() -> None:
    requests = _requests(120)
    inline = [prepare(r, lambda _t: "bulk") for r in requests]
    pooled = asyncio.run(_with_pool(PoolSettings(workers=2, chunk=25), requests))
    assert [_comparable(m) for m in pooled] == [_comparable(m) for m in inline]
    assert sum(m.status is MessageStatus.REJECTED for m in pooled) == 120 // 7
    rejected = next(m for m in pooled if m.status is MessageStatus.REJECTED)
    assert rejected.errors[0].path == "lines"
    ids = [m.id for m in pooled]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)  # line order, as ids sort


def test_small_batches_and_zero_workers_stay_inline() -> None:
    async def run() -> None:
        pool = PreparePool(PoolSettings(workers=2, inline_below=64))
        messages = await pool.prepare(_requests(10), "critical")
        assert len(messages) == 10
        assert pool._pool is None  # no worker was started for a small batch
        off = PreparePool(PoolSettings(workers=0))
        assert len(await off.prepare(_requests(100), "critical")) == 100
        assert off._pool is None
        await off.warm()
        assert off._pool is None

    asyncio.run(run())


def test_a_dead_worker_costs_one_inline_batch_and_the_pool_is_rebuilt() -> None:
    async def run() -> None:
        pool = PreparePool(PoolSettings(workers=2, chunk=20, inline_below=1))
        await pool.warm()
        executor = pool._pool
        assert executor is not None
        for pid in list(executor._processes):  # what an OOM kill would do
            os.kill(pid, signal.SIGKILL)
        await asyncio.sleep(0.5)
        first = await pool.prepare(_requests(60), "critical")
        assert [m.idempotency_key for m in first] == [f"batch-1:{n}" for n in range(1, 61)]
        second = await pool.prepare(_requests(60), "critical")
        assert len(second) == 60
        assert pool._pool is not None and pool._pool is not executor
        await pool.stop()

    asyncio.run(run())


@pytest.mark.parametrize(("cores", "workers"), [(None, 0), (1, 0), (2, 2), (4, 4), (32, 8)])
def test_default_workers_follow_the_cores(
    monkeypatch: pytest.MonkeyPatch, cores: int | None, workers: int
) -> None:
    monkeypatch.setattr(prepare_pool.os, "cpu_count", lambda: cores)
    assert default_workers() == workers


def test_workers_that_cannot_start_leave_batches_inline(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_processes(_method: str) -> object:
        raise OSError("no processes here")

    monkeypatch.setattr(prepare_pool.multiprocessing, "get_context", no_processes)

    async def run() -> None:
        pool = PreparePool(PoolSettings(workers=2, inline_below=1))
        await pool.warm()  # logs and carries on: the hub must start anyway
        assert not pool.enabled
        messages = await pool.prepare(_requests(20), "critical")
        assert len(messages) == 20 and messages[0].status is MessageStatus.ACCEPTED
        await pool.stop()

    asyncio.run(run())
