"""A worker's tiny optional HTTP face: ``GET /healthz`` and ``GET /metrics``, nothing else.

A worker answers no business request, but its metrics (delivery attempts, routing problems,
latencies) live in its own process, so a scraper needs a port to read them, and an
orchestrator a liveness probe. It answers its own process's metrics only: the store's state
gauges and, in multiprocess mode, the sum over every process are the api's ``/metrics``.
`crossdock worker --metrics-port N` opens one; by default there is none. Plain asyncio streams, HTTP/1.0, one request per connection: no web framework
for two fixed answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

from crossdock.observability.metrics import HubMetrics

_MAX_HEADER_LINES = 100
_READ_TIMEOUT = 5.0


async def serve_probe(sock: socket.socket, metrics: HubMetrics) -> asyncio.Server:
    """Answer /healthz and /metrics on a listening socket until the server is closed."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readline(), _READ_TIMEOUT)
            for _ in range(_MAX_HEADER_LINES):
                line = await asyncio.wait_for(reader.readline(), _READ_TIMEOUT)
                if line in (b"\r\n", b"\n", b""):
                    break
            parts = request.split()
            method, path = (parts[0], parts[1].split(b"?")[0]) if len(parts) >= 2 else (b"", b"")
            if not method:
                status, kind, body = "400 Bad Request", "text/plain", b"not an HTTP request\n"
            elif method != b"GET":
                status, kind, body = "405 Method Not Allowed", "text/plain", b"GET only\n"
            elif path == b"/healthz":
                status, kind, body = "200 OK", "application/json", b'{"status":"ok"}\n'
            elif path == b"/metrics":
                status, kind = "200 OK", "text/plain; version=0.0.4; charset=utf-8"
                body = metrics.local_exposition()
            else:
                status, kind, body = "404 Not Found", "text/plain", b"/healthz or /metrics\n"
            head = (
                f"HTTP/1.0 {status}\r\nContent-Type: {kind}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            )
            writer.write(head.encode() + body)
            await writer.drain()
        except (TimeoutError, ConnectionError, asyncio.LimitOverrunError, ValueError):
            pass  # a slow, broken or oversized request just loses its connection
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    return await asyncio.start_server(answer, sock=sock, limit=16_384)
