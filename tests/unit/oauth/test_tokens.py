"""The hub's access tokens: RFC 9068 claims, and every way a bearer token must fail.

Each attack is built so that only the check under test stands in its way (a correct key,
correct claims, correct times otherwise), and the reason it is refused is asserted, so a
test cannot pass because some other check happened to refuse the token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from crossdock.adapters.oauth.keyring import Keyring, KeyringPolicy
from crossdock.adapters.oauth.keys import _generate
from crossdock.adapters.oauth.tokens import (
    AccessTokenAuthenticator,
    TokenIssuer,
    TokenPolicy,
    TokenRejected,
)
from crossdock.adapters.oauth.verified import VerifiedTokens
from crossdock.hub.identity import INVENTORY_READ
from crossdock.hub.oauth import Grant
from tests.unit.oauth.fakes import ACME, Clock, FakeClients, InMemorySigningKeyStore

POLICY = TokenPolicy(issuer="https://hub.example", audience="urn:crossdock:api", seconds=300)


class Hub:
    """One process's issuer and verifier on a shared key store."""

    def __init__(self, store: InMemorySigningKeyStore, clock: Clock, algorithm: str = "RS256"):
        self.keyring = Keyring(store, KeyringPolicy(algorithm=algorithm), clock)
        self.issuer = TokenIssuer(self.keyring, POLICY, clock)
        self.verifier = AccessTokenAuthenticator(self.keyring, POLICY, clock)

    def token(self, grant: Grant | None = None) -> str:
        return self.issuer.issue(grant or Grant(ACME, "k1", ACME.scopes)).access_token

    def sign(self, claims: dict[str, Any], **header: Any) -> str:
        """A token signed by the hub's real current key, with exactly these claims."""
        key, private = self.keyring.signing_key()
        headers = {"typ": "at+jwt", "kid": key.kid, **header}
        # PyJWS, not jwt.encode: the claims go out exactly as given, odd types included
        payload = json.dumps(claims).encode()
        return jwt.PyJWS().encode(payload, private, algorithm=key.algorithm, headers=headers)

    def reason(self, token: str) -> str:
        with pytest.raises(TokenRejected) as caught:
            self.verifier.verify(token)
        assert self.verifier.authenticate(token) is None
        return str(caught.value)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store() -> InMemorySigningKeyStore:
    return InMemorySigningKeyStore()


@pytest.fixture(params=["RS256", "ES256", "EdDSA"])
def hub(request: pytest.FixtureRequest, store: InMemorySigningKeyStore, clock: Clock) -> Hub:
    return Hub(store, clock, request.param)


def _claims(hub: Hub, clock: Clock) -> dict[str, Any]:
    return dict(jwt.decode(hub.token(), options={"verify_signature": False}))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(header: dict[str, Any], claims: dict[str, Any]) -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"


def test_a_token_carries_the_rfc_9068_claims_and_gives_back_the_principal(
    hub: Hub, clock: Clock
) -> None:
    token = hub.token()
    header = jwt.get_unverified_header(token)
    assert header["typ"] == "at+jwt" and header["alg"] == hub.keyring.policy.algorithm
    claims = _claims(hub, clock)
    assert {"iss", "sub", "aud", "exp", "iat", "jti", "client_id", "scope"} <= set(claims)
    assert claims["exp"] - claims["iat"] == 300 and claims["client_id"] == "k1"
    principal = hub.verifier.authenticate(token)
    assert principal is not None
    assert principal.subject == ACME.subject and principal.partner == "acme"
    assert principal.scopes == ACME.scopes and principal.partner_role == "supplier"
    assert (principal.via, principal.credential_id, principal.kind) == ("oauth", "k1", "partner")


def test_a_narrowed_grant_gives_a_narrowed_principal(hub: Hub) -> None:
    token = hub.token(Grant(ACME, "k1", frozenset({INVENTORY_READ})))
    principal = hub.verifier.authenticate(token)
    assert principal is not None and principal.scopes == {INVENTORY_READ}


