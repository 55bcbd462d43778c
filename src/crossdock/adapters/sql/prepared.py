"""Statements built and compiled once, executed straight through the driver.

SQLAlchemy's per-execution work (statement construction, cache keys, parameter processing,
and even for pre-compiled SQL its execution context and result metadata) cost more than
SQLite itself on the bus's hot path: half of the store thread's time in an end-to-end run.
A `Prepared` statement is compiled once per dialect — so it stays portable across SQLite and
PostgreSQL — and each execution is one DB-API cursor call on the connection's own driver
connection, inside the transaction SQLAlchemy opened (or one it opens, as its autobegin
would). Driver errors are raised as SQLAlchemy's exceptions (`IntegrityError`, ...), so
callers see what `Connection.execute` would raise. Only for statements whose parameters
need no type conversion.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError, NoResultFound
from sqlalchemy.sql.expression import Executable


@lru_cache(maxsize=256)
def _row_type(names: tuple[str, ...]) -> Any:
    return namedtuple("Row", names, rename=True)


class DriverResult:
    """The part of SQLAlchemy's result API the store uses, over a DB-API cursor: rows are
    named tuples (``row.seq``, ``row[0]``, unpacking)."""

    __slots__ = ("_cursor", "rowcount")

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor
        self.rowcount: int = cursor.rowcount

    def all(self) -> list[Any]:
        cursor = self._cursor
        if cursor.description is None:
            return []
        make = _row_type(tuple(d[0] for d in cursor.description))._make
        rows = [make(row) for row in cursor.fetchall()]
        cursor.close()
        return rows

    def __iter__(self) -> Iterator[Any]:
        return iter(self.all())

    def first(self) -> Any | None:
        rows = self.all()
        return rows[0] if rows else None

    def scalar(self) -> Any:
        row = self.first()
        return None if row is None else row[0]

    def scalar_one(self) -> Any:
        row = self.first()
        if row is None:
            raise NoResultFound("No row was found when one was required")
        return row[0]


def driver_execute(conn: Connection, sql: str, args: Any, *, many: bool = False) -> DriverResult:
    """One DB-API call on `conn`'s driver connection, in `conn`'s transaction."""
    if not conn.in_transaction():
        conn.begin()  # what SQLAlchemy's autobegin would do on conn.execute
    return raw_execute(conn, sql, args, many=many)


def raw_execute(conn: Connection, sql: str, args: Any = (), *, many: bool = False) -> DriverResult:
    """`driver_execute` without opening a transaction: for the `begin` event itself."""
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    dbapi_error = conn.dialect.loaded_dbapi.Error
    try:
        if many:
            cursor.executemany(sql, args)
        else:
            cursor.execute(sql, args)
    except dbapi_error as exc:
        cursor.close()
        raise DBAPIError.instance(sql, args, exc, dbapi_error) from exc
    return DriverResult(cursor)


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

    def execute(self, conn: Connection, params: Mapping[str, Any] | None = None) -> DriverResult:
        sql, args = self._args(conn, params or {})
        return driver_execute(conn, sql, args)

    def executemany(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        sql, positions, defaults = self._for(conn)
        if positions is not None:
            args: list[Any] = [tuple({**defaults, **row}[n] for n in positions) for row in rows]
        else:
            args = [{**defaults, **row} for row in rows]
        driver_execute(conn, sql, args, many=True)


class PreparedIn:
    """A statement with one ``IN (...)`` list, prepared per list size.

    `build(n)` returns the statement for n bound values named ``in_0`` .. ``in_<n-1>``.
    Sizes are rounded up to a power of two (the list padded with its last value, which
    changes nothing in an IN test), so a handful of statements serve every batch size.
    """

    MAX = 512

    def __init__(self, build: Callable[[int], Executable]) -> None:
        self._build = build
        self._sizes: dict[int, Prepared] = {}

    @staticmethod
    def names(n: int) -> list[str]:
        return [f"in_{k}" for k in range(n)]

    def execute(
        self, conn: Connection, values: Sequence[Any], params: Mapping[str, Any] | None = None
    ) -> list[Any]:
        """Rows for every value, in chunks of at most `MAX` (bound-parameter limits)."""
        rows: list[Any] = []
        for start in range(0, len(values), self.MAX):
            chunk = list(values[start : start + self.MAX])
            size = 1 << (len(chunk) - 1).bit_length()
            prepared = self._sizes.get(size)
            if prepared is None:
                prepared = self._sizes[size] = Prepared(self._build(size))
            chunk += [chunk[-1]] * (size - len(chunk))
            bound = dict(zip(self.names(size), chunk, strict=True))
            rows += prepared.execute(conn, {**(params or {}), **bound}).all()
        return rows
