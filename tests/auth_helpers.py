"""Credentials for tests: every hub a test talks to over HTTP requires them.

A hub process (`tests.integration.hubproc.HubProcess`) gets a fresh admin key in its
environment (``CROSSDOCK_ADMIN_KEY``); an in-process hub gets an operator key issued straight
into its store (`operator_headers`)."""

from __future__ import annotations

from typing import Any

from crossdock.bootstrap.auth import key_service
from crossdock.hub.credentials import Client, new_key, parse_key


def secret_of(token: str) -> str:
    """The secret part of a key (it may itself contain ``_``), for "never logged" checks."""
    parsed = parse_key(token)
    assert parsed is not None, "not a well-formed key"
    return parsed.secret


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


#: The admin key of every hub process this test run starts: one per run, so that processes
#: sharing a store (PostgreSQL) do not revoke each other's environment key.
ADMIN_KEY = new_key()
ADMIN_HEADERS = {"Authorization": f"Bearer {ADMIN_KEY}"}


def admin_key() -> str:
    return ADMIN_KEY


def operator_headers(
    hub: Any, name: str = "tests", scopes: list[str] | None = None
) -> dict[str, str]:
    """Headers of an operator key (every scope unless `scopes`) issued into `hub`'s store."""
    issued = key_service(hub.store.engine).issue(Client("operator", name), scopes)
    return bearer(issued.token)


def key_headers(hub: Any, client: Client, scopes: list[str]) -> dict[str, str]:
    """Headers of a key for any client (a partner, a system, a carrier) in `hub`'s store."""
    return bearer(key_service(hub.store.engine).issue(client, scopes).token)
