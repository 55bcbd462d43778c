"""Token buckets in the store (the hub's `BucketStore`), atomic across processes.

One lease is one short transaction: read the row under a write lock, refill and take in
Python with the hub's pure `throttle.take`, write it back. The lock is ``SELECT ... FOR
UPDATE`` on PostgreSQL (concurrent leases of one bucket queue on the row) and the
``BEGIN IMMEDIATE`` every SQLite write transaction starts with (one writer at a time), so no
two processes ever take the same tokens. A bucket never leased before is INSERTed in a
savepoint; losing that race to another process (unique violation) means its row now exists:
the take runs again, against it. Callers lease a batch of tokens per transaction
(`hub.throttle_lease`), so this runs a few times a second per busy client, not per request.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from crossdock.adapters.sql.throttle_tables import throttle_buckets
from crossdock.hub.throttle import Bucket, BucketKey, Grant, Policy, take


class SqlBucketStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def take(self, key: BucketKey, policy: Policy, want: int, now: float) -> Grant:
        for _ in range(2):
            with self._engine.begin() as conn:
                grant = self._take(conn, key, policy, want, now)
            if grant is not None:
                return grant
        raise RuntimeError(f"bucket {key} could neither be read nor created")

    @staticmethod
    def _take(
        conn: Connection, key: BucketKey, policy: Policy, want: int, now: float
    ) -> Grant | None:
        t = throttle_buckets
        where = (t.c.client == key.client, t.c.product == key.product)
        row = conn.execute(
            select(t.c.tokens, t.c.updated_at).where(*where).with_for_update()
        ).first()
        stored = None if row is None else Bucket(row.tokens, row.updated_at)
        bucket, grant = take(stored, policy, want, now)
        values = {"tokens": bucket.tokens, "updated_at": bucket.updated_at}
        if row is not None:
            conn.execute(update(t).where(*where).values(**values))
            return grant
        try:
            with conn.begin_nested():
                conn.execute(insert(t).values(client=key.client, product=key.product, **values))
        except IntegrityError:
            return None  # another process created it meanwhile: take from that row
        return grant
