"""Helpers for the sandbox tests: a recording hub stand-in and polling.

The recorder keeps each request's body (the sink keeps only sizes), because these tests check
the payload shapes each sandbox system sends.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from crossdock.sandbox.common import Service
from crossdock.sandbox.outbound import RetryPolicy
from crossdock.sandbox.serving import ServerThread

FAST = RetryPolicy(base=0.05, factor=2.0, max_delay=0.2, timeout=2.0)
T = TypeVar("T")


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: Any
    raw: bytes = b""


@dataclass
class Recorder:
    """What the fake hub received, and the status it answers with next."""

    received: list[Received] = field(default_factory=list)
    fail_status: int | None = None
    fail_count: int = 0
    failed: int = 0

    def fail(self, status: int = 503, count: int = 1_000_000) -> None:
        self.fail_status, self.fail_count = status, count

    def heal(self) -> None:
        self.fail_status, self.fail_count = None, 0

    def settle_and_clear(self, quiet: float = 0.3, timeout: float = 10.0) -> None:
        """Forget what was received once nothing more has arrived for ``quiet`` seconds: call
        it after resetting the system, so a send the previous test left in flight lands before
        the slate is wiped, not in the next test's assertions."""
        deadline = time.monotonic() + timeout
        seen = -1
        while len(self.received) != seen and time.monotonic() < deadline:
            seen = len(self.received)
            time.sleep(quiet)
        self.received.clear()

    def on(self, path_part: str) -> list[Received]:
        return [r for r in self.received if path_part in r.path]

    def bodies(self, path_part: str = "") -> list[Any]:
        return [r.body for r in self.on(path_part)]

    def keys(self, path_part: str = "") -> list[str]:
        return [r.headers.get("idempotency-key", "") for r in self.on(path_part)]

    def app(self) -> Starlette:
        async def receive(request: Request) -> Response:
            if self.fail_status is not None and self.fail_count > 0:
                self.fail_count -= 1
                self.failed += 1
                return Response(b'{"error":"injected"}', self.fail_status)
            raw = await request.body()
            try:
                body: Any = orjson.loads(raw)
            except orjson.JSONDecodeError:
                body = raw.decode()
            self.received.append(Received(request.url.path, dict(request.headers), body, raw))
            return Response(b'{"status":"accepted"}', 202, media_type="application/json")

        return Starlette(routes=[Route("/{path:path}", receive, methods=["POST"])])


@contextmanager
def recording_hub() -> Iterator[tuple[Recorder, str]]:
    recorder = Recorder()
    server = ServerThread(recorder.app(), lifespan="off")
    try:
        yield recorder, server.url
    finally:
        server.stop()


@contextmanager
def serve(service: Service) -> Iterator[str]:
    """Serve a sandbox service from a thread; yields its base URL."""
    server = ServerThread(service.build_app(), lifespan="on")
    try:
        yield server.url
    finally:
        server.stop()


def wait_for(check: Callable[[], T], timeout: float = 5.0, interval: float = 0.02) -> T:
    """Poll until ``check()`` is truthy; returns its value or fails with the last one."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s (last value: {value!r})")
        time.sleep(interval)
