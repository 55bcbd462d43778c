"""RFC 9457 problem details: every error the API returns has this one shape."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

PROBLEM_JSON = "application/problem+json"
_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
    431: "Request header fields too large",
    500: "Internal server error",
    503: "Service unavailable",
}


def title_of(status: int) -> str:
    """The RFC 9457 ``title`` of a status (what the documentation calls it, too)."""
    return _TITLES.get(status, "Error")


class Problem(Exception):
    """Raise from a handler to answer with problem details."""

    def __init__(self, status: int, detail: str, *, type_: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.type = type_
        self.extra = extra


def problem_body(
    status: int, detail: str, *, instance: str | None = None, type_: str | None = None, **extra: Any
) -> bytes:
    """The RFC 9457 document as bytes."""
    body: dict[str, Any] = {
        "type": type_ or f"https://crossdock.dev/problems/{status}",
        "title": title_of(status),
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return orjson.dumps(body)


def problem_response(
    status: int, detail: str, *, instance: str | None = None, type_: str | None = None, **extra: Any
) -> Response:
    body = problem_body(status, detail, instance=instance, type_=type_, **extra)
    return Response(body, status_code=status, media_type=PROBLEM_JSON)


def install_problem_handlers(app: FastAPI) -> None:
    async def on_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Problem)
        return problem_response(
            exc.status, exc.detail, instance=request.url.path, type_=exc.type, **exc.extra
        )

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        return problem_response(exc.status_code, str(exc.detail), instance=request.url.path)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = [
            {"path": ".".join(str(p) for p in e["loc"]), "reason": e["msg"], "type": e["type"]}
            for e in exc.errors()
        ]
        return problem_response(
            422, "the request is invalid", instance=request.url.path, errors=errors
        )

    async def on_error(request: Request, exc: Exception) -> Response:
        return problem_response(
            500, f"unexpected error: {type(exc).__name__}", instance=request.url.path
        )

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(Exception, on_error)
