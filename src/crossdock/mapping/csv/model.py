"""Declarative CSV maps: how one partner's spreadsheet export becomes canonical documents.

A map is plain data (``partners.<name>.csv.maps.<document_type>`` in ``crossdock.yaml``, or
a map file for ``crossdock csv check``): the file's dialect (encoding, delimiter, quoting,
header or fixed positions), one entry per column naming the canonical field it fills
(``po_number``, ``lines[].item.sku``: ``[]`` is "one element per row"), constants, code
tables, date and number formats, and the key column that groups rows into one document.
Everything is checked when the configuration is loaded, so a typo fails ``config check``,
not a partner's file.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator, model_validator

Encoding = Literal["utf-8", "utf-8-sig", "cp1252", "latin-1"]
ValueType = Literal["text", "integer", "decimal", "date", "datetime"]

#: A canonical path: dotted names, at most one ``[]`` (the rows of a group).
_PATH = re.compile(r"^[a-z_][a-z0-9_]*(\[\])?(\.[a-z_][a-z0-9_]*(\[\])?)*$")


def path_problem(path: str) -> str | None:
    """Why `path` is not a field path a CSV map can fill (None: it is)."""
    if not _PATH.match(path):
        return f"{path!r} is not a field path (dotted names, e.g. lines[].item.sku)"
    if path.count("[]") > 1:
        return f"{path!r}: only one list level ([]) is possible in a flat file"
    if path.endswith("[]"):
        return f"{path!r}: name a field below the list (e.g. {path}.sku)"
    return None


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NumberFormat(_Section):
    """How numbers are written: ``1.234,56`` is decimal ',' and thousands '.'."""

    decimal: str = Field(".", min_length=1, max_length=1, description="decimal separator")
    thousands: str = Field(
        "", max_length=1, description="thousands separator, removed before reading; '' none"
    )
    implied_decimals: int = Field(
        0, ge=0, le=9, description="digits after an implied decimal point (12345 → 123.45 with 2)"
    )

    @model_validator(mode="after")
    def _distinct(self) -> NumberFormat:
        if self.thousands and self.thousands == self.decimal:
            raise ValueError("the thousands and decimal separators must differ")
        return self


class CsvColumn(_Section):
    """One column of the file and the canonical field it fills."""

    column: str | int | None = Field(
        None,
        description="header name, or 1-based position in a file without header; unset for "
        "fixed-width columns",
    )
    start: int | None = Field(None, ge=1, description="fixed width: first character, 1-based")
    width: int | None = Field(None, ge=1, description="fixed width: number of characters")
    field: str = Field(description="canonical field path, e.g. po_number or lines[].item.sku")
    type: ValueType = "text"
    format: str | None = Field(
        None, description="strptime format for date / datetime (default: the map's)"
    )
    number: NumberFormat | None = Field(None, description="this column's number format")
    values: str | None = Field(None, description="name of a value table translating codes")
    required: bool = Field(False, description="the column must exist and every row have a value")
    default: str | None = Field(None, description="used when the cell is empty")

    @model_validator(mode="after")
    def _check(self) -> CsvColumn:
        problem = path_problem(self.field)
        if problem:
            raise ValueError(problem)
        if (self.start is None) != (self.width is None):
            raise ValueError(f"{self.field}: fixed-width columns need both start and width")
        if self.start is not None and self.column is not None:
            raise ValueError(f"{self.field}: give either column or start/width, not both")
        if self.start is None and self.column is None:
            raise ValueError(f"{self.field}: give a column (name or position) or start/width")
        if isinstance(self.column, int) and self.column < 1:
            raise ValueError(f"{self.field}: column positions start at 1")
        return self

    @property
    def label(self) -> str:
        """How errors name the column: its header name, position or character range."""
        if self.start is not None and self.width is not None:
            return f"{self.start}-{self.start + self.width - 1}"
        return str(self.column)


class CsvMap(_Section):
    """A partner's flat file for one document type, and how to read (and write) it."""

    document_type: str | None = Field(
        None, description="the canonical type (default: the key under csv.maps)"
    )
    files: str = Field("*", description="glob of drop-folder file names this map reads")
    encoding: Encoding = "utf-8"
    layout: Literal["delimited", "fixed"] = "delimited"
    delimiter: str = Field(",", min_length=1, max_length=1)
    quoting: Literal["minimal", "none"] = Field(
        "minimal", description="minimal: fields may be quoted; none: quote characters are text"
    )
    quote_char: str = Field('"', min_length=1, max_length=1)
    header: bool = Field(True, description="the first row (after skip_rows) names the columns")
    skip_rows: int = Field(0, ge=0, description="lines skipped before the header or data")
    columns: list[CsvColumn] = Field(min_length=1)
    constants: dict[str, JsonValue] = Field(
        default_factory=dict, description="field path -> value set on every document (or line)"
    )
    value_tables: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="name -> {file code: canonical value}"
    )
    number: NumberFormat = Field(default_factory=NumberFormat)
    date_format: str = Field("%Y-%m-%d", description="strptime format of date columns")
    datetime_format: str = Field(
        "%Y-%m-%dT%H:%M:%S%z", description="strptime format of datetime columns"
    )
    timezone: str = Field("UTC", description="zone of datetimes written without an offset")
    group_by: str | int | None = Field(
        None,
        description="key column (as in columns[].column): consecutive rows with one key make "
        "one document; unset: one document per row",
    )
    line_number: str | None = Field(
        None, description="field path numbered 1, 2, ... per row of a group (lines[].line_number)"
    )
    max_row_chars: int = Field(
        100_000,
        ge=80,
        le=131_072,  # the csv module's own field limit: a larger field fails there
        description="a longer row (an unclosed quote?) is a row error",
    )
    max_group_rows: int = Field(10_000, ge=1, description="rows one document may have")
    max_documents: int = Field(100_000, ge=1, description="documents one file may hold")

    @model_validator(mode="after")
    def _check(self) -> CsvMap:
        fixed = self.layout == "fixed"
        for column in self.columns:
            if fixed != (column.start is not None):
                raise ValueError(
                    f"{column.field}: a {'fixed' if fixed else 'delimited'} layout "
                    f"needs {'start/width' if fixed else 'a column name or position'}"
                )
            if not fixed and isinstance(column.column, str) and not self.header:
                raise ValueError(f"{column.field}: a file without header names columns by position")
            if column.values is not None and column.values not in self.value_tables:
                known = ", ".join(sorted(self.value_tables)) or "none"
                raise ValueError(f"{column.field}: unknown value table {column.values!r} ({known})")
        fields = [c.field for c in self.columns] + list(self.constants)
        if self.line_number:
            fields.append(self.line_number)
        for path in list(self.constants) + ([self.line_number] if self.line_number else []):
            problem = path_problem(path)
            if problem:
                raise ValueError(problem)
        twice = sorted({f for f in fields if fields.count(f) > 1})
        if twice:
            raise ValueError(f"fields filled twice: {', '.join(twice)}")
        lists = {f.split("[]", 1)[0] for f in fields if "[]" in f}
        if len(lists) > 1:
            raise ValueError(f"one list per document can come from rows, got {sorted(lists)}")
        if self.line_number and "[]" not in self.line_number:
            raise ValueError("line_number must name a field below the rows' list (lines[].…)")
        if self.group_by is not None and self.key_column is None:
            raise ValueError(f"group_by {self.group_by!r} is not one of the columns")
        if self.quote_char == self.delimiter:
            raise ValueError("quote_char and delimiter must differ")
        return self

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (an IANA name, e.g. Europe/Berlin)"
            ) from None
        return value

    @property
    def key_column(self) -> CsvColumn | None:
        """The column whose value groups rows (None: one document per row)."""
        if self.group_by is None:
            return None
        for column in self.columns:
            if column.column == self.group_by or column.field == self.group_by:
                return column
        return None


