"""Request and response helpers shared by the sandbox systems' business APIs.

Each system validates like a real API (every missing field named, 422) and answers JSON; these
few functions keep that uniform without a framework's model layer, so each service stays a plain
list of routes in its own vocabulary.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

Handler = Callable[[Request], Awaitable[Response]]


class ApiError(Exception):
    """A business error answered as ``{"error": ..., "details": [...]}`` with its status."""

    def __init__(self, status: int, error: str, details: list[str] | None = None) -> None:
        super().__init__(error)
        self.status, self.error, self.details = status, error, details or []


def reply(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status, media_type="application/json")


async def body_of(request: Request) -> dict[str, Any]:
    """The JSON object in the request body, or a 400."""
    try:
        body = orjson.loads(await request.body() or b"{}")
    except orjson.JSONDecodeError as exc:
        raise ApiError(400, f"invalid JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object")
    return body


def require(body: dict[str, Any], *names: str, where: str = "") -> None:
    """422 naming every missing field, the way a real API validates a document."""
    missing = [f"{where}{n}" for n in names if body.get(n) in (None, "", [])]
    if missing:
        raise ApiError(422, "missing required fields", [f"{m}: required" for m in missing])


def require_lines(body: dict[str, Any], key: str, *names: str) -> list[dict[str, Any]]:
    require(body, key)
    lines = body[key]
    if not isinstance(lines, list) or not all(isinstance(x, dict) for x in lines):
        raise ApiError(422, "invalid lines", [f"{key}: a list of objects"])
    for i, line in enumerate(lines):
        require(line, *names, where=f"{key}[{i}].")
    return lines


def fingerprint(body: Any) -> str:
    """A short stable digest of a JSON body, to tell a resend from a conflicting reuse of a key."""
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]
