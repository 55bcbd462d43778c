"""The bench's credential: every hub it starts has authentication on, as in production.

One admin key per bench run (`CROSSDOCK_ADMIN_KEY` in every process the bench starts, so
processes sharing a store agree on it); the load generators send it as
``Authorization: Bearer …`` (``BENCH_AUTHORIZATION`` in their environment), the bare FastAPI
baseline receives the same header and ignores it, so both sides parse the same bytes.
"""

from __future__ import annotations

import functools

from crossdock.hub.credentials import new_key


@functools.cache
def bench_key() -> str:
    return new_key()


def authorization() -> str:
    return f"Bearer {bench_key()}"


def auth_headers() -> dict[str, str]:
    return {"Authorization": authorization()}


def auth_env() -> dict[str, str]:
    """For every process the bench starts: hubs read the first, load generators the second."""
    return {"CROSSDOCK_ADMIN_KEY": bench_key(), "BENCH_AUTHORIZATION": authorization()}
