"""The admin API: API keys and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from crossdock.entrypoints.api.models.common import Model
from crossdock.hub.credentials import Origin
from crossdock.hub.identity import PartnerRole


class KeyClient(Model):
    """Who a key authenticates."""

    kind: Literal["operator", "partner", "system", "carrier"]
    name: str
    role: PartnerRole | None = Field(description="a partner's role; null for other clients")


class ApiKeyView(Model):
    """A stored key as listings show it: never its secret."""

    key_id: str = Field(description="public: the `<key id>` in `cdk_<key id>_<secret>`")
    client: KeyClient
    scopes: list[str]
    state: Literal["active", "expiring", "expired", "revoked"] = Field(
        description="`expiring`: usable, with an expiry (a rotated key's overlap, or its own)"
    )
    origin: Origin = Field(description="made by `cli`, the admin `api`, or the `env` admin key")
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    first_used_at: datetime | None
    last_used_at: datetime | None = Field(
        description="updated at most every `auth.last_used_seconds`"
    )
    replaces: str | None = Field(description="the key id this key rotated, if any")


class ApiKeyList(Model):
    items: list[ApiKeyView]


class IssuedKey(ApiKeyView):
    """201: a new key; `key` is the only time its secret is shown."""

    key: str = Field(description="the whole key, `cdk_<key id>_<secret>`: store it now")


class RotatedKey(IssuedKey):
    """201: the successor key (shown once) and the old key, now lapsing."""

    old: ApiKeyView


class AuditEntryView(Model):
    """Who did what to what, when, from where, and how it ended."""

    id: int = Field(description="increasing; `cursor` takes the last one seen")
    at: datetime
    actor: str = Field(
        description="`operator:<name>`, `partner:<name>`, `cli:<user>`, `env`, `anonymous`..."
    )
    action: str = Field(description="`key.issued`, `message.replay`, `partner.go_live`, ...")
    target: str = Field(description="`key:<id>`, `message:<id>`, `partner:<name>`, ...")
    outcome: str = Field(description="`ok`, or why not (`refused`, `invalid_token`...)")
    source_ip: str | None = Field(description="the client address; null from the CLI")
    detail: dict[str, Any] = Field(
        description="what else the action recorded (a refusal row: its `count` per window)"
    )


class AuditPage(Model):
    items: list[AuditEntryView] = Field(description="newest first")
    limit: int
    next_cursor: int | None = Field(description="pass as `cursor` for the next page; null: done")
