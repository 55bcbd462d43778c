"""Bulk inserts on the hot path without per-row SQLAlchemy parameter processing.

The statement is compiled once for the engine's dialect (so it stays portable: `?` for
SQLite, `%(name)s` for psycopg), then rows go straight to the driver's executemany. This
skips SQLAlchemy's per-row, per-column bind processing, which dominated intake's store time.
Only for tables whose values need no type conversion (strings, numbers, bytes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table

from crossdock.adapters.sql.prepared import driver_execute


class FastInsert:
    def __init__(self, table: Table) -> None:
        self._table = table
        self._compiled: dict[str, tuple[str, tuple[str, ...] | None]] = {}

    def _statement(self, conn: Connection) -> tuple[str, tuple[str, ...] | None]:
        dialect = conn.dialect
        found = self._compiled.get(dialect.name)
        if found is None:
            columns = tuple(c.name for c in self._table.columns if c.autoincrement is not True)
            quote = dialect.identifier_preparer.quote
            if dialect.paramstyle in ("qmark", "numeric", "format"):
                mark = {"qmark": "?", "format": "%s"}.get(dialect.paramstyle)
                marks = [mark or f":{i + 1}" for i in range(len(columns))]
                positions: tuple[str, ...] | None = columns
            else:  # named / pyformat
                marks = [
                    f"%({c})s" if dialect.paramstyle == "pyformat" else f":{c}" for c in columns
                ]
                positions = None
            sql = (
                f"INSERT INTO {quote(self._table.name)} ({', '.join(quote(c) for c in columns)}) "
                f"VALUES ({', '.join(marks)})"
            )
            found = (sql, positions)
            self._compiled[dialect.name] = found
        return found

    def __call__(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        sql, positions = self._statement(conn)
        if positions is not None:
            params: list[Any] = [tuple(row[name] for name in positions) for row in rows]
        else:
            params = [dict(row) for row in rows]
        driver_execute(conn, sql, params, many=True)
