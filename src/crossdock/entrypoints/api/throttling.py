"""Throttling as a raw ASGI layer, right inside authentication (which leaves the principal in
``scope["state"]["principal"]``) and outside the intake fast path, so every route is covered.

A request is classed into an API product by method and path (`product_of`); its client is the
principal's subject. Without a principal only the token endpoint is throttled, by remote
address; other anonymous requests are public paths (health, docs) or, until authentication
is wired, everything, which stays as it was. Past the limit it is
answered 429 problem+json with ``Retry-After`` and the IETF rate-limit headers
(draft-ietf-httpapi-ratelimit-headers): ``RateLimit-Policy: "inventory";q=100;w=1`` and
``RateLimit: "inventory";r=0;t=3``; a served request carries them too, so a client can pace
itself before it is refused. `r` is this process's estimate of what is left in the shared
bucket (exact when one process serves the client).
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from crossdock.bootstrap import HubServices
from crossdock.bootstrap.throttle import build_limiter, build_policies
from crossdock.entrypoints.api.problems import PROBLEM_JSON, problem_body
from crossdock.entrypoints.api.security import PRINCIPAL_STATE
from crossdock.hub.identity import Principal
from crossdock.hub.throttle import Policies, Policy
from crossdock.hub.throttle_lease import Decision, LeasingLimiter

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Never throttled: probes, scrapes and the API's own documentation.
PUBLIC_PREFIXES = (
    *("/healthz", "/readyz", "/metrics", "/docs", "/redoc", "/openapi.json"),
    *("/static-offline-docs", "/favicon.ico"),
)
_READ = frozenset({"GET", "HEAD"})
#: Products throttled by remote address when the caller has no principal: the token endpoint
#: (authenticates by its body: guessing client secrets must not be free).
ANONYMOUS_PRODUCTS = frozenset({"token"})


def product_of(method: str, path: str) -> str | None:
    """The API product a request spends from; None for a public path (not throttled)."""
    if path.startswith(PUBLIC_PREFIXES):
        return None
    if path.startswith("/v1/inventory/availability"):
        return "inventory"  # GET one item, POST a bulk lookup: both reads
    if path.startswith("/v1/purchase-orders"):
        return "purchase-orders"
    if path.startswith(("/v1/shipments", "/v2/shipments")):
        return "shipments"
    if method not in _READ:
        if path.startswith("/v1/messages/") and not path.endswith("/replay"):
            return "intake"  # POST /v1/messages/{type} and .../batch
        if path.startswith(("/v1/edi", "/v1/inbound/", "/v1/webhooks/", "/v1/certification")):
            return "intake"
    elif path.startswith(("/v1/messages", "/v1/flows", "/v1/exceptions")):
        return "messages-read"
    if path.startswith(("/v1/admin", "/v1/partners", "/v1/keys", "/v1/audit")):
        return "admin"
    if path.startswith(("/v1/", "/v2/")):
        return "operations"  # replay, dead letters, endpoints, exception actions, KPIs
    if path.startswith("/oauth/"):
        return "token"
    return "other"


class Throttling:
    """The ASGI layer; `app` is what it guards (the intake fast path and the FastAPI app)."""

    def __init__(
        self,
        app: ASGIApp,
        limiter: LeasingLimiter,
        policies: Policies,
        refused: Callable[[str], None] = lambda _product: None,
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.policies = policies
        self._refused = refused
        self._policy_headers: dict[int, tuple[Policy, str, bytes]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        product = product_of(scope["method"], scope["path"])
        if product is None:
            await self.app(scope, receive, send)
            return
        principal = scope.get("state", {}).get(PRINCIPAL_STATE)
        if isinstance(principal, Principal):
            client = principal.subject
        elif product in ANONYMOUS_PRODUCTS:
            principal = None
            peer = scope.get("client")
            client = f"addr:{peer[0] if peer else 'unknown'}"
        else:
            # Authentication answers every other path without a principal itself: what gets
            # here is a path configured public, left as open as it was made.
            await self.app(scope, receive, send)
            return
        policy = self.policies.policy_for(product, principal)
        decision = await self.limiter.check(client, product, policy)
        headers = self._headers(product, policy, decision)
        if not decision.allowed:
            self._refused(product)
            await _refuse(send, scope["path"], product, headers)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _headers(
        self, product: str, policy: Policy, decision: Decision
    ) -> list[tuple[bytes, bytes]]:
        # by identity: policies live as long as the app, and hashing one costs more than this
        cached = self._policy_headers.get(id(policy))
        if cached is not None and cached[0] is policy and cached[1] == product:
            stated = cached[2]
        else:
            text = f'"{product}";q={policy.requests};w={policy.per_seconds:g}'
            stated = text.encode("ascii")
            self._policy_headers[id(policy)] = (policy, product, stated)
        seconds = (
            max(1, math.ceil(decision.reset)) if not decision.allowed else math.ceil(decision.reset)
        )
        state = f'"{product}";r={decision.remaining};t={seconds}'.encode("ascii")
        headers = [(b"ratelimit-policy", stated), (b"ratelimit", state)]
        if not decision.allowed:
            headers.append((b"retry-after", str(seconds).encode("ascii")))
        return headers


async def _refuse(send: Send, path: str, product: str, headers: list[tuple[bytes, bytes]]) -> None:
    retry = next(v.decode() for k, v in headers if k == b"retry-after")
    body = problem_body(
        429,
        f"too many {product} requests from this client; retry in {retry} s",
        instance=path,
        product=product,
        retry_after_seconds=int(retry),
    )
    await send(
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def with_throttling(
    app: ASGIApp, hub: HubServices, *, limiter: LeasingLimiter | None = None
) -> ASGIApp:
    """`app` behind the hub's throttling (`throttle:` in settings); `app` itself when it is
    off. `create_asgi` puts it inside authentication and outside the intake fast path."""
    config = hub.settings.throttle
    if not config.enabled:
        return app
    return Throttling(
        app,
        limiter or build_limiter(config, hub.store, hub.metrics),
        build_policies(config),
        refused=lambda product: hub.metrics.throttled.labels(product).inc(),
    )
