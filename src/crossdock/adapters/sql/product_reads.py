"""The API products' reads on SQL (`hub.products.ports.ProductReads`) and a unit of work with
them.

Every read is an index seek: open flow instances by their primary key range (the cursor),
the latest document of one type per correlation key through ``ix_messages_correlation_type``
(correlation key, type, received at), documents by id. The latest-position read is the hot
one (inventory availability), so its statement is compiled once per dialect (`Prepared`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import orjson
from sqlalchemy import Connection, and_, bindparam, select

from crossdock.adapters.sql.convert import from_epoch_required
from crossdock.adapters.sql.flow_store import _state
from crossdock.adapters.sql.flow_tables import flow_instances
from crossdock.adapters.sql.prepared import Prepared, PreparedIn
from crossdock.adapters.sql.tables import messages
from crossdock.adapters.sql.uow import SqlUnitOfWork, SqlUnitOfWorkFactory
from crossdock.hub.flows.model import FlowState
from crossdock.hub.products.ports import StoredDocument

#: A rejected message was never a document; every other status is a standing one.
_REJECTED = "rejected"
_COLUMNS = (
    messages.c.id,
    messages.c.document_type,
    messages.c.schema_version,
    messages.c.source,
    messages.c.received_at,
    messages.c.canonical,
    messages.c.correlation_key,
)
_m = messages.c
_LATEST_ONE = Prepared(
    select(*_COLUMNS)
    .where(
        _m.correlation_key == bindparam("b_key"),
        _m.document_type == bindparam("b_type"),
        _m.status != _REJECTED,
    )
    .order_by(_m.correlation_key.desc(), _m.document_type.desc(), _m.received_at.desc())
    .limit(1)
)
_BY_IDS = PreparedIn(
    lambda n: select(*_COLUMNS).where(
        _m.id.in_([bindparam(name) for name in PreparedIn.names(n)]), _m.status != _REJECTED
    )
)


def _document(row: Any) -> StoredDocument:
    return StoredDocument(
        message_id=row.id,
        document_type=row.document_type,
        schema_version=row.schema_version,
        source=row.source,
        received_at=from_epoch_required(row.received_at),
        document=orjson.loads(row.canonical) if row.canonical else {},
    )


class SqlProductReads:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def open_flows(
        self, flow: str, *, after: str | None, state: str | None, limit: int
    ) -> list[FlowState]:
        t = flow_instances
        conditions = [t.c.flow == flow, t.c.completed.is_(False)]
        if after is not None:
            conditions.append(t.c.key > after)
        if state is not None:
            conditions.append(t.c.state == state)
        query = select(t).where(and_(*conditions)).order_by(t.c.flow, t.c.key).limit(limit)
        return [_state(row) for row in self._conn.execute(query)]

    def flow(self, flow: str, key: str) -> FlowState | None:
        t = flow_instances
        row = self._conn.execute(select(t).where(t.c.flow == flow, t.c.key == key)).first()
        return None if row is None else _state(row)

    def latest(self, document_type: str, keys: Sequence[str]) -> dict[str, StoredDocument]:
        found: dict[str, StoredDocument] = {}
        for key in dict.fromkeys(keys):
            row = _LATEST_ONE.execute(self._conn, {"b_key": key, "b_type": document_type}).first()
            if row is not None:
                found[key] = _document(row)
        return found

    def by_key(self, document_types: Sequence[str], key: str) -> list[StoredDocument]:
        query = (
            select(*_COLUMNS)
            .where(
                _m.correlation_key == key,
                _m.document_type.in_(list(document_types)),
                _m.status != _REJECTED,
            )
            .order_by(_m.received_at, _m.id)
        )
        return [_document(row) for row in self._conn.execute(query)]

    def documents(self, message_ids: Sequence[str]) -> dict[str, StoredDocument]:
        ids = list(dict.fromkeys(message_ids))
        if not ids:
            return {}
        return {row.id: _document(row) for row in _BY_IDS.execute(self._conn, ids)}


class SqlProductUnitOfWork(SqlUnitOfWork):
    """The hub's unit of work plus the products' reads on the same connection."""

    products: SqlProductReads

    def __enter__(self) -> SqlProductUnitOfWork:
        super().__enter__()
        self.products = SqlProductReads(self.connection)
        return self


class SqlProductUnitOfWorkFactory:
    """Opens `SqlProductUnitOfWork`s on the store's engine (reads: `.reader`)."""

    def __init__(self, base: SqlUnitOfWorkFactory) -> None:
        self.engine = base.engine
        self.backend = base.backend

    def __call__(self) -> SqlProductUnitOfWork:
        return SqlProductUnitOfWork(self.engine, backend=self.backend)

    def reader(self) -> SqlProductUnitOfWork:
        return SqlProductUnitOfWork(self.engine, readonly=True, backend=self.backend)

    @contextmanager
    def reads(self) -> Iterator[SqlProductReads]:
        """The reads alone on a pooled read-only connection: no unit of work to set up, for
        the hot lookups (availability) that need nothing else."""
        with self.engine.connect() as conn:
            yield SqlProductReads(conn.execution_options(readonly=True))
