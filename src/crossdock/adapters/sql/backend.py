"""What the portable SQL store needs to know about the database it runs on.

The SQL in this package is the same on every backend; the few behaviours that must differ
are chosen by the backend's own package (`adapters.sqlite`, `adapters.postgres`) and handed
in through `SqlBackend` by `bootstrap`, so no module here branches on the dialect.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection

#: Runs on the unit of work's connection just before its outbox rows go into the topic log.
BeforeLogInsert = Callable[[Connection], None]


@dataclass(frozen=True, slots=True)
class SqlBackend:
    """Backend choices injected into the unit of work.

    The default is the safe portable choice (failures isolated in savepoints, no hook):
    `bootstrap` always passes the backend's own.
    """

    name: str = "portable"
    #: Run an INSERT that may fail in a savepoint of its own. PostgreSQL aborts the whole
    #: transaction on a failed statement; SQLite undoes just the statement, so it skips the
    #: savepoint's cost.
    isolate_failures: bool = True
    #: Called once per commit that publishes, right before the topic-log insert (the last
    #: statement before COMMIT): PostgreSQL takes its commit-order lock here.
    before_log_insert: BeforeLogInsert | None = None
    #: Called first in the transaction that creates or adopts a schema: PostgreSQL takes an
    #: advisory lock there, so processes opening one empty database at once take turns
    #: (SQLite's ``BEGIN IMMEDIATE`` already makes them).
    before_schema_change: Callable[[Connection], None] | None = None
