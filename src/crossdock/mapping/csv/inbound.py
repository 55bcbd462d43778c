"""A flat file → canonical documents, each with the rows it came from and its errors.

Rows are grouped by the map's key column: consecutive rows with one key are one document,
its header fields read from the group's first row (a header value that differs on a later
row is that row's error), its line fields from every row. A group is held in memory until
its key changes; nothing else is. Errors name the file row, the column and why, and the
canonical validation errors are traced back to the row and column that filled the field.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import orjson
from pydantic import ValidationError

from crossdock.canonical.base import CanonicalDocument
from crossdock.canonical.json_numbers import validate_json
from crossdock.canonical.registry import document_model
from crossdock.mapping.csv.build import RowError, build, cell, traced
from crossdock.mapping.csv.model import CsvMap
from crossdock.mapping.csv.reader import Record, records

#: Errors kept per document (a file wrong on every row says so in its first ones).
MAX_ERRORS = 100
#: A document's raw text (kept in the message log) beyond this is a row error, not memory.
MAX_DOCUMENT_CHARS = 8 * 1024 * 1024


@dataclass(slots=True)
class CsvDocument:
    """One document of a file: the rows and text it came from, and its result."""

    document_type: str
    key: str | None
    rows: list[int] = field(default_factory=list)
    text: str = ""
    errors: list[RowError] = field(default_factory=list)
    document: CanonicalDocument | None = None
    data: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.document is not None and not self.errors


class _Group:
    def __init__(self, key: str | None, header_text: str) -> None:
        self.key = key
        self.records: list[Record] = []
        self.errors: list[RowError] = []
        self.text = [header_text] if header_text else []
        self.chars = len(header_text)
        self.rows: list[int] = []
        self.full = False


def read_documents(stream: BinaryIO, csv_map: CsvMap) -> Iterator[CsvDocument]:
    """Every document of the file in order, good or bad. Never raises for content."""
    document_type = csv_map.document_type or ""
    model = document_model(document_type)
    if model is None:
        yield _file_error(csv_map, f"unknown document type {document_type!r}")
        return
    found = records(stream, csv_map)
    index, header_text, problem = _columns(found, csv_map)
    if problem is not None:
        yield CsvDocument(document_type, None, [problem.row or 0], header_text, [problem])
        return
    key_column = csv_map.key_column
    key_at = index[csv_map.columns.index(key_column)] if key_column is not None else None
    seen: set[bytes] = set()  # digests of the keys read: flat memory whatever their length
    group: _Group | None = None
    count = 0
    for record in found:
        key: str | None = None
        error: RowError | None = None
        if record.problem is not None:
            error = RowError(record.row, None, record.problem)
        elif key_column is not None:
            key = cell(record, key_at).strip()
            if not key:
                error = RowError(record.row, key_column.label, "the key column is empty")
        if error is not None and group is not None and key_column is not None:
            # A row that cannot be read most likely belongs to the document being grouped:
            # that document is rejected with it rather than accepted without the row.
            # (Without grouping every row is a document: the row is rejected alone.)
            _add(group, record, csv_map, error)
            continue
        if group is not None and key_column is not None and key == group.key:
            _add(group, record, csv_map)
            continue
        if group is not None:
            yield _finish(group, csv_map, model, index)
        count += 1
        if count > csv_map.max_documents:
            limit = f"the file holds more than {csv_map.max_documents} documents (max_documents)"
            yield CsvDocument(
                document_type, None, [record.row], "", [RowError(record.row, None, limit)]
            )
            return
        group = _Group(key, header_text)
        digest = _digest(key) if key is not None else None
        if digest is not None and digest in seen:
            column = key_column.label if key_column else None
            group.errors.append(
                RowError(
                    record.row,
                    column,
                    f"rows of document {key!r} are not together: its rows must follow each other",
                )
            )
        if digest is not None:
            seen.add(digest)
        _add(group, record, csv_map, error)
    if group is not None:
        yield _finish(group, csv_map, model, index)


def _digest(key: str) -> bytes:
    return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _file_error(csv_map: CsvMap, reason: str) -> CsvDocument:
    return CsvDocument(csv_map.document_type or "", None, [], "", [RowError(None, None, reason)])


def _columns(
    found: Iterator[Record], csv_map: CsvMap
) -> tuple[list[int | None], str, RowError | None]:
    """Each map column's cell index (None: not in this file), from the header or positions."""
    if csv_map.layout == "fixed":
        return list(range(len(csv_map.columns))), "", None
    if not csv_map.header:
        return [int(c.column or 1) - 1 for c in csv_map.columns], "", None
    header = next(found, None)
    if header is None:
        return [], "", RowError(None, None, "the file is empty: no header row")
    if header.problem is not None:
        return [], header.text, RowError(header.row, None, f"header: {header.problem}")
    names = {name.strip(): i for i, name in reversed(list(enumerate(header.cells)))}
    index: list[int | None] = []
    missing = []
    for column in csv_map.columns:
        if isinstance(column.column, int):
            index.append(column.column - 1)
            continue
        index.append(names.get(str(column.column)))
        if index[-1] is None and column.required:
            missing.append(str(column.column))
    if missing:
        found_names = ", ".join(repr(n) for n in list(names)[:20])
        reason = (
            f"required columns missing from the header: {', '.join(missing)} (found: {found_names})"
        )
        return index, header.text, RowError(header.row, missing[0], reason)
    return index, header.text, None


def _add(group: _Group, record: Record, csv_map: CsvMap, error: RowError | None = None) -> None:
    if error is not None and len(group.errors) < MAX_ERRORS:
        group.errors.append(error)
    if group.full:  # past a limit: only the last row is remembered, memory stays flat
        group.rows[-1] = record.row
        return
    group.rows.append(record.row)
    if len(group.rows) > csv_map.max_group_rows:
        group.full = True
        limit = f"more than {csv_map.max_group_rows} rows in one document (max_group_rows)"
        group.errors.append(RowError(record.row, None, limit))
        return
    group.chars += len(record.text)
    if group.chars > MAX_DOCUMENT_CHARS:
        group.full = True
        limit = f"the document's rows are longer than {MAX_DOCUMENT_CHARS} characters"
        group.errors.append(RowError(record.row, None, limit))
        return
    group.text.append(record.text)
    record.text = ""  # kept once, in the group's text
    if error is None and record.problem is None:
        group.records.append(record)


def _finish(
    group: _Group, csv_map: CsvMap, model: type[CanonicalDocument], index: list[int | None]
) -> CsvDocument:
    document = CsvDocument(
        csv_map.document_type or "", group.key, group.rows, "".join(group.text), group.errors
    )
    if not group.records:
        if not document.errors:
            document.errors.append(RowError(None, None, "no readable rows"))
        return document
    data, origins = build(group.records, csv_map, index, document.errors)
    if document.errors:
        return document
    document.data = data
    try:
        document.document = validate_json(model, orjson.dumps(data))
    except ValidationError as exc:
        document.errors.extend(traced(exc, group.records, origins))
    return document
