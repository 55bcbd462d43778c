"""HttpEndpoint against real loopback servers: the sandbox sink and a few misbehaving ones."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

from crossdock.adapters.endpoints.http import HttpEndpoint, classify_status
from crossdock.hub.policy import Outcome
from crossdock.hub.ports import Endpoint, OutboundRequest
from crossdock.sandbox.serving import ServerThread
from crossdock.sandbox.sink import RunningSink, run_sink_in_thread


@pytest.fixture(scope="module")
def sink() -> Iterator[RunningSink]:
    with run_sink_in_thread() as running:
        yield running


@pytest.fixture
async def endpoint(sink: RunningSink) -> AsyncIterator[HttpEndpoint]:
    ep = HttpEndpoint("erp", f"{sink.url}/in/erp/orders", timeout=2.0)
    yield ep
    await ep.close()


def request(n: int = 1, **overrides: Any) -> OutboundRequest:
    fields: dict[str, Any] = {
        "delivery_id": f"d{n}",
        "message_id": f"m{n}",
        "idempotency_key": f"k{n}",
        "correlation_key": "PO-1",
        "content_type": "application/json",
        "body": b'{"po": 1}',
    }
    fields.update(overrides)
    return OutboundRequest(**fields)


def test_is_an_endpoint() -> None:
    ep: Endpoint = HttpEndpoint("x", "http://127.0.0.1:1/")
    assert ep.name == "x"


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (200, (True, False)),
        (204, (True, False)),
        (301, (False, False)),
        (400, (False, False)),
        (404, (False, False)),
        (409, (False, False)),
        (422, (False, False)),
        (408, (False, True)),
        (425, (False, True)),
        (429, (False, True)),
        (500, (False, True)),
        (503, (False, True)),
    ],
)
def test_classify_status(status: int, expected: tuple[bool, bool]) -> None:
    assert classify_status(status) == expected


async def test_ok(endpoint: HttpEndpoint, control: httpx.Client) -> None:
    result = await endpoint.send(request())
    assert result.ok
    assert result.status_code == 200
    assert result.error is None
    assert result.duration_ms > 0
    stats = control.get("/_stats", params={"detail": 1}).json()
    assert stats["per_path"] == {"/in/erp/orders": 1}
    assert stats["deliveries"][0]["size"] == len(b'{"po": 1}')


async def test_resend_is_a_duplicate_at_the_receiver(
    endpoint: HttpEndpoint, control: httpx.Client
) -> None:
    assert (await endpoint.send(request())).ok
    assert (await endpoint.send(request())).ok
    stats = control.get("/_stats").json()
    assert (stats["received"], stats["duplicates"]) == (1, 1)


async def test_503_is_retryable(endpoint: HttpEndpoint, control: httpx.Client) -> None:
    control.post("/_fail", json={"mode": "down", "count": 1}).raise_for_status()
    result = await endpoint.send(request())
    assert not result.ok
    assert result.retryable
    assert result.status_code == 503
    assert result.error == 'HTTP 503: {"error":"injected failure"}'
    assert (await endpoint.send(request())).ok


async def test_429_is_retryable(endpoint: HttpEndpoint, control: httpx.Client) -> None:
    control.post("/_fail", json={"mode": "status", "status": 429, "count": 1})
    result = await endpoint.send(request())
    assert (result.ok, result.retryable, result.status_code) == (False, True, 429)


async def test_400_is_permanent(endpoint: HttpEndpoint, control: httpx.Client) -> None:
    control.post("/_fail", json={"mode": "status", "status": 400, "count": 1})
    result = await endpoint.send(request())
    assert (result.ok, result.retryable, result.status_code) == (False, False, 400)
    assert result.error is not None and result.error.startswith("HTTP 400: ")


def refused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port  # closed again: nothing listens there now


async def test_connection_refused() -> None:
    url = f"http://127.0.0.1:{refused_port()}/in/x"
    ep = HttpEndpoint("down", url, timeout=2.0)
    try:
        result = await ep.send(request())
    finally:
        await ep.close()
    assert not result.ok
    assert result.retryable
    assert result.status_code is None
    assert result.error == f"connect error: [Errno 111] Connection refused to {url}"


async def test_timeout(sink: RunningSink, control: httpx.Client) -> None:
    control.post("/_fail", json={"mode": "slow", "delay": 1.0, "count": 1}).raise_for_status()
    ep = HttpEndpoint("slow", f"{sink.url}/in/slow", timeout=0.2)
    try:
        result = await ep.send(request())
    finally:
        await ep.close()
    assert not result.ok
    assert result.retryable
    assert result.error == f"timeout after 0.2s (read) to {sink.url}/in/slow"
    assert 150 < result.duration_ms < 900


async def test_headers() -> None:
    seen: list[dict[str, str]] = []
    with ServerThread(echo_app(seen)) as server:
        ep = HttpEndpoint(
            "hdr",
            f"{server.url}/in/h",
            headers={"X-Partner": "acme", "Idempotency-Key": "static-loses"},
            bearer_token="s3cret",
            method="put",
        )
        try:
            result = await ep.send(
                request(7, headers={"X-Custom": "1", "X-Crossdock-Delivery-Id": "spoof"})
            )
        finally:
            await ep.close()
    assert result.ok
    got = seen[0]
    assert got["method"] == "PUT"
    assert got["content-type"] == "application/json"
    assert got["idempotency-key"] == "k7"
    assert got["x-crossdock-message-id"] == "m7"
    assert got["x-crossdock-delivery-id"] == "d7"
    assert got["x-crossdock-correlation-key"] == "PO-1"
    assert got["x-partner"] == "acme"
    assert got["x-custom"] == "1"
    assert got["authorization"] == "Bearer s3cret"
    assert "s3cret" not in repr(ep)


async def test_keep_alive_reuses_one_connection(
    endpoint: HttpEndpoint, control: httpx.Client
) -> None:
    for n in range(20):
        assert (await endpoint.send(request(n))).ok
    stats = control.get("/_stats").json()
    assert stats["received"] == 20
    assert stats["connections"] == 1


async def test_concurrent_sends_stay_within_the_pool(
    sink: RunningSink, control: httpx.Client
) -> None:
    ep = HttpEndpoint("pool", f"{sink.url}/in/pool", max_connections=3)
    try:
        results = await asyncio.gather(*(ep.send(request(n)) for n in range(60)))
    finally:
        await ep.close()
    assert all(r.ok for r in results)
    stats = control.get("/_stats").json()
    assert stats["received"] == 60
    assert stats["connections"] <= 3


async def test_protocol_error_is_retryable() -> None:
    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1024)
        writer.write(b"this is not HTTP\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(garbage, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    ep = HttpEndpoint("junk", f"http://127.0.0.1:{port}/in/x")
    try:
        result = await ep.send(request())
    finally:
        await ep.close()
        server.close()
        await server.wait_closed()
    assert not result.ok
    assert result.retryable
    assert result.error is not None and result.error.startswith("protocol error: ")


async def test_unsupported_scheme_is_permanent() -> None:
    ep = HttpEndpoint("typo", "htp://127.0.0.1/in/x")
    try:
        result = await ep.send(request())
    finally:
        await ep.close()
    assert (result.ok, result.retryable) == (False, False)


# --- a header-echo server -----------------------------------------------------------

ASGIApp = Callable[[dict[str, Any], Any, Any], Any]


def echo_app(seen: list[dict[str, str]]) -> ASGIApp:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):
            pass
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        seen.append({"method": scope["method"], **headers})
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    return app


def rate_limited_app(retry_after: str) -> ASGIApp:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):
            pass
        headers = [(b"retry-after", retry_after.encode())]
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": b"slow down"})

    return app


@pytest.mark.parametrize(("header", "low", "high"), [("7", 7.0, 7.0), ("bogus", None, None)])
async def test_retry_after_is_reported(header: str, low: float | None, high: float | None) -> None:
    with ServerThread(rate_limited_app(header)) as server:
        ep = HttpEndpoint("rl", f"{server.url}/in/x")
        try:
            result = await ep.send(request())
        finally:
            await ep.close()
    assert (result.ok, result.retryable, result.status_code) == (False, True, 429)
    assert result.error == f"HTTP 429 (retry-after {header}): slow down"
    if low is None:
        assert result.retry_after is None
    else:
        assert result.retry_after is not None and low <= result.retry_after <= (high or low)


# --- outcomes (issue 10) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, Outcome.DELIVERED),
        (408, Outcome.ENDPOINT_FAILURE),
        (429, Outcome.ENDPOINT_FAILURE),
        (503, Outcome.ENDPOINT_FAILURE),
        (400, Outcome.REJECTED),
        (422, Outcome.REJECTED),
    ],
)
async def test_status_outcomes(
    endpoint: HttpEndpoint, control: httpx.Client, status: int, outcome: Outcome
) -> None:
    control.post("/_fail", json={"mode": "status", "status": status, "count": 1})
    assert (await endpoint.send(request())).outcome is outcome


async def test_connection_refused_is_an_endpoint_failure() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ep = HttpEndpoint("gone", f"http://127.0.0.1:{port}/in")
    try:
        assert (await ep.send(request())).outcome is Outcome.ENDPOINT_FAILURE
    finally:
        await ep.close()


@pytest.mark.parametrize("key", ["PO-1\nX-Injected: 1", "PO-1\r", "PO\x00-1", "PO\x1b[31m"])
async def test_a_key_no_header_can_carry_is_a_message_failure(
    endpoint: HttpEndpoint, sink: RunningSink, control: httpx.Client, key: str
) -> None:
    """Found before any byte is sent, named precisely, and marked as the message's fault."""
    before = control.get("/_stats").json()["requests"]
    result = await endpoint.send(request(correlation_key=key))
    assert result.outcome is Outcome.MESSAGE_FAILURE
    assert (result.ok, result.retryable, result.status_code) == (False, False, None)
    assert result.error is not None
    assert result.error.startswith("header X-Crossdock-Correlation-Key cannot carry control")
    assert control.get("/_stats").json()["requests"] == before


async def test_a_key_the_url_template_cannot_encode_is_a_message_failure(
    sink: RunningSink,
) -> None:
    ep = HttpEndpoint("erp", f"{sink.url}/in/erp/{{correlation_key}}/confirmations")
    try:
        result = await ep.send(request(correlation_key="PO-\ud800"))
        assert result.outcome is Outcome.MESSAGE_FAILURE
        assert result.error is not None and "surrogate" in result.error
        assert (await ep.send(request(correlation_key="PO 1/2"))).outcome is Outcome.DELIVERED
    finally:
        await ep.close()
