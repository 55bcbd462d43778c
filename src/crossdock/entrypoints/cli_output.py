"""The one printer of every CLI command: a table that fits the terminal, or JSON.

A table is declared with `Column`s that say what matters: key columns (ids, keys, names) are
never cut or wrapped, so they can be copied into the next command; text columns (errors,
details) wrap onto more lines; the others shrink, and the least important ones are dropped —
named under the table — when the terminal is too narrow for them. `--json` prints the same
rows in full, through `emit`.

Width: `$COLUMNS` when set, else the terminal's; output to a pipe or a file without
`$COLUMNS` gets 200 columns (scripts and CI logs read wide lines better than wrapped ones).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from rich.console import Console

if TYPE_CHECKING:
    from rich.table import Table

PIPE_WIDTH = 200
console = Console()
err_console = Console(stderr=True)


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a table.

    Attributes:
        header: The column's title.
        key: Never cut, wrapped or dropped (ids, keys, names: what the next command needs).
        wrap: Long text (an error, a detail) that wraps onto as many lines as it needs.
        drop: Dropped when the table does not fit, highest first; 0: never dropped.
        justify: Cell alignment.
    """

    header: str
    key: bool = False
    wrap: bool = False
    drop: int = 0
    justify: Literal["left", "right"] = "left"


def key(header: str) -> Column:
    return Column(header, key=True)


def text(header: str, drop: int = 0) -> Column:
    return Column(header, wrap=True, drop=drop)


def number(header: str, drop: int = 0) -> Column:
    return Column(header, drop=drop, justify="right")


ColumnSpec = Column | str
# Each column is padded by one space on either side, and the outer edges are not padded.
_GAP = 2
# The narrowest a wrapping or shrinking column becomes before columns are dropped instead.
_MIN_TEXT = 16
_MIN_OTHER = 8


def width_for(stream: Any) -> int | None:
    """The width to print to `stream` at: $COLUMNS, the terminal's (None), or PIPE_WIDTH."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    return None if stream.isatty() else PIPE_WIDTH


def fit_consoles() -> None:
    """Size both consoles for this invocation (run before every command: $COLUMNS may differ
    between invocations in one process, as in tests)."""
    console.width = width_for(sys.stdout) or Console().width
    err_console.width = width_for(sys.stderr) or Console(stderr=True).width


def print_json(value: Any) -> None:
    import orjson

    sys.stdout.write(orjson.dumps(value, option=orjson.OPT_INDENT_2).decode() + "\n")


def emit(
    as_json: bool,
    data: Any,
    title: str,
    columns: Sequence[ColumnSpec],
    rows: Sequence[Sequence[Any]],
) -> None:
    """`data` as JSON when asked, else the rows as a table: every read command's output."""
    if as_json:
        print_json(data)
    else:
        print_table(title, columns, rows)


def print_table(title: str, columns: Sequence[ColumnSpec], rows: Sequence[Sequence[Any]]) -> None:
    """Print rows as a table that fits the console (see `Column`)."""
    console.print(build_table(title, columns, rows, console.width))


def build_table(
    title: str, columns: Sequence[ColumnSpec], rows: Sequence[Sequence[Any]], width: int
) -> Table:
    from rich import box
    from rich.table import Table

    specs = [Column(c) if isinstance(c, str) else c for c in columns]
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    natural = [
        max([len(spec.header), *(_longest_line(row[i]) for row in cells)])
        for i, spec in enumerate(specs)
    ]
    shown = _fit(specs, natural, width)
    dropped = [specs[i].header for i in range(len(specs)) if i not in shown]
    caption = None
    if dropped:
        caption = f"not shown at {width} columns: {', '.join(dropped)} (--json has every field)"
    table = Table(
        title=title,
        caption=caption,
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
    )
    for i in shown:
        spec = specs[i]
        if spec.key:
            table.add_column(spec.header, no_wrap=True, min_width=natural[i], justify=spec.justify)
        else:
            table.add_column(
                spec.header,
                overflow="fold",
                no_wrap=False,
                min_width=min(natural[i], _MIN_TEXT if spec.wrap else _MIN_OTHER),
                justify=spec.justify,
            )
    for row in cells:
        table.add_row(*(row[i] for i in shown))
    return table


def _longest_line(cell: str) -> int:
    return max((len(line) for line in cell.splitlines()), default=0)


def _fit(specs: Sequence[Column], natural: Sequence[int], width: int) -> list[int]:
    """The indexes of the columns to show: all of them when they fit whole (text columns
    wrapped to their narrowest), else without the droppable ones, highest `drop` (then
    rightmost) first; what still does not fit is shrunk by rich (never a key column)."""
    shown = list(range(len(specs)))

    def wanted(i: int) -> int:
        return min(natural[i], _MIN_TEXT) if specs[i].wrap else natural[i]

    def needed() -> int:
        return sum(wanted(i) for i in shown) + _GAP * (len(shown) - 1)

    droppable = sorted(
        (i for i, s in enumerate(specs) if s.drop), key=lambda i: (-specs[i].drop, -i)
    )
    for i in droppable:
        if needed() <= width:
            break
        shown.remove(i)
    return shown
