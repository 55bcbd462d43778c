"""The flow engine's prepared statements are portable: they compile for PostgreSQL too."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect

from crossdock.adapters.sql import flow_statements
from crossdock.adapters.sql.prepared import Prepared

STATEMENTS = {
    name: value for name, value in vars(flow_statements).items() if isinstance(value, Prepared)
}


def compiled(prepared: Prepared, dialect: Dialect) -> Any:
    return prepared._statement.compile(dialect=dialect)  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", sorted(STATEMENTS))
@pytest.mark.parametrize(
    "dialect", [sqlite.dialect(), postgresql.dialect()], ids=["sqlite", "postgresql"]
)
def test_each_statement_compiles_for_sqlite_and_postgresql(name: str, dialect: Dialect) -> None:
    statement = compiled(STATEMENTS[name], dialect)
    assert "INSERT OR" not in str(statement) and "ON CONFLICT" not in str(statement)
    assert not [key for key in statement.params if key.startswith("param_")]  # all named


def test_the_claim_types_its_parameters_for_postgresql() -> None:
    sql = str(compiled(flow_statements.CLAIM, postgresql.dialect()))
    assert "::VARCHAR AS" in sql and "::BIGINT AS" in sql  # replay markers are BIGINT there
