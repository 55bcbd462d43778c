"""The base every canonical document derives from.

A canonical document is crossdock's own shape of a business document. It knows its type name,
its schema version and its correlation key (the business key that orders its messages and
keys its flow), so the hub can route and order it without knowing the document's fields.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class CanonicalModel(BaseModel):
    """Shared pydantic configuration: strict about unknown fields, so a typo is an error."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)


class CanonicalDocument(CanonicalModel):
    """A top-level document that travels through the hub as one message."""

    document_type: ClassVar[str]
    schema_version: ClassVar[int] = 1

    @abstractmethod
    def correlation_key(self) -> str:
        """The business key (PO number, shipment id, ...) that orders and groups messages."""
