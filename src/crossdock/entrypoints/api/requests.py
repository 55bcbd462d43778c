"""What every API module needs from a request: the hub, a bounded body, a JSON reply.

One place, so every channel refuses an oversized body the same way (413 problem details)
and no route reaches for ``app.state`` by itself.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from crossdock.bootstrap import HubServices
from crossdock.entrypoints.api.problems import Problem


def hub_of(request: Request) -> HubServices:
    """The hub services the app was built around."""
    hub: HubServices = request.app.state.hub
    return hub


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        orjson.dumps(body), status_code=status, headers=headers, media_type="application/json"
    )


async def bounded_body(request: Request, limit: int) -> bytes:
    """The request body, or a 413 problem as soon as it passes ``limit`` bytes (declared or
    streamed: a sender that lies about Content-Length is cut off all the same)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise Problem(413, f"the payload is larger than the limit of {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Problem(413, f"the payload is larger than the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
