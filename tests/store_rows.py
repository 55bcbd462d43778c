"""Representative rows for every table of a store, built from the tables themselves.

Values that tend not to survive a move between databases: bytes with every byte value
(NUL included), floats that are not round in binary (epoch seconds with microseconds,
0.1 + 0.2), integers past 32 bits, non-ASCII text, JSON text, NULLs in nullable columns.
Built per column type, so a table or column added later gets rows too.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Boolean, Connection, Float, Integer, LargeBinary, String, Table, select


def value_for(table: Table, column: Any, n: int) -> Any:
    """A value for `column` in row `n` (unique per row for key columns)."""
    kind = column.type
    if column.nullable and not column.primary_key and n % 3 == 2:
        return None
    if isinstance(kind, Boolean):
        return n % 2 == 0
    if isinstance(kind, Integer):
        if column.primary_key:
            return 2 * n + 1  # gaps, as deletions leave them
        return n + 2**40 if "BIG" in str(kind).upper() else n
    if isinstance(kind, Float):
        return 1_765_000_000.123456 + n * (0.1 + 0.2)
    if isinstance(kind, LargeBinary):
        return bytes(range(256)) + n.to_bytes(4, "big") + b"\x00"
    if isinstance(kind, String):
        length = kind.length
        text = json.dumps({"n": n, "note": "Grüße ✓ €"}, ensure_ascii=False)
        if length is not None:
            text = f"{table.name[:3]}-{n}-é✓"[: max(length, 1)]
        return text
    raise AssertionError(f"no representative value for {table.name}.{column.name} ({kind})")


def fill(conn: Connection, tables: list[Table], rows: int) -> None:
    """Insert `rows` rows into each table."""
    for table in tables:
        conn.execute(
            table.insert(),
            [{c.name: value_for(table, c, n) for c in table.columns} for n in range(rows)],
        )


def snapshot(conn: Connection, tables: list[Table]) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, keyed rows sorted by primary key (in Python, so two
    databases with different collations compare equal)."""
    shot = {}
    for table in tables:
        key = [c.name for c in table.primary_key.columns]
        found = [dict(r) for r in conn.execute(select(table)).mappings()]
        shot[table.name] = sorted(found, key=lambda r: tuple(str(r[k]) for k in key))
    return shot
