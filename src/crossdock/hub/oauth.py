"""OAuth2 client credentials (RFC 6749 §4.4): who may have a token, with which scopes.

The grant is pure: the entrypoint hands over the form fields and the HTTP Basic credentials,
a `ClientVerifier` proves the client (clients are API keys: client_id = the key id,
client_secret = the whole key), and the answer is the principal and the scopes the token
carries, or an `OAuthError` with the RFC 6749 §5.2 error code. How the token is signed, and
where signing keys live, is the adapters' business (`SigningKeyStore` is their port).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from crossdock.hub.credentials import ApiKeys, matches, parse_key
from crossdock.hub.identity import Principal

CLIENT_CREDENTIALS = "client_credentials"


class ClientVerifier(Protocol):
    """Proves an OAuth client: the principal of the API key `secret`, when it is the live
    key whose id is `client_id`; None otherwise (unknown, revoked, wrong secret)."""

    def verify(self, client_id: str, secret: str) -> Principal | None: ...


class KeyClients:
    """The `ClientVerifier` over the API key store: client_id is the key id, client_secret
    the whole key, which must be that key's, live (not revoked, not expired)."""

    def __init__(self, keys: ApiKeys, clock: Callable[[], float] = time.time) -> None:
        self._keys = keys
        self._clock = clock

    def verify(self, client_id: str, secret: str) -> Principal | None:
        parsed = parse_key(secret)
        if parsed is None or parsed.key_id != client_id:
            return None
        key = self._keys.get(client_id)
        # the digest is compared whatever the record says, as the key authenticator does
        salt, stored = (key.salt, key.digest) if key else (b"\0" * 16, b"\0" * 32)
        good = matches(salt, stored, parsed.secret)
        if key is None or not good or not key.usable(self._clock()):
            return None
        return key.principal()


class OAuthError(Exception):
    """An RFC 6749 §5.2 error: `error` is the code, `status` the HTTP status (401 for
    `invalid_client` when the client tried to authenticate, 400 otherwise)."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


@dataclass(frozen=True, slots=True)
class Grant:
    """What a token is issued for: the client's principal and the scopes granted."""

    principal: Principal
    client_id: str
    scopes: frozenset[str]


def _single(form: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = form.get(name, ())
    if len(values) > 1:  # RFC 6749 §3.1: parameters MUST NOT be included more than once
        raise OAuthError("invalid_request", f"the parameter {name!r} is repeated")
    return values[0] if values else None


def client_credentials(
    form: Mapping[str, Sequence[str]],
    basic: tuple[str, str] | None,
    verifier: ClientVerifier,
) -> Grant:
    """Decide a token request.

    Args:
        form: The decoded ``application/x-www-form-urlencoded`` body, every value per name.
        basic: ``(client_id, client_secret)`` from an ``Authorization: Basic`` header.
        verifier: Proves the client.

    Raises:
        OAuthError: ``unsupported_grant_type``, ``invalid_request`` (missing or repeated
            parameters, two ways of authenticating at once), ``invalid_client`` (no or wrong
            credentials: status 401), ``invalid_scope`` (a scope the client does not hold).
    """
    grant_type = _single(form, "grant_type")
    if grant_type is None:
        raise OAuthError("invalid_request", "grant_type is missing")
    if grant_type != CLIENT_CREDENTIALS:
        raise OAuthError("unsupported_grant_type", f"only {CLIENT_CREDENTIALS!r} is supported here")
    form_id, form_secret = _single(form, "client_id"), _single(form, "client_secret")
    if basic is not None and (form_id is not None or form_secret is not None):
        # RFC 6749 §2.3: a client MUST NOT use more than one authentication method per request
        raise OAuthError("invalid_request", "authenticate with Basic or with form fields, not both")
    client_id, secret = basic if basic is not None else (form_id, form_secret)
    if not client_id or not secret:
        raise OAuthError("invalid_client", "client authentication is missing", status=401)
    principal = verifier.verify(client_id, secret)
    if principal is None:
        raise OAuthError("invalid_client", "client authentication failed", status=401)
    requested = _single(form, "scope")
    return Grant(principal, client_id, narrowed(principal.scopes, requested))


def narrowed(held: frozenset[str], requested: str | None) -> frozenset[str]:
    """The scopes of the token: all the client holds when none is requested (RFC 6749 §3.3
    lets the server choose a default), else exactly the requested ones, all of which the
    client must hold (asking for more is an error, never silently trimmed)."""
    if requested is None:
        return held
    asked = frozenset(requested.split())
    if not asked:
        raise OAuthError("invalid_scope", "scope is empty")
    extra = sorted(asked - held)
    if extra:
        raise OAuthError("invalid_scope", f"the client does not hold {' '.join(extra)}")
    return asked


@dataclass(frozen=True, slots=True)
class SigningKey:
    """One signing key as the store keeps it.

    Attributes:
        kid: Its public id (the JWT header's ``kid``, the JWKS entry's).
        algorithm: The one JWS algorithm it signs with (``RS256``, ``ES256``, ``EdDSA``).
        public_jwk: Its public half as a JWK (JSON text), what the JWKS publishes.
        private_key: Its private half, PKCS#8 PEM, encrypted when a key-encryption secret
            is configured (`encrypted`); never leaves the adapters that sign.
        created_at: When it became the current key (epoch seconds); the newest is current.
        retire_after: When it stops verifying and leaves the JWKS (None: not yet rotated
            out): rotation sets it to the rotation time plus the longest a token it signed
            can live.
    """

    kid: str
    algorithm: str
    public_jwk: str
    private_key: str
    encrypted: bool
    created_at: float
    retire_after: float | None = None

    def live(self, now: float) -> bool:
        return self.retire_after is None or self.retire_after > now


class SigningKeyStore(Protocol):
    """Where signing keys live, shared by every process on the same store."""

    def signing_keys(self) -> list[SigningKey]:
        """Every key not yet deleted, newest first."""
        ...

    def rotate(self, new: SigningKey, retire_after: float) -> None:
        """Add `new` as the current key and set `retire_after` on every key that has none,
        in one transaction."""
        ...

    def purge(self, before: float) -> int:
        """Delete keys retired by `before` (`retire_after <= before`); how many went."""
        ...
