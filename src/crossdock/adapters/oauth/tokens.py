"""The hub's access tokens: RFC 9068 JWTs, issued for a grant and verified on every request.

Verification takes nothing from the token on trust: the `kid` picks one of the hub's live
keys, and the only algorithm accepted is that key's own (so ``alg: none`` and an HMAC
"signed" with the public key, the RS/HS confusion, fail before any signature is computed);
then the signature, ``typ: at+jwt``, `iss`, `aud`, and `exp` / `nbf` / `iat` against the
injected clock with a small leeway. A token stays valid until its `exp` even if its client's
key is revoked meanwhile: access tokens are short (``oauth.access_token_seconds``, 5 minutes
by default) and checking the key on every request would cost a store read per request.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast, get_args

import jwt

from crossdock.adapters.oauth.keyring import Keyring
from crossdock.adapters.oauth.verified import VerifiedTokens
from crossdock.hub.identity import PartnerRole, Principal, PrincipalKind
from crossdock.hub.oauth import Grant

AT_JWT = "at+jwt"
_TYP = frozenset({AT_JWT, "application/at+jwt"})
#: Larger bearer tokens are not ours (ours are under 1 KB): refused unparsed.
MAX_TOKEN_BYTES = 8192
_KINDS = frozenset(get_args(PrincipalKind)) - {"anonymous"}
_ROLES = frozenset(get_args(PartnerRole))


class TokenRejected(Exception):
    """Why a bearer token proves nothing (for tests and debug logs; callers answer 401)."""


@dataclass(frozen=True, slots=True)
class IssuedToken:
    access_token: str
    expires_in: int
    scope: str
    jti: str

    def response(self) -> dict[str, Any]:
        """The RFC 6749 §5.1 body."""
        return {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "scope": self.scope,
        }


@dataclass(frozen=True, slots=True)
class TokenPolicy:
    issuer: str
    audience: str
    seconds: int = 300
    leeway_seconds: int = 30


class TokenIssuer:
    """Signs access tokens with the keyring's current key."""

    def __init__(
        self, keyring: Keyring, policy: TokenPolicy, clock: Callable[[], float] = time.time
    ) -> None:
        self._keyring = keyring
        self._policy = policy
        self._clock = clock

    def issue(self, grant: Grant) -> IssuedToken:
        key, private = self._keyring.signing_key()
        now = int(self._clock())
        principal = grant.principal
        scope = " ".join(sorted(grant.scopes))
        jti = secrets.token_urlsafe(16)
        claims: dict[str, Any] = {
            "iss": self._policy.issuer,
            "sub": principal.subject,
            "aud": self._policy.audience,
            "iat": now,
            "nbf": now,
            "exp": now + self._policy.seconds,
            "jti": jti,
            "client_id": grant.client_id,
            "scope": scope,
            "kind": principal.kind,
        }
        if principal.partner is not None:
            claims["partner"] = principal.partner
        if principal.partner_role is not None:
            claims["partner_role"] = principal.partner_role
        token = jwt.encode(
            claims, private, algorithm=key.algorithm, headers={"typ": AT_JWT, "kid": key.kid}
        )
        return IssuedToken(token, self._policy.seconds, scope, jti)


def check_times(claims: Mapping[str, Any], now: float, leeway: float) -> None:
    """`exp` (required), `nbf` and `iat` (when present) against `now`, with `leeway`."""
    exp, nbf, iat = claims.get("exp"), claims.get("nbf"), claims.get("iat")
    if not isinstance(exp, int | float) or isinstance(exp, bool):
        raise TokenRejected("exp is missing or not a number")
    if now - leeway >= exp:
        raise TokenRejected("the token has expired")
    for name, value in (("nbf", nbf), ("iat", iat)):
        if value is None:
            continue
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise TokenRejected(f"{name} is not a number")
        if value > now + leeway:
            raise TokenRejected(f"the token is not valid yet ({name} is in the future)")


def unverified_header(token: str) -> dict[str, Any]:
    """The JOSE header, parsed but not trusted; `TokenRejected` for what is not a JWS."""
    if len(token) > MAX_TOKEN_BYTES or token.count(".") != 2:
        raise TokenRejected("not a JWT")
    # Only the header segment, with the standard library: PyJWT's own helper decodes and
    # checks every segment, which `jwt.decode` does again (half the cost of a verification).
    segment = token[: token.index(".")]
    try:
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, binascii.Error):
        raise TokenRejected("not a JWT: the header is not base64url JSON") from None
    if not isinstance(header, dict):
        raise TokenRejected("not a JWT: the header is not a JSON object")
    return header


class AccessTokenAuthenticator:
    """Verifies the hub's own access tokens (an authenticator for the auth middleware)."""

    def __init__(
        self, keyring: Keyring, policy: TokenPolicy, clock: Callable[[], float] = time.time
    ) -> None:
        self._keyring = keyring
        self._policy = policy
        self._clock = clock
        self._verified = VerifiedTokens()

    def authenticate(self, token: str) -> Principal | None:
        """The token's principal, or None when it proves nothing."""
        try:
            return self.verify(token)
        except TokenRejected:
            return None

    def verify(self, token: str) -> Principal:
        """The token's principal; `TokenRejected` says why not."""
        now = self._clock()
        known = self._verified.get(token, now, self._live)
        if known is not None:
            return known
        header = unverified_header(token)
        if str(header.get("typ", "")).lower() not in _TYP:
            raise TokenRejected("typ is not at+jwt")
        kid = header.get("kid")
        found = self._keyring.verifier(kid) if isinstance(kid, str) else None
        if found is None:
            raise TokenRejected("unknown or retired signing key")
        key, public = found
        if header.get("alg") != key.algorithm:
            raise TokenRejected(f"alg {header.get('alg')!r} is not the key's {key.algorithm}")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                public.key,
                algorithms=[key.algorithm],
                audience=self._policy.audience,
                issuer=self._policy.issuer,
                options={
                    "require": ["exp", "iat", "iss", "aud", "sub", "jti", "client_id"],
                    "verify_exp": False,  # checked below on the injected clock
                    "verify_nbf": False,
                    "verify_iat": False,
                },
            )
        except (jwt.PyJWTError, TypeError, ValueError) as exc:  # odd claim types too
            raise TokenRejected(str(exc)) from None
        check_times(claims, now, self._policy.leeway_seconds)
        principal = principal_of_claims(claims)
        self._verified.put(token, principal, claims["exp"] + self._policy.leeway_seconds, key.kid)
        return principal

    def _live(self, kid: str) -> bool:
        return self._keyring.verifier(kid) is not None


def principal_of_claims(claims: Mapping[str, Any]) -> Principal:
    """The principal a verified hub token names."""
    kind, role = claims.get("kind"), claims.get("partner_role")
    scope, partner, sub = claims.get("scope", ""), claims.get("partner"), claims["sub"]
    if not isinstance(kind, str) or kind not in _KINDS:
        raise TokenRejected(f"unknown kind {kind!r}")
    if role is not None and (not isinstance(role, str) or role not in _ROLES):
        raise TokenRejected(f"unknown partner_role {role!r}")
    if not isinstance(scope, str) or not isinstance(sub, str):
        raise TokenRejected("scope and sub must be strings")
    return Principal(
        subject=sub,
        kind=cast(PrincipalKind, kind),
        scopes=frozenset(scope.split()),
        partner=partner if isinstance(partner, str) else None,
        partner_role=cast(PartnerRole | None, role),
        credential_id=str(claims["client_id"]),
        via="oauth",
    )
