"""Flat files (CSV, fixed width) ↔ canonical documents by declarative per-partner maps."""

from crossdock.mapping.csv.build import RowError
from crossdock.mapping.csv.inbound import CsvDocument, read_documents
from crossdock.mapping.csv.model import CsvColumn, CsvMap, NumberFormat, PartnerCsvConfig
from crossdock.mapping.csv.outbound import render_csv

__all__ = [
    "CsvColumn",
    "CsvDocument",
    "CsvMap",
    "NumberFormat",
    "PartnerCsvConfig",
    "RowError",
    "read_documents",
    "render_csv",
]
