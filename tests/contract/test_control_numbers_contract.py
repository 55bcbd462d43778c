"""Control numbers under concurrent writers, on SQLite (a real file) and PostgreSQL (skips
without a server): 8 threads, each reservation its own connection and transaction, on two
engines (two hub processes). No number is handed out twice, the committed numbers have no gap
(a rolled-back reservation gives its numbers back) and the wrap at CONTROL_MAX stays exact."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, update

from crossdock.adapters.sql.edi_ledger import SqlEdiLedger
from crossdock.adapters.sql.tables import x12_control_numbers
from crossdock.adapters.sqlite.engine import sqlite_url
from crossdock.bootstrap.store import make_engine
from crossdock.hub.edi_records import CONTROL_MAX, ControlLevel

THREADS = 8
RESERVATIONS = 200  # per thread


class RolledBack(Exception):
    pass


@pytest.fixture(params=["sqlite", "postgresql"])
def engines(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[Engine]]:
    url = (
        sqlite_url(tmp_path)
        if request.param == "sqlite"
        else str(request.getfixturevalue("postgres_url"))
    )
    made = [make_engine(url), make_engine(url)]
    yield made
    for engine in made:
        engine.dispose()


def hammer(engines: list[Engine], partner: str) -> tuple[list[int], int]:
    """Every thread reserves 1-3 numbers RESERVATIONS times, rolling back one in seven after
    holding them a moment; returns the committed numbers in commit order per thread (all
    threads together) and how many numbers were rolled back."""
    barrier = threading.Barrier(THREADS)
    committed: list[int] = []
    given_back = 0
    lock = threading.Lock()
    errors: list[BaseException] = []

    def work(n: int) -> None:
        nonlocal given_back
        engine = engines[n % len(engines)]
        rnd = random.Random(n)
        try:
            barrier.wait()  # all at once: the first reservation races to create the row
            for i in range(RESERVATIONS):
                count = rnd.randint(1, 3)
                try:
                    with engine.begin() as conn:
                        numbers = SqlEdiLedger(conn).next_controls(
                            partner, ControlLevel.TRANSACTION, count
                        )
                        assert len(numbers) == count
                        if rnd.random() < 0.3:
                            time.sleep(0.0005)  # hold the reservation while others queue
                        if i % 7 == 3:
                            raise RolledBack
                except RolledBack:
                    with lock:
                        given_back += count
                    continue
                with lock:
                    committed.extend(numbers)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors[:3]
    return committed, given_back


def test_concurrent_reservations_never_share_a_number_and_leave_no_gap(
    engines: list[Engine],
) -> None:
    committed, given_back = hammer(engines, "acme")
    assert given_back > 0
    assert len(committed) == len(set(committed)), "a control number was handed out twice"
    assert sorted(committed) == list(range(1, len(committed) + 1))
    with engines[0].begin() as conn:  # and the counter goes on right after them
        assert SqlEdiLedger(conn).next_controls("acme", ControlLevel.TRANSACTION) == [
            len(committed) + 1
        ]


def test_concurrent_reservations_wrap_at_control_max(engines: list[Engine]) -> None:
    with engines[0].begin() as conn:
        SqlEdiLedger(conn).next_controls("acme", ControlLevel.TRANSACTION)  # the row exists
        conn.execute(update(x12_control_numbers).values(next_value=CONTROL_MAX - 500))
    committed, _ = hammer(engines, "acme")
    assert len(committed) == len(set(committed)), "a control number was handed out twice"
    before_wrap = list(range(CONTROL_MAX - 500, CONTROL_MAX + 1))
    after_wrap = list(range(1, len(committed) - len(before_wrap) + 1))
    assert sorted(committed) == sorted(before_wrap + after_wrap)
    assert 0 not in committed and max(committed) == CONTROL_MAX
