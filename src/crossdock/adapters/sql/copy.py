"""Copy a whole store into another database (`crossdock db copy`): SQLite to PostgreSQL.

Every table of the shared metadata, in foreign-key order, so a table added later is never
forgotten. The source is read in one read transaction (one snapshot across every table),
streamed in primary-key order; the target is written in chunks, each one transaction, so
memory stays bounded by one chunk whatever the store's size.

Resumable without bookkeeping of its own (no table beyond the schema): a table the target
already holds rows of is walked again, and each chunk inserts only the keys the target does
not have yet, after checking that the rows it does have equal the source's. Once every target
row is accounted for, the rest of the table is copied without those look-ups. Keys are never
compared by order across the two databases (their collations differ), only by equality.

The same checks recognise a target that holds another store's data: before anything is
written, the first and last rows of each non-empty target table must be rows of this source,
value for value, or the copy is refused.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Column, Connection, Engine, String, Table, func, insert, select, text, tuple_

from crossdock.adapters.sql.schema_version import (
    SchemaState,
    SchemaStatus,
    current,
    metadata_with_every_table,
    upgrade,
)

CHUNK_ROWS = 1000
# A chunk also ends at this many bytes of values, so a table of large documents (raw bodies)
# never holds more than this in memory, whatever `CHUNK_ROWS` says.
CHUNK_BYTES = 16 * 1024 * 1024
_FETCH = 200


class CopyRefused(Exception):
    """The copy cannot start or go on; the message says why and what to do."""


class SourceNotAtHead(CopyRefused):
    """The source store's schema is not this release's (``crossdock db upgrade`` it first)."""

    def __init__(self, status: SchemaStatus) -> None:
        super().__init__(f"the source store's schema is {status.describe()}")
        self.status = status


class CopyProgress(Protocol):
    """Told what the copy does, table by table (the CLI draws progress bars from it)."""

    def table(self, name: str, total: int) -> None:
        """A table starts: `total` source rows."""

    def advance(self, name: str, rows: int) -> None:
        """`rows` more source rows of the table are in the target (copied or already there)."""


@dataclass(frozen=True, slots=True)
class TableCopy:
    """One table's outcome: rows in the source, in the target, inserted by this run."""

    name: str
    source: int
    target: int
    copied: int

    @property
    def matches(self) -> bool:
        return self.source == self.target


def copy_tables() -> list[Table]:
    """Every table of the store, parents before children."""
    return list(metadata_with_every_table().sorted_tables)


def copy_store(
    source: Engine,
    target: Engine,
    *,
    progress: CopyProgress | None = None,
    chunk_rows: int = CHUNK_ROWS,
    chunk_bytes: int = CHUNK_BYTES,
) -> list[TableCopy]:
    """Copy every table of `source` into `target`; returns the per-table counts, read from
    both after the copy (the caller decides what a mismatch means: `TableCopy.matches`).

    Raises:
        SourceNotAtHead: the source's schema is not this release's.
        CopyRefused: the target is not a crossdock store at a known revision, holds another
            store's data, or a value cannot be stored there (a NUL in PostgreSQL text, text
            longer than its column).
    """
    status = current(source)
    if status.state is not SchemaState.AT_HEAD:
        raise SourceNotAtHead(status)
    _prepare_target(target)
    tables = copy_tables()
    for table in tables:
        if not table.primary_key.columns:  # pragma: no cover - every table has one today
            raise CopyRefused(f"table {table.name} has no primary key: it cannot be resumed")
    results = []
    with source.connect().execution_options(readonly=True) as src, src.begin():
        _check_target_is_ours(src, target, tables)
        for table in tables:
            total = src.execute(select(func.count()).select_from(table)).scalar_one()
            if progress is not None:
                progress.table(table.name, total)
            copied = _copy_table(src, target, table, progress, chunk_rows, chunk_bytes)
            results.append((table, total, copied))
    _advance_counters(target, tables)
    with target.connect() as conn:
        return [
            TableCopy(table.name, total, _count(conn, table), copied)
            for table, total, copied in results
        ]


def _prepare_target(target: Engine) -> None:
    """Bring the target to this release's schema; refuse one that is not a crossdock store."""
    status = current(target)
    if status.state is SchemaState.UNVERSIONED:
        raise CopyRefused(
            "the target database holds tables but no crossdock schema version; "
            "copy into an empty database or schema"
        )
    if status.state is SchemaState.UNKNOWN:
        raise CopyRefused(
            f"the target's schema is {status.describe()}: a newer release of crossdock wrote it"
        )
    if status.state is not SchemaState.AT_HEAD:
        upgrade(target)


