"""What the API products read from the store: indexed lookups only, never a scan per request.

Implemented by `adapters/sql/product_reads.SqlProductReads`, on the same connection as the
hub's unit of work (`ProductUnitOfWork`), so an acknowledgment recorded through
`hub.intake.record` and the reads that validate it see one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from crossdock.hub.flows.model import FlowState
from crossdock.hub.ports import UnitOfWork


@dataclass(slots=True, frozen=True)
class StoredDocument:
    """A recorded message's canonical document (as JSON data) and where it came from."""

    message_id: str
    document_type: str
    schema_version: int
    source: str
    received_at: datetime
    document: dict[str, Any]


class ProductReads(Protocol):
    def open_flows(
        self, flow: str, *, after: str | None, state: str | None, limit: int
    ) -> list[FlowState]:
        """Instances of `flow` not completed, keys after `after` in key order (a cursor)."""
        ...

    def flow(self, flow: str, key: str) -> FlowState | None:
        """One flow instance, completed or not."""
        ...

    def latest(self, document_type: str, keys: Sequence[str]) -> dict[str, StoredDocument]:
        """The most recent accepted document of `document_type` per correlation key."""
        ...

    def by_key(self, document_types: Sequence[str], key: str) -> list[StoredDocument]:
        """Accepted documents of those types with correlation key `key`, oldest first."""
        ...

    def documents(self, message_ids: Sequence[str]) -> dict[str, StoredDocument]:
        """Accepted documents by message id (missing or rejected ones are left out)."""
        ...


class ProductUnitOfWork(UnitOfWork, Protocol):
    @property
    def products(self) -> ProductReads: ...

    def __enter__(self) -> ProductUnitOfWork: ...


class ProductUnitOfWorkFactory(Protocol):
    def __call__(self) -> ProductUnitOfWork: ...

    def reader(self) -> ProductUnitOfWork: ...

    def reads(self) -> AbstractContextManager[ProductReads]:
        """The reads alone, read-only, outside any unit of work (the hot lookups)."""
        ...
