"""Issuing, rotating and revoking API keys: the use cases behind `crossdock keys` and the
admin API, over the `ApiKeys` port. A key's secret exists only in the value these return."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from crossdock.hub.audit import KEY_ISSUED, KEY_REVOKED, KEY_ROTATED, AuditLog
from crossdock.hub.credentials import (
    SALT_BYTES,
    ApiKey,
    ApiKeys,
    BadKey,
    Client,
    Origin,
    check_client,
    check_scopes,
    digest,
    matches,
    new_key,
    parse_key,
)
from crossdock.hub.identity import OPERATOR_SCOPES

#: The operator the environment's admin key belongs to.
ENV_ADMIN = "admin"
ENV_ADMIN_LABEL = "CROSSDOCK_ADMIN_KEY"


@dataclass(frozen=True, slots=True)
class Issued:
    """A key just issued: the stored record and the full key, shown this once."""

    key: ApiKey
    token: str


class KeyService:
    """Every issue, rotation and revocation is written to `audit` (when given) with its actor
    (``operator:alice``, ``cli:<os user>``, ``env``) and source address."""

    def __init__(
        self, keys: ApiKeys, clock: Callable[[], float] = time.time, audit: AuditLog | None = None
    ) -> None:
        self.keys = keys
        self.clock = clock
        self.audit = audit

    def _record(
        self, actor: str, action: str, key: ApiKey, source_ip: str | None, **detail: object
    ) -> None:
        if self.audit is not None:
            self.audit.record(
                actor,
                action,
                f"key:{key.key_id}",
                "ok",
                source_ip,
                {"client": key.client.subject, "scopes": sorted(key.scopes), **detail},
            )

    def issue(
        self,
        client: Client,
        scopes: Sequence[str] | None = None,
        *,
        origin: Origin = "cli",
        label: str = "",
        expires_at: float | None = None,
        replaces: str | None = None,
        token: str | None = None,
        actor: str = "cli",
        source_ip: str | None = None,
    ) -> Issued:
        """A new key for `client`. Operators get every scope unless `scopes` says fewer;
        anyone else gets exactly the scopes asked for (at least one)."""
        check_client(client)
        if scopes is None or not scopes:
            if client.kind != "operator":
                raise BadKey("a key for a partner, system or carrier needs at least one scope")
            granted = frozenset(OPERATOR_SCOPES)
        else:
            granted = check_scopes(scopes)
        token = token or new_key()
        parsed = parse_key(token)
        if parsed is None:
            raise BadKey("not a crossdock key (cdk_<12 characters>_<secret of 32+ characters>)")
        salt = secrets.token_bytes(SALT_BYTES)
        key = ApiKey(
            key_id=parsed.key_id,
            client=client,
            scopes=granted,
            salt=salt,
            digest=digest(salt, parsed.secret),
            created_at=self.clock(),
            origin=origin,
            label=label[:200],
            expires_at=expires_at,
            replaces=replaces,
        )
        self.keys.add(key)
        self._record(actor, KEY_ISSUED, key, source_ip, origin=origin, expires_at=expires_at)
        return Issued(key, token)

    def rotate(
        self,
        key_id: str,
        overlap: float,
        *,
        origin: Origin = "cli",
        actor: str = "cli",
        source_ip: str | None = None,
    ) -> tuple[Issued, ApiKey]:
        """A new key for the same client and scopes; the old one keeps working for `overlap`
        seconds (0: stops now), so callers can switch without an outage."""
        old = self._usable(key_id)
        if overlap < 0:
            raise BadKey("the overlap cannot be negative")
        issued = self.issue(
            old.client,
            sorted(old.scopes),
            origin=origin,
            label=old.label,
            replaces=old.key_id,
            actor=actor,
            source_ip=source_ip,
        )
        until = self.clock() + overlap
        if old.expires_at is not None and old.expires_at < until:
            until = old.expires_at
        lapsed = self.keys.set_expiry(key_id, until)
        assert lapsed is not None
        self._record(
            actor, KEY_ROTATED, lapsed, source_ip, successor=issued.key.key_id, until=until
        )
        return issued, lapsed

    def revoke(self, key_id: str, *, actor: str = "cli", source_ip: str | None = None) -> ApiKey:
        revoked = self.keys.revoke(key_id, self.clock())
        if revoked is None:
            raise BadKey(f"no key {key_id[:40]!r}")
        self._record(actor, KEY_REVOKED, revoked, source_ip)
        return revoked

    def _usable(self, key_id: str) -> ApiKey:
        key = self.keys.get(key_id)
        if key is None:
            raise BadKey(f"no key {key_id[:40]!r}")
        if not key.usable(self.clock()):
            raise BadKey(f"key {key_id} is {key.state(self.clock())}")
        return key

    def register_env_admin_key(self, token: str) -> ApiKey:
        """Make `token` (``CROSSDOCK_ADMIN_KEY``) a working operator key with every scope, at
        start-up. Idempotent; a changed value revokes the previous environment key (or gives
        its key id the new secret), so a leaked admin key is retired by changing the variable.
        """
        parsed = parse_key(token)
        if parsed is None:
            raise BadKey(
                "CROSSDOCK_ADMIN_KEY is not a crossdock key: it reads cdk_<12 lowercase letters "
                "or digits>_<32+ url-safe characters>; `crossdock keys generate` prints one"
            )
        now = self.clock()
        for key in self.keys.list_keys(client=Client("operator", ENV_ADMIN)):
            if key.origin == "env" and key.key_id != parsed.key_id and key.revoked_at is None:
                self.revoke(key.key_id, actor="env", source_ip=None)
        existing = self.keys.get(parsed.key_id)
        if existing is None:
            try:
                return self.issue(
                    Client("operator", ENV_ADMIN),
                    origin="env",
                    label=ENV_ADMIN_LABEL,
                    token=token,
                    actor="env",
                ).key
            except BadKey:  # hub processes starting together: another one registered it
                existing = self.keys.get(parsed.key_id)
                if existing is None:
                    raise
        if existing.origin != "env":
            raise BadKey(f"CROSSDOCK_ADMIN_KEY's key id {parsed.key_id} belongs to another key")
        if matches(existing.salt, existing.digest, parsed.secret) and existing.usable(now):
            return existing
        salt = secrets.token_bytes(SALT_BYTES)
        fresh = digest(salt, parsed.secret)
        self.keys.replace_secret(parsed.key_id, salt, fresh, now)
        updated = replace(existing, salt=salt, digest=fresh, revoked_at=None, expires_at=None)
        self._record("env", KEY_ISSUED, updated, None, origin="env", new_secret=True)
        return updated
