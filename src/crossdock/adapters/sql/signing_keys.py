"""Signing keys on SQL (the hub's `SigningKeyStore`), shared by every process on the store.

Rotation is one transaction: the new key is inserted and every key still without a
retirement time gets one. Two processes creating the first key at once both succeed; the
older of the two is retired like any rotated key, so no token either signed goes bad.
"""

from __future__ import annotations

from sqlalchemy import Engine, delete, insert, select, update

from crossdock.adapters.sql.oauth_tables import oauth_signing_keys as t
from crossdock.hub.oauth import SigningKey


class SqlSigningKeyStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def signing_keys(self) -> list[SigningKey]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(t).order_by(t.c.created_at.desc(), t.c.kid.desc()))
            return [
                SigningKey(
                    kid=r.kid,
                    algorithm=r.algorithm,
                    public_jwk=r.public_jwk,
                    private_key=r.private_key,
                    encrypted=bool(r.encrypted),
                    created_at=r.created_at,
                    retire_after=r.retire_after,
                )
                for r in rows
            ]

    def rotate(self, new: SigningKey, retire_after: float) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                update(t)
                .where(t.c.retire_after.is_(None), t.c.kid != new.kid)
                .values(retire_after=retire_after)
            )
            conn.execute(
                insert(t).values(
                    kid=new.kid,
                    algorithm=new.algorithm,
                    public_jwk=new.public_jwk,
                    private_key=new.private_key,
                    encrypted=new.encrypted,
                    created_at=new.created_at,
                    retire_after=new.retire_after,
                )
            )

    def purge(self, before: float) -> int:
        with self._engine.begin() as conn:
            gone = conn.execute(delete(t).where(t.c.retire_after <= before))
            return gone.rowcount or 0
