"""One wiring, three roles (`crossdock.bootstrap.roles`): what `api` and `worker` run.

In process on SQLite (the CLI refuses SQLite for api/worker, the wiring does not care), the
roles one after the other on one store, as separate processes would on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from crossdock.bootstrap import build_hub
from crossdock.bootstrap.roles import API, UP, refusal, worker_role
from crossdock.config import Settings
from crossdock.entrypoints.api.app import create_asgi
from crossdock.hub.records import ConsumerGroup
from tests.auth_helpers import operator_headers
from tests.conftest import EXAMPLES

PO_RAW = (EXAMPLES / "purchase_order.json").read_bytes()


def group(name: str, lane: str = "critical") -> ConsumerGroup:
    return ConsumerGroup(name=name, subjects=("x",), lane=lane)


@pytest.mark.parametrize(
    ("patterns", "name", "runs"),
    [((), "deliver.critical.erp", True),
     (("deliver",), "deliver.critical.erp", True),
     (("deliver.",), "deliver.critical.erp", True),
     (("deliver.critical",), "deliver.critical.erp", True),
     (("deliver.crit",), "deliver.critical.erp", False),  # prefixes by whole dotted parts
     (("route",), "deliver.critical.erp", False),
     (("deliver.*.erp",), "deliver.critical.erp", True),
     (("deliver.*.erp",), "deliver.critical.wms", False),
     (("flow.", "route."), "flow.critical", True),
     (("flow.critical",), "flow.critical", True)],
)  # fmt: skip
def test_group_patterns_are_globs_or_dotted_prefixes(
    patterns: tuple[str, ...], name: str, runs: bool
) -> None:
    assert worker_role(groups=patterns).runs(group(name)) is runs


def test_lanes_restrict_and_unknown_lanes_are_refused() -> None:
    bulk = worker_role(["bulk"])
    assert bulk.runs(group("deliver.bulk.erp", "bulk"))
    assert not bulk.runs(group("deliver.critical.erp"))
    assert not worker_role(["bulk"], ["deliver"]).runs(group("deliver.critical.erp"))
    with pytest.raises(ValueError, match="unknown lane 'fast': use one of critical, bulk"):
        worker_role(["fast"])


def test_only_postgresql_takes_several_processes() -> None:
    assert refusal("api", "postgresql+psycopg://h/db") is None
    message = refusal("worker", "sqlite:////data/crossdock.db")
    assert message is not None and "run `crossdock up` instead" in message


def settings(tmp_path: Path) -> Settings:
    return Settings(
        hub={"data_dir": tmp_path / "data"},
        endpoints={"erp": {"type": "folder", "path": str(tmp_path / "out")}},
        routes=[{"name": "po", "when": {"document_type": "purchase_order"},
                 "deliver": {"endpoint": "erp"}}],
    )  # fmt: skip


def delivered(tmp_path: Path) -> int:
    out = tmp_path / "out"
    return len([p for p in out.rglob("*") if p.is_file()]) if out.exists() else 0


async def wait_delivered(tmp_path: Path, count: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if delivered(tmp_path) >= count:
            return True
        await asyncio.sleep(0.05)
    return False


async def test_the_api_records_without_delivering_and_a_worker_delivers(tmp_path: Path) -> None:
    config = settings(tmp_path)
    api = build_hub(config, role=API)
    await api.start()
    try:
        transport = httpx.ASGITransport(app=create_asgi(api))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://hub", headers=operator_headers(api)
        ) as client:
            posted = await client.post(
                "/v1/messages/purchase_order",
                content=PO_RAW,
                headers={"Idempotency-Key": "po-1", "Content-Type": "application/json"},
            )
            assert posted.status_code == 202, posted.text
        assert not await wait_delivered(tmp_path, 1, 1.0)  # no loop runs in the api
    finally:
        await api.stop()
    # A worker of the other lane leaves it; a worker of its lane delivers it.
    for role, expected in ((worker_role(["bulk"]), False), (worker_role(["critical"]), True)):
        worker = build_hub(config, role=role)
        await worker.start()
        try:
            assert await wait_delivered(tmp_path, 1, 1.5 if not expected else 10) is expected
        finally:
            await worker.stop()


async def test_a_stopping_worker_does_not_wait_out_its_grace_when_idle(tmp_path: Path) -> None:
    """SIGTERM must not cost the whole grace (8 s): idle loops and the scheduler's sleeping
    jobs stop at once; only a loop inside a batch is waited for."""
    role = worker_role()
    assert role.grace > 2
    worker = build_hub(settings(tmp_path), role=role)
    await worker.start()
    await asyncio.sleep(0.3)
    started = time.monotonic()
    await worker.stop()
    assert time.monotonic() - started < 2.0


def test_up_is_everything() -> None:
    assert UP.http and UP.loops and UP.scheduler and UP.grace == 0
    assert API.http and not API.loops and not API.scheduler
    assert not worker_role().http


async def test_the_api_shows_the_circuit_states_the_workers_persisted(tmp_path: Path) -> None:
    """The api delivers nothing, so its own breakers say nothing: /v1/endpoints must show
    the state the workers persisted, not the api's idle "closed"."""
    from datetime import UTC, datetime

    from crossdock.hub.records import EndpointState

    config = settings(tmp_path)
    api = build_hub(config, role=API)
    await api.start()
    try:
        opened = EndpointState("erp", "open", 7, datetime.now(UTC))

        def persist(uow: Any) -> None:
            uow.endpoints.save(opened)
            uow.commit()

        await api.runner.call(lambda: _in_uow(api, persist))
        transport = httpx.ASGITransport(app=create_asgi(api))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://hub", headers=operator_headers(api)
        ) as client:
            [row] = (await client.get("/v1/endpoints")).json()["items"]
        assert (row["circuit"], row["consecutive_failures"]) == ("open", 7)
    finally:
        await api.stop()


def _in_uow(hub: Any, work: Any) -> None:
    with hub.runner.uow_factory() as uow:
        work(uow)


class RecordedWakeups:
    def __init__(self) -> None:
        self.published: list[str] = []

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def publish(self, prefix: str) -> None:
        self.published.append(prefix)


async def test_operator_wakeups_reach_the_other_processes(tmp_path: Path) -> None:
    """A dead-letter retry or a replay on the api wakes the loops, which are the workers'."""
    api = build_hub(settings(tmp_path), role=API)
    recorded = RecordedWakeups()
    api.wakeups = recorded
    await api.start()
    try:
        transport = httpx.ASGITransport(app=create_asgi(api))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://hub", headers=operator_headers(api)
        ) as client:
            retried = await client.post("/v1/dlq/retry", json={"group": "deliver.critical.erp"})
            assert retried.status_code == 202, retried.text
        assert {"deliver.", "route."} <= set(recorded.published)
    finally:
        await api.stop()
