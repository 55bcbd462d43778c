"""API keys on SQL (the hub's `ApiKeys`). Each call is its own short transaction, like job
leases: a key belongs to no unit of work, and the CLI uses it with the hub stopped."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Engine, RowMapping, and_, case, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from crossdock.adapters.sql.auth_tables import api_keys
from crossdock.hub.credentials import ApiKey, BadKey, Client, ClientKind, Origin
from crossdock.hub.identity import PartnerRole


def _key(row: RowMapping) -> ApiKey:
    return ApiKey(
        key_id=row["key_id"],
        client=Client(
            cast(ClientKind, row["client_kind"]),
            row["client_name"],
            cast(PartnerRole | None, row["partner_role"]),
        ),
        scopes=frozenset(row["scopes"].split()),
        salt=bytes(row["salt"]),
        digest=bytes(row["digest"]),
        created_at=row["created_at"],
        origin=cast(Origin, row["origin"]),
        label=row["label"],
        expires_at=row["expires_at"],
        revoked_at=row["revoked_at"],
        first_used_at=row["first_used_at"],
        last_used_at=row["last_used_at"],
        replaces=row["replaces"],
    )


class SqlApiKeys:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, key: ApiKey) -> None:
        values: dict[str, Any] = {
            "key_id": key.key_id,
            "client_kind": key.client.kind,
            "client_name": key.client.name,
            "partner_role": key.client.partner_role,
            "scopes": " ".join(sorted(key.scopes)),
            "salt": key.salt,
            "digest": key.digest,
            "origin": key.origin,
            "label": key.label,
            "created_at": key.created_at,
            "expires_at": key.expires_at,
            "revoked_at": key.revoked_at,
            "replaces": key.replaces,
        }
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(api_keys).values(**values))
        except IntegrityError:
            raise BadKey(f"a key with id {key.key_id} exists already") from None

    def get(self, key_id: str) -> ApiKey | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(api_keys).where(api_keys.c.key_id == key_id)).mappings()
            found = row.first()
        return None if found is None else _key(found)

    def list_keys(self, *, client: Client | None = None) -> list[ApiKey]:
        query = select(api_keys).order_by(api_keys.c.created_at.desc(), api_keys.c.key_id)
        if client is not None:
            query = query.where(
                api_keys.c.client_kind == client.kind, api_keys.c.client_name == client.name
            )
        with self._engine.connect() as conn:
            return [_key(row) for row in conn.execute(query).mappings()]

    def revoke(self, key_id: str, at: float) -> ApiKey | None:
        t = api_keys
        with self._engine.begin() as conn:
            conn.execute(
                update(t)
                .where(t.c.key_id == key_id, t.c.revoked_at.is_(None))
                .values(revoked_at=at)
            )
        return self.get(key_id)

    def set_expiry(self, key_id: str, expires_at: float) -> ApiKey | None:
        t = api_keys
        with self._engine.begin() as conn:
            conn.execute(
                update(t)
                .where(
                    t.c.key_id == key_id, or_(t.c.expires_at.is_(None), t.c.expires_at > expires_at)
                )
                .values(expires_at=expires_at)
            )
        return self.get(key_id)

    def replace_secret(self, key_id: str, salt: bytes, digest: bytes, at: float) -> None:
        t = api_keys
        with self._engine.begin() as conn:
            conn.execute(
                update(t)
                .where(t.c.key_id == key_id)
                .values(salt=salt, digest=digest, revoked_at=None, expires_at=None, created_at=at)
            )

    def touch(self, used: dict[str, float]) -> list[str]:
        t = api_keys
        first: list[str] = []
        with self._engine.begin() as conn:
            for key_id, at in sorted(used.items()):  # one order: no deadlock between processes
                never = and_(t.c.key_id == key_id, t.c.first_used_at.is_(None))
                if conn.execute(update(t).where(never).values(first_used_at=at)).rowcount:
                    first.append(key_id)
                conn.execute(
                    update(t)
                    .where(t.c.key_id == key_id)
                    .values(
                        last_used_at=case(
                            (or_(t.c.last_used_at.is_(None), t.c.last_used_at < at), at),
                            else_=t.c.last_used_at,
                        )
                    )
                )
        return first
