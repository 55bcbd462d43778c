"""Start-up waits for nothing slow: not the batch workers' imports, not a checkpoint.

The server's own lifespan on a real SQLite store; the slow parts are made to block until the
test lets them go, so a start-up that waited for them fails instead of passing slowly.
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest

from crossdock.adapters.sqlite import checkpoint
from crossdock.config import Settings
from crossdock.entrypoints.server import build_server
from crossdock.hub.prepare_pool import PreparePool


async def test_the_hub_is_up_while_workers_and_a_checkpoint_are_still_slow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    syncing = threading.Event()

    def stuck_sync(self: checkpoint.FileSyncer, path: Path) -> None:
        syncing.set()
        release.wait(30)  # an fsync queued behind a busy disk

    warm_started = asyncio.Event()

    async def slow_warm(self: PreparePool) -> None:
        warm_started.set()
        await asyncio.sleep(30)  # workers importing on a busy machine

    monkeypatch.setattr(checkpoint.FileSyncer, "__call__", stuck_sync)
    monkeypatch.setattr(PreparePool, "warm", slow_warm)
    settings = Settings(hub={"data_dir": tmp_path / "data", "prepare_workers": 1})
    server = build_server(settings)
    app = server.config.app.fastapi
    hub = app.state.hub
    started = time.perf_counter()
    try:
        async with app.router.lifespan_context(app):
            assert time.perf_counter() - started < 5
            await asyncio.wait_for(warm_started.wait(), 5)  # started, in the background
            await asyncio.to_thread(syncing.wait, 10)  # the checkpointer is in its fsync
            began = time.perf_counter()
            await asyncio.wait_for(hub.runner.write(lambda uow: uow.commit()), 5)
            assert time.perf_counter() - began < 2  # commits do not wait for it either
            release.set()
    finally:
        release.set()
