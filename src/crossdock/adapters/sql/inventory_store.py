"""The reconciliation's store on SQL (the hub's `InventoryStore`), and a unit of work with it.

The schedule lease is taken with a conditional UPDATE whose row count says who won (the same
technique as `flow_store` timers), after an INSERT of the schedule row that a concurrent
creator makes fail harmlessly; no lock is held across calls.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import Connection, and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from crossdock.adapters.sql.convert import from_epoch, from_epoch_required, storable, to_epoch
from crossdock.adapters.sql.inventory_tables import inventory_drift, inventory_runs, job_schedules
from crossdock.adapters.sql.tables import deliveries, delivery_attempts, messages
from crossdock.adapters.sql.uow import SqlUnitOfWork, SqlUnitOfWorkFactory
from crossdock.hub.inventory.model import DriftRow, MovementDelivery, ReconciliationRun

MOVEMENT = "stock_movement"
IN_FLIGHT = ("accepted", "routed")
# An unrouted movement never reaches the ERP: undelivered for good, but not in flight.
UNDELIVERED = ("accepted", "routed", "failed", "unrouted")


class SqlInventoryStore:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # -- drift ---------------------------------------------------------------------------------
    def open_drift(self) -> list[DriftRow]:
        t = inventory_drift
        rows = self._conn.execute(select(t).where(t.c.resolved_at.is_(None)))
        return [_drift(r) for r in rows]

    def find_drift(
        self,
        *,
        site: str | None = None,
        item: str | None = None,
        include_resolved: bool = False,
        limit: int = 1000,
    ) -> list[DriftRow]:
        t = inventory_drift
        query = select(t)
        if not include_resolved:
            query = query.where(t.c.resolved_at.is_(None))
        if site is not None:
            query = query.where(t.c.site == site)
        if item is not None:
            query = query.where(t.c.item == item)
        query = query.order_by(t.c.first_seen_at, t.c.site, t.c.item).limit(limit)
        return [_drift(r) for r in self._conn.execute(query)]

    def save_drift(self, rows: Sequence[DriftRow]) -> None:
        if not rows:
            return
        t = inventory_drift
        ids = [r.id for r in rows]
        known = set(self._conn.execute(select(t.c.id).where(t.c.id.in_(ids))).scalars())
        fresh = [_drift_values(r) for r in rows if r.id not in known]
        if fresh:
            self._conn.execute(insert(t), fresh)
        for row in rows:
            if row.id in known:
                values = _drift_values(row)
                del values["id"]
                self._conn.execute(update(t).where(t.c.id == row.id).values(**values))

    # -- runs ----------------------------------------------------------------------------------
    def add_run(self, run: ReconciliationRun) -> None:
        self._conn.execute(
            insert(inventory_runs).values(
                id=run.id,
                started_at=to_epoch(run.started_at),
                finished_at=to_epoch(run.finished_at),
                status=run.status,
                items_compared=run.items_compared,
                drifting=run.drifting,
                new_drift=run.new_drift,
                resolved=run.resolved,
                raised=run.raised,
                in_flight=run.in_flight,
                erp_positions=run.erp_positions,
                wms_positions=run.wms_positions,
                problems=json.dumps(run.problems[:100]),
                error=storable(run.error),
            )
        )

    def last_run(self) -> ReconciliationRun | None:
        t = inventory_runs
        row = self._conn.execute(
            select(t).order_by(t.c.started_at.desc(), t.c.id.desc()).limit(1)
        ).first()
        if row is None:
            return None
        return ReconciliationRun(
            id=row.id,
            started_at=from_epoch_required(row.started_at),
            finished_at=from_epoch_required(row.finished_at),
            status=row.status,
            items_compared=row.items_compared,
            drifting=row.drifting,
            new_drift=row.new_drift,
            resolved=row.resolved,
            raised=row.raised,
            in_flight=row.in_flight,
            erp_positions=row.erp_positions,
            wms_positions=row.wms_positions,
            problems=json.loads(row.problems),
            error=row.error,
        )

    # -- schedule ------------------------------------------------------------------------------
    def lease_schedule(
        self, name: str, now: datetime, lease_until: datetime, owner: str, *, force: bool
    ) -> bool:
        t = job_schedules
        at = to_epoch(now)
        if self._conn.execute(select(t.c.name).where(t.c.name == name)).first() is None:
            try:
                with self._conn.begin_nested():  # PostgreSQL aborts a transaction on a failure
                    self._conn.execute(
                        insert(t).values(
                            name=name, next_due_at=0.0, lease_until=0.0, lease_owner=None
                        )
                    )
            except IntegrityError:
                pass  # created concurrently: the UPDATE below decides who runs
        free = t.c.lease_until <= at
        condition = free if force else and_(free, t.c.next_due_at <= at)
        won = self._conn.execute(
            update(t)
            .where(t.c.name == name, condition)
            .values(lease_until=to_epoch(lease_until), lease_owner=owner)
        )
        return bool(won.rowcount == 1)

    def finish_schedule(self, name: str, owner: str, next_due_at: datetime) -> None:
        t = job_schedules
        self._conn.execute(
            update(t)
            .where(t.c.name == name, or_(t.c.lease_owner == owner, t.c.lease_owner.is_(None)))
            .values(next_due_at=to_epoch(next_due_at), lease_until=0.0, lease_owner=None)
        )

    def next_due(self, name: str) -> datetime | None:
        t = job_schedules
        value = self._conn.execute(select(t.c.next_due_at).where(t.c.name == name)).scalar()
        return None if value is None else from_epoch(value)

    # -- movements -----------------------------------------------------------------------------
    def movements_in_flight(self, source: str, since: datetime) -> set[str]:
        m = messages
        rows = self._conn.execute(
            select(m.c.correlation_key)
            .where(
                m.c.document_type == MOVEMENT,
                m.c.source == source,
                m.c.received_at >= to_epoch(since),
                m.c.status.in_(IN_FLIGHT),
            )
            .distinct()
        )
        return {key for key in rows.scalars() if key}

    def movement_deliveries(
        self, source: str, since: datetime, limit: int = 50_000
    ) -> list[MovementDelivery]:
        m, d, a = messages, deliveries, delivery_attempts
        delivered = (
            select(
                d.c.message_id.label("message_id"),
                func.min(a.c.started_at + a.c.duration_ms / 1000.0).label("delivered_at"),
            )
            .join(a, a.c.delivery_id == d.c.id)
            .where(a.c.outcome == "ok")
            .group_by(d.c.message_id)
            .subquery()
        )
        query = (
            select(
                m.c.id,
                m.c.correlation_key,
                m.c.received_at,
                m.c.status,
                m.c.canonical,
                delivered.c.delivered_at,
            )
            .select_from(m.outerjoin(delivered, delivered.c.message_id == m.c.id))
            .where(
                m.c.document_type == MOVEMENT,
                m.c.source == source,
                m.c.received_at >= to_epoch(since),
            )
            .order_by(m.c.received_at)
            .limit(limit)
        )
        return [
            MovementDelivery(
                message_id=row.id,
                correlation_key=row.correlation_key,
                received_at=from_epoch_required(row.received_at),
                status=row.status,
                occurred_at=_occurred_at(row.canonical),
                delivered_at=from_epoch(row.delivered_at),
            )
            for row in self._conn.execute(query)
        ]

    def undelivered_movements(self, source: str) -> tuple[int, datetime | None]:
        m = messages
        count, oldest = self._conn.execute(
            select(func.count(), func.min(m.c.received_at)).where(
                m.c.document_type == MOVEMENT,
                m.c.source == source,
                m.c.status.in_(UNDELIVERED),
            )
        ).one()
        return int(count), from_epoch(oldest)


def _occurred_at(canonical: bytes | None) -> datetime | None:
    """The movement's own time, from its canonical JSON (None when unreadable)."""
    if not canonical:
        return None
    try:
        value = orjson.loads(canonical).get("occurred_at")
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except (orjson.JSONDecodeError, ValueError, AttributeError):
        return None


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _drift(row: Any) -> DriftRow:
    return DriftRow(
        id=row.id,
        site=row.site,
        item=row.item,
        unit=row.unit,
        erp_on_hand=_decimal(row.erp_on_hand),
        wms_on_hand=_decimal(row.wms_on_hand),
        erp_available=_decimal(row.erp_available),
        wms_available=_decimal(row.wms_available),
        difference=Decimal(row.difference),
        first_seen_at=from_epoch_required(row.first_seen_at),
        last_checked_at=from_epoch_required(row.last_checked_at),
        resolved_at=from_epoch(row.resolved_at),
        runs=row.runs,
        exception_id=row.exception_id,
        evidence=json.loads(row.evidence),
    )