def _count(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _pk(table: Table) -> list[Column[Any]]:
    return list(table.primary_key.columns)


def _describe_key(table: Table, row: Any) -> str:
    return ", ".join(f"{c.name}={row[c.name]!r}" for c in _pk(table))


def _key(table: Table, row: Any) -> tuple[Any, ...]:
    return tuple(row[c.name] for c in _pk(table))


def _by_keys(table: Table, keys: Sequence[tuple[Any, ...]]) -> Any:
    pk = _pk(table)
    if len(pk) == 1:
        return pk[0].in_([k[0] for k in keys])
    return tuple_(*pk).in_(keys)


def _check_target_is_ours(src: Connection, target: Engine, tables: list[Table]) -> None:
    """Refuse a target holding rows that are not this source's: the first and last rows of
    each non-empty table (in the target's key order) must be in the source, equal."""
    with target.connect() as conn:
        for table in tables:
            order = _pk(table)
            for ordering in (order, [c.desc() for c in order]):
                row = conn.execute(select(table).order_by(*ordering).limit(1)).mappings().first()
                if row is None:
                    break
                found = (
                    src.execute(select(table).where(_by_keys(table, [_key(table, row)])))
                    .mappings()
                    .first()
                )
                if found is None or dict(found) != dict(row):
                    what = "is not in" if found is None else "differs from"
                    raise CopyRefused(
                        f"the target already holds another store's data: {table.name} row "
                        f"({_describe_key(table, row)}) {what} the source; copy into an empty "
                        "database or schema (or the one an interrupted copy of this store left)"
                    )


def _copy_table(
    src: Connection,
    target: Engine,
    table: Table,
    progress: CopyProgress | None,
    chunk_rows: int,
    chunk_bytes: int,
) -> int:
    """Copy one table; returns the rows inserted."""
    with target.connect() as conn:
        unaccounted = _count(conn, table)  # target rows not yet matched to a source row
    strict = target.dialect.name != "sqlite"
    copied = 0
    for chunk in _chunks(src, table, chunk_rows, chunk_bytes):
        if strict:
            _refuse_unstorable(table, chunk)
        with target.begin() as conn:
            missing = chunk
            if unaccounted:
                missing = _missing(conn, table, chunk)
                unaccounted -= len(chunk) - len(missing)
            if missing:
                conn.execute(insert(table), [dict(row) for row in missing])
        copied += len(missing)
        if progress is not None:
            progress.advance(table.name, len(chunk))
    return copied


def _chunks(
    src: Connection, table: Table, chunk_rows: int, chunk_bytes: int
) -> Iterator[list[Any]]:
    """The source's rows in key order, in chunks bounded by rows and by bytes."""
    result = src.execution_options(yield_per=_FETCH).execute(select(table).order_by(*_pk(table)))
    chunk: list[Any] = []
    size = 0
    for row in result.mappings():
        chunk.append(row)
        size += sum(len(v) for v in row.values() if isinstance(v, str | bytes))
        if len(chunk) >= chunk_rows or size >= chunk_bytes:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _missing(conn: Connection, table: Table, chunk: list[Any]) -> list[Any]:
    """The chunk's rows the target lacks; a row it has must equal the source's."""
    keys = [_key(table, row) for row in chunk]
    have = {
        _key(table, row): row
        for row in conn.execute(select(table).where(_by_keys(table, keys))).mappings()
    }
    missing = []
    for key, row in zip(keys, chunk, strict=True):
        there = have.get(key)
        if there is None:
            missing.append(row)
        elif dict(there) != dict(row):
            raise CopyRefused(
                f"{table.name} row ({_describe_key(table, row)}) in the target differs from "
                "the source: the source changed since the interrupted copy (did a hub run on "
                "it?); copy into an empty database or schema"
            )
    return missing


def _refuse_unstorable(table: Table, chunk: list[Any]) -> None:
    """Values SQLite kept that a stricter database refuses: a NUL (U+0000) in text, which
    PostgreSQL cannot store, and text longer than its column's declared length (SQLite does
    not enforce it). The row is named rather than the value altered."""
    lengths = {
        c.name: c.type.length
        for c in table.columns
        if isinstance(c.type, String) and c.type.length is not None
    }
    for row in chunk:
        for name, value in row.items():
            if not isinstance(value, str):
                continue
            if "\x00" in value:
                problem = "holds a NUL character (U+0000), which PostgreSQL text cannot store"
            elif name in lengths and len(value) > lengths[name]:
                problem = f"holds {len(value)} characters, more than its {lengths[name]}"
            else:
                continue
            raise CopyRefused(
                f"{table.name} row ({_describe_key(table, row)}): column {name} {problem}; "
                "nothing of this table from that row on was copied"
            )


def _advance_counters(target: Engine, tables: list[Table]) -> None:
    """PostgreSQL: move each table's id sequence past the copied ids, so the next insert does
    not collide. (SQLite takes max(rowid) + 1 on its own.)"""
    if target.dialect.name != "postgresql":
        return
    with target.begin() as conn:
        for table in tables:
            column = table.autoincrement_column
            if column is None:
                continue
            conn.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence(:table, :column), "
                    f'COALESCE(MAX("{column.name}"), 0) + 1, false) FROM "{table.name}"'
                ),
                {"table": table.name, "column": column.name},
            )
