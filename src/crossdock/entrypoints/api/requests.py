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
from crossdock.hub.limits import REFUSED_BODY_KEEP

#: Bounds of integer parameters: past them a request is a 422 problem, never an overflow in
#: the store's driver (SQLite integers are signed 64-bit).
MAX_SEQ = 2**63 - 1  # a log sequence number or dead-letter id
MAX_OFFSET = 1_000_000_000  # paging further is not paging
MAX_IDS = 10_000  # ids named in one request


def body_doc(media_types: dict[str, str]) -> dict[str, Any]:
    """OpenAPI ``requestBody`` for a route that reads its body itself (`openapi_extra`), so
    the documented API — and a fuzzer reading it — knows what to send."""
    schema = {"application/json": {"type": "object"}}
    content = {
        media: {"schema": schema.get(media, {"type": "string"}), "example": example}
        for media, example in media_types.items()
    }
    return {"requestBody": {"required": True, "content": content}}


def hub_of(request: Request) -> HubServices:
    """The hub services the app was built around."""
    hub: HubServices = request.app.state.hub
    return hub


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        orjson.dumps(body), status_code=status, headers=headers, media_type="application/json"
    )


class BodyTooLarge(Problem):
    """413: the body passed the limit. Carries at most `REFUSED_BODY_KEEP` bytes of what was
    read (nothing when Content-Length alone said it), so the refusal can be recorded without
    holding the body."""

    def __init__(self, limit: int, prefix: bytes = b"") -> None:
        super().__init__(413, f"the payload is larger than the limit of {limit} bytes")
        self.prefix = prefix


async def bounded_body(request: Request, limit: int) -> bytes:
    """The request body, or `BodyTooLarge` as soon as it passes ``limit`` bytes (declared or
    streamed: a sender that lies about Content-Length is cut off all the same)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit, b"".join(chunks)[:REFUSED_BODY_KEEP])
        chunks.append(chunk)
    return b"".join(chunks)
