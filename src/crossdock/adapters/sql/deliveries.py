"""Deliveries and their attempts, plus persisted circuit states, on SQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, case, delete, func, insert, select, update

from crossdock.adapters.sql.convert import from_epoch, from_epoch_required, storable, to_epoch
from crossdock.adapters.sql.fast_insert import FastInsert
from crossdock.adapters.sql.prepared import Prepared, PreparedIn
from crossdock.adapters.sql.tables import deliveries, delivery_attempts, endpoint_states
from crossdock.hub.records import Delivery, DeliveryAttempt, DeliveryStatus, EndpointState


def _open_for_messages(n: int) -> Any:
    """Per message: its deliveries still pending and those dead-lettered."""

    def count(status: DeliveryStatus) -> Any:
        return func.sum(case((deliveries.c.status == status.value, 1), else_=0))

    return (
        select(
            deliveries.c.message_id,
            count(DeliveryStatus.PENDING),
            count(DeliveryStatus.DEAD_LETTERED),
        )
        .where(deliveries.c.message_id.in_([bindparam(name) for name in PreparedIn.names(n)]))
        .group_by(deliveries.c.message_id)
    )


_OPEN_FOR_MESSAGES = PreparedIn(_open_for_messages)

_SET_STATUS = Prepared(
    update(deliveries)
    .where(deliveries.c.id == bindparam("b_id"))
    .values(
        status=bindparam("b_status"),
        attempts=bindparam("b_attempts"),
        last_error=bindparam("b_error"),
    )
)


_INSERT_ATTEMPTS = FastInsert(delivery_attempts)
_INSERT_DELIVERIES = FastInsert(deliveries)


def _delivery(row: Any) -> Delivery:
    return Delivery(
        id=row.id,
        message_id=row.message_id,
        route=row.route,
        endpoint=row.endpoint,
        lane=row.lane,
        idempotency_key=row.idempotency_key,
        correlation_key=row.correlation_key,
        content_type=row.content_type,
        body=b"",
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        last_error=row.last_error,
    )


class SqlDeliveryLog:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._pending: list[dict[str, Any]] = []

    def add(self, delivery: Delivery) -> None:
        # Buffered and written in one executemany at flush: routing adds many per batch.
        self._pending.append(
            delivery.identity()
            | {
                "status": delivery.status.value,
                "attempts": delivery.attempts,
                "last_error": storable(delivery.last_error),
            }
        )

    def flush(self) -> None:
        if self._pending:
            rows, self._pending = self._pending, []
            _INSERT_DELIVERIES(self._conn, rows)

    def get(self, delivery_id: str) -> Delivery | None:
        self.flush()
        row = self._conn.execute(select(deliveries).where(deliveries.c.id == delivery_id)).first()
        return None if row is None else _delivery(row)

    def get_many(self, delivery_ids: Sequence[str]) -> dict[str, Delivery]:
        self.flush()
        found: dict[str, Delivery] = {}
        ids = list(delivery_ids)
        for start in range(0, len(ids), 400):
            query = select(deliveries).where(deliveries.c.id.in_(ids[start : start + 400]))
            for row in self._conn.execute(query):
                found[row.id] = _delivery(row)
        return found

    def for_message(self, message_id: str) -> list[Delivery]:
        self.flush()
        query = (
            select(deliveries)
            .where(deliveries.c.message_id == message_id)
            .order_by(deliveries.c.id)
        )
        return [_delivery(row) for row in self._conn.execute(query)]

    def attempts(self, delivery_ids: Sequence[str]) -> list[DeliveryAttempt]:
        query = (
            select(delivery_attempts)
            .where(delivery_attempts.c.delivery_id.in_(list(delivery_ids)))
            .order_by(delivery_attempts.c.id)
        )
        return [
            DeliveryAttempt(
                delivery_id=row.delivery_id,
                attempt=row.attempt,
                started_at=from_epoch_required(row.started_at),
                duration_ms=row.duration_ms,
                outcome=row.outcome,
                status_code=row.status_code,
                error=row.error,
            )
            for row in self._conn.execute(query)
        ]

    def record_attempts(self, attempts: Sequence[DeliveryAttempt]) -> None:
        if not attempts:
            return
        _INSERT_ATTEMPTS(
            self._conn,
            [
                {
                    "delivery_id": a.delivery_id,
                    "attempt": a.attempt,
                    "started_at": to_epoch(a.started_at),
                    "duration_ms": a.duration_ms,
                    "outcome": a.outcome,
                    "status_code": a.status_code,
                    "error": storable(a.error),
                }
                for a in attempts
            ],
        )

    def set_status(
        self, delivery_id: str, status: DeliveryStatus, attempts: int, last_error: str | None
    ) -> None:
        self.set_statuses([(delivery_id, status, attempts, last_error)])

    def set_statuses(self, updates: Sequence[tuple[str, DeliveryStatus, int, str | None]]) -> None:
        if not updates:
            return
        self.flush()
        _SET_STATUS.executemany(
            self._conn,
            [
                {"b_id": i, "b_status": s.value, "b_attempts": a, "b_error": storable(e)}
                for i, s, a, e in updates
            ],
        )

    def open_for_messages(self, message_ids: Sequence[str]) -> dict[str, tuple[int, int]]:
        self.flush()
        ids = list(dict.fromkeys(message_ids))
        if not ids:
            return {}
        return {
            message_id: (int(n_pending or 0), int(n_dead or 0))
            for message_id, n_pending, n_dead in _OPEN_FOR_MESSAGES.execute(self._conn, ids)
        }


class SqlEndpointStates:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def save(self, state: EndpointState) -> None:
        # Delete + insert is the portable upsert (no dialect-specific ON CONFLICT).
        self._conn.execute(delete(endpoint_states).where(endpoint_states.c.name == state.name))
        self._conn.execute(
            insert(endpoint_states).values(
                name=state.name,
                circuit=state.circuit,
                consecutive_failures=state.consecutive_failures,
                opened_at=None if state.opened_at is None else to_epoch(state.opened_at),
            )
        )

    def all(self) -> list[EndpointState]:
        rows = self._conn.execute(select(endpoint_states).order_by(endpoint_states.c.name))
        return [
            EndpointState(
                name=r.name,
                circuit=r.circuit,
                consecutive_failures=r.consecutive_failures,
                opened_at=from_epoch(r.opened_at),
            )
            for r in rows
        ]
