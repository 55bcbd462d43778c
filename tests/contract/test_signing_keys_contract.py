"""`SqlSigningKeyStore` on every backend: rotation in one transaction, newest first, purge;
two processes (engines) on one store share the keys and their rotations."""

from __future__ import annotations

from crossdock.adapters.oauth.keyring import Keyring, KeyringPolicy
from crossdock.adapters.oauth.keys import new_signing_key
from crossdock.adapters.oauth.tokens import AccessTokenAuthenticator, TokenIssuer, TokenPolicy
from crossdock.adapters.sql.signing_keys import SqlSigningKeyStore
from crossdock.hub.oauth import Grant
from tests.contract.backends import ContractStore
from tests.unit.oauth.fakes import ACME

POLICY = TokenPolicy(issuer="urn:test", audience="urn:test:api")


def test_rotation_retires_the_previous_keys_and_the_newest_comes_first(
    store: ContractStore,
) -> None:
    keys = SqlSigningKeyStore(store.engine)
    assert keys.signing_keys() == []
    first = new_signing_key("ES256", 100.0, b"secret")
    keys.rotate(first, retire_after=500.0)
    assert keys.signing_keys() == [first]
    second = new_signing_key("ES256", 200.0, None)
    keys.rotate(second, retire_after=560.0)
    newest, older = keys.signing_keys()
    assert newest == second and older.kid == first.kid and older.retire_after == 560.0
    assert older.encrypted and older.private_key == first.private_key
    assert keys.purge(before=559.0) == 0
    assert keys.purge(before=560.0) == 1
    assert keys.signing_keys() == [second]


def test_two_processes_share_keys_and_a_rotation(store: ContractStore) -> None:
    clock = store.clock
    policy = KeyringPolicy(algorithm="ES256", cache_seconds=30)
    here = Keyring(SqlSigningKeyStore(store.engine), policy, clock)
    there = Keyring(SqlSigningKeyStore(store.open_again().engine), policy, clock)
    token = TokenIssuer(here, POLICY, clock).issue(Grant(ACME, "k1", ACME.scopes)).access_token
    verifier = AccessTokenAuthenticator(there, POLICY, clock)
    assert verifier.authenticate(token) is not None
    there.rotate()
    fresh = TokenIssuer(there, POLICY, clock).issue(Grant(ACME, "k1", ACME.scopes)).access_token
    assert AccessTokenAuthenticator(here, POLICY, clock).authenticate(fresh) is not None
    assert verifier.authenticate(token) is not None  # the old key still verifies
    assert [k["kid"] for k in here.jwks()["keys"]] == [k["kid"] for k in there.jwks()["keys"]]
