"""Wiring authentication: the key store on the hub's store, the first operator key from the
environment, and the paths whose requests authenticate by their own signature."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from crossdock.adapters.sql.api_keys import SqlApiKeys
from crossdock.config import Settings
from crossdock.hub.key_auth import KeyAuthenticator
from crossdock.hub.keys import KeyService


@dataclass(frozen=True, slots=True)
class Authentication:
    keys: KeyService
    authenticator: KeyAuthenticator
    signed_paths: frozenset[str]


def key_service(engine: Engine) -> KeyService:
    """The key use cases on a store (the CLI's, with the hub stopped, too)."""
    return KeyService(SqlApiKeys(engine))


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
    authenticator = KeyAuthenticator(
        keys.keys,
        cache_seconds=settings.auth.key_cache_seconds,
        last_used_seconds=settings.auth.last_used_seconds,
    )
    return Authentication(keys, authenticator, signed_paths(settings))
