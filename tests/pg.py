"""PostgreSQL for tests: a fresh schema per test on the server TEST_POSTGRES_URL names.

`.ci/run` and `make test-pg` start a throwaway cluster and set the variable (`.ci/postgres.sh`);
without it the PostgreSQL tests skip, saying so. Each test gets its own schema (the URL's
`search_path` points at it), dropped afterwards, so tests never see each other's rows and a
failed test leaves nothing behind on a server someone keeps.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

ENV = "TEST_POSTGRES_URL"
SKIP_REASON = (
    f"{ENV} is not set: PostgreSQL tests need a server "
    "(`make test-pg`, or `.ci/postgres.sh .venv/bin/pytest ...`, starts a throwaway one)"
)


def base_url() -> str | None:
    """The server's URL (postgresql+psycopg://...), or None when no server was given."""
    return os.environ.get(ENV) or None


@contextmanager
def fresh_schema(url: str) -> Iterator[str]:
    """A URL whose connections work in a new, empty schema; the schema is dropped on exit."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(url, poolclass=NullPool)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{name}"'))
        scoped = make_url(url).update_query_dict({"options": f"-csearch_path={name}"})
        try:
            yield scoped.render_as_string(hide_password=False)
        finally:
            with admin.begin() as conn:
                # A test that forgot to dispose its engine must not hang the suite here.
                conn.execute(text("SET LOCAL lock_timeout = '10s'"))
                conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
    finally:
        admin.dispose()
