"""Statements built and compiled once, executed straight through the driver.

SQLAlchemy's per-execution work (statement construction, cache keys, parameter processing)
cost more than SQLite itself on the bus's hot path. A `Prepared` statement is compiled once
per dialect — so it stays portable across SQLite and PostgreSQL — and each execution is one
driver call. Only for statements whose parameters need no type conversion.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, CursorResult
from sqlalchemy.sql.expression import Executable


class Prepared:
    def __init__(self, statement: Executable) -> None:
        self._statement = statement
        self._compiled: dict[str, tuple[str, tuple[str, ...] | None, dict[str, Any]]] = {}

    def _for(self, conn: Connection) -> tuple[str, tuple[str, ...] | None, dict[str, Any]]:
        dialect = conn.dialect
        found = self._compiled.get(dialect.name)
        if found is None:
            compiled = self._statement.compile(dialect=dialect)  # type: ignore[attr-defined]
            positions = tuple(compiled.positiontup) if compiled.positional else None
            found = (str(compiled), positions, dict(compiled.params))
            self._compiled[dialect.name] = found
        return found

    def _args(self, conn: Connection, params: Mapping[str, Any]) -> tuple[str, Any]:
        sql, positions, defaults = self._for(conn)
        merged = {**defaults, **params}
        if positions is not None:
            return sql, tuple(merged[name] for name in positions)
        return sql, merged

    def execute(
        self, conn: Connection, params: Mapping[str, Any] | None = None
    ) -> CursorResult[Any]:
        sql, args = self._args(conn, params or {})
        return conn.exec_driver_sql(sql, args)

    def executemany(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        sql, positions, defaults = self._for(conn)
        if positions is not None:
            args: list[Any] = [tuple({**defaults, **row}[n] for n in positions) for row in rows]
        else:
            args = [{**defaults, **row} for row in rows]
        conn.exec_driver_sql(sql, args)