class PartnerCsvConfig(_Section):
    """A partner that sends (or receives) flat files: its maps by document type."""

    maps: dict[str, CsvMap] = Field(
        default_factory=dict, description="document type -> map of its files"
    )
    all_or_nothing: bool = Field(
        False, description="any row error rejects the whole file (still recorded)"
    )
    extensions: list[str] = Field(
        default_factory=lambda: [".csv", ".txt"],
        description="drop-folder files with these endings are read with the maps",
    )

    @field_validator("maps")
    @classmethod
    def _typed(cls, maps: dict[str, CsvMap]) -> dict[str, CsvMap]:
        """Each map knows its document type: the key it is written under."""
        typed = {}
        for name, csv_map in maps.items():
            if csv_map.document_type not in (None, name):
                raise ValueError(f"map {name!r} says document_type {csv_map.document_type!r}")
            typed[name] = csv_map.model_copy(update={"document_type": name})
        return typed

    def map_for_file(self, file_name: str) -> CsvMap | None:
        """The first map (in the order written) whose `files` glob matches the file."""
        for csv_map in self.maps.values():
            if fnmatch.fnmatch(file_name, csv_map.files):
                return csv_map
        return None

    def reads(self, file_name: str) -> bool:
        """Whether a drop-folder file is a flat file for these maps (by its ending)."""
        lower = file_name.lower()
        return bool(self.maps) and any(lower.endswith(e.lower()) for e in self.extensions)


def load_map_file(path: Path) -> CsvMap:
    """A map written to its own YAML or JSON file (``crossdock csv check``)."""
    import yaml

    data = yaml.safe_load(path.read_text("utf-8"))
    return CsvMap.model_validate(data)
