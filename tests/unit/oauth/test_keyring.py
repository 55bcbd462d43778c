"""Signing keys: rotation with overlap, other processes picking up a new key, private keys
encrypted at rest and never published."""

from __future__ import annotations

import pytest

from crossdock.adapters.oauth.keyring import Keyring, KeyringPolicy
from crossdock.adapters.oauth.keys import KeyUnreadable
from crossdock.adapters.oauth.tokens import TokenRejected
from tests.unit.oauth.fakes import Clock, InMemorySigningKeyStore
from tests.unit.oauth.test_tokens import Hub


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store() -> InMemorySigningKeyStore:
    return InMemorySigningKeyStore()


def test_the_first_token_makes_the_first_key(store: InMemorySigningKeyStore, clock: Clock) -> None:
    hub = Hub(store, clock)
    assert store.rows == []
    hub.token()
    [key] = store.rows
    assert [k["kid"] for k in hub.keyring.jwks()["keys"]] == [key.kid]


def test_the_jwks_makes_the_first_key_too(store: InMemorySigningKeyStore, clock: Clock) -> None:
    hub = Hub(store, clock)
    [published] = hub.keyring.jwks()["keys"]
    assert [k.kid for k in store.rows] == [published["kid"]]
    assert jwt_kid(hub.token()) == published["kid"]


def test_a_rotated_out_key_verifies_until_its_tokens_expired_then_leaves_the_jwks(
    store: InMemorySigningKeyStore, clock: Clock
) -> None:
    hub = Hub(store, clock)
    old_token = hub.token()
    old_kid = store.rows[0].kid
    new = hub.keyring.rotate()
    assert hub.keyring.signing_key()[0].kid == new.kid
    assert [k["kid"] for k in hub.keyring.jwks()["keys"]] == [new.kid, old_kid]
    # the overlap: token lifetime + key cache + leeway (300 + 30 + 30)
    assert hub.keyring.policy.overlap == 360
    clock.advance(300 + 29)
    assert hub.verifier.authenticate(old_token) is not None
    new_token = hub.token()
    clock.advance(31)  # the old key retired: its last tokens expired (with leeway) by now
    assert [k["kid"] for k in hub.keyring.jwks()["keys"]] == [new.kid]
    assert hub.reason(old_token) in ("the token has expired", "unknown or retired signing key")
    assert hub.verifier.authenticate(new_token) is not None
    hub.keyring.rotate()  # the next rotation purges keys retired before it
    assert old_kid not in {k.kid for k in store.rows}


def test_a_retired_key_no_longer_verifies_even_a_token_it_signed_late(
    store: InMemorySigningKeyStore, clock: Clock
) -> None:
    """A token minted with the old key (by a stale process or a thief of the old key) is
    worthless once the key retired, whatever its own `exp` says."""
    hub = Hub(store, clock)
    hub.token()
    old = store.rows[0]
    hub.keyring.rotate()
    clock.advance(hub.keyring.policy.overlap)
    stale = Hub(store, clock)  # a process whose keys say nothing of retirement yet
    stale.keyring._keys, stale.keyring._read_at = [old], clock.now
    late = stale.sign(
        {
            "iss": "https://hub.example",
            "aud": "urn:crossdock:api",
            "sub": "x",
            "iat": clock.now,
            "exp": clock.now + 300,
            "jti": "j",
            "client_id": "k1",
            "kind": "operator",
            "scope": "admin",
        }
    )
    assert hub.reason(late) == "unknown or retired signing key"


def test_another_process_verifies_a_new_keys_tokens_at_once_and_signs_with_it_within_the_cache_bound(
    store: InMemorySigningKeyStore, clock: Clock
) -> None:
    first, second = Hub(store, clock), Hub(store, clock)
    first.token()
    second.token()  # both read the one key
    new = first.keyring.rotate()
    token = first.token()
    assert jwt_kid(token) == new.kid
    assert second.verifier.authenticate(token) is not None  # unknown kid: re-read at once
    clock.advance(second.keyring.policy.cache_seconds)
    assert jwt_kid(second.token()) == new.kid


def test_made_up_kids_cost_at_most_one_store_read_a_second(
    store: InMemorySigningKeyStore, clock: Clock
) -> None:
    hub = Hub(store, clock)
    claims = {
        "iss": "https://hub.example",
        "aud": "urn:crossdock:api",
        "sub": "x",
        "iat": clock.now,
        "exp": clock.now + 300,
        "jti": "j",
        "client_id": "k1",
        "kind": "operator",
        "scope": "admin",
    }
    forged = [hub.sign(claims, kid=f"made-up-{n}") for n in range(200)]
    clock.advance(1)
    reads = store.reads
    for token in forged:
        with pytest.raises(TokenRejected):
            hub.verifier.verify(token)
    assert store.reads - reads == 1


def test_private_keys_are_encrypted_with_the_secret_and_never_published(
    store: InMemorySigningKeyStore, clock: Clock
) -> None:
    policy = KeyringPolicy(algorithm="ES256", secret=b"correct horse battery staple")
    keyring = Keyring(store, policy, clock)
    keyring.signing_key()
    [key] = store.rows
    assert key.encrypted and "BEGIN ENCRYPTED PRIVATE KEY" in key.private_key
    [published] = keyring.jwks()["keys"]
    assert set(published) == {"kty", "crv", "x", "y", "kid", "alg", "use"}  # no "d"
    for secret in (None, b"wrong"):
        other = Keyring(store, KeyringPolicy(algorithm="ES256", secret=secret), clock)
        with pytest.raises(KeyUnreadable, match=key.kid) as caught:
            other.signing_key()
        assert "PRIVATE KEY" not in str(caught.value)


def test_without_a_secret_keys_are_plain_pem_but_still_never_published(
    store: InMemorySigningKeyStore, clock: Clock
) -> None:
    keyring = Keyring(store, KeyringPolicy(algorithm="RS256"), clock)
    keyring.signing_key()
    [key] = store.rows
    assert not key.encrypted and "BEGIN PRIVATE KEY" in key.private_key
    [published] = keyring.jwks()["keys"]
    assert set(published) == {"kty", "n", "e", "kid", "alg", "use", "key_ops"}  # no d, p, q


def jwt_kid(token: str) -> str:
    import jwt

    return str(jwt.get_unverified_header(token)["kid"])
