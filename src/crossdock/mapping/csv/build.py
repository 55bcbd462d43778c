"""Building one document from its rows with a map, and tracing its errors back to cells.

Header fields come from the first row (a later row with another value is that row's error),
``lines[].…`` fields from every row; constants and line numbers are added; canonical
validation errors are pointed at the row and column that filled the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from crossdock.mapping.csv.model import CsvColumn, CsvMap
from crossdock.mapping.csv.reader import Record
from crossdock.mapping.csv.values import parse_cell


@dataclass(frozen=True, slots=True)
class RowError:
    """Where a file is wrong: its row (file line), column (name, position or range), why."""

    row: int | None
    column: str | None
    reason: str
    field: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "field": self.field, "reason": self.reason}

    @property
    def path(self) -> str:
        """The location as a message error path: ``row 12, column 'qty'``."""
        where = [f"row {self.row}" if self.row is not None else "file"]
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return ", ".join(where)

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def cell(record: Record, at: int | None) -> str:
    if at is not None and at < len(record.cells):
        return record.cells[at]
    return ""


def _set(target: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target.setdefault(parts[-1], value)


def build(
    records: list[Record], csv_map: CsvMap, index: list[int | None], errors: list[RowError]
) -> tuple[dict[str, Any], dict[str, CsvColumn]]:
    """The document as JSON data; `origins`: field path → the column that filled it."""
    data: dict[str, Any] = {}
    origins = {c.field: c for c in csv_map.columns}
    first = records[0]
    list_name = ""
    lines: list[dict[str, Any]] = [{} for _ in records]
    for column, at in zip(csv_map.columns, index, strict=True):
        if "[]" in column.field:
            list_name, sub = column.field.split("[].", 1)
            for record, line in zip(records, lines, strict=True):
                value = _value(record, at, column, csv_map, errors)
                if value is not None:
                    _set(line, sub, value)
            continue
        value = _value(first, at, column, csv_map, errors)
        if value is not None:
            _set(data, column.field, value)
        text = cell(first, at).strip()
        for record in records[1:]:
            other = cell(record, at).strip()
            if other != text:
                reason = (
                    f"{column.field} is {other!r} here but {text!r} on row {first.row}: "
                    "one document has one value"
                )
                errors.append(RowError(record.row, column.label, reason, column.field))
    for path, constant in csv_map.constants.items():
        if "[]" in path:
            list_name, sub = path.split("[].", 1)
            for line in lines:
                _set(line, sub, constant)
        else:
            _set(data, path, constant)
    if csv_map.line_number:
        list_name, sub = csv_map.line_number.split("[].", 1)
        for number, line in enumerate(lines, start=1):
            _set(line, sub, number)
    if list_name:
        data[list_name] = lines
    return data, origins


def _value(
    record: Record,
    at: int | None,
    column: CsvColumn,
    csv_map: CsvMap,
    errors: list[RowError],
) -> Any:
    text = cell(record, at).strip()
    if not text:
        if column.default is not None:
            text = column.default
        elif column.required:
            reason = "a value is required" if at is not None else "the row has no such column"
            errors.append(RowError(record.row, column.label, reason, column.field))
            return None
        else:
            return None
    try:
        return parse_cell(text, column, csv_map)
    except ValueError as exc:
        errors.append(RowError(record.row, column.label, str(exc), column.field))
        return None


def traced(
    exc: ValidationError, records: list[Record], origins: dict[str, CsvColumn]
) -> list[RowError]:
    """Canonical validation errors, each pointed at the row and column that filled it."""
    traced = []
    for error in exc.errors(include_url=False, include_input=False):
        loc = list(error["loc"])
        row = records[0].row
        generic: list[str] = []
        for i, part in enumerate(loc):
            if isinstance(part, int) and generic and not generic[-1].endswith("[]"):
                if part < len(records) and i == 1:
                    row = records[part].row
                generic[-1] += "[]"
            else:
                generic.append(str(part))
        path = ".".join(generic)
        column = _column_for(path, origins)
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
        traced.append(
            RowError(
                row,
                column.label if column else None,
                f"{where or '$'}: {error['msg']}",
                column.field if column else path,
            )
        )
    return traced


def _column_for(path: str, origins: dict[str, CsvColumn]) -> CsvColumn | None:
    """The column filling `path`, or the only one filling a field below it."""
    if path in origins:
        return origins[path]
    below = [c for p, c in origins.items() if p.startswith(path + ".")]
    return below[0] if len(below) == 1 else None