@pytest.mark.parametrize("token", ["", "cdk_k1_secret", "a.b", "a.b.c", "x" * 9000])
def test_what_is_no_jwt_proves_nothing(hub: Hub, token: str) -> None:
    assert "not a JWT" in hub.reason(token)


def test_an_expired_token_fails_after_the_leeway(hub: Hub, clock: Clock) -> None:
    token = hub.token()
    clock.advance(300 + 29)
    assert hub.verifier.authenticate(token) is not None  # within the 30 s leeway
    clock.advance(1)
    assert hub.reason(token) == "the token has expired"


def test_a_token_not_yet_valid_fails(hub: Hub, clock: Clock) -> None:
    claims = _claims(hub, clock)
    early = hub.sign({**claims, "nbf": clock.now + 120})
    assert "not valid yet" in hub.reason(early)
    future = hub.sign({**claims, "iat": clock.now + 120, "nbf": clock.now})
    assert "not valid yet" in hub.reason(future)
    assert hub.verifier.authenticate(hub.sign({**claims, "nbf": clock.now + 20})) is not None


def test_a_changed_payload_breaks_the_signature(hub: Hub, clock: Clock) -> None:
    head, _payload, signature = hub.token().split(".")
    claims = {**_claims(hub, clock), "scope": "admin operations"}
    forged = f"{head}.{_b64(json.dumps(claims).encode())}.{signature}"
    assert "Signature verification failed" in hub.reason(forged)


def test_a_token_signed_by_another_key_under_our_kid_fails(hub: Hub, clock: Clock) -> None:
    key, _ = hub.keyring.signing_key()
    other = _generate(key.algorithm)
    forged = jwt.encode(
        _claims(hub, clock),
        other,
        algorithm=key.algorithm,
        headers={"typ": "at+jwt", "kid": key.kid},
    )
    assert "Signature verification failed" in hub.reason(forged)


def test_an_unknown_kid_fails(hub: Hub, clock: Clock) -> None:
    assert hub.reason(hub.sign(_claims(hub, clock), kid="not-ours")) == (
        "unknown or retired signing key"
    )


def test_alg_none_is_refused(hub: Hub, clock: Clock) -> None:
    key, _ = hub.keyring.signing_key()
    for alg in ("none", "None", "NONE"):
        token = _unsigned({"alg": alg, "typ": "at+jwt", "kid": key.kid}, _claims(hub, clock)) + "."
        assert f"alg {alg!r} is not the key's" in hub.reason(token)


def test_hs256_signed_with_the_public_key_is_refused(
    store: InMemorySigningKeyStore, clock: Clock
) -> None:
    """The RS/HS confusion: a verifier that takes `alg` from the token would check an HMAC
    keyed with the public key, which anyone can compute from the JWKS."""
    hub = Hub(store, clock, "RS256")
    key, private = hub.keyring.signing_key()
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    for secret in (public_pem, key.public_jwk.encode()):
        signing_input = _unsigned(
            {"alg": "HS256", "typ": "at+jwt", "kid": key.kid}, _claims(hub, clock)
        )
        mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
        assert "alg 'HS256' is not the key's RS256" in hub.reason(f"{signing_input}.{_b64(mac)}")


def test_another_asymmetric_alg_than_the_keys_is_refused(
    store: InMemorySigningKeyStore, clock: Clock
) -> None:
    hub = Hub(store, clock, "RS256")
    key, _ = hub.keyring.signing_key()
    token = jwt.encode(
        _claims(hub, clock),
        ec.generate_private_key(ec.SECP256R1()),
        algorithm="ES256",
        headers={"typ": "at+jwt", "kid": key.kid},
    )
    assert "alg 'ES256' is not the key's RS256" in hub.reason(token)