def _drift_values(row: DriftRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "site": row.site,
        "item": row.item,
        "unit": row.unit,
        "erp_on_hand": _text(row.erp_on_hand),
        "wms_on_hand": _text(row.wms_on_hand),
        "erp_available": _text(row.erp_available),
        "wms_available": _text(row.wms_available),
        "difference": str(row.difference),
        "first_seen_at": to_epoch(row.first_seen_at),
        "last_checked_at": to_epoch(row.last_checked_at),
        "resolved_at": None if row.resolved_at is None else to_epoch(row.resolved_at),
        "runs": row.runs,
        "exception_id": row.exception_id,
        "evidence": json.dumps(row.evidence),
    }


class SqlInventoryUnitOfWork(SqlUnitOfWork):
    """The hub's unit of work plus the inventory store, on the same connection: recorded
    positions, drift rows, exceptions and the run commit together."""

    inventory: SqlInventoryStore

    def __enter__(self) -> SqlInventoryUnitOfWork:
        super().__enter__()
        self.inventory = SqlInventoryStore(self.connection)
        return self


class SqlInventoryUnitOfWorkFactory:
    """Opens `SqlInventoryUnitOfWork`s on the store's engine."""

    def __init__(self, base: SqlUnitOfWorkFactory) -> None:
        self.engine = base.engine

    def __call__(self) -> SqlInventoryUnitOfWork:
        return SqlInventoryUnitOfWork(self.engine)

    def reader(self) -> SqlInventoryUnitOfWork:
        return SqlInventoryUnitOfWork(self.engine, readonly=True)
