"""Statements run straight through the driver: results, errors and transactions as
SQLAlchemy's own execution would give them. Real SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import (
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    func,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError, NoResultFound

from crossdock.adapters.sql.prepared import Prepared, PreparedIn
from crossdock.bootstrap.store import make_engine

meta = MetaData()
things = Table(
    "things",
    meta,
    Column("id", String(20), primary_key=True),
    Column("size", Integer, nullable=False),
)
INSERT = Prepared(insert(things).values(id=bindparam("b_id"), size=bindparam("b_size")))
SIZE_OF = Prepared(select(things.c.id, things.c.size).where(things.c.id == bindparam("b_id")))
COUNT = Prepared(select(func.count()).select_from(things))
BY_IDS = PreparedIn(
    lambda n: (
        select(things.c.id, things.c.size)
        .where(things.c.id.in_([bindparam(name) for name in PreparedIn.names(n)]))
        .where(things.c.size >= bindparam("min_size"))
    )
)


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}", create_schema=False)
    meta.create_all(engine)
    return engine


def test_rows_read_like_sqlalchemy_rows(engine: Engine) -> None:
    with engine.begin() as conn:
        INSERT.executemany(conn, [{"b_id": f"t{n}", "b_size": n} for n in range(5)])
        row = SIZE_OF.execute(conn, {"b_id": "t3"}).first()
        assert row is not None and row.id == "t3" and row.size == 3 and tuple(row) == ("t3", 3)
        assert COUNT.execute(conn).scalar_one() == 5
        assert SIZE_OF.execute(conn, {"b_id": "none"}).first() is None
        assert SIZE_OF.execute(conn, {"b_id": "none"}).scalar() is None
        with pytest.raises(NoResultFound):
            SIZE_OF.execute(conn, {"b_id": "none"}).scalar_one()
        assert INSERT.execute(conn, {"b_id": "t9", "b_size": 9}).rowcount == 1


def test_driver_errors_are_sqlalchemy_errors_and_the_transaction_rolls_back(
    engine: Engine,
) -> None:
    with engine.begin() as conn:
        INSERT.execute(conn, {"b_id": "a", "b_size": 1})
    with pytest.raises(IntegrityError), engine.begin() as conn:
        INSERT.execute(conn, {"b_id": "b", "b_size": 2})
        INSERT.execute(conn, {"b_id": "a", "b_size": 3})  # duplicate key
    with engine.connect() as conn:
        assert COUNT.execute(conn).scalar_one() == 1  # "b" went with the failed transaction


def test_a_statement_on_a_fresh_connection_begins_a_transaction(engine: Engine) -> None:
    with engine.connect() as conn:
        INSERT.execute(conn, {"b_id": "x", "b_size": 1})
        assert conn.in_transaction()
        conn.rollback()
    with engine.connect() as conn:
        assert COUNT.execute(conn).scalar_one() == 0  # not autocommitted behind our back


@pytest.mark.parametrize("count", [1, 3, 4, 5, 511, 512, 513, 1300])
def test_in_lists_of_any_size(engine: Engine, count: int) -> None:
    with engine.begin() as conn:
        INSERT.executemany(conn, [{"b_id": f"t{n}", "b_size": n % 7} for n in range(1500)])
        wanted = [f"t{n}" for n in range(0, count * 2, 2)]
        rows = BY_IDS.execute(conn, wanted, {"min_size": 3})
    expected = {f"t{n}" for n in range(0, count * 2, 2) if n < 1500 and n % 7 >= 3}
    assert sorted(r.id for r in rows) == sorted(expected)  # padding adds no duplicates
