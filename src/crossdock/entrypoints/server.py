"""`crossdock up`: the API, the workers and the scheduler in one process; `crossdock api`: the
API alone (`Role`)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import AsyncIterator

import uvicorn
from fastapi import FastAPI

from crossdock.bootstrap import build_hub
from crossdock.bootstrap.roles import UP, Role
from crossdock.config import Settings
from crossdock.entrypoints.api.app import create_asgi
from crossdock.entrypoints.http_guard import HeadLimits, guarded_protocol
from crossdock.entrypoints.listen import listen_socket

log = logging.getLogger(__name__)


def build_server(settings: Settings, role: Role = UP) -> uvicorn.Server:
    """A uvicorn server whose lifespan starts and stops the hub (its workers, for `up`)."""
    holder: dict[str, FastAPI] = {}

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        hub = holder["app"].state.hub
        await hub.start()  # batch workers and checkpoints start in the background
        log.info(
            "crossdock %s on http://%s:%d (store %s)",
            role.name,
            settings.hub.host,
            settings.hub.port,
            settings.hub.data_dir,
        )
        try:
            yield
        finally:
            # refused credentials of the unfinished minute would be lost with the process
            await asyncio.to_thread(holder["app"].state.auth.refusals.flush)
            await hub.stop()

    hub = build_hub(settings, role=role)
    served = create_asgi(hub)
    app: FastAPI = served.fastapi
    app.router.lifespan_context = lifespan
    holder["app"] = app
    config = uvicorn.Config(
        served,
        host=settings.hub.host,
        port=settings.hub.port,
        loop="uvloop",
        http=guarded_protocol(
            HeadLimits(
                total_bytes=settings.hub.max_header_bytes,
                line_bytes=settings.hub.max_header_line_bytes,
                count=settings.hub.max_headers,
            )
        ),
        access_log=False,
        log_config=None,
        lifespan="on",
        timeout_graceful_shutdown=5,
    )
    return uvicorn.Server(config)


def _tune_gc() -> None:
    """Fewer, cheaper garbage collections: every request allocates many short-lived objects
    (parsed JSON, models), and a full collection over the long-lived ones (modules, models,
    routes) stalls every request in flight. Freeze what exists at start-up out of the
    collector's view and collect the young generation less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 100, 100)
    gc.callbacks.append(_report_slow_collections)


_gc_started = 0.0


def _report_slow_collections(phase: str, info: dict[str, int]) -> None:
    """A collection long enough to show in request latency is worth a log line."""
    global _gc_started
    if phase == "start":
        _gc_started = time.perf_counter()
        return
    elapsed = time.perf_counter() - _gc_started
    if elapsed > 0.02:
        log.warning(
            "garbage collection of generation %d took %.0f ms (%d collected)",
            info.get("generation", -1),
            elapsed * 1000,
            info.get("collected", 0),
        )


def serve(settings: Settings, role: Role = UP) -> None:
    """Serve the hub until stopped.

    The port is bound first, before the hub is built or started, so that a taken port fails
    at once with one line (`PortUnavailable`) and "crossdock up on …" is only logged once the
    hub really listens; port 0 picks a free one, and the log names it.

    Raises:
        PortUnavailable: the host and port cannot be listened on.
    """
    sock = listen_socket(settings.hub.host, settings.hub.port)
    try:
        port = int(sock.getsockname()[1])
        if port != settings.hub.port:
            hub = settings.hub.model_copy(update={"port": port})
            settings = settings.model_copy(update={"hub": hub})
        server = build_server(settings, role)
        _tune_gc()
        # Server.run() installs the configured loop (uvloop); asyncio.run(serve()) would not.
        server.run(sockets=[sock])
    finally:
        sock.close()
