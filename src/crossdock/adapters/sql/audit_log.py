"""The audit log on SQL (the hub's `AuditLog`): an INSERT and a SELECT, nothing else.

There is deliberately no UPDATE or DELETE statement for `audit_log` anywhere in crossdock;
keeping it so is what makes the log append-only for the application (a database
administrator can still change it, which is what database-level auditing is for)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import orjson
from sqlalchemy import Engine, insert, select

from crossdock.adapters.sql.auth_tables import audit_log
from crossdock.hub.audit import AuditEntry


class SqlAuditLog:
    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time) -> None:
        self._engine = engine
        self._clock = clock

    def record(
        self,
        actor: str,
        action: str,
        target: str,
        outcome: str = "ok",
        source_ip: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                insert(audit_log).values(
                    at=self._clock(),
                    actor=actor[:200],
                    action=action[:64],
                    target=target[:300],
                    outcome=outcome[:32],
                    source_ip=None if source_ip is None else source_ip[:64],
                    detail=orjson.dumps(dict(detail or {}), default=str).decode(),
                )
            )

    def query(
        self,
        *,
        actor: str | None = None,
        action: str | None = None,
        since: float | None = None,
        before_id: int | None = None,
        limit: int = 100,
    ) -> list[AuditEntry]:
        t = audit_log
        stmt = select(t).order_by(t.c.id.desc()).limit(limit)
        if actor is not None:
            stmt = stmt.where(t.c.actor == actor)
        if action is not None:
            prefix = action.endswith(".")
            stmt = stmt.where(
                t.c.action.startswith(action, autoescape=True) if prefix else t.c.action == action
            )
        if since is not None:
            stmt = stmt.where(t.c.at >= since)
        if before_id is not None:
            stmt = stmt.where(t.c.id < before_id)
        with self._engine.connect() as conn:
            rows = conn.execute(stmt).mappings().all()
        return [
            AuditEntry(
                id=r["id"],
                at=r["at"],
                actor=r["actor"],
                action=r["action"],
                target=r["target"],
                outcome=r["outcome"],
                source_ip=r["source_ip"],
                detail=orjson.loads(r["detail"]),
            )
            for r in rows
        ]
