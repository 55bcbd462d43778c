"""Flow instances, timers and exceptions on SQL (the hub's `FlowStore` and `ExceptionLog`).

Concurrency without locks held across calls: an instance is saved with a version check (an
UPDATE matching the version read, or an INSERT that a concurrent creator makes fail), and a
timer is leased and fired with conditional UPDATEs whose row counts say who won. On SQLite the
writer holds the database lock anyway; on PostgreSQL the row locks and re-checked WHERE
clauses give the same answers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from crossdock.adapters.sql.convert import from_epoch, from_epoch_required, storable, to_epoch
from crossdock.adapters.sql.flow_statements import (
    CANCEL_TIMER,
    CANCEL_TIMERS,
    GET_INSTANCE,
    INSERT_INSTANCE,
    INSERT_TIMER,
    MOVE_TIMER,
    UPDATE_INSTANCE,
)
from crossdock.adapters.sql.flow_tables import exceptions, flow_instances, flow_timers
from crossdock.adapters.sql.prepared import Prepared
from crossdock.hub.flows.exceptions import (
    ExceptionAction,
    ExceptionCategory,
    ExceptionRecord,
    ExceptionStatus,
)
from crossdock.hub.flows.model import FlowState, FlowTimer
from crossdock.hub.flows.ports import FlowConflict, FlowCount


class SqlFlowStore:
    def __init__(self, conn: Connection, *, isolate_failures: bool = True) -> None:
        self._conn = conn
        # SQLite undoes just the failing statement; PostgreSQL aborts the whole transaction,
        # so there an INSERT that may fail runs in a savepoint of its own. The backend says
        # which (`SqlBackend.isolate_failures`); the safe choice is the default.
        self._isolate_failures = isolate_failures

    def get(self, flow: str, key: str) -> FlowState | None:
        row = GET_INSTANCE.execute(self._conn, {"b_flow": flow, "b_key": key}).first()
        return None if row is None else _state(row)

    def save(self, state: FlowState, expected_version: int) -> None:
        params = {
            "b_flow": state.flow,
            "b_key": state.key,
            "b_state": state.state,
            "b_data": json.dumps(state.data, separators=(",", ":"), default=str),
            "b_version": state.version,
            "b_updated_at": to_epoch(state.updated_at),
            "b_completed": bool(state.completed),
        }
        if expected_version == 0:
            params["b_created_at"] = to_epoch(state.created_at)
            try:
                self._insert(INSERT_INSTANCE, params)
            except IntegrityError as exc:
                raise FlowConflict(
                    f"flow {state.flow} instance {state.key!r} was created concurrently"
                ) from exc
            return
        params["b_expected"] = expected_version
        updated = UPDATE_INSTANCE.execute(self._conn, params)
        if updated.rowcount != 1:
            raise FlowConflict(
                f"flow {state.flow} instance {state.key!r} is no longer at version "
                f"{expected_version}"
            )

    def find(
        self,
        *,
        flow: str | None = None,
        state: str | None = None,
        completed: bool | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[FlowState]:
        t = flow_instances
        query = select(t).order_by(t.c.updated_at.desc(), t.c.key).limit(limit).offset(offset)
        if flow is not None:
            query = query.where(t.c.flow == flow)
        if state is not None:
            query = query.where(t.c.state == state)
        if completed is not None:
            query = query.where(t.c.completed == completed)
        return [_state(row) for row in self._conn.execute(query)]

    def counts(self, flow: str | None = None) -> list[FlowCount]:
        t = flow_instances
        query = select(t.c.flow, t.c.state, t.c.completed, func.count()).group_by(
            t.c.flow, t.c.state, t.c.completed
        )
        if flow is not None:
            query = query.where(t.c.flow == flow)
        rows = self._conn.execute(query.order_by(t.c.flow, t.c.state))
        return [FlowCount(f, s, bool(c), int(n)) for f, s, c, n in rows]

    # -- timers ----------------------------------------------------------------------------
    def set_timer(self, flow: str, key: str, name: str, due_at: datetime) -> None:
        params = {"b_flow": flow, "b_key": key, "b_name": name, "b_due_at": to_epoch(due_at)}
        if MOVE_TIMER.execute(self._conn, params).rowcount == 0:
            try:
                self._insert(INSERT_TIMER, params)
            except IntegrityError:
                # Another writer created it since the UPDATE looked (PostgreSQL: its INSERT
                # waited for that writer's commit); it exists now, so move it.
                MOVE_TIMER.execute(self._conn, params)

    def _insert(self, statement: Prepared, params: dict[str, Any]) -> None:
        """An INSERT that may fail on a unique key without spoiling the transaction."""
        if self._isolate_failures:
            with self._conn.begin_nested():
                statement.execute(self._conn, params)
        else:
            statement.execute(self._conn, params)

    def cancel_timers(self, flow: str, key: str, names: Sequence[str] | None = None) -> int:
        if names is None:
            done = CANCEL_TIMERS.execute(self._conn, {"b_flow": flow, "b_key": key})
            return int(done.rowcount or 0)
        cancelled = 0
        for name in dict.fromkeys(names):  # a DELETE per name: reactions cancel one or two
            params = {"b_flow": flow, "b_key": key, "b_name": name}
            cancelled += int(CANCEL_TIMER.execute(self._conn, params).rowcount or 0)
        return cancelled

    def timers(self, flow: str, key: str) -> list[FlowTimer]:
        t = flow_timers
        query = select(t).where(t.c.flow == flow, t.c.key == key).order_by(t.c.due_at)
        return [_timer(row) for row in self._conn.execute(query)]

    def lease_due_timers(
        self,
        now: datetime,
        lease_until: float,
        owner: str,
        limit: int = 100,
        due_by: datetime | None = None,
    ) -> list[FlowTimer]:
        t = flow_timers
        at = to_epoch(now)
        due = at if due_by is None else min(at, to_epoch(due_by))
        free = and_(t.c.fired_at.is_(None), t.c.due_at <= due, t.c.lease_until <= at)
        rows = self._conn.execute(select(t).where(free).order_by(t.c.due_at).limit(limit)).all()
        leased = []
        for row in rows:
            won = self._conn.execute(
                update(t)
                .where(
                    t.c.flow == row.flow,
                    t.c.key == row.key,
                    t.c.name == row.name,
                    t.c.due_at == row.due_at,
                    free,
                )
                .values(lease_until=lease_until, lease_owner=owner)
            )
            if won.rowcount == 1:
                timer = _timer(row)
                timer.lease_until, timer.lease_owner = lease_until, owner
                leased.append(timer)
        return leased

    def claim_fire(self, timer: FlowTimer, fired_at: datetime) -> bool:
        t = flow_timers
        fired = self._conn.execute(
            update(t)
            .where(
                t.c.flow == timer.flow,
                t.c.key == timer.key,
                t.c.name == timer.name,
                # moving a timer clears its lease, so the lease identifies this very timer
                t.c.lease_owner == timer.lease_owner,
                t.c.lease_until == timer.lease_until,
                t.c.fired_at.is_(None),
            )
            .values(fired_at=to_epoch(fired_at), lease_until=0.0)
        )
        return bool(fired.rowcount == 1)


class SqlExceptionLog:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, record: ExceptionRecord) -> None:
        self._conn.execute(
            insert(exceptions).values(
                id=record.id,
                category=record.category.value,
                owner_role=record.owner_role,
                flow=record.flow,
                correlation_key=record.correlation_key,
                evidence=json.dumps(list(record.evidence)),
                detail=storable(record.detail),
                data=json.dumps(record.data, separators=(",", ":"), default=str),
                status=record.status.value,
                created_at=to_epoch(record.created_at),
                resolved_at=to_epoch(record.resolved_at) if record.resolved_at else None,
                resolution=storable(record.resolution),
                actions=json.dumps([a.as_dict() for a in record.actions]),
            )
        )

    def get(self, exception_id: str) -> ExceptionRecord | None:
        row = self._conn.execute(select(exceptions).where(exceptions.c.id == exception_id)).first()
        return None if row is None else _exception(row)

    def find(
        self,
        *,
        category: ExceptionCategory | None = None,
        status: ExceptionStatus | None = None,
        correlation_key: str | None = None,
        flow: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[ExceptionRecord]:
        e = exceptions
        query = select(e).order_by(e.c.id.desc()).limit(limit).offset(offset)
        if category is not None:
            query = query.where(e.c.category == ExceptionCategory(category).value)
        if status is not None:
            query = query.where(e.c.status == ExceptionStatus(status).value)
        if correlation_key is not None:
            query = query.where(e.c.correlation_key == correlation_key)
        if flow is not None:
            query = query.where(e.c.flow == flow)
        return [_exception(row) for row in self._conn.execute(query)]

    def resolve(self, exception_id: str, resolution: str, resolved_at: datetime) -> bool:
        e = exceptions
        done = self._conn.execute(
            update(e)
            .where(e.c.id == exception_id, e.c.status == ExceptionStatus.OPEN.value)
            .values(
                status=ExceptionStatus.RESOLVED.value,
                resolution=storable(resolution),
                resolved_at=to_epoch(resolved_at),
            )
        )
        if done.rowcount == 1:
            self.note_action(exception_id, ExceptionAction("resolve", resolved_at, resolution))
        return bool(done.rowcount == 1)

    def note_action(self, exception_id: str, action: ExceptionAction) -> None:
        e = exceptions
        current = self._conn.execute(select(e.c.actions).where(e.c.id == exception_id)).scalar()
        if current is None:
            raise LookupError(f"no exception with id {exception_id!r}")
        actions = [*json.loads(current), action.as_dict()]
        self._conn.execute(
            update(e).where(e.c.id == exception_id).values(actions=json.dumps(actions))
        )

    def extend(self, exception_id: str, evidence: Sequence[str], data: Mapping[str, Any]) -> None:
        self._conn.execute(
            update(exceptions)
            .where(exceptions.c.id == exception_id)
            .values(
                evidence=json.dumps(list(evidence)),
                data=json.dumps(dict(data), separators=(",", ":"), default=str),
            )
        )

    def counts(self) -> dict[tuple[str, str], int]:
        e = exceptions
        rows = self._conn.execute(
            select(e.c.category, e.c.status, func.count()).group_by(e.c.category, e.c.status)
        )
        return {(c, s): int(n) for c, s, n in rows}


def _state(row: Any) -> FlowState:
    return FlowState(
        flow=row.flow,
        key=row.key,
        state=row.state,
        data=json.loads(row.data),
        version=row.version,
        created_at=from_epoch_required(row.created_at),
        updated_at=from_epoch_required(row.updated_at),
        completed=bool(row.completed),
    )


def _timer(row: Any) -> FlowTimer:
    return FlowTimer(
        flow=row.flow,
        key=row.key,
        name=row.name,
        due_at=from_epoch_required(row.due_at),
        lease_until=float(row.lease_until),
        lease_owner=row.lease_owner,
        fired_at=from_epoch(row.fired_at),
    )


def _exception(row: Any) -> ExceptionRecord:
    return ExceptionRecord(
        id=row.id,
        category=ExceptionCategory(row.category),
        owner_role=row.owner_role,
        detail=row.detail,
        created_at=from_epoch_required(row.created_at),
        evidence=json.loads(row.evidence),
        flow=row.flow,
        correlation_key=row.correlation_key,
        data=json.loads(row.data),
        status=ExceptionStatus(row.status),
        resolved_at=from_epoch(row.resolved_at),
        resolution=row.resolution,
        actions=[
            ExceptionAction(a["action"], datetime.fromisoformat(a["at"]), a["detail"])
            for a in json.loads(row.actions)
        ],
    )
