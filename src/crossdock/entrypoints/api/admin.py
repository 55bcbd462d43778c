"""The admin API (scope `admin`): API keys (create, list, rotate, revoke) and the audit log.

A created or rotated key is in the answer once (``key``); listings never carry a secret. Every
change is audited by the key service with the calling principal as actor; a key revoked or
rotated here stops (or starts lapsing) on this process at once, on the others within
``auth.key_cache_seconds``.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from crossdock.entrypoints.api.guards import ADMINISTERS, source_ip
from crossdock.entrypoints.api.problems import Problem
from crossdock.entrypoints.api.requests import json_response
from crossdock.entrypoints.api.security import principal_of
from crossdock.hub.audit import AuditEntry
from crossdock.hub.credentials import ApiKey, BadKey, Client
from crossdock.hub.identity import PartnerRole

router = APIRouter()


def _when(at: float | None) -> str | None:
    return None if at is None else datetime.fromtimestamp(at, UTC).isoformat()


def key_dict(k: ApiKey, now: float) -> dict[str, Any]:
    return {
        "key_id": k.key_id,
        "client": {"kind": k.client.kind, "name": k.client.name, "role": k.client.partner_role},
        "scopes": sorted(k.scopes),
        "state": k.state(now),
        "origin": k.origin,
        "label": k.label,
        "created_at": _when(k.created_at),
        "expires_at": _when(k.expires_at),
        "revoked_at": _when(k.revoked_at),
        "first_used_at": _when(k.first_used_at),
        "last_used_at": _when(k.last_used_at),
        "replaces": k.replaces,
    }


def _auth(request: Request) -> Any:
    return request.app.state.auth


class NewKey(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["operator", "partner", "system", "carrier"]
    name: Annotated[str, Field(min_length=1, max_length=128)]
    role: PartnerRole | None = Field(None, description="a partner's role (partners only)")
    scopes: list[Annotated[str, Field(max_length=64)]] | None = Field(
        None, max_length=16, description="default for operators: every scope"
    )
    label: Annotated[str, Field(max_length=200)] = ""
    expires_in_seconds: float | None = Field(None, gt=0, le=10 * 365 * 86400)


class Rotation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    overlap_seconds: float = Field(86400, ge=0, le=90 * 86400)


@router.post("/v1/admin/keys", dependencies=[ADMINISTERS], status_code=201)
async def create_key(request: Request, body: NewKey) -> Response:
    """Issue a key; the answer's ``key`` is the only time the secret is shown."""
    if (body.role is not None) != (body.kind == "partner"):
        raise Problem(422, "role goes with kind partner, and a partner key needs it")
    keys, actor = _auth(request).keys, principal_of(request).subject
    lapse = None if body.expires_in_seconds is None else time.time() + body.expires_in_seconds
    try:
        issued = await asyncio.to_thread(
            lambda: keys.issue(
                Client(body.kind, body.name, body.role),
                body.scopes,
                origin="api",
                label=body.label,
                expires_at=lapse,
                actor=actor,
                source_ip=source_ip(request),
            )
        )
    except BadKey as exc:
        raise Problem(422, str(exc)) from None
    return json_response({**key_dict(issued.key, time.time()), "key": issued.token}, 201)


@router.get("/v1/admin/keys", dependencies=[ADMINISTERS])
async def list_keys(request: Request) -> Response:
    keys = await asyncio.to_thread(_auth(request).keys.keys.list_keys)
    now = time.time()
    return json_response({"items": [key_dict(k, now) for k in keys]})


@router.post("/v1/admin/keys/{key_id}/rotate", dependencies=[ADMINISTERS], status_code=201)
async def rotate_key(request: Request, key_id: str, body: Rotation | None = None) -> Response:
    auth, actor = _auth(request), principal_of(request).subject
    overlap = (body or Rotation()).overlap_seconds
    try:
        issued, old = await asyncio.to_thread(
            lambda: auth.keys.rotate(
                key_id, overlap, origin="api", actor=actor, source_ip=source_ip(request)
            )
        )
    except BadKey as exc:
        raise Problem(404 if "no key" in str(exc) else 409, str(exc)) from None
    auth.authenticator.forget(key_id)
    now = time.time()
    return json_response(
        {**key_dict(issued.key, now), "key": issued.token, "old": key_dict(old, now)}, 201
    )


@router.post("/v1/admin/keys/{key_id}/revoke", dependencies=[ADMINISTERS])
async def revoke_key(request: Request, key_id: str) -> Response:
    auth, actor = _auth(request), principal_of(request).subject
    try:
        revoked = await asyncio.to_thread(
            lambda: auth.keys.revoke(key_id, actor=actor, source_ip=source_ip(request))
        )
    except BadKey as exc:
        raise Problem(404, str(exc)) from None
    auth.authenticator.forget(key_id)
    return json_response(key_dict(revoked, time.time()))


def entry_dict(e: AuditEntry) -> dict[str, Any]:
    return {
        "id": e.id,
        "at": _when(e.at),
        "actor": e.actor,
        "action": e.action,
        "target": e.target,
        "outcome": e.outcome,
        "source_ip": e.source_ip,
        "detail": dict(e.detail),
    }


@router.get("/v1/audit", dependencies=[ADMINISTERS])
async def audit_log(
    request: Request,
    actor: Annotated[str | None, Query(max_length=200)] = None,
    action: Annotated[str | None, Query(max_length=64, description="x. matches x.*")] = None,
    since: datetime | None = None,
    cursor: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    limit: int = Query(100, ge=1, le=1000),
) -> Response:
    """Audit entries newest first; ``next_cursor`` continues the listing."""
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    entries = await asyncio.to_thread(
        lambda: _auth(request).audit.query(
            actor=actor,
            action=action,
            since=since.timestamp() if since else None,
            before_id=cursor,
            limit=limit,
        )
    )
    next_cursor = entries[-1].id if len(entries) == limit else None
    return json_response(
        {"items": [entry_dict(e) for e in entries], "limit": limit, "next_cursor": next_cursor}
    )
