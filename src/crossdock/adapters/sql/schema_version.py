"""Which schema a store has, and bringing it to the one this code expects.

States: an empty database; a store from the release before migrations (tables, no
``alembic_version``): adopted in place at the baseline, nothing rewritten, then migrated to
head (the one time an opener imports Alembic); at head; behind
head (``crossdock db upgrade``); or at a revision this code does not know (a newer release
wrote it). Opening a store (`engine.make_engine`) costs one query when it is at head, and
Alembic itself is only imported to migrate, never on that path: an empty database gets
``create_all`` plus the head stamp, which a test proves is the schema the migrations build.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    inspect,
    select,
)
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from alembic.config import Config

# The newest revision in migrations/versions (a test keeps it equal to Alembic's head).
HEAD = "0012_trace_ctx"
# What the release before migrations created with `create_all`.
BASELINE = "0001_baseline"
# Tables a revision after the baseline creates: adopting a store from before migrations
# leaves them to their revision, which runs right after.
AFTER_BASELINE = frozenset(
    {
        "job_leases",
        "api_keys",
        "audit_log",
        "oauth_signing_keys",
        "webhook_subscriptions",
        "webhook_deliveries",
        "webhook_inbound_seen",
        "throttle_buckets",
        "partners",
        "partner_certifications",
        "retention_runs",
        "alerts",
    }
)
# Columns a revision after the baseline adds to a baseline table: an adopted store lacks them
# until that revision runs, right after the adoption.
AFTER_BASELINE_COLUMNS: dict[str, frozenset[str]] = {
    "messages": frozenset({"sender", "partner", "trace_context"})
}
MIGRATIONS = Path(__file__).parent / "migrations"

# Alembic's own version table, declared here so that reading and stamping it needs no Alembic.
version_table = Table(
    "alembic_version",
    MetaData(),
    Column("version_num", String(32), nullable=False),
    PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
)


class SchemaState(enum.StrEnum):
    EMPTY = "empty"
    UNVERSIONED = "unversioned"  # written by the release before migrations
    AT_HEAD = "at head"
    BEHIND = "behind"
    UNKNOWN = "unknown"  # a revision this code does not know: a newer release wrote it


@dataclass(frozen=True, slots=True)
class SchemaStatus:
    state: SchemaState
    revision: str | None
    head: str = HEAD

    def describe(self) -> str:
        if self.state is SchemaState.AT_HEAD:
            return f"at head ({self.head})"
        if self.state is SchemaState.EMPTY:
            return "empty (no tables)"
        if self.state is SchemaState.UNVERSIONED:
            return "unversioned: written by a release before migrations"
        if self.state is SchemaState.BEHIND:
            return f"at {self.revision}, behind head {self.head}"
        return f"at {self.revision}, which this release does not know (head is {self.head})"


class SchemaMismatch(Exception):
    """The store's schema is not the one this code runs on; `status` says how."""

    def __init__(self, status: SchemaStatus) -> None:
        super().__init__(f"the store's schema is {status.describe()}")
        self.status = status


def metadata_with_every_table() -> MetaData:
    """The shared `metadata`, once every module that adds tables to it is imported."""
    from crossdock.adapters.sql import (  # noqa: F401
        alert_tables,
        auth_tables,
        flow_tables,
        inventory_tables,
        oauth_tables,
        partner_tables,
        retention_tables,
        throttle_tables,
        webhook_tables,
    )
    from crossdock.adapters.sql.tables import metadata

    return metadata


def _known_revisions() -> frozenset[str]:
    # Without Alembic: a revision file declares `revision: str = "<id>"`.
    found = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("revision"):
                found.add(line.split("=", 1)[1].strip().strip("\"'"))
                break
    return frozenset(found)


