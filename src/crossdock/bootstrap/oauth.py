"""Wiring of OAuth2: the signing keyring on the store, the token issuer, the authenticators.

`OAuthServices.authenticators` is what the auth middleware tries after API keys: the hub's
own access tokens (when ``oauth.enabled``) and an external provider's (``oauth.external_idp``).
Clients are API keys; until the key store is wired in, `NoClients` refuses every client.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Engine

from crossdock.adapters.oauth.external import ExternalTokenAuthenticator, JwksCache
from crossdock.adapters.oauth.keyring import Keyring, KeyringPolicy
from crossdock.adapters.oauth.keys import KeyUnreadable
from crossdock.adapters.oauth.tokens import AccessTokenAuthenticator, TokenIssuer, TokenPolicy
from crossdock.adapters.sql.signing_keys import SqlSigningKeyStore
from crossdock.config import Settings
from crossdock.config.oauth import OAuthConfig
from crossdock.hub.audit import AuditLog, RefusalCounter
from crossdock.hub.identity import PartnerRole, Principal
from crossdock.hub.oauth import ClientVerifier

log = logging.getLogger(__name__)

__all__ = [
    "Authenticator",
    "BearerJwt",
    "KeyUnreadable",
    "NoClients",
    "OAuthServices",
    "build_oauth",
    "keyring_for",
    "record_credential_event",
    "refuse_client",
]


class Authenticator(Protocol):
    """What the auth middleware calls with a bearer credential."""

    def authenticate(self, token: str) -> Principal | None: ...


class NoClients:
    """A `ClientVerifier` that knows no client (no key store wired): every request for a
    token is `invalid_client`."""

    def verify(self, client_id: str, secret: str) -> Principal | None:
        return None


class BearerJwt:
    """The auth middleware's authenticator for JWT bearer tokens: the hub's own access
    tokens, then the external provider's. It judges every JWT-shaped token (API keys,
    ``cdk_…``, are the key authenticator's); verification is synchronous and fast (a cached
    token: microseconds), so it runs on the event loop without a thread hop."""

    def __init__(self, verifiers: Sequence[Authenticator]) -> None:
        self.verifiers = tuple(verifiers)

    @staticmethod
    def claims(token: str) -> bool:
        return token.startswith("eyJ") and token.count(".") == 2

    async def authenticate(self, token: str) -> Principal | None:
        for verifier in self.verifiers:
            principal = verifier.authenticate(token)
            if principal is not None:
                return principal
        return None


@dataclass(slots=True)
class OAuthServices:
    config: OAuthConfig
    keyring: Keyring
    issuer: TokenIssuer | None
    clients: ClientVerifier
    authenticators: list[Authenticator] = field(default_factory=list)

    @property
    def bearer(self) -> BearerJwt | None:
        """What the auth middleware tries after API keys (None: no token is accepted)."""
        return BearerJwt(self.authenticators) if self.authenticators else None


def keyring_for(
    settings: Settings, engine: Engine, clock: Callable[[], float] = time.time
) -> Keyring:
    """The signing keyring on the store (also what `crossdock oauth` uses)."""
    config = settings.oauth
    secret = config.key_encryption_secret
    policy = KeyringPolicy(
        algorithm=config.signing_algorithm,
        token_seconds=config.access_token_seconds,
        cache_seconds=config.key_cache_seconds,
        leeway_seconds=config.leeway_seconds,
        secret=secret.get_secret_value().encode() if secret is not None else None,
    )
    return Keyring(SqlSigningKeyStore(engine), policy, clock)


def build_oauth(
    settings: Settings,
    engine: Engine,
    clients: ClientVerifier | None = None,
    *,
    role_of: Callable[[str], PartnerRole | None] = lambda _partner: None,
    clock: Callable[[], float] = time.time,
) -> OAuthServices:
    """The issuer and the authenticators the settings ask for."""
    config = settings.oauth
    keyring = keyring_for(settings, engine, clock)
    policy = TokenPolicy(
        issuer=config.issuer,
        audience=config.audience,
        seconds=config.access_token_seconds,
        leeway_seconds=config.leeway_seconds,
    )
    authenticators: list[Authenticator] = []
    issuer = None
    if config.enabled:
        issuer = TokenIssuer(keyring, policy, clock)
        authenticators.append(AccessTokenAuthenticator(keyring, policy, clock))
    idp = config.external_idp
    if idp is not None:
        jwks = JwksCache(
            idp.jwks_url,
            cache_seconds=idp.jwks_cache_seconds,
            min_refresh_seconds=idp.jwks_min_refresh_seconds,
            timeout=idp.jwks_timeout_seconds,
        )
        authenticators.append(ExternalTokenAuthenticator(idp, jwks, role_of=role_of, clock=clock))
    return OAuthServices(config, keyring, issuer, clients or NoClients(), authenticators)


#: Audit log actions of OAuth credential events (refusals: `CREDENTIAL_REFUSED`, folded).
TOKEN_ISSUED = "oauth.token.issued"
SIGNING_KEY_ROTATED = "oauth.signing-key.rotated"
#: The reason a refused token request is counted under (`RefusalCounter` buckets).
TOKEN_REFUSED = "oauth.invalid_client"


def record_credential_event(
    audit: AuditLog | None,
    actor: str,
    action: str,
    target: str,
    source: str | None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """The one place an OAuth credential event that succeeded (a token issued, a signing key
    rotated) goes to the audit log, right after it happened. Refused token requests are
    not written one by one (an outsider causes them at will): `refuse_client` counts them.

    Args:
        audit: The hub's audit log (None: an app built without authentication).
        actor: Who: the client's principal subject, or the CLI's user.
        action: `TOKEN_ISSUED` or `SIGNING_KEY_ROTATED`.
        target: ``key:<client id>`` or ``signing-key:<kid>``; never a secret.
        source: Where the request came from (client address); None from the CLI.
        detail: What else helps (jti and scope); never a token.
    """
    if audit is None:
        log.info("audit action=%s target=%s from=%s (no audit log)", action, target, source)
        return
    audit.record(actor, action, target, "ok", source, detail)


def refuse_client(refusals: RefusalCounter | None, claimed: str | None, source: str | None) -> bool:
    """Count a refused token request (bad client id or secret) into the audit log's folded
    refusal rows, per minute, per source and claimed client id, bounded like refused bearer
    credentials are. Returns whether the window is over (the middleware flushes it)."""
    if refusals is None:
        return False
    return refusals.refused(TOKEN_REFUSED, source, claimed[:64] if claimed else None)
