"""A fast HTTP receiver that stands in for an ERP/WMS endpoint in tests, the demo and benchmarks.

POST anything under ``/in/`` and it is recorded (path, Idempotency-Key, X-Crossdock-Message-Id,
X-Crossdock-Correlation-Key, body size, arrival order) and answered 200. A repeated
Idempotency-Key is answered 200 again but counted as a duplicate, never as a new delivery, which
is exactly what a well-behaved receiver does with an at-least-once sender.

Control endpoints:

* ``GET /_stats`` (``?detail=1`` adds the ordered keys per correlation key and the deliveries)
* ``POST /_fail`` with ``{"mode": "down"|"up"|"status"|"slow", "status": 503, "count": N,
  "delay": 0.5}``: answer 503 (``down``) or the given status for the next N requests, or until
  ``up``; ``slow`` delays every answer by ``delay`` seconds (for N requests or until ``up``).
* ``POST /_reset``: forget everything, state file included.

With a state file every accepted unique key is appended to it (one per line, no fsync), and the
keys already in it are loaded at start, so a test can see what arrived across sink restarts and
a resend after a restart still counts as a duplicate.

It is a raw ASGI app (no framework routing or validation) because it sits on the benchmark path.
Run it with ``python -m crossdock.sandbox.sink --port P [--state-file F]`` or, in tests, with
:func:`run_sink_in_thread`.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson
import uvicorn

from crossdock.sandbox.serving import ServerThread, bind_socket

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_JSON = [(b"content-type", b"application/json")]
_OK_BODY = b'{"status":"accepted"}'
_DUP_BODY = b'{"status":"duplicate"}'


@dataclass(slots=True)
class SinkDelivery:
    """One accepted (non-duplicate) delivery, in arrival order."""

    seq: int
    path: str
    idempotency_key: str | None
    message_id: str | None
    correlation_key: str | None
    size: int


@dataclass(slots=True)
class SinkState:
    """Everything the sink has seen since it started or was last reset.

    Mutated only from the event loop thread; tests in other threads may read it (ints and
    appends are safe enough for assertions after the traffic has stopped).
    """

    state_file: Path | None = None
    requests: int = 0
    received: int = 0
    duplicates: int = 0
    failed: int = 0
    restored: int = 0
    keys: set[str] = field(default_factory=set)
    per_path: dict[str, int] = field(default_factory=dict)
    per_correlation: dict[str, list[str]] = field(default_factory=dict)
    deliveries: list[SinkDelivery] = field(default_factory=list)
    clients: set[tuple[str, int]] = field(default_factory=set)
    fail_status: int | None = None
    fail_remaining: int | None = None
    delay: float = 0.0
    delay_remaining: int | None = None
    _file: IO[str] | None = None

    def open(self) -> None:
        """Load the keys already in the state file and open it for appending."""
        if self.state_file is None or self._file is not None:
            return
        if self.state_file.exists():
            restored = [k for k in self.state_file.read_text("utf-8").splitlines() if k]
            self.keys.update(restored)
            self.restored = len(restored)
        self._file = self.state_file.open("a", encoding="utf-8")

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def reset(self) -> None:
        """Forget everything; truncates the state file too."""
        self.close()
        if self.state_file is not None:
            self.state_file.write_text("", "utf-8")
        self.requests = self.received = self.duplicates = self.failed = self.restored = 0
        for collection in (self.keys, self.per_path, self.per_correlation, self.deliveries):
            collection.clear()
        self.clients.clear()
        self.configure_failure({"mode": "up"})
        self.open()

    def accept(
        self,
        path: str,
        key: str | None,
        message_id: str | None,
        correlation: str | None,
        size: int,
    ) -> bool:
        """Record one delivery; False when its idempotency key was seen before."""
        if key is not None:
            if key in self.keys:
                self.duplicates += 1
                return False
            self.keys.add(key)
            if self._file is not None:
                self._file.write(key + "\n")
                self._file.flush()
        self.received += 1
        self.per_path[path] = self.per_path.get(path, 0) + 1
        if correlation is not None:
            self.per_correlation.setdefault(correlation, []).append(key or message_id or "")
        self.deliveries.append(
            SinkDelivery(self.received, path, key, message_id, correlation, size)
        )
        return True

    def next_failure(self) -> int | None:
        """The status to fail the current request with, if failure injection is on."""
        if self.fail_status is None:
            return None
        status = self.fail_status
        if self.fail_remaining is not None:
            self.fail_remaining -= 1
            if self.fail_remaining <= 0:
                self.fail_status = self.fail_remaining = None
        self.failed += 1
        return status

    def next_delay(self) -> float:
        if self.delay <= 0:
            return 0.0
        delay = self.delay
        if self.delay_remaining is not None:
            self.delay_remaining -= 1
            if self.delay_remaining <= 0:
                self.delay, self.delay_remaining = 0.0, None
        return delay

    def configure_failure(self, spec: dict[str, Any]) -> None:
        mode = spec.get("mode", "down")
        count = spec.get("count")
        remaining = int(count) if count is not None else None
        if mode == "up":
            self.fail_status = self.fail_remaining = None
            self.delay, self.delay_remaining = 0.0, None
        elif mode == "down":
            self.fail_status, self.fail_remaining = int(spec.get("status", 503)), remaining
        elif mode == "status":
            self.fail_status, self.fail_remaining = int(spec.get("status", 500)), remaining
        elif mode == "slow":
            self.delay, self.delay_remaining = float(spec.get("delay", 1.0)), remaining
        else:
            raise ValueError(f"unknown mode {mode!r}")

    def stats(self, detail: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "requests": self.requests,
            "received": self.received,
            "unique_keys": len(self.keys),
            "duplicates": self.duplicates,
            "failed": self.failed,
            "restored": self.restored,
            "connections": len(self.clients),
            "per_path": self.per_path,
            "failing": self.fail_status,
        }
        if detail:
            out["per_correlation"] = self.per_correlation
            out["deliveries"] = [asdict(d) for d in self.deliveries]
        return out


class SinkApp:
    """The ASGI callable; one per sink, holding its :class:`SinkState`."""

    def __init__(self, state: SinkState) -> None:
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(self.state, receive, send)
            return
        if scope["type"] != "http":
            return
        body = await _read_body(receive)
        path: str = scope["path"]
        method: str = scope["method"]
        if path.startswith("/in/") and method in ("POST", "PUT"):
            await self._deliver(scope, path, body, send)
        elif path == "/_stats" and method == "GET":
            detail = b"detail=1" in scope.get("query_string", b"")
            await _respond(send, 200, orjson.dumps(self.state.stats(detail)))
        elif path == "/_fail" and method == "POST":
            try:
                self.state.configure_failure(orjson.loads(body or b"{}"))
            except (ValueError, TypeError, AttributeError) as exc:
                await _respond(send, 400, orjson.dumps({"error": str(exc)}))
                return
            await _respond(send, 200, orjson.dumps(self.state.stats()))
        elif path == "/_reset" and method == "POST":
            self.state.reset()
            await _respond(send, 200, b'{"status":"reset"}')
        else:
            await _respond(send, 404, b'{"error":"not found"}')

    async def _deliver(self, scope: Scope, path: str, body: bytes, send: Send) -> None:
        state = self.state
        state.requests += 1
        client = scope.get("client")
        if client:
            state.clients.add((client[0], client[1]))
        # Both are decided when the request arrives: a slow request still asleep must not take
        # the failure a later test (or scenario step) injected for the requests after it.
        delay = state.next_delay()
        status = state.next_failure()
        if delay:
            await asyncio.sleep(delay)
        if status is not None:
            await _respond(send, status, b'{"error":"injected failure"}')
            return
        key = message_id = correlation = None
        for name, value in scope["headers"]:
            if name == b"idempotency-key":
                key = value.decode("latin-1")
            elif name == b"x-crossdock-message-id":
                message_id = value.decode("latin-1")
            elif name == b"x-crossdock-correlation-key":
                correlation = value.decode("latin-1")
        new = state.accept(path, key, message_id, correlation, len(body))
        await _respond(send, 200, _OK_BODY if new else _DUP_BODY)


async def _read_body(receive: Receive) -> bytes:
    message = await receive()
    body: bytes = message.get("body", b"")
    if not message.get("more_body", False):
        return body
    chunks = [body]
    while message.get("more_body", False):
        message = await receive()
        chunks.append(message.get("body", b""))
    return b"".join(chunks)


async def _respond(send: Send, status: int, body: bytes) -> None:
    headers = [*_JSON, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _lifespan(state: SinkState, receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            state.open()
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            state.close()
            await send({"type": "lifespan.shutdown.complete"})
            return


def build_sink_app(state_file: str | Path | None = None) -> SinkApp:
    """Build a sink ASGI app; the state file is opened at lifespan startup."""
    return SinkApp(SinkState(state_file=Path(state_file) if state_file is not None else None))


class RunningSink(ServerThread[SinkApp]):
    """A sink served from a background thread; use as a context manager or call stop()."""

    def __enter__(self) -> RunningSink:
        return self

    @property
    def state(self) -> SinkState:
        return self.app.state


def run_sink_in_thread(
    state_file: str | Path | None = None, port: int = 0, startup_timeout: float = 10.0
) -> RunningSink:
    """Serve a new sink on 127.0.0.1 (a free port unless given) from a daemon thread.

    Returns once the server accepts connections; ``.url`` is the base URL (no trailing slash).
    """
    app = build_sink_app(state_file)
    return RunningSink(app, port=port, lifespan="on", startup_timeout=startup_timeout)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m crossdock.sandbox.sink", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8900)
    parser.add_argument("--state-file", default=None)
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args(argv)
    app = build_sink_app(args.state_file)
    sock = bind_socket(args.host, args.port)
    print(f"sink listening on http://{args.host}:{sock.getsockname()[1]}", flush=True)
    config = uvicorn.Config(app, log_level=args.log_level, access_log=False, lifespan="on")
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
