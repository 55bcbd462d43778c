"""Job leases on SQL (the hub's `JobLeases`): one conditional UPDATE decides who holds a lease.

Taking or renewing a lease is ``UPDATE job_leases SET owner = me ... WHERE name = :name AND
(owner = me OR expires_at <= now)``; its row count says who won. On PostgreSQL concurrent
UPDATEs of the row queue on its lock and each re-checks the condition against the committed
row, so exactly one process wins an expired lease. A name never leased before (no row: one
more SELECT) is INSERTed in a savepoint, and the unique violation of a racing writer means it lost (PostgreSQL aborts the
whole transaction on a failed statement, hence the savepoint). Each call is its own short
transaction: a lease belongs to no unit of work. Times come from the injected clock (epoch
seconds).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import Engine, and_, case, insert, literal, or_, select, update
from sqlalchemy.exc import IntegrityError

from crossdock.adapters.sql.tables import job_leases


class SqlJobLeases:
    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time) -> None:
        self._engine = engine
        self._clock = clock

    def acquire(self, name: str, owner: str, ttl: float) -> bool:
        t = job_leases
        now = self._clock()
        mine = and_(t.c.owner == owner, t.c.expires_at > now)
        with self._engine.begin() as conn:
            won = conn.execute(
                update(t)
                .where(t.c.name == name, or_(t.c.owner == owner, t.c.expires_at <= now))
                .values(
                    owner=owner,
                    # a renewal keeps when the holder took it; a take-over starts afresh
                    acquired_at=case((mine, t.c.acquired_at), else_=literal(now)),
                    renewed_at=now,
                    expires_at=now + ttl,
                )
            )
            if won.rowcount == 1:
                return True
            if conn.execute(select(t.c.name).where(t.c.name == name)).first() is not None:
                return False  # another process holds it
            try:
                with conn.begin_nested():
                    conn.execute(
                        insert(t).values(
                            name=name,
                            owner=owner,
                            acquired_at=now,
                            renewed_at=now,
                            expires_at=now + ttl,
                        )
                    )
            except IntegrityError:
                return False  # another process created it first: it holds it
            return True

    def release(self, name: str, owner: str) -> bool:
        t = job_leases
        now = self._clock()
        with self._engine.begin() as conn:
            # The row stays (who held it last, and when): expired, so anyone may take it.
            freed = conn.execute(
                update(t)
                .where(t.c.name == name, t.c.owner == owner)
                .values(expires_at=now, renewed_at=now)
            )
        return bool(freed.rowcount == 1)
