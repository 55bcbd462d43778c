"""A canonical document → the partner's flat file, by the same map read in reverse.

One row per element of the document's row list (``lines[]``), the header fields repeated on
each row (what the grouped inbound reading expects back); a header row when the map has one;
fixed-width columns padded (text left-aligned, numbers right-aligned) and cut to width.
Constants and the line numbering are not written: they are the hub's, not the partner's;
the `skip_rows` lines are written empty.
"""

from __future__ import annotations

import csv
import io
from typing import Any, Literal

from crossdock.mapping.csv.model import CsvColumn, CsvMap
from crossdock.mapping.csv.values import format_cell
from crossdock.mapping.transforms import TransformError, lookup


def _get(data: Any, path: str) -> Any:
    try:
        return lookup(data, path)
    except KeyError:
        return None


def render_csv(document: dict[str, Any], csv_map: CsvMap) -> bytes:
    """The file for one document, encoded as the map says (a BOM for utf-8-sig)."""
    list_name = next((c.field.split("[]", 1)[0] for c in csv_map.columns if "[]" in c.field), None)
    elements = _get(document, list_name) if list_name else None
    if not isinstance(elements, list) or not elements:
        elements = [{}]
    rows = []
    for element in elements:
        row = []
        for column in csv_map.columns:
            if "[]" in column.field:
                value = _get(element, column.field.split("[].", 1)[1])
            else:
                value = _get(document, column.field)
            if isinstance(value, dict | list):
                raise TransformError(f"{column.field} is not a single value in the document")
            if value is None and column.required:
                raise TransformError(f"the document has no {column.field} (a required column)")
            try:
                row.append(format_cell(value, column, csv_map))
            except (ValueError, ArithmeticError) as exc:
                raise TransformError(f"{column.field}: {exc}") from exc
        rows.append(row)
    text = _fixed(rows, csv_map) if csv_map.layout == "fixed" else _delimited(rows, csv_map)
    text = "\r\n" * csv_map.skip_rows + text  # the lines a reader of the file skips
    try:
        return text.encode(csv_map.encoding)
    except UnicodeEncodeError as exc:
        raise TransformError(
            f"the document has text {csv_map.encoding} cannot write: {exc}"
        ) from exc


def _delimited(rows: list[list[str]], csv_map: CsvMap) -> str:
    out = io.StringIO()
    quoting: Literal[0, 3] = csv.QUOTE_NONE if csv_map.quoting == "none" else csv.QUOTE_MINIMAL
    writer = csv.writer(
        out,
        delimiter=csv_map.delimiter,
        quotechar=csv_map.quote_char,
        quoting=quoting,
        escapechar="\\" if quoting == csv.QUOTE_NONE else None,
        lineterminator="\r\n",
    )
    if csv_map.header:
        rows = [[str(c.column) for c in csv_map.columns], *rows]
    if any(isinstance(c.column, int) for c in csv_map.columns):
        rows = [_placed(row, csv_map.columns) for row in rows]
    writer.writerows(rows)
    return out.getvalue()


def _placed(row: list[str], columns: list[CsvColumn]) -> list[str]:
    """Cells at their 1-based positions (columns given by position may skip some)."""
    width = max(int(c.column) for c in columns if isinstance(c.column, int))
    placed = [""] * max(width, len(columns))
    for value, column in zip(row, columns, strict=True):
        if isinstance(column.column, int):
            placed[column.column - 1] = value
    return placed


def _fixed(rows: list[list[str]], csv_map: CsvMap) -> str:
    end = max((c.start or 1) + (c.width or 0) - 1 for c in csv_map.columns)
    lines = []
    for row in rows:
        line = [" "] * end
        for value, column in zip(row, csv_map.columns, strict=True):
            start, width = (column.start or 1) - 1, column.width or 0
            if len(value) > width:
                raise TransformError(f"{column.field}: {value!r} is wider than {width} characters")
            cell = (
                value.rjust(width) if column.type in ("decimal", "integer") else value.ljust(width)
            )
            line[start : start + width] = cell
        lines.append("".join(line) + "\r\n")
    return "".join(lines)
