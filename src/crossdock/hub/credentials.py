"""API keys: their format, how their secret is kept, and the port that stores them.

A key reads ``cdk_<key id>_<secret>``: the ``cdk_`` prefix makes a leaked key recognizable
(secret scanners, logs, a grep), the key id is public (it names the key in listings, the
audit log and OAuth2's ``client_id``), the secret is 32 bytes from `secrets` and is shown
once, when the key is issued. The store keeps only a per-key salt and a keyed BLAKE2b digest
of the secret.

Why not bcrypt/scrypt/argon2: those are slow on purpose, to protect *low-entropy* secrets
(passwords) against guessing once the digests leak. Our secret has 256 bits of entropy, which
no offline search can guess whatever the hash costs; a slow hash would only cap how many
requests a second the hub can authenticate (bcrypt at cost 12 is ~4 verifications a second
per core). A keyed BLAKE2b (the salt as key) costs about a microsecond, so authentication
stays off the intake's budget, and the per-key salt keeps two digests of one secret apart.
Digests are compared with `hmac.compare_digest`, in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal, Protocol, get_args

from crossdock.hub.identity import ALL_SCOPES, PartnerRole, Principal

PREFIX: Final = "cdk_"
KEY_ID_LENGTH: Final = 12
SECRET_BYTES: Final = 32
SALT_BYTES: Final = 16
_ID_ALPHABET: Final = string.ascii_lowercase + string.digits  # no "_": the separator
_KEY_RE: Final = re.compile(r"cdk_([a-z0-9]{12})_([A-Za-z0-9_-]{32,128})")

ClientKind = Literal["operator", "partner", "system", "carrier"]
CLIENT_KINDS: Final[tuple[ClientKind, ...]] = ("operator", "partner", "system", "carrier")
#: How a key came to be: the CLI, the admin API, or `CROSSDOCK_ADMIN_KEY` at start-up.
Origin = Literal["cli", "api", "env"]


class BadKey(ValueError):
    """A request to issue or change a key that cannot be honoured (says why)."""


@dataclass(frozen=True, slots=True)
class ParsedKey:
    key_id: str
    secret: str


def parse_key(token: str) -> ParsedKey | None:
    """The key id and secret of a well-formed key, else None (never raises)."""
    match = _KEY_RE.fullmatch(token)
    if match is None:
        return None
    return ParsedKey(match.group(1), match.group(2))


def new_key_id() -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(KEY_ID_LENGTH))


def new_key(key_id: str | None = None) -> str:
    """A fresh key (``cdk_<id>_<secret>``); nothing is stored."""
    return f"{PREFIX}{key_id or new_key_id()}_{secrets.token_urlsafe(SECRET_BYTES)}"


def digest(salt: bytes, secret: str) -> bytes:
    """The stored form of a secret: BLAKE2b keyed with the key's own salt."""
    return hashlib.blake2b(secret.encode(), key=salt, digest_size=32).digest()


def matches(salt: bytes, stored: bytes, secret: str) -> bool:
    """Whether `secret` is the one `stored` was made from, compared in constant time."""
    return hmac.compare_digest(digest(salt, secret), stored)


@dataclass(frozen=True, slots=True)
class Client:
    """Who a key belongs to: an operator (by name), a partner (logical name and role), or a
    business system / carrier configured on the hub."""

    kind: ClientKind
    name: str
    partner_role: PartnerRole | None = None

    @property
    def subject(self) -> str:
        return f"{self.kind}:{self.name}"


@dataclass(frozen=True, slots=True)
class ApiKey:
    """One stored key (never its secret). Times are epoch seconds."""

    key_id: str
    client: Client
    scopes: frozenset[str]
    salt: bytes
    digest: bytes
    created_at: float
    origin: Origin = "cli"
    label: str = ""
    expires_at: float | None = None
    revoked_at: float | None = None
    first_used_at: float | None = None
    last_used_at: float | None = None
    replaces: str | None = None  # the key this one rotated

    def usable(self, now: float) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)

    def state(self, now: float) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and now >= self.expires_at:
            return "expired"
        return "active" if self.expires_at is None else "expiring"

    def principal(self, *, via: str = "api-key") -> Principal:
        c = self.client
        return Principal(
            subject=c.subject,
            kind=c.kind,
            scopes=self.scopes,
            partner=None if c.kind == "operator" else c.name,
            partner_role=c.partner_role
            if c.kind == "partner"
            else ("carrier" if c.kind == "carrier" else "internal" if c.kind == "system" else None),
            credential_id=self.key_id,
            via=via,
        )


def check_scopes(scopes: Sequence[str]) -> frozenset[str]:
    unknown = sorted(set(scopes) - ALL_SCOPES)
    if unknown:
        raise BadKey(f"unknown scope(s) {unknown}; known: {', '.join(sorted(ALL_SCOPES))}")
    return frozenset(scopes)


def check_client(client: Client) -> Client:
    if client.kind not in CLIENT_KINDS:
        raise BadKey(f"unknown client kind {client.kind!r}; one of {', '.join(CLIENT_KINDS)}")
    if not client.name or len(client.name) > 128 or not client.name.isprintable():
        raise BadKey("a client name is 1 to 128 printable characters")
    roles = get_args(PartnerRole)
    if client.kind == "partner" and client.partner_role not in roles:
        raise BadKey(f"a partner key needs the partner's role: one of {', '.join(roles)}")
    if client.kind != "partner" and client.partner_role is not None:
        raise BadKey("only a partner key has a role")
    return client


class ApiKeys(Protocol):
    """The store of API keys (`adapters.sql.api_keys.SqlApiKeys`)."""

    def add(self, key: ApiKey) -> None:
        """Store a new key. Raises `BadKey` when the key id is taken."""
        ...

    def get(self, key_id: str) -> ApiKey | None: ...

    def list_keys(self, *, client: Client | None = None) -> list[ApiKey]:
        """Every key (or one client's), newest first."""
        ...

    def revoke(self, key_id: str, at: float) -> ApiKey | None:
        """Revoke a key (kept, for the audit trail); None for an unknown key id. Revoking a
        revoked key keeps its first revocation time."""
        ...

    def set_expiry(self, key_id: str, expires_at: float) -> ApiKey | None:
        """Let a key lapse at `expires_at` (earlier than it would have), for rotation."""
        ...

    def replace_secret(self, key_id: str, salt: bytes, digest: bytes, at: float) -> None:
        """Give a key a new secret, clearing its revocation (the env admin key changed its
        secret but kept its key id)."""
        ...

    def touch(self, used: dict[str, float]) -> list[str]:
        """Record last-used times (key id -> epoch seconds) in one transaction, and the first
        use of keys never used before; returns the key ids whose first use this was."""
        ...
