"""Run migrations on the connection `schema_version` passes in ``config.attributes``."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from crossdock.adapters.sql.schema_version import metadata_with_every_table

_connection: Connection = context.config.attributes["connection"]
context.configure(
    connection=_connection,
    target_metadata=metadata_with_every_table(),
    # SQLite cannot ALTER most things in place; batch mode rebuilds the table there and is a
    # plain ALTER on PostgreSQL, so one revision file serves both dialects.
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