def _status(conn: Connection) -> SchemaStatus:
    try:
        with conn.begin_nested() if conn.in_transaction() else conn.begin():
            revision = conn.execute(select(version_table.c.version_num)).scalar()
    except DBAPIError:
        # No version table (the one query failed): empty, or a store from before migrations.
        inspector = inspect(conn)
        if inspector.has_table(version_table.name):
            raise  # the table is there: the error was something else (a lock, a disk)
        names = set(inspector.get_table_names())
        return SchemaStatus(SchemaState.UNVERSIONED if names else SchemaState.EMPTY, None)
    if revision == HEAD:
        return SchemaStatus(SchemaState.AT_HEAD, revision)
    if revision is None:
        return SchemaStatus(SchemaState.EMPTY if _empty(conn) else SchemaState.UNKNOWN, None)
    if revision in _known_revisions():
        return SchemaStatus(SchemaState.BEHIND, revision)
    return SchemaStatus(SchemaState.UNKNOWN, revision)


def _empty(conn: Connection) -> bool:
    return set(inspect(conn).get_table_names()) <= {version_table.name}


def current(engine: Engine) -> SchemaStatus:
    """The store's schema state: one query when a version is recorded."""
    with engine.connect().execution_options(readonly=True) as conn:
        return _status(conn)


def _stamp(conn: Connection, revision: str) -> None:
    version_table.create(conn, checkfirst=True)
    conn.execute(version_table.delete())
    conn.execute(version_table.insert().values(version_num=revision))


def _adopt(conn: Connection) -> None:
    """Stamp a store from the release before migrations at the baseline, in place.

    That release ran `create_all` on every start, which added tables a yet older store
    lacked; so does this, once. A column the baseline has and the store lacks means the
    store is not what that release wrote: refused, never guessed at."""
    tables = [t for t in metadata_with_every_table().sorted_tables if t.name not in AFTER_BASELINE]
    metadata_with_every_table().create_all(conn, tables=tables)
    inspector = inspect(conn)
    for table in tables:
        have = {c["name"] for c in inspector.get_columns(table.name)}
        later = AFTER_BASELINE_COLUMNS.get(table.name, frozenset())
        missing = [c.name for c in table.columns if c.name not in have and c.name not in later]
        if missing:
            raise SchemaMismatch(SchemaStatus(SchemaState.UNKNOWN, None))
    _stamp(conn, BASELINE)


def ensure(engine: Engine, lock: Callable[[Connection], None] | None = None) -> SchemaStatus:
    """Open-time check: create an empty database at head, adopt an unversioned store (and
    migrate it to head), and raise `SchemaMismatch` for a store behind head or at an unknown
    revision. `lock` runs first in the transaction that changes the schema (the backend's
    `SqlBackend.before_schema_change`), so concurrent openers take turns."""
    status = current(engine)
    if status.state is SchemaState.AT_HEAD:
        return status
    if status.state in (SchemaState.EMPTY, SchemaState.UNVERSIONED):
        with engine.begin() as conn:  # SQLite: BEGIN IMMEDIATE, so two openers take turns
            if lock is not None:
                lock(conn)
            status = _status(conn)  # again, under the write lock
            if status.state is SchemaState.EMPTY:
                metadata_with_every_table().create_all(conn)
                _stamp(conn, HEAD)
            elif status.state is SchemaState.UNVERSIONED:
                _adopt(conn)  # then the revisions since the baseline (Alembic, once)
                _migrate(conn)
        status = current(engine)
    if status.state is not SchemaState.AT_HEAD:
        raise SchemaMismatch(status)
    return status


def alembic_config(conn: Connection | None) -> Config:
    """Alembic's configuration in code (no alembic.ini), running on `conn`."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    return config


def upgrade(engine: Engine) -> SchemaStatus:
    """Migrate to head: an unversioned store is adopted at the baseline first, then every
    revision after the store's runs; an unknown revision is refused."""
    status = current(engine)
    if status.state is SchemaState.UNKNOWN:
        raise SchemaMismatch(status)
    with engine.begin() as conn:
        if _status(conn).state is SchemaState.UNVERSIONED:
            _adopt(conn)
        _migrate(conn)
    return current(engine)


def _migrate(conn: Connection) -> None:
    from alembic import command

    command.upgrade(alembic_config(conn), "head")


def check(engine: Engine) -> SchemaStatus:
    """The state, without changing anything (``crossdock db check``)."""
    return current(engine)


def script_head() -> str | None:
    """Alembic's own idea of the head revision (tests keep `HEAD` equal to it)."""
    from alembic.script import ScriptDirectory

    config = alembic_config(None)
    return ScriptDirectory.from_config(config).get_current_head()
