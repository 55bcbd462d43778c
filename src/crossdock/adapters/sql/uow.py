"""The unit of work: one SQL transaction holding the log, outbox, inbox and deliveries."""

from __future__ import annotations

import time
from collections.abc import Sequence
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, insert, select

from crossdock.adapters.sql.audit_log import SqlAuditEntries
from crossdock.adapters.sql.backend import BeforeLogInsert, SqlBackend
from crossdock.adapters.sql.deliveries import SqlDeliveryLog, SqlEndpointStates
from crossdock.adapters.sql.edi_ledger import SqlEdiLedger
from crossdock.adapters.sql.fast_insert import FastInsert
from crossdock.adapters.sql.flow_statements import CLAIM
from crossdock.adapters.sql.flow_store import SqlExceptionLog, SqlFlowStore
from crossdock.adapters.sql.kpi_queries import SqlKpiQueries
from crossdock.adapters.sql.message_log import SqlMessageLog
from crossdock.adapters.sql.prepared import PreparedIn
from crossdock.adapters.sql.tables import bus_log, inbox
from crossdock.adapters.sql.webhook_store import SqlWebhookStore

_INSERT_LOG = FastInsert(bus_log)


class SqlOutbox:
    """Entries are buffered and inserted at commit, in publish order, in one statement.

    `before_insert` (the backend's) runs just before that statement: on PostgreSQL it takes
    the topic log's commit-order lock, held from there to COMMIT (see docs/architecture.md).
    """

    def __init__(self, conn: Connection, before_insert: BeforeLogInsert | None = None) -> None:
        self._conn = conn
        self._before_insert = before_insert
        self._rows: list[dict[str, Any]] = []

    def publish(self, subject: str, key: str, message_id: str, payload: bytes = b"") -> None:
        self._rows.append(
            {
                "subject": subject,
                "key": key,
                "message_id": message_id,
                "payload": payload,
                "published_at": time.time(),
            }
        )

    def flush(self) -> None:
        if self._rows:
            rows, self._rows = self._rows, []
            if self._before_insert is not None:
                self._before_insert(self._conn)
            _INSERT_LOG(self._conn, rows)

    def discard(self) -> None:
        self._rows = []


_CLAIMED = PreparedIn(
    lambda n: select(inbox.c.message_id, inbox.c.replay).where(
        inbox.c.consumer == bindparam("consumer"),
        inbox.c.message_id.in_([bindparam(name) for name in PreparedIn.names(n)]),
    )
)


class SqlInbox:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def claim(self, consumer: str, message_id: str, replay: int = 0) -> bool:
        # one prepared INSERT ... WHERE NOT EXISTS: its row count says whether it was new
        params = {"b_consumer": consumer, "b_message_id": message_id, "b_replay": replay}
        return bool(CLAIM.execute(self._conn, params).rowcount == 1)

    def claim_many(self, consumer: str, items: Sequence[tuple[str, int]]) -> set[tuple[str, int]]:
        wanted = set(items)
        if not wanted:
            return set()
        seen: set[tuple[str, int]] = set()
        ids = list({message_id for message_id, _ in wanted})
        rows = _CLAIMED.execute(self._conn, ids, {"consumer": consumer})
        seen.update((m, r) for m, r in rows)
        fresh = wanted - seen
        if fresh:
            self._conn.execute(
                insert(inbox),
                [{"consumer": consumer, "message_id": m, "replay": r} for m, r in fresh],
            )
        return fresh


class _SqlSavepoint:
    """A nested transaction whose buffered outbox rows are dropped when it rolls back."""

    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow
        self._marks = (0, 0)
        self._nested: Any = None

    def __enter__(self) -> object:
        self._uow.deliveries.flush()
        self._marks = (len(self._uow.outbox._rows), len(self._uow.deliveries._pending))
        self._nested = self._uow.connection.begin_nested()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        if exc_type is None:
            self._nested.commit()
            return None
        self._nested.rollback()
        del self._uow.outbox._rows[self._marks[0] :]
        del self._uow.deliveries._pending[self._marks[1] :]
        return None


class SqlUnitOfWork:
    """Opened per transaction by `SqlUnitOfWorkFactory`; never shared between threads."""

    def __init__(
        self, engine: Engine, *, readonly: bool = False, backend: SqlBackend = SqlBackend()
    ) -> None:
        self._engine = engine
        self._readonly = readonly
        self._backend = backend
        self.connection: Connection

    def __enter__(self) -> SqlUnitOfWork:
        conn = self._engine.connect()
        if self._readonly:
            conn = conn.execution_options(readonly=True)
        self.connection = conn
        self._tx = conn.begin()
        self.messages = SqlMessageLog(conn)
        self.outbox = SqlOutbox(conn, self._backend.before_log_insert)
        self.inbox = SqlInbox(conn)
        self.deliveries = SqlDeliveryLog(conn)
        self.endpoints = SqlEndpointStates(conn)
        self.edi = SqlEdiLedger(conn)
        self.flows = SqlFlowStore(conn, isolate_failures=self._backend.isolate_failures)
        self.exceptions = SqlExceptionLog(conn)
        self.kpis = SqlKpiQueries(conn)
        self.webhooks = SqlWebhookStore(conn)
        self._committed = False
        return self

    @property
    def audit(self) -> SqlAuditEntries:
        """Audit entries in this transaction (built on use: most units of work write none)."""
        return SqlAuditEntries(self.connection)

    def savepoint(self) -> _SqlSavepoint:
        return _SqlSavepoint(self)

    def commit(self) -> None:
        self.deliveries.flush()
        self.outbox.flush()
        self._tx.commit()
        self._committed = True

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self._committed and self._tx.is_active:
                self._tx.rollback()
        finally:
            self.connection.close()


class SqlUnitOfWorkFactory:
    """Units of work on one engine; `backend` carries the backend's choices (`SqlBackend`)."""

    def __init__(self, engine: Engine, backend: SqlBackend = SqlBackend()) -> None:
        self.engine = engine
        self.backend = backend

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, backend=self.backend)

    def reader(self) -> SqlUnitOfWork:
        """A read-only unit of work: takes no write lock, so reads never wait for the writer."""
        return SqlUnitOfWork(self.engine, readonly=True, backend=self.backend)
