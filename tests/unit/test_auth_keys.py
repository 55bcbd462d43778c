"""The API-key authenticator: secrets checked on every request, records trusted from memory
for `cache_seconds` only (the revocation bound), last use written at most once a period and
never on the request path. On a real SQLite store; time is injected."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from crossdock.adapters.sql.api_keys import SqlApiKeys
from crossdock.adapters.sqlite.engine import sqlite_url
from crossdock.bootstrap.store import make_engine
from crossdock.hub.credentials import ApiKey, Client, new_key, parse_key
from crossdock.hub.identity import PURCHASE_ORDERS_READ
from crossdock.hub.key_auth import KeyAuthenticator
from crossdock.hub.keys import KeyService

NOW = 1_765_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


class CountingKeys(SqlApiKeys):
    """The real store, counting reads and writes."""

    reads = 0
    touches: list[dict[str, float]]

    def get(self, key_id: str) -> ApiKey | None:
        self.reads += 1
        return super().get(key_id)

    def touch(self, used: dict[str, float]) -> list[str]:
        self.touches.append(dict(used))
        return super().touch(used)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[CountingKeys]:
    engine = make_engine(sqlite_url(tmp_path))
    keys = CountingKeys(engine)
    keys.touches = []
    yield keys
    engine.dispose()


def service(store: CountingKeys, clock: Clock) -> KeyService:
    return KeyService(store, clock)


SUPPLIER = Client("partner", "acme", "supplier")


async def test_a_key_resolves_to_its_clients_principal(store: CountingKeys, clock: Clock) -> None:
    issued = service(store, clock).issue(SUPPLIER, [PURCHASE_ORDERS_READ])
    auth = KeyAuthenticator(store, clock=clock)
    principal = await auth.authenticate(issued.token)
    assert principal is not None
    assert (principal.subject, principal.kind, principal.partner, principal.partner_role) == (
        "partner:acme", "partner", "acme", "supplier",
    )  # fmt: skip
    assert principal.scopes == {PURCHASE_ORDERS_READ}
    assert principal.credential_id == issued.key.key_id and principal.via == "api-key"


async def test_forged_unknown_and_malformed_keys_prove_nothing(
    store: CountingKeys, clock: Clock
) -> None:
    issued = service(store, clock).issue(SUPPLIER, [PURCHASE_ORDERS_READ])
    parsed = parse_key(issued.token)
    assert parsed is not None
    auth = KeyAuthenticator(store, clock=clock)
    forged = f"cdk_{parsed.key_id}_{'A' * len(parsed.secret)}"
    assert await auth.authenticate(forged) is None
    assert await auth.authenticate(new_key()) is None  # unknown key id
    for junk in ("", "cdk_", "cdk_short_x", issued.token + "\n", "Bearer " + issued.token):
        assert await auth.authenticate(junk) is None
    assert await auth.authenticate(issued.token) is not None


async def test_revocation_elsewhere_takes_effect_within_the_cache_period(
    store: CountingKeys, clock: Clock
) -> None:
    """The bound: a key revoked by another process (here: straight in the store) works for at
    most `cache_seconds` more on a process that had it in memory."""
    issued = service(store, clock).issue(SUPPLIER, [PURCHASE_ORDERS_READ])
    auth = KeyAuthenticator(store, cache_seconds=5, clock=clock)
    assert await auth.authenticate(issued.token) is not None
    service(store, clock).revoke(issued.key.key_id)
    reads = store.reads
    clock.now += 4.9
    assert await auth.authenticate(issued.token) is not None  # still trusted from memory
    assert store.reads == reads  # and no store read for it
    clock.now += 0.2  # past 5 s
    assert await auth.authenticate(issued.token) is None
    assert store.reads == reads + 1


async def test_revocation_through_this_process_is_immediate(
    store: CountingKeys, clock: Clock
) -> None:
    issued = service(store, clock).issue(SUPPLIER, [PURCHASE_ORDERS_READ])
    auth = KeyAuthenticator(store, cache_seconds=5, clock=clock)
    assert await auth.authenticate(issued.token) is not None
    service(store, clock).revoke(issued.key.key_id)
    auth.forget(issued.key.key_id)
    assert await auth.authenticate(issued.token) is None


async def test_expiry_is_checked_on_every_request(store: CountingKeys, clock: Clock) -> None:
    old = service(store, clock).issue(SUPPLIER, [PURCHASE_ORDERS_READ])
    auth = KeyAuthenticator(store, cache_seconds=60, clock=clock)
    assert await auth.authenticate(old.token) is not None
    new, _ = service(store, clock).rotate(old.key.key_id, overlap=30)
    clock.now += 29
    assert await auth.authenticate(old.token) is not None  # the overlap: both work
    assert await auth.authenticate(new.token) is not None
    clock.now += 61  # the cached record (without the expiry) aged out: reloaded, lapsed
    assert await auth.authenticate(old.token) is None
    assert await auth.authenticate(new.token) is not None


async def test_a_flood_of_requests_costs_one_read_and_one_last_used_write_per_period(
    store: CountingKeys, clock: Clock
) -> None:
    issued = service(store, clock).issue(SUPPLIER, [PURCHASE_ORDERS_READ])
    first_use: list[list[str]] = []
    auth = KeyAuthenticator(
        store,
        cache_seconds=5,
        last_used_seconds=60,
        clock=clock,
        on_first_use=lambda keys: first_use.append([k.key_id for k in keys]),
    )
    results = await asyncio.gather(*(auth.authenticate(issued.token) for _ in range(200)))
    assert all(results)
    assert store.reads == 1  # concurrent misses share one read
    await auth.drain()
    assert store.touches == [{issued.key.key_id: NOW}]
    assert first_use == [[issued.key.key_id]]
    for step in range(50):  # 50 s of traffic: within the minute, nothing more is written
        clock.now = NOW + step
        assert await auth.authenticate(issued.token) is not None
    await auth.drain()
    assert len(store.touches) == 1
    clock.now = NOW + 61
    assert await auth.authenticate(issued.token) is not None
    await auth.drain()
    assert store.touches[-1] == {issued.key.key_id: NOW + 61} and len(store.touches) == 2
    assert first_use == [[issued.key.key_id]]  # first use recorded once
    found = store.get(issued.key.key_id)
    assert found is not None and (found.first_used_at, found.last_used_at) == (NOW, NOW + 61)


async def test_unknown_key_ids_are_remembered_too(store: CountingKeys, clock: Clock) -> None:
    auth = KeyAuthenticator(store, cache_seconds=5, clock=clock)
    token = new_key()
    for _ in range(20):
        assert await auth.authenticate(token) is None
    assert store.reads == 1


async def test_secrets_are_compared_in_constant_time_whatever_the_key(
    store: CountingKeys, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every verification goes through `hmac.compare_digest`, for a known key, a forged
    secret and an unknown key id alike (a dummy digest), so timing tells nothing apart."""
    import hmac

    from crossdock.hub import credentials

    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(credentials.hmac, "compare_digest", spy)
    issued = service(store, clock).issue(SUPPLIER, [PURCHASE_ORDERS_READ])
    auth = KeyAuthenticator(store, clock=clock)
    forged = issued.token[:-4] + "AAAA"
    for token in (issued.token, forged, new_key()):
        await auth.authenticate(token)
    assert len(compared) == 3
    assert all(len(a) == len(b) == 32 for a, b in compared)
