"""The reconciler on a real SQLite store with fake position sources: positions recorded as
messages (the evidence), the drift table across runs, one exception raised and resolved, the
schedule lease (not due, held by another process, restart), a failed pull, in-flight movements
and the sync lag read from deliveries."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from crossdock.adapters.sql.inventory_store import SqlInventoryUnitOfWorkFactory
from crossdock.hub.flows.exceptions import ExceptionCategory, ExceptionStatus
from crossdock.hub.intake import record
from crossdock.hub.inventory import views
from crossdock.hub.inventory.compare import DriftPolicy
from crossdock.hub.inventory.ports import PullError
from crossdock.hub.inventory.reconcile import SCHEDULE, PullSide, Reconciler
from crossdock.hub.records import Delivery, DeliveryAttempt, MessageStatus
from crossdock.hub.store_runner import StoreRunner
from tests.conftest import SqlStore, inbound


class FakeSource:
    def __init__(self, name: str, rows: list[dict[str, Any]]) -> None:
        self._name = name
        self.rows = rows
        self.fail = False
        self.calls = 0

    @property
    def name(self) -> str:
        return self._name

    async def fetch(self) -> bytes:
        self.calls += 1
        if self.fail:
            raise PullError("GET http://wms/inventory: ConnectError")
        return json.dumps(self.rows).encode()

    async def close(self) -> None:
        pass


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, Any]]:
    store = SqlStore(tmp_path)
    runner = StoreRunner(store.uow, store.uow.reader)
    uow = SqlInventoryUnitOfWorkFactory(store.uow)
    erp = FakeSource("erp", [{"site": "DC-ATL", "itemNo": "HP-1", "onHand": 5},
                             {"site": "DC-ATL", "itemNo": "HP-2", "onHand": 9},
                             {"site": "DC-BOS", "itemNo": "HP-1", "onHand": 1}])  # fmt: skip
    wms = FakeSource("wms", [{"site": "DC-ATL", "sku": "HP-1", "on_hand": 5, "damaged": 0},
                             {"site": "DC-ATL", "sku": "HP-2", "on_hand": 9, "damaged": 0}])  # fmt: skip
    clock = Clock()

    def reconciler(owner: str = "p1", **kwargs: Any) -> Reconciler:
        options: dict[str, Any] = {
            "policy": DriftPolicy(grace=timedelta(minutes=10), confirm_runs=2),
            "every": timedelta(minutes=5),
            "in_flight": timedelta(minutes=5),
            "lane_for": lambda _t: "bulk",
            "sites": frozenset({"DC-ATL"}),
            "clock": clock,
            "owner": owner,
        }
        options.update(kwargs)
        return Reconciler(
            {"erp": PullSide(erp, "sandbox_erp.inventory_positions", "erp"),
             "wms": PullSide(wms, "sandbox_wms.inventory_positions", "wms")},
            uow, uow.reader, runner, **options,
        )  # fmt: skip

    yield {"store": store, "uow": uow, "erp": erp, "wms": wms, "clock": clock,
           "reconciler": reconciler}  # fmt: skip
    runner.close()
    store.engine.dispose()


def test_drift_is_recorded_raised_once_and_resolved(env: dict[str, Any]) -> None:
    rec, clock, uow = env["reconciler"](), env["clock"], env["uow"]
    first = asyncio.run(rec.run())
    assert first is not None and first.status == "ok"
    assert (first.items_compared, first.drifting, first.erp_positions) == (2, 0, 2)  # site filter
    with uow.reader() as u:
        assert u.inventory.find_drift() == []

    env["wms"].rows[0]["on_hand"] = 7  # the WMS counted two more; the ERP never heard of it
    clock.now += timedelta(minutes=5)
    second = asyncio.run(rec.run())
    assert second is not None and (second.drifting, second.new_drift, second.raised) == (1, 1, 0)
    with uow.reader() as u:
        (row,) = u.inventory.find_drift()
        since = row.first_seen_at
        assert (row.erp_on_hand, row.wms_on_hand, row.difference) == (5, 7, 2)
        evidence = u.messages.get_many(row.evidence, with_raw=True)
        assert {m.summary.source for m in evidence.values()} == {"erp", "wms"}
        assert {m.summary.document_type for m in evidence.values()} == {"inventory_position"}
        assert {m.summary.channel for m in evidence.values()} == {"pull"}
        wms_message = next(m for m in evidence.values() if m.summary.source == "wms")
        assert json.loads(wms_message.raw)["sku"] == "HP-1"

    clock.now += timedelta(minutes=11)
    third = asyncio.run(rec.run())
    assert third is not None and third.raised == 1
    with uow.reader() as u:
        (row,) = u.inventory.find_drift()
        assert row.first_seen_at == since and row.runs == 2 and row.exception_id
        exception = u.exceptions.get(row.exception_id)
        assert exception is not None and exception.category is ExceptionCategory.INVENTORY_DRIFT
        assert exception.owner_role == "inventory_control"
        assert exception.correlation_key == "DC-ATL/HP-1" and exception.flow
        assert sorted(exception.evidence) == sorted(row.evidence)
        exception_id = row.exception_id

    clock.now += timedelta(minutes=5)
    assert asyncio.run(rec.run()).raised == 0  # type: ignore[union-attr]

    env["erp"].rows[0]["onHand"] = 7  # fixed in the ERP
    clock.now += timedelta(minutes=5)
    fixed = asyncio.run(rec.run())
    assert fixed is not None and (fixed.drifting, fixed.resolved) == (0, 1)
    with uow.reader() as u:
        assert u.inventory.find_drift() == []
        (history,) = u.inventory.find_drift(include_resolved=True)
        assert history.resolved_at == clock.now and history.first_seen_at == since
        resolved = u.exceptions.get(exception_id)
        assert resolved is not None and resolved.status is ExceptionStatus.RESOLVED
        drift = views.list_drift(u, clock.now, include_resolved=True)
        assert drift[0]["since"] == since.isoformat() and drift[0]["resolved_at"]


def test_the_schedule_lease_keeps_runs_apart_and_survives_a_restart(env: dict[str, Any]) -> None:
    clock = env["clock"]
    one = env["reconciler"]("p1")
    asyncio.run(one.tick())
    assert env["erp"].calls == 1
    asyncio.run(one.tick())  # not due for another 5 minutes
    assert env["erp"].calls == 1
    restarted = env["reconciler"]("p2")  # a new process: the due time is in the store
    asyncio.run(restarted.tick())
    assert env["erp"].calls == 1
    clock.now += timedelta(minutes=5)
    with env["uow"]() as u:  # someone else is mid-run
        assert u.inventory.lease_schedule(SCHEDULE, clock.now, clock.now + timedelta(minutes=2),
                                          "p3", force=False)  # fmt: skip
        u.commit()
    assert asyncio.run(restarted.run(force=True)) is None
    clock.now += timedelta(minutes=3)  # p3 died: its lease runs out
    assert asyncio.run(restarted.run(force=False)) is not None
    assert env["erp"].calls == 2


def test_a_failed_pull_is_a_failed_run_that_changes_no_drift(env: dict[str, Any]) -> None:
    env["wms"].fail = True
    run = asyncio.run(env["reconciler"]().run())
    assert run is not None and run.status == "failed" and "ConnectError" in (run.error or "")
    with env["uow"].reader() as u:
        last = u.inventory.last_run()
        assert last is not None and last.status == "failed"
        assert u.inventory.next_due(SCHEDULE) == env["clock"].now + timedelta(minutes=5)


def test_in_flight_movements_and_sync_lag(env: dict[str, Any]) -> None:
    store, clock, uow = env["store"], env["clock"], env["uow"]
    movement = {
        "movement_id": "WMS-1", "movement_type": "adjustment_in",
        "occurred_at": (clock.now - timedelta(minutes=1)).isoformat(), "site": {"code": "DC-ATL"},
        "item": {"sku": "HP-1"}, "quantity": {"value": "2", "unit": "EA"}, "source_system": "wms",
    }  # fmt: skip
    message = inbound(json.dumps(movement).encode(), source="wms", document_type="stock_movement")
    with store.uow() as u:
        record(u, [message])
        u.commit()
    env["wms"].rows[0]["on_hand"] = 7
    rec = env["reconciler"]()
    run = asyncio.run(rec.run())
    assert run is not None and (run.drifting, run.in_flight) == (0, 1)

    with uow.reader() as u:
        status = views.sync_status(u, clock.now, movement_source="wms", window_hours=24 * 3650,
                                   enabled=True)  # fmt: skip
    assert status["sync_lag"]["undelivered"] == 1
    assert status["last_run"]["in_flight"] == 1

    delivered_at = message.received_at + timedelta(seconds=3)
    with store.uow() as u:
        u.deliveries.add(Delivery("D1", message.id, "adjustments-to-erp", "erp-inventory",
                                  "critical", "k", "DC-ATL/HP-1", "application/json", b""))  # fmt: skip
        u.deliveries.record_attempts([DeliveryAttempt("D1", 1, delivered_at, 500.0, "ok", 201)])
        u.messages.set_status([message.id], MessageStatus.DELIVERED)
        u.commit()
    with uow.reader() as u:
        status = views.sync_status(u, clock.now, movement_source="wms", window_hours=24 * 3650,
                                   enabled=True)  # fmt: skip
    lag = status["sync_lag"]
    assert lag["undelivered"] == 0 and lag["lag_seconds"]["n"] == 1
    assert lag["hub_lag_seconds"]["max"] == 3.5
    occurred = clock.now - timedelta(minutes=1)
    expected = (delivered_at + timedelta(seconds=0.5) - occurred).total_seconds()
    assert lag["lag_seconds"]["max"] == round(expected, 3)

    clock.now += timedelta(minutes=5)  # delivered: the difference is drift now
    assert asyncio.run(rec.run()).drifting == 1  # type: ignore[union-attr]
