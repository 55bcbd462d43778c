"""An external identity provider's tokens: its JWKS served by a real HTTP server on loopback
(started and stopped here), tokens signed by a test key; fetched once, refreshed on an
unknown `kid` at most once per interval, kept through the provider's outage."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from crossdock.adapters.oauth.external import ExternalTokenAuthenticator, JwksCache
from crossdock.adapters.oauth.tokens import TokenRejected
from crossdock.config.oauth import ExternalIdpConfig
from tests.unit.oauth.fakes import Clock

ISSUER = "https://idp.example/realms/partners"
AUDIENCE = "crossdock"


class JwksServer:
    """Serves `self.jwks` at /jwks; counts requests; answers 503 while `down`."""

    def __init__(self) -> None:
        self.jwks: dict[str, Any] = {"keys": []}
        self.requests = 0
        self.down = False
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # http.server's name
                outer.requests += 1
                status, body = (
                    (503, b"{}") if outer.down else (200, json.dumps(outer.jwks).encode())
                )
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/jwks"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def publish(self, kid: str, key: Any, alg: str | None = "RS256") -> None:
        algorithm = RSAAlgorithm if isinstance(key, rsa.RSAPrivateKey) else ECAlgorithm
        jwk: dict[str, Any] = algorithm.to_jwk(key.public_key(), as_dict=True)
        jwk.update(kid=kid, use="sig", **({"alg": alg} if alg else {}))
        self.jwks["keys"].append(jwk)

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@pytest.fixture
def idp() -> Iterator[JwksServer]:
    server = JwksServer()
    yield server
    server.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _verifier(idp: JwksServer, clock: Clock, **config: Any) -> ExternalTokenAuthenticator:
    settings = ExternalIdpConfig(
        issuer=ISSUER,
        audience=AUDIENCE,
        jwks_url=idp.url,
        algorithms=config.pop("algorithms", ["RS256", "ES256"]),
        partner_claim="azp",
        partners={"acme-portal": "acme"},
        **config,
    )
    jwks = JwksCache(
        settings.jwks_url,
        cache_seconds=settings.jwks_cache_seconds,
        min_refresh_seconds=settings.jwks_min_refresh_seconds,
        timeout=2.0,
        clock=clock,
    )
    return ExternalTokenAuthenticator(settings, jwks, role_of=lambda _p: "supplier", clock=clock)


def _token(key: Any, kid: str, clock: Clock, alg: str = "RS256", **claims: Any) -> str:
    body = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "azp": "acme-portal",
        "sub": "svc-acme",
        "iat": int(clock.now),
        "exp": int(clock.now) + 300,
        "scope": "purchase-orders:read inventory:read admin",
        **claims,
    }
    return jwt.encode(body, key, algorithm=alg, headers={"kid": kid})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _reason(verifier: ExternalTokenAuthenticator, token: str) -> str:
    with pytest.raises(TokenRejected) as caught:
        verifier.verify(token)
    return str(caught.value)


@pytest.fixture
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def test_a_providers_token_becomes_the_mapped_partner_with_allowed_scopes_only(
    idp: JwksServer, clock: Clock, rsa_key: rsa.RSAPrivateKey
) -> None:
    idp.publish("k1", rsa_key)
    verifier = _verifier(idp, clock)
    principal = verifier.authenticate(_token(rsa_key, "k1", clock))
    assert principal is not None
    assert (principal.kind, principal.partner, principal.partner_role) == (
        "partner",
        "acme",
        "supplier",
    )
    assert principal.scopes == {"purchase-orders:read", "inventory:read"}  # never admin
    assert principal.via == "external-idp" and principal.subject == "partner:acme"
    for _ in range(50):
        assert verifier.authenticate(_token(rsa_key, "k1", clock)) is not None
    assert idp.requests == 1  # fetched once, never per request


def test_a_list_scope_claim_is_read_too(
    idp: JwksServer, clock: Clock, rsa_key: rsa.RSAPrivateKey
) -> None:
    idp.publish("k1", rsa_key)
    verifier = _verifier(idp, clock, scope_claim="scp")
    principal = verifier.verify(_token(rsa_key, "k1", clock, scp=["shipments:read", "operations"]))
    assert principal.scopes == {"shipments:read"}


def test_the_providers_rotation_is_picked_up_and_made_up_kids_are_rate_limited(
    idp: JwksServer, clock: Clock, rsa_key: rsa.RSAPrivateKey
) -> None:
    idp.publish("k1", rsa_key)
    verifier = _verifier(idp, clock)
    assert verifier.authenticate(_token(rsa_key, "k1", clock)) is not None
    clock.advance(31)
    rotated = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    idp.publish("k2", rotated)
    assert verifier.authenticate(_token(rotated, "k2", clock)) is not None
    assert idp.requests == 2
    for n in range(100):  # a flood of unknown kids within the interval: no fetch
        assert "unknown signing key" in _reason(verifier, _token(rsa_key, f"x{n}", clock))
    assert idp.requests == 2
    clock.advance(30)
    _reason(verifier, _token(rsa_key, "x-again", clock))
    assert idp.requests == 3


def test_keys_are_refetched_when_old_and_kept_while_the_provider_is_down(
    idp: JwksServer, clock: Clock, rsa_key: rsa.RSAPrivateKey
) -> None:
    idp.publish("k1", rsa_key)
    verifier = _verifier(idp, clock)
    assert verifier.authenticate(_token(rsa_key, "k1", clock)) is not None
    idp.down = True
    clock.advance(301)  # stale: refetched in the background, which fails: the keys stay
    assert verifier.authenticate(_token(rsa_key, "k1", clock)) is not None
    assert verifier.jwks.background is not None
    verifier.jwks.background.join(5)
    assert idp.requests == 2
    assert verifier.authenticate(_token(rsa_key, "k1", clock, jti="again")) is not None
    assert idp.requests == 2  # not again before jwks_min_refresh_seconds
    idp.down = False
    rotated = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    idp.jwks = {"keys": []}
    idp.publish("k2", rotated)
    clock.advance(30)
    assert verifier.authenticate(_token(rsa_key, "k1", clock)) is not None  # answered at once
    verifier.jwks.background.join(5)
    assert idp.requests == 3
    assert "unknown signing key" in _reason(verifier, _token(rsa_key, "k1", clock, jti="x"))


def test_a_jwks_larger_than_the_cap_is_refused_unread(idp: JwksServer, clock: Clock) -> None:
    idp.jwks = {"keys": [], "padding": "x" * (2 << 20)}
    verifier = _verifier(idp, clock)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert "unknown signing key" in _reason(verifier, _token(key, "k1", clock))
    assert idp.requests == 1


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"iss": "https://evil.example"}, "Invalid issuer"),
        ({"aud": "someone-else"}, "Audience doesn't match"),
        ({"exp": 1_799_999_000}, "the token has expired"),
        ({"nbf": 1_800_000_100}, "not valid yet"),
        ({"azp": "stranger"}, "mapped to no partner"),
        ({"azp": None}, "claim 'azp' is missing"),
    ],
)
def test_wrong_issuer_audience_times_or_caller_are_refused(
    idp: JwksServer, clock: Clock, rsa_key: rsa.RSAPrivateKey, claims: dict[str, Any], reason: str
) -> None:
    idp.publish("k1", rsa_key)
    token = _token(rsa_key, "k1", clock, **{k: v for k, v in claims.items() if v is not None})
    if claims.get("azp", "") is None:
        body = jwt.decode(token, options={"verify_signature": False})
        del body["azp"]
        token = jwt.encode(body, rsa_key, algorithm="RS256", headers={"kid": "k1"})
    assert reason in _reason(_verifier(idp, clock), token)


def test_alg_none_hs256_and_algorithms_outside_the_list_are_refused(
    idp: JwksServer, clock: Clock, rsa_key: rsa.RSAPrivateKey
) -> None:
    idp.publish("k1", rsa_key)
    verifier = _verifier(idp, clock, algorithms=["RS256"])
    unsigned = jwt.encode({"iss": ISSUER}, None, algorithm="none", headers={"kid": "k1"})
    assert "alg 'none' is not accepted" in _reason(verifier, unsigned)
    public_jwk = json.dumps(idp.jwks["keys"][0]).encode()
    head = _b64(json.dumps({"alg": "HS256", "kid": "k1"}).encode())
    body = _b64(json.dumps({"iss": ISSUER, "aud": AUDIENCE, "azp": "acme-portal"}).encode())
    mac = hmac.new(public_jwk, f"{head}.{body}".encode(), hashlib.sha256).digest()
    hs = f"{head}.{body}.{_b64(mac)}"
    assert "alg 'HS256' is not accepted" in _reason(verifier, hs)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    assert "alg 'ES256' is not accepted" in _reason(verifier, _token(ec_key, "k1", clock, "ES256"))


def test_a_key_declaring_its_alg_refuses_another(idp: JwksServer, clock: Clock) -> None:
    """An EC key published for ES256 cannot verify a token claiming ES384, and an RSA key
    cannot verify a token claiming ES256 even when both algorithms are allowed."""
    ec_key = ec.generate_private_key(ec.SECP256R1())
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    idp.publish("ec", ec_key, "ES256")
    idp.publish("rsa-undeclared", rsa_key, None)
    verifier = _verifier(idp, clock, algorithms=["RS256", "ES256", "ES384"])
    assert verifier.authenticate(_token(ec_key, "ec", clock, "ES256")) is not None
    p384 = ec.generate_private_key(ec.SECP384R1())
    assert "is not the key's ES256" in _reason(verifier, _token(p384, "ec", clock, "ES384"))
    assert verifier.authenticate(_token(rsa_key, "rsa-undeclared", clock)) is not None
    with pytest.raises(TokenRejected):
        verifier.verify(_token(ec_key, "rsa-undeclared", clock, "ES256"))


def test_required_typ(idp: JwksServer, clock: Clock, rsa_key: rsa.RSAPrivateKey) -> None:
    idp.publish("k1", rsa_key)
    verifier = _verifier(idp, clock, required_typ="at+jwt")
    assert "typ is not at+jwt" in _reason(verifier, _token(rsa_key, "k1", clock))
    typed = jwt.encode(
        jwt.decode(_token(rsa_key, "k1", clock), options={"verify_signature": False}),
        rsa_key,
        algorithm="RS256",
        headers={"kid": "k1", "typ": "at+jwt"},
    )
    assert verifier.authenticate(typed) is not None


def test_hostile_jwks_documents_leave_no_usable_key(
    idp: JwksServer, clock: Clock, rsa_key: rsa.RSAPrivateKey
) -> None:
    """A symmetric key slipped into the JWKS is never used: a token HMAC'd with it fails."""
    idp.jwks = {"keys": [{"kty": "oct", "kid": "sym", "k": "c2VjcmV0"}, "junk", {"kid": 3}]}
    verifier = _verifier(idp, clock, algorithms=["RS256"])
    token = jwt.encode(
        {"iss": ISSUER, "aud": AUDIENCE},
        b"a-symmetric-secret-of-32-bytes!!",
        algorithm="HS256",
        headers={"kid": "sym"},
    )
    assert "not accepted" in _reason(verifier, token)
    assert "unknown signing key" in _reason(verifier, _token(rsa_key, "sym", clock))


@pytest.mark.parametrize(
    "odd", [{"azp": ["acme-portal"]}, {"exp": "later"}, {"aud": 5}, {"iss": [ISSUER]}], ids=repr
)
def test_claims_of_odd_types_are_refused_never_a_crash(
    idp: JwksServer, clock: Clock, rsa_key: rsa.RSAPrivateKey, odd: dict[str, Any]
) -> None:
    idp.publish("k1", rsa_key)
    body = {**jwt.decode(_token(rsa_key, "k1", clock), options={"verify_signature": False}), **odd}
    token = jwt.PyJWS().encode(
        json.dumps(body).encode(), rsa_key, algorithm="RS256", headers={"kid": "k1"}
    )
    assert _reason(_verifier(idp, clock), token)


def test_odd_scope_claims_give_no_scopes(
    idp: JwksServer, clock: Clock, rsa_key: rsa.RSAPrivateKey
) -> None:
    idp.publish("k1", rsa_key)
    verifier = _verifier(idp, clock)
    for scope in ({"inventory:read": True}, 5, [5, "inventory:read"]):
        principal = verifier.verify(_token(rsa_key, "k1", clock, scope=scope))
        assert principal.scopes <= {"inventory:read"}
