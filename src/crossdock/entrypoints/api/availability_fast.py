"""The availability read ahead of FastAPI's router: ``GET /v1/inventory/availability``.

The read itself is one index seek; FastAPI's router walk, dependency solving and request
objects cost several times that. Like `fast_intake` for intake, this pure ASGI middleware
answers the plain case itself with the same functions as the documented route (`availability.
answer`, `conditional`): a caller the authentication middleware proved, holding
``inventory:read``, asking for exactly one ``item`` and one ``site`` that the hub has a
position for. Everything else (no principal, a missing scope, odd parameters, no position)
goes on to the FastAPI route, which answers it with its problem details, so both paths give
the same answer to the same request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

import orjson

from crossdock.entrypoints.api.availability import PATH, answer, factory_of, validator
from crossdock.entrypoints.api.conditional import conditional
from crossdock.entrypoints.api.security import PRINCIPAL_STATE
from crossdock.hub.identity import INVENTORY_READ, Principal

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
_LIMITS = {"item": 256, "site": 128}


def _params(scope: Scope) -> tuple[str, str] | None:
    """(site, item) when the query names exactly those two, each once and within bounds."""
    pairs = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    found = dict(pairs)
    if len(pairs) != 2 or found.keys() != _LIMITS.keys():
        return None
    if any(not 1 <= len(found[k]) <= limit for k, limit in _LIMITS.items()):
        return None
    return found["site"], found["item"]


class FastAvailability:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] != PATH:
            await self.app(scope, receive, send)
            return
        principal = scope.get("state", {}).get(PRINCIPAL_STATE)
        wanted = _params(scope)
        if not isinstance(principal, Principal) or not principal.has(INVENTORY_READ) or not wanted:
            await self.app(scope, receive, send)
            return
        with factory_of(scope["app"]).reads() as reads:
            payload = answer(reads, *wanted)
        if payload is None:  # no position: the route's 404 problem
            await self.app(scope, receive, send)
            return
        body = orjson.dumps(payload)
        if_none_match = next((v for k, v in scope["headers"] if k == b"if-none-match"), None)
        status, headers = conditional(
            None if if_none_match is None else if_none_match.decode("latin-1"),
            body,
            validator=validator(payload),
        )
        raw = [(k.lower().encode(), v.encode("latin-1")) for k, v in headers.items()]
        if status == 200:
            raw += [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body if status == 200 else b""})
