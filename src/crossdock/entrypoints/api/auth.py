"""Authentication: the outermost ASGI layer, in front of the intake fast path and FastAPI.

Every HTTP request but the public paths (``auth.public_paths``) must carry one
``Authorization: Bearer <token>``; the token is resolved by the authenticators in turn (API
keys first: a ``cdk_…`` token is judged by the key authenticator alone; then any other, such
as OAuth2 access tokens) and the `Principal` is left in ``scope["state"]["principal"]`` for
`security.require`. Carrier and system webhooks whose signature the hub verifies need no
bearer token: the route's signature check authenticates them.

What is refused, and how, never depends on more than the header: no credential is a 401 with
a bare ``Bearer`` challenge (RFC 6750 §3.1), an unusable one a 401 ``invalid_token``; two
``Authorization`` headers or a malformed one are a 400 ``invalid_request``. The token itself
never appears in an answer or a log line.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, MutableMapping, Sequence
from typing import Any, Protocol

from crossdock.entrypoints.api.problems import PROBLEM_JSON, problem_body
from crossdock.entrypoints.api.security import PRINCIPAL_STATE
from crossdock.hub.audit import RefusalCounter
from crossdock.hub.credentials import parse_key
from crossdock.hub.identity import Principal

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger(__name__)
_REALM = 'Bearer realm="crossdock"'
#: Longer than any key or access token we issue; a longer value is refused unread.
MAX_TOKEN_CHARS = 8192


class Authenticator(Protocol):
    """Turns a bearer token into a principal, or None when it proves nothing."""

    def claims(self, token: str) -> bool:
        """Whether this authenticator alone judges `token` (its format is recognizably its
        own); the middleware then asks no other."""
        ...

    async def authenticate(self, token: str) -> Principal | None: ...


class PublicPaths:
    """Exact paths, and prefixes (entries ending in ``/``)."""

    def __init__(self, paths: Iterable[str]) -> None:
        self.exact = frozenset(p for p in paths if not p.endswith("/"))
        self.prefixes = tuple(p for p in paths if p.endswith("/"))

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and (path in self.exact or path.startswith(self.prefixes))


class Authenticate:
    """The middleware. `signed` holds the paths whose route authenticates the request by its
    verified signature (carrier and system webhooks configured with a secret)."""

    def __init__(
        self,
        app: ASGIApp,
        authenticators: Sequence[Authenticator],
        public: Iterable[str],
        signed: Iterable[str] = (),
        *,
        fastapi: Any = None,
        refusals: RefusalCounter | None = None,
    ) -> None:
        self.app = app
        self.refusals = refusals  # refused credentials, folded into audit rows per minute
        self._flushing: asyncio.Future[None] | None = None
        self.fastapi = fastapi  # the FastAPI app inside, for whoever serves this one
        self.authenticators = tuple(authenticators)
        self.public = PublicPaths(public)
        self.signed = frozenset(signed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)  # lifespan; no websocket routes exist
            return
        path = scope["path"]
        if self.refusals is not None and self._flushing is None and self.refusals.due():
            self._flushing = asyncio.ensure_future(self._flush_refusals())
        credentials = [v for k, v in scope["headers"] if k.lower() == b"authorization"]
        if path in self.public or (not credentials and path in self.signed):
            await self.app(scope, receive, send)
            return
        if not credentials:
            await _refuse(
                send, 401, "this endpoint needs credentials: Authorization: Bearer …", path, _REALM
            )
            return
        if len(credentials) > 1:
            self._refused(scope, "invalid_request", None)
            await _refuse(
                send, 400, "more than one Authorization header", path, _challenge("invalid_request")
            )
            return
        token = _bearer(credentials[0])
        if token is None:
            self._refused(scope, "invalid_request", None)
            await _refuse(
                send,
                400,
                "the Authorization header is not 'Bearer <token>' with a printable token",
                path,
                _challenge("invalid_request"),
            )
            return
        try:
            principal = await self._resolve(token)
        except Exception as exc:  # the key store did not answer (e.g. the database is down)
            log.warning("credentials could not be checked: %s", type(exc).__name__)
            await _unavailable(send, path, type(exc).__name__)
            return
        if principal is None:
            self._refused(scope, "invalid_token", token)
            await _refuse(
                send,
                401,
                "the credential is unknown, expired or revoked",
                path,
                _challenge("invalid_token"),
            )
            return
        state = scope.get("state")
        if state is None:
            scope["state"] = state = {}
        state[PRINCIPAL_STATE] = principal
        await self.app(scope, receive, send)

    def _refused(self, scope: Scope, reason: str, token: str | None) -> None:
        """Count a refused credential for the audit log (its key id, never the token)."""
        if self.refusals is None:
            return
        client = scope.get("client")
        parsed = parse_key(token) if token else None
        key_id = parsed.key_id if parsed is not None else None
        self.refusals.refused(reason, client[0] if client else None, key_id)

    async def _flush_refusals(self) -> None:
        assert self.refusals is not None
        try:
            await asyncio.to_thread(self.refusals.flush)
        except Exception:
            log.exception("writing refused credentials to the audit log failed")
        finally:
            self._flushing = None

    async def _resolve(self, token: str) -> Principal | None:
        for authenticator in self.authenticators:
            claimed = authenticator.claims(token)
            principal = await authenticator.authenticate(token)
            if principal is not None or claimed:
                return principal
        return None


def _bearer(raw: bytes) -> str | None:
    """The token of ``Bearer <token>`` (scheme case-insensitive), or None when malformed:
    another scheme, no token, spaces or control characters in it, or too long."""
    if len(raw) > MAX_TOKEN_CHARS + 7:
        return None
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        return None
    scheme, _, token = text.strip(" \t").partition(" ")
    token = token.strip(" \t")
    if scheme.lower() != "bearer" or not token or not token.isprintable() or " " in token:
        return None
    return token


def _challenge(error: str) -> str:
    return f'{_REALM}, error="{error}"'


async def _unavailable(send: Send, path: str, cause: str) -> None:
    """503: a key could not be checked because its store failed; the client should retry,
    and must not read it as a refused credential (401)."""
    detail = f"the credentials could not be checked ({cause}); retry later"
    body = problem_body(503, detail, instance=path[:200])
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", b"1"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _refuse(send: Send, status: int, detail: str, path: str, challenge: str) -> None:
    body = problem_body(status, detail, instance=path[:200])
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"www-authenticate", challenge.encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
