"""Batch intake's decoding and validation, spread over worker processes.

`prepare` (JSON decode, schema validation, canonical serialization) costs 50-80 µs of CPU per
purchase order and holds the GIL throughout, so in one process it was three quarters of a
batch's cost: a 1,000-line batch kept the hub's only usable core busy while recording took a
fraction of that. Worker processes run `prepare` on chunks of a batch in parallel; the hub
process only records what they return, in line order, in one group commit as before.

Ids are given in the hub process after the workers return, so a batch's messages sort in
line order like any other ids from this process. Small batches are prepared inline (a round
trip to a worker costs more than it saves), and a worker that dies costs nothing but time:
that batch is prepared inline and the pool is rebuilt for the next.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import multiprocessing
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import BrokenExecutor, ProcessPoolExecutor
from dataclasses import dataclass

from crossdock.hub.ids import new_id
from crossdock.hub.intake import IntakeRequest, prepare
from crossdock.hub.records import InboundMessage

log = logging.getLogger(__name__)


def _prepare_chunk(requests: Sequence[IntakeRequest], lane: str) -> list[InboundMessage]:
    """Runs in a worker process: a module-level function, so it pickles by name."""
    return [prepare(request, lambda _type: lane) for request in requests]


def _ready() -> int:
    """A no-op that makes a worker import this module (and the canonical models) up front."""
    from crossdock.canonical.registry import document_model

    document_model("purchase_order")
    return os.getpid()


_PR_SET_PDEATHSIG = 1


def _die_with(hub_pid: int) -> None:
    """Worker initializer: the worker ends when the hub does, however the hub ends.

    A pool's workers wait on a task queue whose other end they also hold, so they never see
    the hub go: after a ``kill -9`` or an OOM kill they (and the fork server and resource
    tracker they keep alive) lived on with PPID 1. Two guards, both cheap and idle: the kernel
    kills the worker when its parent (the fork server, which itself exits once the hub's end
    of its pipe closes) dies; and a thread waits on the hub's pid (a pidfd: no polling where
    the kernel has them) and ends the worker the moment the hub is gone.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    threading.Thread(target=_watch, args=(hub_pid,), name="hub-watch", daemon=True).start()


def _watch(hub_pid: int) -> None:
    try:
        fd = os.pidfd_open(hub_pid)
    except ProcessLookupError:
        os._exit(1)  # already gone
    except (AttributeError, OSError):  # no pidfd here: look once a second
        while _alive(hub_pid):
            time.sleep(1.0)
        os._exit(1)
    select.select([fd], [], [])  # readable once the hub has exited
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def default_workers() -> int:
    """One per core on a multi-core machine; none (inline) on one core, where workers would
    only take turns with the hub process."""
    cores = os.cpu_count() or 1
    return 0 if cores < 2 else min(cores, 8)


@dataclass(frozen=True, slots=True)
class PoolSettings:
    workers: int
    #: lines per task: large enough that pickling is noise, small enough to spread a batch
    chunk: int = 250
    #: batches with fewer lines are prepared inline
    inline_below: int = 64


class PreparePool:
    def __init__(self, settings: PoolSettings) -> None:
        self.settings = settings
        self._pool: ProcessPoolExecutor | None = None
        self._failed = False  # the workers could not start: stay inline, do not retry each time

    @property
    def enabled(self) -> bool:
        return self.settings.workers > 0 and not self._failed

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # Never fork the hub itself: it has threads (the store writer) and open database
            # connections. forkserver starts workers from a clean process.
            method = (
                "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
            )
            self._pool = ProcessPoolExecutor(
                self.settings.workers,
                mp_context=multiprocessing.get_context(method),
                initializer=_die_with,
                initargs=(os.getpid(),),
            )
        return self._pool

    async def warm(self) -> None:
        """Start the workers now rather than on the first large batch (about a second)."""
        if not self.enabled:
            return
        loop = asyncio.get_running_loop()
        try:
            pool = self._executor()
            await asyncio.gather(
                *(loop.run_in_executor(pool, _ready) for _ in range(self.settings.workers))
            )
        except (BrokenExecutor, OSError) as exc:  # the hub still runs: batches go inline
            log.warning("batch workers could not start (%s); validating batches inline", exc)
            self._discard()
            self._failed = True

    async def prepare(self, requests: Sequence[IntakeRequest], lane: str) -> list[InboundMessage]:
        """`prepare` for every request, in order; never raises for bad content."""
        if not self.enabled or len(requests) < self.settings.inline_below:
            return _prepare_chunk(requests, lane)
        loop = asyncio.get_running_loop()
        size = max(1, min(self.settings.chunk, -(-len(requests) // self.settings.workers)))
        chunks = [requests[i : i + size] for i in range(0, len(requests), size)]
        try:
            pool = self._executor()
            parts = await asyncio.gather(
                *(loop.run_in_executor(pool, _prepare_chunk, chunk, lane) for chunk in chunks)
            )
        except (BrokenExecutor, OSError):
            log.warning("a prepare worker died; this batch is prepared inline, the pool rebuilt")
            self._discard()
            return _prepare_chunk(requests, lane)
        messages = [message for part in parts for message in part]
        for message in messages:
            message.id = new_id()
        return messages

    def _discard(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    async def stop(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(pool.shutdown, True, cancel_futures=True)
