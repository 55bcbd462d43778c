"""Wiring authentication: the key store on the hub's store, the first operator key from the
environment, and the paths whose requests authenticate by their own signature."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from crossdock.adapters.sql.api_keys import SqlApiKeys
from crossdock.adapters.sql.audit_log import SqlAuditLog
from crossdock.config import Settings
from crossdock.hub.audit import KEY_FIRST_USED, RefusalCounter
from crossdock.hub.credentials import ApiKey
from crossdock.hub.key_auth import KeyAuthenticator
from crossdock.hub.keys import KeyService


@dataclass(frozen=True, slots=True)
class Authentication:
    keys: KeyService
    authenticator: KeyAuthenticator
    signed_paths: frozenset[str]
    audit: SqlAuditLog
    refusals: RefusalCounter


def key_service(engine: Engine) -> KeyService:
    """The key use cases on a store, audited (the CLI's, with the hub stopped, too)."""
    return KeyService(SqlApiKeys(engine), audit=SqlAuditLog(engine))


def signed_paths(settings: Settings) -> frozenset[str]:
    """Webhook paths whose route verifies an HMAC signature: the signature authenticates."""
    carriers = {f"/v1/webhooks/carriers/{n}" for n, c in settings.carriers.items() if c.signature}
    systems = {f"/v1/inbound/{n}" for n, c in settings.systems.items() if c.signature}
    return frozenset(carriers | systems)


def build_authentication(settings: Settings, engine: Engine) -> Authentication:
    """Everything the middleware needs; registers ``auth.admin_key`` (``CROSSDOCK_ADMIN_KEY``)
    as an operator key first, so the first operator has a credential.

    Raises:
        BadKey: the admin key is not a crossdock key.
    """
    keys = key_service(engine)
    admin = settings.auth.admin_key
    if admin is not None:
        keys.register_env_admin_key(admin.get_secret_value())
    audit = SqlAuditLog(engine)

    def first_used(used: list[ApiKey]) -> None:
        for key in used:
            audit.record(key.client.subject, KEY_FIRST_USED, f"key:{key.key_id}")

    authenticator = KeyAuthenticator(
        keys.keys,
        cache_seconds=settings.auth.key_cache_seconds,
        last_used_seconds=settings.auth.last_used_seconds,
        on_first_use=first_used,
    )
    return Authentication(keys, authenticator, signed_paths(settings), audit, RefusalCounter(audit))
