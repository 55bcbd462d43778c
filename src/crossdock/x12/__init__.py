"""X12 syntax as a library: read, validate, acknowledge and write interchanges.

Standard library only (DESIGN.md): this package knows nothing of the canonical model.
"""

from crossdock.x12.events import (
    Event,
    Group,
    GroupEnd,
    GroupStart,
    Interchange,
    InterchangeEnd,
    InterchangeStart,
    ParsedFile,
    Unreadable,
)
from crossdock.x12.reader import parse, read, read_transactions
from crossdock.x12.writer import (
    EnvelopeSettings,
    Repeated,
    TransactionBody,
    format_segment,
    iter_interchange,
    write_interchange,
)

__all__ = [
    "EnvelopeSettings",
    "Event",
    "Group",
    "GroupEnd",
    "GroupStart",
    "Interchange",
    "InterchangeEnd",
    "InterchangeStart",
    "ParsedFile",
    "Repeated",
    "TransactionBody",
    "Unreadable",
    "format_segment",
    "iter_interchange",
    "parse",
    "read",
    "read_transactions",
    "write_interchange",
]
