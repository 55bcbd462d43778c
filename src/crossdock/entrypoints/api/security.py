"""What a route asks of its caller: `Depends(require(scope))`, and the principal it gets.

The authentication middleware (`auth`) resolves the caller once per request and leaves the
`Principal` in the ASGI scope's state; routes never read credentials themselves. A route that
returns partner data filters by `principal.may_see(...)` and answers 404 (never 403) for
another partner's object, so a partner cannot learn that it exists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request

from crossdock.entrypoints.api.problems import Problem
from crossdock.hub.identity import Principal

#: Where the middleware leaves the principal: ``scope["state"][PRINCIPAL_STATE]``.
PRINCIPAL_STATE = "principal"


class Unauthenticated(Problem):
    """401: no credential, or one that does not prove anything (unknown, expired, revoked,
    forged). Carries the RFC 6750 challenge."""

    def __init__(self, detail: str, *, error: str = "invalid_token") -> None:
        super().__init__(401, detail)
        self.challenge = f'Bearer realm="crossdock", error="{error}"'


class Forbidden(Problem):
    """403: a proven caller without the scope the route needs."""

    def __init__(self, scope: str) -> None:
        super().__init__(403, f"this action needs the scope {scope!r}", required_scope=scope)


def principal_of(request: Request) -> Principal:
    """The caller the middleware proved; `Unauthenticated` when there is none."""
    principal = request.scope.get("state", {}).get(PRINCIPAL_STATE)
    if not isinstance(principal, Principal):
        raise Unauthenticated("this endpoint needs credentials", error="invalid_request")
    return principal


class ScopeRequirement:
    """The dependency `require` returns: checks the scopes, and names them for the docs.

    `/openapi.json` reads `scopes` off the route's dependencies (`openapi.route_scopes`), so
    the documented scopes of an operation are the enforced ones by construction.
    """

    def __init__(self, scopes: tuple[str, ...]) -> None:
        self.scopes = scopes

    def __call__(self, request: Request) -> Principal:
        principal = principal_of(request)
        for scope in self.scopes:
            if not principal.has(scope):
                raise Forbidden(scope)
        return principal


def require(*scopes: str) -> Callable[[Request], Any]:
    """A dependency that yields the principal when it holds every one of `scopes`."""
    return ScopeRequirement(scopes)
