"""Signing keys: made, stored (private half encrypted when a secret is configured) and read.

Why encryption is optional: the private halves live in the store, which backups, `db copy`
and the DBA see. With ``oauth.key_encryption_secret`` set they are PKCS#8 PEM encrypted with
it (cryptography's best available scheme), so a copy of the store alone cannot mint tokens;
without it they are plain PEM (an embedded hub's store is a file next to the process that
could read any secret anyway). Either way nothing ever shows them: no endpoint, log or CLI
output reads this column, and the JWKS is built from the separate public JWK.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt import PyJWK
from jwt.algorithms import get_default_algorithms

from crossdock.hub.oauth import SigningKey

#: What the hub signs with; verification of its tokens accepts exactly the key's algorithm.
SIGNING_ALGORITHMS = frozenset({"RS256", "ES256", "EdDSA"})


#: The private keys the hub signs with.
PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey


class KeyUnreadable(Exception):
    """A stored private key cannot be loaded: encrypted without (or with another) secret."""


def _generate(algorithm: str) -> PrivateKey:
    if algorithm == "RS256":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if algorithm == "ES256":
        return ec.generate_private_key(ec.SECP256R1())
    if algorithm == "EdDSA":
        return ed25519.Ed25519PrivateKey.generate()
    raise ValueError(f"cannot sign with {algorithm!r}; use one of {sorted(SIGNING_ALGORITHMS)}")


def new_signing_key(algorithm: str, now: float, secret: bytes | None) -> SigningKey:
    """A fresh key pair with a random `kid`, the private half encrypted with `secret`."""
    private = _generate(algorithm)
    public: Any = private.public_key()
    jwk: dict[str, Any] = get_default_algorithms()[algorithm].to_jwk(public, as_dict=True)
    kid = secrets.token_urlsafe(12)
    jwk.update(kid=kid, alg=algorithm, use="sig")
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(secret) if secret else serialization.NoEncryption()
    )
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    return SigningKey(
        kid=kid,
        algorithm=algorithm,
        public_jwk=json.dumps(jwk, sort_keys=True),
        private_key=pem.decode("ascii"),
        encrypted=secret is not None,
        created_at=now,
    )


def private_key_of(key: SigningKey, secret: bytes | None) -> PrivateKey:
    """The private half, decrypted; `KeyUnreadable` says why it cannot be (never the key)."""
    if key.encrypted and not secret:
        raise KeyUnreadable(
            f"signing key {key.kid} is encrypted and oauth.key_encryption_secret is not set"
        )
    try:
        private = serialization.load_pem_private_key(
            key.private_key.encode("ascii"), password=secret if key.encrypted else None
        )
    except (ValueError, TypeError) as exc:
        raise KeyUnreadable(
            f"signing key {key.kid} cannot be decrypted with oauth.key_encryption_secret"
        ) from exc
    if not isinstance(
        private, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
    ):
        raise KeyUnreadable(f"signing key {key.kid} is of a type the hub does not sign with")
    return private


def public_jwk_of(key: SigningKey) -> dict[str, Any]:
    """The JWKS entry of a key (public parameters, kid, alg, use)."""
    jwk: dict[str, Any] = json.loads(key.public_jwk)
    return jwk


def verifier_of(key: SigningKey) -> PyJWK:
    """The parsed public key, bound to the key's one algorithm."""
    return PyJWK(public_jwk_of(key), algorithm=key.algorithm)
