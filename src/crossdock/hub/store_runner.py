"""Runs blocking store work off the event loop.

All writes go through one thread: SQLite has one writer anyway, and funnelling them through a
single thread turns lock contention into a queue (and lets intake commit in groups). The queue
has priorities: an intake commit — a sender is waiting for its 202 — jumps ahead of routing and
delivery bookkeeping, so background backlogs never show up as intake latency. Reads use their
own small pool so an operator's query never waits behind a write batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import queue
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

from crossdock.hub.ports import UnitOfWork, UnitOfWorkFactory

T = TypeVar("T")
P = ParamSpec("P")

URGENT = 0
NORMAL = 1

_Job = tuple[int, int, Callable[[], Any] | None, asyncio.Future[Any] | None]


class _PriorityWriter:
    """One thread draining a priority queue; FIFO within a priority."""

    def __init__(self) -> None:
        self._queue: queue.PriorityQueue[_Job] = queue.PriorityQueue()
        self._order = itertools.count()
        self._thread = threading.Thread(target=self._run, name="store-writer", daemon=True)
        self._thread.start()

    def submit(self, priority: int, fn: Callable[[], T]) -> asyncio.Future[T]:
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.put((priority, next(self._order), fn, future))
        return future

    def _run(self) -> None:
        while True:
            _, _, fn, future = self._queue.get()
            if fn is None or future is None:
                return
            try:
                result = fn()
            except BaseException as exc:
                _settle(future, None, exc)
            else:
                _settle(future, result, None)

    def close(self) -> None:
        self._queue.put((NORMAL + 1, next(self._order), None, None))
        self._thread.join(timeout=30)


def _settle(future: asyncio.Future[Any], result: Any, exc: BaseException | None) -> None:
    def apply() -> None:
        if future.done():
            return
        if exc is not None:
            future.set_exception(exc)
        else:
            future.set_result(result)

    with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting any more
        future.get_loop().call_soon_threadsafe(apply)


class StoreRunner:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        reader_factory: UnitOfWorkFactory | None = None,
        *,
        reader_threads: int = 2,
    ) -> None:
        self.uow_factory = uow_factory
        self._reader_factory = reader_factory or uow_factory
        self._writer = _PriorityWriter()
        self._reader = ThreadPoolExecutor(reader_threads, thread_name_prefix="store-reader")

    async def write(self, fn: Callable[[UnitOfWork], T], *, priority: int = NORMAL) -> T:
        """Run `fn` in a fresh unit of work on the writer thread; `fn` commits."""

        def job() -> T:
            with self.uow_factory() as uow:
                return fn(uow)

        return await self._writer.submit(priority, job)

    async def read(self, fn: Callable[[UnitOfWork], T]) -> T:
        def job() -> T:
            with self._reader_factory() as uow:
                return fn(uow)

        return await asyncio.get_running_loop().run_in_executor(self._reader, job)

    async def call(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a blocking call (a bus operation) on the writer thread."""
        return await self._writer.submit(NORMAL, lambda: fn(*args, **kwargs))

    def close(self) -> None:
        self._writer.close()
        self._reader.shutdown(wait=True)
