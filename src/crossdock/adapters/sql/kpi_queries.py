"""The KPI queries (`hub/kpis.KpiQueries`) on SQL: reads over the log, deliveries, flows,
exceptions and replays, in the unit of work's transaction.

Each query selects only the columns its KPI needs (the raw bytes are never read; canonical
bodies only for the few document types whose KPIs match on their fields), and aggregates in
SQL where the KPI only needs counts.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, case, func, or_, select

from crossdock.adapters.sql.flow_tables import exceptions, flow_instances
from crossdock.adapters.sql.partner_tables import partners
from crossdock.adapters.sql.tables import bus_replays, deliveries, delivery_attempts, messages
from crossdock.hub.kpis import (
    KpiDelivery,
    KpiFlowInstance,
    KpiMessage,
    KpiReplay,
    KpiWindow,
)


def _between(column: Any, window: KpiWindow) -> list[Any]:
    clauses = []
    if window.since is not None:
        clauses.append(column >= window.since.timestamp())
    if window.until is not None:
        clauses.append(column < window.until.timestamp())
    return clauses


class SqlKpiQueries:
    """Implements `KpiQueries`; `uow.kpis` in a (read-only) unit of work."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def messages(
        self, document_types: Sequence[str], window: KpiWindow, *, canonical: bool = False
    ) -> list[KpiMessage]:
        m = messages.c
        columns = [m.id, m.document_type, m.source, m.correlation_key, m.status, m.received_at]
        if canonical:
            columns.append(m.canonical)
        query = select(*columns).where(
            m.document_type.in_(list(document_types)), *_between(m.received_at, window)
        )
        return [
            KpiMessage(
                id=r[0],
                document_type=r[1],
                source=r[2],
                correlation_key=r[3],
                status=r[4],
                received_at=r[5],
                canonical=json.loads(r[6]) if canonical and r[6] else None,
            )
            for r in self._conn.execute(query.order_by(m.received_at))
        ]

    def deliveries(self, document_types: Sequence[str], window: KpiWindow) -> list[KpiDelivery]:
        d, m, a = deliveries.c, messages.c, delivery_attempts.c
        done = (
            select(
                a.delivery_id,
                func.min(a.started_at + a.duration_ms / 1000.0).label("delivered_at"),
            )
            .where(a.outcome == "ok")
            .group_by(a.delivery_id)
            .subquery()
        )
        query = (
            select(d.message_id, m.document_type, d.endpoint, d.status, m.received_at)
            .add_columns(done.c.delivered_at)
            .join(messages, m.id == d.message_id)
            .outerjoin(done, done.c.delivery_id == d.id)
            .where(m.document_type.in_(list(document_types)), *_between(m.received_at, window))
        )
        return [
            KpiDelivery(
                message_id=r[0],
                document_type=r[1],
                endpoint=r[2],
                status=r[3],
                message_received_at=r[4],
                delivered_at=r[5],
            )
            for r in self._conn.execute(query)
        ]

    def message_outcomes(self, window: KpiWindow) -> tuple[int, int, int]:
        m, d = messages.c, deliveries.c
        total, rejected = self._conn.execute(
            select(func.count(), func.sum(case((m.status == "rejected", 1), else_=0))).where(
                *_between(m.received_at, window)
            )
        ).one()
        dead_letters = select(d.message_id).where(d.status == "dead_lettered")
        dead = self._conn.execute(
            select(func.count()).where(
                or_(m.status == "failed", m.id.in_(dead_letters)),
                *_between(m.received_at, window),
            )
        ).scalar_one()
        return int(total or 0), int(rejected or 0), int(dead or 0)

    def unrouted_counts(self, window: KpiWindow) -> dict[tuple[str, str], int]:
        m = messages.c
        rows = self._conn.execute(
            select(m.document_type, m.source, func.count())
            .where(m.status == "unrouted", *_between(m.received_at, window))
            .group_by(m.document_type, m.source)
        )
        return {(t, s): int(n) for t, s, n in rows}

    def flow_instances(self, flow: str, window: KpiWindow) -> list[KpiFlowInstance]:
        f = flow_instances.c
        query = select(f.flow, f.key, f.state, f.completed, f.created_at, f.data).where(
            f.flow == flow, *_between(f.created_at, window)
        )
        return [
            KpiFlowInstance(
                flow=r.flow,
                key=r.key,
                state=r.state,
                completed=bool(r.completed),
                created_at=r.created_at,
                data=json.loads(r.data) if r.data else {},
            )
            for r in self._conn.execute(query)
        ]

    def replays(self, window: KpiWindow) -> list[KpiReplay]:
        r = bus_replays.c
        query = select(r.at, r.kind, r.group_name, r.entries).where(*_between(r.at, window))
        return [
            KpiReplay(at=row[0], kind=row[1], group=row[2], entries=row[3])
            for row in self._conn.execute(query.order_by(r.id))
        ]

    def exception_counts(self, window: KpiWindow) -> dict[str, int]:
        e = exceptions.c
        query = (
            select(e.category, func.count())
            .where(*_between(e.created_at, window))
            .group_by(e.category)
        )
        return {category: int(n) for category, n in self._conn.execute(query)}

    def onboarding(self, window: KpiWindow) -> tuple[list[float], int]:
        p = partners.c
        rows = self._conn.execute(
            select(p.created_at, p.live_at).where(*_between(p.created_at, window))
        ).all()
        went_live = [live - created for created, live in rows if live is not None]
        return went_live, len(rows) - len(went_live)
