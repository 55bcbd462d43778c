"""What verifying one OAuth2 access token costs, per signing algorithm: the first time a
token is seen (signature, claims) and again (the verified-token cache). Also the raw PyJWT
decode of the same token, as the floor. ``python -m bench.oauth_verify``.
"""

from __future__ import annotations

import dataclasses
import json
import time

import jwt

from bench.machine import machine_info
from crossdock.adapters.oauth.keyring import Keyring, KeyringPolicy
from crossdock.adapters.oauth.tokens import AccessTokenAuthenticator, TokenIssuer, TokenPolicy
from crossdock.hub.identity import INVENTORY_READ, Principal
from crossdock.hub.oauth import Grant, SigningKey

TOKENS = 2000
POLICY = TokenPolicy(issuer="urn:crossdock:hub", audience="urn:crossdock:api")
PARTNER = Principal(
    "partner:acme", "partner", frozenset({INVENTORY_READ}), "acme", "supplier", via="api-key"
)


class _Keys:
    """An in-memory `SigningKeyStore` (the store is not what is measured)."""

    def __init__(self) -> None:
        self.rows: list[SigningKey] = []

    def signing_keys(self) -> list[SigningKey]:
        return sorted(self.rows, key=lambda k: k.created_at, reverse=True)

    def rotate(self, new: SigningKey, retire_after: float) -> None:
        self.rows = [dataclasses.replace(k, retire_after=retire_after) for k in self.rows]
        self.rows.append(new)

    def purge(self, before: float) -> int:
        return 0


def measure(algorithm: str) -> dict[str, float]:
    keyring = Keyring(_Keys(), KeyringPolicy(algorithm=algorithm))
    issuer = TokenIssuer(keyring, POLICY)
    tokens = [
        issuer.issue(Grant(PARTNER, f"k{n}", PARTNER.scopes)).access_token for n in range(TOKENS)
    ]
    verifier = AccessTokenAuthenticator(keyring, POLICY)
    started = time.perf_counter()
    for token in tokens:
        assert verifier.authenticate(token) is not None
    first = time.perf_counter() - started
    started = time.perf_counter()
    for token in tokens:
        verifier.authenticate(token)
    again = time.perf_counter() - started
    _key, private = keyring.signing_key()
    public = private.public_key()
    started = time.perf_counter()
    for token in tokens:
        jwt.decode(token, public, algorithms=[algorithm], audience=POLICY.audience)
    raw = time.perf_counter() - started
    return {
        "first_sight_us": round(first / TOKENS * 1e6, 1),
        "cached_us": round(again / TOKENS * 1e6, 1),
        "pyjwt_decode_us": round(raw / TOKENS * 1e6, 1),
        "token_bytes": len(tokens[0]),
    }


def main() -> None:
    report = {alg: measure(alg) for alg in ("RS256", "ES256", "EdDSA")}
    print(json.dumps({"oauth_verify": report, "machine": machine_info()}, indent=2))


if __name__ == "__main__":
    main()
