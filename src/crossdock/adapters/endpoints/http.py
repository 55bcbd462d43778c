"""Deliver documents to a receiver over HTTP (an ERP, WMS or partner API)."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Mapping

import httpx

from crossdock.hub.ports import OutboundRequest, SendResult

#: Statuses that say "not now" rather than "never": request timeout, too early, rate limited.
RETRYABLE_STATUSES = frozenset({408, 425, 429})
_ERROR_BODY_CHARS = 200


def classify_status(status: int) -> tuple[bool, bool]:
    """(ok, retryable) for an HTTP status code.

    2xx is delivered. 408/425/429 and 5xx are the receiver's temporary trouble. Every other
    status (other 4xx, and 3xx, which we never follow for a POST) means the receiver rejected
    this document or the endpoint is misconfigured: retrying the same bytes cannot help, so the
    delivery should become a dead letter for a person to look at.
    """
    if 200 <= status < 300:
        return True, False
    return False, status >= 500 or status in RETRYABLE_STATUSES


class HttpEndpoint:
    """An :class:`~crossdock.hub.ports.Endpoint` that POSTs each delivery to one URL.

    One pooled ``httpx.AsyncClient`` per endpoint keeps connections alive across deliveries,
    which matters more than anything else for throughput to a single receiver. The number of
    requests in flight is bounded by our own semaphore (``max_connections``) rather than left
    to the pool queue: httpx's pool gets markedly slower when many requests wait inside it.

    Every request carries the delivery's stable ``Idempotency-Key`` so the receiver can
    discard the duplicates that at-least-once delivery will sometimes produce.

    Network problems never raise: they come back as a retryable :class:`SendResult` with a
    short error text. The bearer token is sent but never appears in errors or ``repr``.

    Args:
        name: Logical endpoint name (from config).
        url: Where to send; used as is for every delivery.
        method: HTTP method, POST unless the receiver wants PUT.
        timeout: Seconds for each of connect, read, write and pool wait.
        headers: Static headers sent with every request (a partner id, an API version).
        bearer_token: Sent as ``Authorization: Bearer ...`` when given (from settings).
        max_connections: Connections to keep, and requests allowed in flight at once.
        proxy: Proxy URL from config. Proxy variables and ``.netrc`` in the environment are
            deliberately ignored, so what an endpoint does is visible in its configuration.
        transport: An httpx transport to use instead of the network (tests, proxies).
    """

    def __init__(
        self,
        name: str,
        url: str,
        *,
        method: str = "POST",
        timeout: float = 5.0,
        headers: Mapping[str, str] | None = None,
        bearer_token: str | None = None,
        max_connections: int = 8,
        proxy: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        self.name = name
        self.url = url
        self.method = method.upper()
        self.timeout = timeout
        static = dict(headers or {})
        if bearer_token:
            static["Authorization"] = f"Bearer {bearer_token}"
        self._client = httpx.AsyncClient(
            headers=static,
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(
                max_connections=max_connections,
                max_keepalive_connections=max_connections,
                keepalive_expiry=30.0,
            ),
            follow_redirects=False,
            trust_env=False,
            proxy=proxy,
            transport=transport,
        )
        self._slots = asyncio.Semaphore(max_connections)

    def __repr__(self) -> str:
        return f"HttpEndpoint(name={self.name!r}, url={self.url!r}, method={self.method!r})"

    def _headers(self, request: OutboundRequest) -> dict[str, str]:
        headers = dict(request.headers)
        # Ours last: the delivery identity must not be overridden by a partner mapping.
        headers["Content-Type"] = request.content_type
        headers["Idempotency-Key"] = request.idempotency_key
        headers["X-Crossdock-Message-Id"] = request.message_id
        headers["X-Crossdock-Delivery-Id"] = request.delivery_id
        headers["X-Crossdock-Correlation-Key"] = request.correlation_key
        return headers

    async def send(self, request: OutboundRequest) -> SendResult:
        """Send one delivery and say what happened; never raises for network trouble."""
        headers = self._headers(request)
        async with self._slots:
            started = time.perf_counter()
            try:
                response = await self._client.request(
                    self.method, self.url, content=request.body, headers=headers
                )
            except httpx.HTTPError as exc:
                ms = (time.perf_counter() - started) * 1000.0
                error, retryable = self._describe(exc)
                return SendResult(ok=False, error=error, retryable=retryable, duration_ms=ms)
            except httpx.InvalidURL as exc:
                ms = (time.perf_counter() - started) * 1000.0
                return SendResult(
                    ok=False, error=f"invalid URL: {exc}", retryable=False, duration_ms=ms
                )
            ms = (time.perf_counter() - started) * 1000.0
        status = response.status_code
        ok, retryable = classify_status(status)
        if ok:
            return SendResult(ok=True, status_code=status, retryable=False, duration_ms=ms)
        return SendResult(
            ok=False,
            status_code=status,
            error=_status_error(response),
            retryable=retryable,
            duration_ms=ms,
        )

    def _describe(self, exc: httpx.HTTPError) -> tuple[str, bool]:
        """A short, precise error text and whether trying again could help."""
        detail = str(exc) or type(exc).__name__
        if isinstance(exc, httpx.TimeoutException):
            phase = type(exc).__name__.removesuffix("Timeout").lower()
            return f"timeout after {self.timeout}s ({phase}) to {self.url}", True
        if isinstance(exc, httpx.ConnectError):
            return f"connect error: {_os_cause(exc) or detail} to {self.url}", True
        if isinstance(exc, httpx.ProtocolError):
            return f"protocol error: {detail} from {self.url}", True
        if isinstance(exc, httpx.NetworkError):
            return f"network error: {detail} with {self.url}", True
        if isinstance(exc, httpx.UnsupportedProtocol):
            return f"unsupported protocol: {detail}", False
        return f"{type(exc).__name__}: {detail} ({self.url})", True

    async def close(self) -> None:
        """Close pooled connections; the endpoint cannot send afterwards."""
        await self._client.aclose()


def _os_cause(exc: BaseException) -> str | None:
    """The OS-level reason under a connect error ("[Errno 111] Connection refused").

    The async stack wraps it twice and replaces its text with "All connection attempts
    failed", which tells an operator nothing.
    """
    found: OSError | None = None
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno is not None:
            found = current
        current = current.__cause__ or current.__context__
    if found is None or found.errno is None:
        return None
    reason = os.strerror(found.errno) if found.errno > 0 else found.strerror
    return f"[Errno {found.errno}] {reason}"


def _status_error(response: httpx.Response) -> str:
    body = response.content[: _ERROR_BODY_CHARS * 4].decode("utf-8", errors="replace")
    body = " ".join(body.split())[:_ERROR_BODY_CHARS]
    text = f"HTTP {response.status_code}"
    retry_after = response.headers.get("retry-after")
    if retry_after:
        text += f" (retry-after {retry_after})"
    return f"{text}: {body}" if body else text
