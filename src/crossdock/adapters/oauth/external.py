"""An external identity provider's access tokens: its JWKS fetched, cached, never per request.

The keys are fetched with httpx on first use and again when they are older than
``jwks_cache_seconds``, or when a token names a `kid` not among them (the provider rotated),
but never more than once per ``jwks_min_refresh_seconds``: a flood of tokens with made-up
`kid`s costs one fetch per interval, not one per request. A failed fetch keeps the keys
already known (logged), so an outage of the provider does not reject tokens it signed before.
The fetch blocks the calling request (bounded by ``jwks_timeout_seconds``); it is that rare.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import jwt
from jwt import PyJWK

from crossdock.adapters.oauth.tokens import TokenRejected, check_times, unverified_header
from crossdock.adapters.oauth.verified import VerifiedTokens
from crossdock.config.oauth import ExternalIdpConfig
from crossdock.hub.identity import PartnerRole, Principal

log = logging.getLogger(__name__)
MAX_JWKS_BYTES = 1 << 20


class JwksCache:
    """The provider's public keys by `kid`, refreshed on age or an unknown `kid`."""

    def __init__(
        self,
        url: str,
        *,
        cache_seconds: float,
        min_refresh_seconds: float,
        timeout: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self._cache_seconds = cache_seconds
        self._min_refresh = min_refresh_seconds
        self._timeout = timeout
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: dict[str, tuple[PyJWK, str | None]] = {}
        self._fetched_at = float("-inf")  # last good fetch
        self._tried_at = float("-inf")  # last attempt, good or not
        self.fetches = 0
        self.background: threading.Thread | None = None  # the last background refresh

    def key(self, kid: str) -> tuple[PyJWK, str | None] | None:
        """The key named `kid` and the algorithm its JWK declares (None: not declared).

        An unknown `kid` fetches now (the caller waits: its token cannot be checked
        otherwise); keys that are merely old are refetched in a background thread while the
        known ones keep answering, so a slow or down provider does not stall requests."""
        now = self._clock()
        due = now - self._tried_at >= self._min_refresh
        if due and kid not in self._keys:
            with self._lock:
                if now - self._tried_at >= self._min_refresh:
                    self._fetch(now)
        elif due and now - self._fetched_at >= self._cache_seconds:
            with self._lock:
                if now - self._tried_at < self._min_refresh:
                    return self._keys.get(kid)
                self._tried_at = now  # claimed: one background fetch at a time
            self.background = threading.Thread(
                target=self._fetch, args=(now,), daemon=True, name="jwks-refresh"
            )
            self.background.start()
        return self._keys.get(kid)

    def _download(self) -> bytes:
        return _download_capped(self.url, self._timeout)

    def knows(self, kid: str) -> bool:
        """Whether `kid` is among the keys last fetched (no fetch)."""
        return kid in self._keys

    def _fetch(self, now: float) -> None:
        self._tried_at = now
        self.fetches += 1
        try:
            keys = _usable_keys(json.loads(self._download()))
        except (httpx.HTTPError, ValueError) as exc:
            log.warning(
                "JWKS fetch from %s failed, keeping %d known keys: %s",
                self.url,
                len(self._keys),
                exc,
            )
            return
        self._keys = keys
        self._fetched_at = now


def _download_capped(url: str, timeout: float) -> bytes:
    """The body at `url`, refused past `MAX_JWKS_BYTES` without reading the rest."""
    body = bytearray()
    with httpx.stream("GET", url, timeout=timeout, follow_redirects=False) as response:
        response.raise_for_status()
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > MAX_JWKS_BYTES:
                raise ValueError(f"the JWKS is larger than {MAX_JWKS_BYTES} bytes")
    return bytes(body)


def _usable_keys(document: Any) -> dict[str, tuple[PyJWK, str | None]]:
    """The signing keys of a JWK Set by `kid`: symmetric (``oct``) keys, encryption keys,
    keys without a `kid` and keys of unknown types are left out."""
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise ValueError("the JWKS has no 'keys' list")
    keys: dict[str, tuple[PyJWK, str | None]] = {}
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str):
            continue
        if entry.get("kty") == "oct" or entry.get("use", "sig") != "sig":
            continue
        try:
            keys[entry["kid"]] = (PyJWK(entry), entry.get("alg"))
        except jwt.PyJWTError:
            continue
    return keys


class ExternalTokenAuthenticator:
    """Verifies an external provider's tokens and maps their caller to a partner."""

    def __init__(
        self,
        config: ExternalIdpConfig,
        jwks: JwksCache,
        *,
        role_of: Callable[[str], PartnerRole | None] = lambda _partner: None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._config = config
        self._jwks = jwks
        self._algorithms = frozenset(config.algorithms)
        self._allowed_scopes = frozenset(config.allowed_scopes)
        self._role_of = role_of
        self._clock = clock
        self._verified = VerifiedTokens()

    @property
    def jwks(self) -> JwksCache:
        return self._jwks

    def authenticate(self, token: str) -> Principal | None:
        try:
            return self.verify(token)
        except TokenRejected:
            return None

    def verify(self, token: str) -> Principal:
        config = self._config
        now = self._clock()
        known = self._verified.get(token, now, self._jwks.knows)
        if known is not None:
            return known
        header = unverified_header(token)
        alg = header.get("alg")
        if alg not in self._algorithms:
            raise TokenRejected(f"alg {alg!r} is not accepted")
        if (
            config.required_typ
            and str(header.get("typ", "")).lower() != config.required_typ.lower()
        ):
            raise TokenRejected(f"typ is not {config.required_typ}")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise TokenRejected("the token names no signing key (kid)")
        found = self._jwks.key(kid)
        if found is None:
            raise TokenRejected("unknown signing key")
        key, declared = found
        if declared is not None and declared != alg:
            raise TokenRejected(f"alg {alg!r} is not the key's {declared}")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=[alg],
                audience=config.audience,
                issuer=config.issuer,
                options={
                    "require": ["exp", "iss", "aud"],
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                },
            )
        except (jwt.PyJWTError, TypeError, ValueError) as exc:
            raise TokenRejected(str(exc)) from None
        check_times(claims, now, config.leeway_seconds)
        principal = self._principal(claims)
        self._verified.put(token, principal, claims["exp"] + config.leeway_seconds, kid)
        return principal

    def _principal(self, claims: dict[str, Any]) -> Principal:
        caller = claims.get(self._config.partner_claim)
        if not isinstance(caller, str):
            raise TokenRejected(f"claim {self._config.partner_claim!r} is missing")
        partner = self._config.partners.get(caller)
        if partner is None:
            raise TokenRejected(f"{caller!r} is mapped to no partner")
        raw = claims.get(self._config.scope_claim, "")
        scopes = raw.split() if isinstance(raw, str) else raw if isinstance(raw, list) else []
        return Principal(
            subject=f"partner:{partner}",
            kind="partner",
            scopes=frozenset(s for s in scopes if isinstance(s, str)) & self._allowed_scopes,
            partner=partner,
            partner_role=self._role_of(partner),
            credential_id=f"{self._config.issuer}#{caller}",
            via="external-idp",
        )
