"""The PostgreSQL engine, and what the portable SQL store must do differently on it.

The bus reads its topic log past a cursor (``seq > cursor``). With concurrent writers, a
transaction can take sequence number 11, commit, and be read, while the transaction holding
10 has not committed yet: once 10 commits it is behind every cursor and would never be
delivered. So, as pyeventsourcing does, each publishing transaction takes the topic log's
``EXCLUSIVE`` lock just before it inserts its entries, as the last statement before COMMIT:
sequence numbers are then handed out in commit order, and a reader never sees a gap that a
later commit fills. The lock conflicts only with other inserts (and never blocks a reader,
which takes ``ACCESS SHARE``); it is held for one INSERT and the COMMIT.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, create_engine, make_url

from crossdock.adapters.sql.backend import SqlBackend

#: Connections per process: writers (`writers.DEFAULT_WRITERS`), readers, bus loops and
#: the API share them. Several processes share one server's `max_connections` (100 by
#: default): 10 + 10 overflow lets five processes peak without exhausting it.
POOL_SIZE = 10
MAX_OVERFLOW = 10


def lock_log_for_commit(conn: Connection) -> None:
    """Hand out topic-log sequence numbers in commit order (see the module's docstring)."""
    conn.exec_driver_sql("LOCK TABLE bus_log IN EXCLUSIVE MODE")


#: Any fixed number: the advisory lock key processes opening one database take turns on.
SCHEMA_LOCK_KEY = 0x63726F7373646B  # "crossdk"


def lock_schema_for_change(conn: Connection) -> None:
    """Serialize schema creation across processes: without it two processes opening one
    empty database both run CREATE TABLE and one fails on a duplicate. Released at commit."""
    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK_KEY})")


#: PostgreSQL aborts the whole transaction on a failed statement: inserts that may fail run
#: in savepoints; publishing commits take the commit-order lock.
BACKEND = SqlBackend(
    name="postgresql",
    isolate_failures=True,
    before_log_insert=lock_log_for_commit,
    before_schema_change=lock_schema_for_change,
)


def make_engine(url: str, *, writers: int | None = None) -> Engine:
    """A pooled engine (psycopg 3); `pool_pre_ping` replaces connections a server restart
    dropped before they are used. More `writers` than the default get a larger pool, so a
    writer thread never waits for a connection."""
    # A host that drops packets (rather than refusing) would hold a connect for minutes;
    # a URL's own `connect_timeout` wins.
    timeout = {} if "connect_timeout" in make_url(url).query else {"connect_timeout": 5}
    return create_engine(
        url,
        connect_args=timeout,
        pool_size=max(POOL_SIZE, (writers or 0) + 4),
        max_overflow=MAX_OVERFLOW,
        pool_pre_ping=True,
        pool_recycle=3600,
    )
