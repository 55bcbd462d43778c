"""Ports of the delivery side: an endpoint that sends one delivery and says what happened,
and the HTTP GET used by pulls (proof of delivery, inventory listings). Adapters in
`crossdock.adapters.endpoints` implement them; `crossdock.hub.ports` re-exports them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from crossdock.hub.policy import Outcome


@dataclass(slots=True)
class SendResult:
    """What an endpoint made of one delivery."""

    ok: bool
    status_code: int | None = None
    error: str | None = None
    retryable: bool = True
    duration_ms: float = 0.0
    retry_after: float | None = None  # seconds the receiver asked us to wait (Retry-After)
    #: The request could not be built from this message (a header value, the URL template):
    #: nothing reached the receiver, and nothing about the receiver is known.
    message_failure: bool = False

    @property
    def outcome(self) -> Outcome:
        """Delivered, the endpoint's failure (retry), its rejection, or the message's failure."""
        if self.ok:
            return Outcome.DELIVERED
        if self.message_failure:
            return Outcome.MESSAGE_FAILURE
        return Outcome.ENDPOINT_FAILURE if self.retryable else Outcome.REJECTED


@dataclass(slots=True)
class OutboundRequest:
    delivery_id: str
    message_id: str
    idempotency_key: str
    correlation_key: str
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    #: Where to send this one request instead of the endpoint's own URL (a webhook
    #: subscription's URL: one endpoint, many receivers).
    url: str | None = None


class Endpoint(Protocol):
    """A receiver the hub delivers to, by logical name (HTTP, folder, ERP adapter)."""

    name: str

    async def send(self, request: OutboundRequest) -> SendResult: ...

    async def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class FetchResponse:
    """What a partner API answered a GET; ``status`` None when no answer came (``error``
    says why)."""

    status: int | None
    body: bytes = b""
    error: str | None = None
    content_type: str = "application/json"

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class HttpGetter(Protocol):
    """GETs a document from a partner API (the HTTP adapter): carriers' proofs of delivery,
    the systems' inventory listings. Never raises for network trouble: it answers a
    `FetchResponse` with ``error`` set, so the caller decides between retry and give up."""

    async def get(self, url: str, headers: Mapping[str, str], timeout: float) -> FetchResponse: ...

    async def close(self) -> None: ...
