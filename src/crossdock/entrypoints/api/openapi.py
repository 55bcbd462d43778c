"""`/openapi.json`: the API as documented, with its security and its errors.

FastAPI writes the operations and the response models; this module adds what it cannot know:
the security schemes (bearer credentials: API keys or JWT access tokens; OAuth2 client
credentials), the scopes each operation needs — read off the `require(...)` dependency that
enforces them, so the two cannot drift — the public operations (``security: []``), and one
`Problem` schema (``application/problem+json``, RFC 9457) behind every 4xx/5xx answer,
including FastAPI's own 422 (the hub answers validation errors as problems too).
"""

from __future__ import annotations

from collections.abc import Container, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

from crossdock.entrypoints.api.models.common import Problem
from crossdock.entrypoints.api.problems import PROBLEM_JSON, title_of
from crossdock.entrypoints.api.security import ScopeRequirement
from crossdock.hub import identity

BEARER = "bearerAuth"
OAUTH2 = "oauth2"
TOKEN_URL = "/oauth/token"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


#: What each scope allows, for the OAuth2 scheme (a unit test checks every scope has one).
SCOPE_DESCRIPTIONS: dict[str, str] = {
    identity.PURCHASE_ORDERS_READ: "list and read the purchase orders addressed to you",
    identity.PURCHASE_ORDERS_ACKNOWLEDGE: "acknowledge your purchase orders, line by line",
    identity.INVENTORY_READ: "read inventory availability",
    identity.SHIPMENTS_READ: "read the status of your shipments",
    identity.MESSAGES_WRITE: "send canonical documents (JSON) to the hub",
    identity.EDI_WRITE: "send X12 interchanges to the hub",
    identity.OPERATIONS: "operate the hub: messages, replay, dead letters, exceptions, flows",
    identity.WEBHOOKS_MANAGE: "subscribe your URLs to events and manage those subscriptions",
    identity.ADMIN: "administer the hub: partners, credentials, audit",
}

#: The answers every authenticated operation may give, whatever it does (the authentication
#: middleware's, `api/auth.py`, and the throttle's).
_SECURED = {
    400: "the Authorization header is malformed or sent twice (`invalid_request`)",
    401: "no credential, or one that proves nothing (unknown, expired, revoked, forged); "
    "the `WWW-Authenticate` header says why",
    429: "too many requests for this client and product; `Retry-After` says when to retry",
}
_NOT_JSON = "the body is not JSON"
_FORBIDDEN = "the credential lacks a scope this operation needs (`required_scope` names it)"


def problems(*statuses: int, **descriptions: str) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route's own error answers, each an RFC 9457 problem.

    ``descriptions`` maps ``"s404"``-style keys to a text saying when that status happens.
    """
    return {
        status: {
            "description": descriptions.get(f"s{status}", title_of(status)),
            "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}},
        }
        for status in statuses
    }


def route_scopes(dependant: Dependant | None) -> tuple[str, ...]:
    """Every scope a route's dependencies (its own and its routers') require."""
    found: list[str] = []
    for sub in _walk(dependant) if dependant is not None else ():
        if isinstance(sub.call, ScopeRequirement):
            found.extend(s for s in sub.call.scopes if s not in found)
    return tuple(found)


def _walk(dependant: Dependant) -> Iterator[Dependant]:
    for sub in dependant.dependencies:
        yield sub
        yield from _walk(sub)


def security_schemes() -> dict[str, Any]:
    return {
        BEARER: {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "API key (cdk_<key id>_<secret>) or JWT access token",
            "description": "`Authorization: Bearer <API key or access token>`. An API key is "
            "shown once when it is issued; an access token comes from the token endpoint.",
        },
        OAUTH2: {
            "type": "oauth2",
            "description": "OAuth2 client credentials: client_id is the key id, client_secret "
            "the whole API key; the token endpoint answers a short-lived JWT access token "
            "(RFC 9068), sent as a bearer credential.",
            "flows": {
                "clientCredentials": {"tokenUrl": TOKEN_URL, "scopes": dict(SCOPE_DESCRIPTIONS)}
            },
        },
    }


def build_openapi(app: FastAPI, public_paths: Container[str]) -> dict[str, Any]:
    """The OpenAPI 3.1 document of `app` (see the module docstring for what is added).

    Args:
        app: The FastAPI app.
        public_paths: What the authentication middleware lets through without credentials
            (``auth.public_paths``): those operations are documented ``security: []``.
    """
    doc = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version="3.1.0",
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
    )
    components = doc.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = Problem.model_json_schema()
    components["securitySchemes"] = security_schemes()
    doc["security"] = [{BEARER: []}, {OAUTH2: []}]
    # FastAPI's own walk: an included router's routes carry its prefix and dependencies.
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        path = str(route.path_format)
        scopes = route_scopes(route.dependant)
        for method in route.methods or ():
            operation = doc["paths"][path][method.lower()]
            _secure(operation, path in public_paths, scopes)
            if route.body_field is not None:  # FastAPI reads the body: it may not be JSON
                _answer(operation, 400, _NOT_JSON)
            _problem_answers(operation)
    _drop_unused(components["schemas"], doc)
    return doc


def _secure(operation: dict[str, Any], public: bool, scopes: tuple[str, ...]) -> None:
    if public:
        operation["security"] = []
        return
    if scopes:
        operation["security"] = [{BEARER: list(scopes)}, {OAUTH2: list(scopes)}]
        operation["x-required-scopes"] = list(scopes)
        needs = ", ".join(f"`{s}`" for s in scopes)
        text = operation.get("description", "")
        operation["description"] = f"{text}\n\nScopes: {needs}." if text else f"Scopes: {needs}."
        _answer(operation, 403, _FORBIDDEN)
    for status, text in _SECURED.items():
        _answer(operation, status, text)


def _answer(operation: dict[str, Any], status: int, text: str) -> None:
    """Document `status`; one the route documents already gets this reason too."""
    responses = operation.setdefault("responses", {})
    known = responses.get(str(status))
    if known is None:
        responses[str(status)] = {"description": text}
    elif text not in known.get("description", ""):
        known["description"] = f"{known.get('description', '')}; or {text}"


def _problem_answers(operation: dict[str, Any]) -> None:
    """Every error answer is a problem document, FastAPI's 422 included. A route that declares
    its own error body (the token endpoint's RFC 6749 errors) keeps it next to the problem."""
    for status, response in operation.get("responses", {}).items():
        if status[:1] in "45":
            if response.get("description") == "Validation Error":
                response["description"] = "the request is invalid (`errors` names each field)"
                response.pop("content", None)
            own = {
                media: body
                for media, body in response.get("content", {}).items()
                if media != PROBLEM_JSON and "HTTPValidationError" not in repr(body)
            }
            response["content"] = {**own, PROBLEM_JSON: {"schema": PROBLEM_REF}}


def _drop_unused(schemas: dict[str, Any], doc: dict[str, Any]) -> None:
    """FastAPI's validation-error schemas are no longer referenced: leave no dead entries."""
    text = repr(doc["paths"])
    for name in ("HTTPValidationError", "ValidationError"):
        if f"#/components/schemas/{name}'" not in text:
            schemas.pop(name, None)


def install_openapi(app: FastAPI, public_paths: Container[str]) -> None:
    """Serve `build_openapi` at the app's ``openapi_url`` (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app, public_paths)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
