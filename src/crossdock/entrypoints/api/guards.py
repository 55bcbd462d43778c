"""What each existing route asks of its caller, and the audit of what operators do.

Reads (messages, flows, exceptions, dead letters, endpoints, KPIs, metrics, inventory views)
need an authenticated principal — which documents a partner may see is the read's own filter
(`principal.may_see`); actions need `operations`, intake `messages:write`, X12 `edi:write`,
the admin API `admin`. A missing scope is a 403 problem naming it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, Final

from fastapi import Depends
from starlette.requests import Request

from crossdock.entrypoints.api.security import PRINCIPAL_STATE, Forbidden, principal_of, require
from crossdock.hub.identity import ADMIN, EDI_WRITE, MESSAGES_WRITE, OPERATIONS, Principal

AUTHENTICATED: Final = Depends(principal_of)
OPERATOR_ACTION: Final = Depends(require(OPERATIONS))
WRITES_MESSAGES: Final = Depends(require(MESSAGES_WRITE))
WRITES_EDI: Final = Depends(require(EDI_WRITE))
ADMINISTERS: Final = Depends(require(ADMIN))


def source_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


async def audited(
    request: Request,
    action: str,
    target: str,
    outcome: str = "ok",
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Append an audit entry for the calling principal's action (a store write in a thread:
    operator actions are rare, and the entry is written before the answer goes out)."""
    auth = getattr(request.app.state, "auth", None)
    if auth is None:  # an app built without authentication (create_app alone)
        return
    actor = principal_of(request).subject
    await asyncio.to_thread(
        auth.audit.record, actor, action, target, outcome, source_ip(request), detail
    )


def _messages_write_unless_signed(request: Request) -> None:
    """Webhooks of systems and carriers: a bearer-authenticated caller needs
    `messages:write`; a request the middleware let through unauthenticated is on a signed
    path, where the route's signature check is the authentication."""
    principal = request.scope.get("state", {}).get(PRINCIPAL_STATE)
    if isinstance(principal, Principal) and not principal.has(MESSAGES_WRITE):
        raise Forbidden(MESSAGES_WRITE)


WRITES_MESSAGES_OR_SIGNED: Final = Depends(_messages_write_unless_signed)
