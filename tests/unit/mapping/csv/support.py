"""The CSV fixtures and their maps (tests/fixtures/csv), read the way the hub reads them."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from crossdock.mapping.csv import CsvDocument, CsvMap, read_documents
from crossdock.mapping.csv.model import load_map_file
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "csv"


def fixture_map(name: str, **changes: Any) -> CsvMap:
    csv_map = load_map_file(FIXTURES / "maps" / f"{name}.yaml")
    if changes:
        csv_map = CsvMap.model_validate({**csv_map.model_dump(exclude_unset=True), **changes})
    return csv_map


def read_file(name: str, csv_map: CsvMap) -> list[CsvDocument]:
    with (FIXTURES / name).open("rb") as stream:
        return list(read_documents(stream, csv_map))


def read_bytes(data: bytes, csv_map: CsvMap) -> list[CsvDocument]:
    return list(read_documents(io.BytesIO(data), csv_map))


def errors_of(documents: list[CsvDocument]) -> list[str]:
    return [str(e) for d in documents for e in d.errors]


def fixture_path(name: str) -> Path:
    return FIXTURES / name
