"""The worker's optional probe port: /healthz and /metrics, and nothing a bad request breaks."""

from __future__ import annotations

import asyncio

from crossdock.entrypoints.listen import listen_socket
from crossdock.entrypoints.worker_http import serve_probe
from crossdock.observability.metrics import build_metrics


async def ask(port: int, raw: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(raw)
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    return answer


async def test_health_metrics_and_refusals() -> None:
    metrics = build_metrics()
    metrics.deliveries.labels("erp", "ok").inc(3)
    sock = listen_socket("127.0.0.1", 0)
    port = sock.getsockname()[1]
    server = await serve_probe(sock, metrics)
    try:
        health = await ask(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert health.startswith(b"HTTP/1.0 200 OK") and health.endswith(b'{"status":"ok"}\n')
        scraped = await ask(port, b"GET /metrics?x=1 HTTP/1.1\r\n\r\n")
        assert b'crossdock_delivery_attempts_total{endpoint="erp",outcome="ok"} 3.0' in scraped
        assert (await ask(port, b"GET /v1/messages HTTP/1.1\r\n\r\n")).startswith(b"HTTP/1.0 404")
        assert (await ask(port, b"POST /healthz HTTP/1.1\r\n\r\n")).startswith(b"HTTP/1.0 405")
        # A header line past the limit, and garbage: the connection is dropped, nothing else.
        assert (
            await ask(port, b"GET /healthz HTTP/1.1\r\nX: " + b"a" * 100_000 + b"\r\n\r\n") == b""
        )
        assert (await ask(port, b"NONSENSE\r\n\r\n")).startswith(b"HTTP/1.0 400")
        assert (await ask(port, b"GET /healthz HTTP/1.1\r\n\r\n")).startswith(b"HTTP/1.0 200")
    finally:
        server.close()
        await server.wait_closed()
