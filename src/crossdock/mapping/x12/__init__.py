"""X12 transaction sets <-> canonical documents, by declarative maps a partner can override.

A map (``maps/``) is data: which segment (selected by tag and qualifier elements) and which
element carry which canonical field, with code tables and value types; ``compile`` turns it
into slotted nodes (``nodes``), ``read``/``write`` interpret it in both directions,
``fastpath`` generates a straight-line reader per rule for the interpreter, and ``fastread``
(with ``fastrule``) a whole-transaction reader per map for the no-error hot path; ``leaves``
reuses validated Money/Quantity instances across documents.
``X12Mapper`` is the entry point; ``registry.X12MapRegistry`` keys mappers by partner, set
and version; ``overrides`` validates and applies a partner's config patches.
"""

from __future__ import annotations

from crossdock.mapping.x12.errors import (
    MappingConfigError,
    MappingError,
    MappingResult,
)
from crossdock.mapping.x12.mapper import X12Mapper
from crossdock.x12.writer import TransactionBody

__all__ = [
    "MappingConfigError",
    "MappingError",
    "MappingResult",
    "TransactionBody",
    "X12Mapper",
]
