"""Conditional GET and deprecation headers for the API products' read routes.

ETags are strong validators computed from the representation's bytes (a SHA-256 prefix), so
two answers carry the same tag exactly when they are the same bytes; an answer that states
its own age (availability's ``staleness_seconds``) gets a weak tag over everything else. `If-None-Match` is
evaluated with the weak comparison RFC 9110 §13.1.2 prescribes for it (``W/"x"`` matches
``"x"``), and ``*`` matches any current representation: a match answers 304 with the tag and
no body.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.utils import format_datetime
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

#: `responses=` entry of a route answering conditional GETs.
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: `If-None-Match` names the current ETag"}
}


def etag_of(body: bytes, *, weak: bool = False) -> str:
    tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    return f"W/{tag}" if weak else tag


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def none_match(header: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header matches `etag` (weak comparison)."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    wanted = _opaque(etag)
    return any(_opaque(candidate) == wanted for candidate in header.split(","))


def conditional_json(
    request: Request,
    payload: Any,
    headers: dict[str, str] | None = None,
    *,
    validator: bytes | None = None,
) -> Response:
    """200 with the JSON body and its ETag, or 304 when the caller already holds it."""
    body = orjson.dumps(payload)
    status, out = conditional(request.headers.get("if-none-match"), body, headers, validator)
    if status == 304:
        return Response(status_code=304, headers=out)
    return Response(body, headers=out, media_type="application/json")


def conditional(
    if_none_match: str | None,
    body: bytes,
    headers: dict[str, str] | None = None,
    validator: bytes | None = None,
) -> tuple[int, dict[str, str]]:
    """(200 or 304, the headers) for `body` given the request's ``If-None-Match``.

    `validator`: the bytes that decide the tag when the body also carries something that
    changes on every request (an age in seconds): the tag is then weak (W/), since two bodies
    with one tag are equivalent but not byte-identical (RFC 9110 §8.8.1)."""
    etag = etag_of(body) if validator is None else etag_of(validator, weak=True)
    out = {"ETag": etag, "Cache-Control": "private, no-cache", **(headers or {})}
    return (304 if none_match(if_none_match, etag) else 200), out


def deprecation_headers(deprecated_at: datetime, sunset_at: datetime, link: str) -> dict[str, str]:
    """RFC 9745 ``Deprecation`` (a structured date, ``@<unix seconds>``), RFC 8594 ``Sunset``
    (an HTTP-date) and the ``Link`` to the migration note (rel="deprecation")."""
    return {
        "Deprecation": f"@{int(deprecated_at.timestamp())}",
        "Sunset": format_datetime(sunset_at, usegmt=True),
        "Link": f'<{link}>; rel="deprecation"',
    }