@pytest.mark.parametrize(
    ("policy", "reason"),
    [
        (TokenPolicy(issuer="https://evil.example", audience=POLICY.audience), "Invalid issuer"),
        (TokenPolicy(issuer=POLICY.issuer, audience="urn:other:api"), "Audience doesn't match"),
    ],
)
def test_a_token_for_another_issuer_or_audience_fails(
    hub: Hub, clock: Clock, policy: TokenPolicy, reason: str
) -> None:
    token = TokenIssuer(hub.keyring, policy, clock).issue(Grant(ACME, "k1", ACME.scopes))
    assert reason in hub.reason(token.access_token)


def test_typ_must_be_at_jwt(hub: Hub, clock: Clock) -> None:
    """RFC 9068 §4: an ID token or another JWT signed by the same key is not an access token."""
    assert hub.reason(hub.sign(_claims(hub, clock), typ="JWT")) == "typ is not at+jwt"
    assert hub.verifier.authenticate(hub.sign(_claims(hub, clock), typ="application/at+jwt"))


@pytest.mark.parametrize("claim", ["exp", "iat", "iss", "aud", "sub", "jti", "client_id"])
def test_a_required_claim_missing_fails(hub: Hub, clock: Clock, claim: str) -> None:
    claims = _claims(hub, clock)
    del claims[claim]
    assert f'missing the "{claim}" claim' in hub.reason(hub.sign(claims))


def test_a_revoked_clients_token_works_until_it_expires_and_no_longer(
    hub: Hub, clock: Clock
) -> None:
    """Decision (docs/oauth.md): revocation stops new tokens at once; a token already issued
    stays valid until its `exp`, at most `oauth.access_token_seconds` (+ leeway) later."""
    clients = FakeClients()
    clients.add("k1", ACME)
    token = hub.token()
    clients.revoke("k1")
    clock.advance(299)
    assert hub.verifier.authenticate(token) is not None
    clock.advance(31)
    assert hub.reason(token) == "the token has expired"


def test_a_token_seen_before_skips_the_signature_but_not_its_expiry_or_its_key(
    store: InMemorySigningKeyStore, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fast path: a client's repeated token is verified once; the cached answer still
    ends at `exp` (+ leeway) and when its signing key retires."""
    hub = Hub(store, clock)
    decoded: list[str] = []
    real = jwt.decode
    monkeypatch.setattr(jwt, "decode", lambda t, *a, **k: decoded.append(t) or real(t, *a, **k))
    token = hub.token()
    for _ in range(3):
        assert hub.verifier.authenticate(token) is not None
    assert decoded == [token]
    clock.advance(330)
    assert hub.reason(token) == "the token has expired"
    fresh = hub.token()
    assert hub.verifier.authenticate(fresh) is not None
    hub.keyring.rotate()
    clock.advance(hub.keyring.policy.overlap)
    assert hub.reason(fresh) == "unknown or retired signing key"


def test_the_cache_of_verified_tokens_is_bounded() -> None:
    cache = VerifiedTokens(size=3)
    for n in range(10):
        cache.put(f"t{n}", ACME, 100.0, "k")
    assert [cache.get(f"t{n}", 0.0, lambda _k: True) for n in range(10)] == [None] * 7 + [ACME] * 3


@pytest.mark.parametrize(
    "odd",
    [
        {"kind": ["operator"]},
        {"partner_role": {"a": 1}},
        {"scope": 5},
        {"sub": 7},
        {"exp": "soon"},
        {"exp": True},
        {"nbf": [1]},
        {"aud": 5},
        {"iss": ["https://hub.example"]},
        {"client_id": None},
    ],
    ids=repr,
)
def test_claims_of_odd_types_are_refused_never_a_crash(
    store: InMemorySigningKeyStore, clock: Clock, odd: dict[str, Any]
) -> None:
    """Signed by the hub's own key (a bug elsewhere, or a leaked key), still no 500."""
    hub = Hub(store, clock)
    claims = {**_claims(hub, clock), **odd}
    assert hub.reason(hub.sign(claims))
