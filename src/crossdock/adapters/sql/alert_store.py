"""Alerts on SQL (the hub's `AlertStore`) and the signals their rules read (`AlertSignals`).

Both take the engine, like the job leases: each call is its own short transaction and belongs
to no unit of work. The signals read what other parts already record — the bus's pending
entries, the persisted circuit states, the message log's partner index, the outbound X12
ledger — and the KPIs through `SqlKpiQueries`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Engine, and_, func, insert, or_, select, update

from crossdock.adapters.sql.alert_tables import alerts
from crossdock.adapters.sql.kpi_queries import SqlKpiQueries
from crossdock.adapters.sql.partner_tables import partners as registered_partners
from crossdock.adapters.sql.tables import endpoint_states, messages, x12_outbound
from crossdock.hub.alerts import (
    CLEARED,
    OPENED,
    Alert,
    AlertEvent,
    EndpointHealth,
    Finding,
    Overdue,
)
from crossdock.hub.ids import new_id
from crossdock.hub.kpis import KpiWindow, compute_kpis


def _open_key(rule: str, subject: str) -> str:
    return f"{rule}|{subject}"


def _alert(row: Any) -> Alert:
    return Alert(
        id=row.id,
        rule=row.rule,
        kind=row.kind,
        severity=row.severity,
        subject=row.subject,
        summary=row.summary,
        details=json.loads(row.details),
        opened_at=row.opened_at,
        cleared_at=row.cleared_at,
    )


class SqlAlertStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def reconcile(
        self,
        findings: Sequence[Finding],
        evaluated: frozenset[str],
        configured: frozenset[str],
        now: float,
        *,
        notify: bool,
    ) -> list[AlertEvent]:
        t = alerts
        events: list[AlertEvent] = []
        with self._engine.begin() as conn:
            open_rows = {
                (r.rule, r.subject): r
                for r in conn.execute(select(t).where(t.c.cleared_at.is_(None)))
            }
            seen: set[tuple[str, str]] = set()
            for f in findings:
                at = (f.rule, f.subject)
                if at in seen:
                    continue
                seen.add(at)
                details = json.dumps(f.details, sort_keys=True, default=str)
                if at in open_rows:  # still holds: the same alert, its summary refreshed
                    conn.execute(
                        update(t)
                        .where(t.c.id == open_rows[at].id)
                        .values(summary=f.summary, details=details)
                    )
                    continue
                alert = Alert(
                    new_id(), f.rule, f.kind, f.severity, f.subject, f.summary, f.details, now
                )
                conn.execute(
                    insert(t).values(
                        id=alert.id,
                        rule=f.rule,
                        kind=f.kind,
                        severity=f.severity,
                        subject=f.subject,
                        summary=f.summary,
                        details=details,
                        opened_at=now,
                        cleared_at=None,
                        open_key=_open_key(f.rule, f.subject),
                        open_sent=not notify,
                        clear_sent=not notify,
                    )
                )
                events.append(AlertEvent(OPENED, alert))
            for at, row in open_rows.items():
                rule = at[0]
                if at in seen or (rule in configured and rule not in evaluated):
                    continue
                conn.execute(
                    update(t)
                    .where(t.c.id == row.id, t.c.cleared_at.is_(None))
                    .values(cleared_at=now, open_key=None, clear_sent=not notify)
                )
                cleared = _alert(row)
                events.append(
                    AlertEvent(
                        CLEARED,
                        Alert(**{**_fields(cleared), "cleared_at": now}),
                    )
                )
        return events

    def undelivered(self, limit: int) -> list[AlertEvent]:
        t = alerts
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(t)
                .where(
                    or_(
                        t.c.open_sent.is_(False),
                        and_(t.c.cleared_at.is_not(None), t.c.clear_sent.is_(False)),
                    )
                )
                .order_by(t.c.opened_at, t.c.id)
                .limit(limit)
            ).all()
        events: list[tuple[float, int, AlertEvent]] = []
        for row in rows:
            alert = _alert(row)
            if not row.open_sent:
                events.append((alert.opened_at, 0, AlertEvent(OPENED, alert)))
            if alert.cleared_at is not None and not row.clear_sent:
                events.append((alert.cleared_at, 1, AlertEvent(CLEARED, alert)))
        events.sort(key=lambda e: (e[0], e[1]))
        return [e for _, _, e in events][:limit]

    def mark_delivered(self, event: AlertEvent) -> None:
        column = "open_sent" if event.type == OPENED else "clear_sent"
        with self._engine.begin() as conn:
            conn.execute(update(alerts).where(alerts.c.id == event.alert.id).values({column: True}))

    def list(self, *, open_only: bool, limit: int) -> list[Alert]:
        t = alerts
        statement = select(t).order_by(t.c.opened_at.desc(), t.c.id.desc()).limit(limit)
        if open_only:
            statement = statement.where(t.c.cleared_at.is_(None))
        with self._engine.connect() as conn:
            return [_alert(r) for r in conn.execute(statement)]


def _fields(alert: Alert) -> dict[str, Any]:
    return {name: getattr(alert, name) for name in Alert.__dataclass_fields__}


class SqlAlertSignals:
    """`AlertSignals` on SQL. `backlog` is the bus's own count (`SqlBus.backlog`);
    `known_partners` the configured partners' names (the registered ones are read here)."""

    def __init__(
        self,
        engine: Engine,
        backlog: Callable[[], dict[str, int]],
        known_partners: Sequence[str] = (),
    ) -> None:
        self._engine = engine
        self._backlog = backlog
        self._known = list(known_partners)

    def kpis(self, window: KpiWindow) -> dict[str, Any]:
        with self._engine.connect() as conn:
            return compute_kpis(SqlKpiQueries(conn), window)

    def backlog(self) -> dict[str, int]:
        return self._backlog()

    def endpoints(self) -> list[EndpointHealth]:
        t = endpoint_states
        with self._engine.connect() as conn:
            return [
                EndpointHealth(r.name, r.circuit, r.opened_at)
                for r in conn.execute(select(t.c.name, t.c.circuit, t.c.opened_at))
            ]

    def last_received(self, partners: Sequence[str] | None) -> dict[str, float]:
        with self._engine.connect() as conn:
            names = list(partners) if partners is not None else self._every_partner(conn)
            found: dict[str, float] = {}
            for name in names:  # one index seek each (ix_messages_partner)
                at = conn.execute(
                    select(func.max(messages.c.received_at)).where(messages.c.partner == name)
                ).scalar_one()
                if at is not None:
                    found[name] = float(at)
            return found

    def _every_partner(self, conn: Any) -> list[str]:
        registered = conn.execute(select(registered_partners.c.name)).scalars().all()
        return sorted({*self._known, *registered})

    def unacknowledged(self, sent_before: float) -> dict[str, Overdue]:
        t = x12_outbound
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(t.c.partner, func.count(), func.min(t.c.created_at))
                .where(t.c.status == "sent", t.c.created_at < sent_before)
                .group_by(t.c.partner)
            )
            return {p: Overdue(int(n), float(oldest)) for p, n, oldest in rows}
