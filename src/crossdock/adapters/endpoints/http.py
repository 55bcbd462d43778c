"""Deliver documents to a receiver over HTTP (an ERP, WMS or partner API)."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import quote, urlsplit

import aiohttp

from crossdock.hub.ports import OutboundRequest, SendResult

#: Statuses that say "not now" rather than "never": request timeout, too early, rate limited.
RETRYABLE_STATUSES = frozenset({408, 425, 429})
_ERROR_BODY_CHARS = 200
# HttpUrl validation percent-encodes the braces of a template written in the configuration.
# Controls other than HTAB are forbidden in a field value (RFC 9110 5.5); aiohttp refuses them.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_KEY_MARKERS = ("{correlation_key}", "%7Bcorrelation_key%7D", "%7bcorrelation_key%7d")


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

    One pooled ``aiohttp`` session per endpoint keeps connections alive across deliveries,
    which matters more than anything else for throughput to a single receiver; the connector
    bounds connections (and so requests in flight) to ``max_connections``. aiohttp rather than
    httpx: on the delivery path httpx's async pool cost several times more CPU per request
    (it probes for an async library with a failing import on every request, and its pool slows
    down as waiters pile up), which capped deliveries far below the intake rate.

    Every request carries the delivery's stable ``Idempotency-Key`` so the receiver can
    discard the duplicates that at-least-once delivery will sometimes produce.

    Network problems never raise: they come back as a retryable :class:`SendResult` with a
    short error text. The bearer token is sent but never appears in errors or ``repr``.

    Args:
        name: Logical endpoint name (from config).
        url: Where to send; used as is for every delivery.
        method: HTTP method, POST unless the receiver wants PUT.
        timeout: Seconds for the whole request (connect, send, wait, read).
        headers: Static headers sent with every request (a partner id, an API version).
        bearer_token: Sent as ``Authorization: Bearer ...`` when given (from settings).
        max_connections: Connections to keep, and requests allowed in flight at once.
        proxy: Proxy URL from config. Proxy variables and ``.netrc`` in the environment are
            deliberately ignored, so what an endpoint does is visible in its configuration.
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
    ) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        self.name = name
        self.url = url
        self.method = method.upper()
        self.timeout = timeout
        self._proxy = proxy
        self._max_connections = max_connections
        self._static = dict(headers or {})
        if bearer_token:
            self._static["Authorization"] = f"Bearer {bearer_token}"
        self._session: aiohttp.ClientSession | None = None
        self._url_error = _check_url(url)

    def __repr__(self) -> str:
        return f"HttpEndpoint(name={self.name!r}, url={self.url!r}, method={self.method!r})"

    def _client(self) -> aiohttp.ClientSession:
        # Created on first use: a session belongs to the event loop that runs the deliveries.
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self._max_connections, keepalive_timeout=30.0, ttl_dns_cache=300
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                trust_env=False,
                auto_decompress=True,
                skip_auto_headers=("User-Agent",),
                headers={"User-Agent": "crossdock"},
            )
        return self._session

    def _headers(self, request: OutboundRequest) -> dict[str, str]:
        headers = {**self._static, **request.headers}
        # Ours last: the delivery identity must not be overridden by a partner mapping.
        headers["Content-Type"] = request.content_type
        headers["Idempotency-Key"] = request.idempotency_key
        headers["X-Crossdock-Message-Id"] = request.message_id
        headers["X-Crossdock-Delivery-Id"] = request.delivery_id
        headers["X-Crossdock-Correlation-Key"] = request.correlation_key
        return headers

    def url_for(self, request: OutboundRequest) -> str:
        """The URL with ``{correlation_key}`` filled in (percent-encoded), for APIs that name
        the business document in the path (``/api/purchase-orders/{docNo}/confirmations``)."""
        for marker in _KEY_MARKERS:
            if marker in self.url:
                return self.url.replace(marker, quote(request.correlation_key, safe=""))
        return self.url

    def build(self, request: OutboundRequest) -> tuple[str, dict[str, str]]:
        """The URL (the request's own when it names one) and headers for one delivery.

        Raises:
            ValueError: The message cannot be sent as a request (its correlation key holds a
                control character bound for a header, or cannot be encoded into the URL).
        """
        if request.url is not None:
            problem = _check_url(request.url)
            if problem is not None:
                raise ValueError(problem)
            url = request.url
        else:
            url = self.url_for(request)
        headers = self._headers(request)
        problem = _header_problem(headers)
        if problem is not None:
            raise ValueError(problem)
        return url, headers

    async def send(self, request: OutboundRequest) -> SendResult:
        """Send one delivery and say what happened; never raises for network trouble."""
        if self._url_error is not None:
            return SendResult(ok=False, error=self._url_error, retryable=False)
        try:
            url, headers = self.build(request)
        except (ValueError, UnicodeError) as exc:
            # The message's own fault, found before any byte left: the endpoint is not
            # involved, so this must not count against its circuit (see policy.Outcome).
            return _message_failure(str(exc) or type(exc).__name__)
        started = time.perf_counter()
        try:
            async with self._client().request(
                self.method,
                url,
                data=request.body,
                headers=headers,
                allow_redirects=False,
                proxy=self._proxy,
            ) as response:
                status = response.status
                body = (
                    b""
                    if 200 <= status < 300
                    else await response.content.read(_ERROR_BODY_CHARS * 4)
                )
                retry_after = response.headers.get("Retry-After")
        except aiohttp.InvalidURL as exc:
            # The configured URL's scheme and host were checked at start-up: what breaks it
            # now is what this message put into it.
            return _message_failure(f"invalid URL for this message: {exc}")
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            ms = (time.perf_counter() - started) * 1000.0
            error, retryable = self._describe(exc, url)
            return SendResult(ok=False, error=error, retryable=retryable, duration_ms=ms)
        except (ValueError, TypeError, UnicodeError) as exc:
            # aiohttp refusing a header or body it was handed (it validates once connected):
            # a property of this request, not of the receiver.
            return _message_failure(f"{type(exc).__name__}: {exc}")
        ms = (time.perf_counter() - started) * 1000.0
        ok, retryable = classify_status(status)
        if ok:
            return SendResult(ok=True, status_code=status, retryable=False, duration_ms=ms)
        return SendResult(
            ok=False,
            status_code=status,
            error=_status_error(status, body, retry_after),
            retryable=retryable,
            duration_ms=ms,
            retry_after=_retry_after_seconds(retry_after),
        )

    def _describe(self, exc: BaseException, url: str) -> tuple[str, bool]:
        """A short, precise error text and whether trying again could help."""
        detail = str(exc) or type(exc).__name__
        if isinstance(exc, TimeoutError | aiohttp.ServerTimeoutError):
            return f"timeout after {self.timeout}s (read) to {url}", True
        if isinstance(exc, aiohttp.ClientConnectorError):
            return f"connect error: {_os_cause(exc) or detail} to {url}", True
        if isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError):
            return f"protocol error: {detail} from {url}", True
        if isinstance(exc, aiohttp.ClientResponseError):
            return f"protocol error: {exc.message or detail} from {url}", True
        if isinstance(exc, OSError | aiohttp.ClientOSError):
            return f"network error: {_os_cause(exc) or detail} with {url}", True
        return f"{type(exc).__name__}: {detail} ({url})", True

    async def close(self) -> None:
        """Close pooled connections; the endpoint cannot send afterwards."""
        if self._session is not None:
            await self._session.close()


def _message_failure(error: str) -> SendResult:
    return SendResult(ok=False, error=error, retryable=False, message_failure=True)


def _header_problem(headers: Mapping[str, str]) -> str | None:
    """What makes a header unsendable (a control character: CR/LF would split the request),
    named precisely; None when all are fine. One scan of all values on the common path."""
    if _FORBIDDEN.search("".join(headers.values())) is None:
        return None
    for name, value in headers.items():
        found = _FORBIDDEN.search(value)
        if found is not None:
            char = found.group()
            return (
                f"header {name} cannot carry control character U+{ord(char):04X} "
                f"(at position {found.start()} of {value!r})"
            )
    return None  # pragma: no cover - the joined scan found one


def _check_url(url: str) -> str | None:
    """A permanent error for a URL no retry can fix (a typo'd scheme, no host)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return f"unsupported protocol: {parts.scheme or 'none'!r} in {url!r} (use http or https)"
    if not parts.hostname:
        return f"invalid URL: no host in {url!r}"
    return None


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


def _retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _status_error(status: int, body: bytes, retry_after: str | None) -> str:
    text = " ".join(body.decode("utf-8", errors="replace").split())[:_ERROR_BODY_CHARS]
    head = f"HTTP {status}"
    if retry_after:
        head += f" (retry-after {retry_after})"
    return f"{head}: {text}" if text else head
