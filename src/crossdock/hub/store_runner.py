"""Runs blocking store work off the event loop.

Writes go through the store's `WriteExecutor` (hub.ports), which the backend chooses in
`bootstrap`: on SQLite one writer thread (SQLite has one writer anyway, and a single thread
turns lock contention into a queue and lets intake commit in groups); on PostgreSQL a pool of
writer threads running units of work concurrently, each job retried in a fresh unit of work
on a serialization failure, a deadlock or a dropped connection. Either way the queue has
priorities: an intake commit — a sender is waiting for its 202 — jumps ahead of routing and
delivery bookkeeping, so background backlogs never show up as intake latency. Reads use their
own small pool so an operator's query never waits behind a write batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import itertools
import queue
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

from crossdock.hub.ports import UnitOfWork, UnitOfWorkFactory, WriteExecutor

T = TypeVar("T")
P = ParamSpec("P")

URGENT = 0
NORMAL = 1

#: Runs one job and returns its result; the backend's retry policy lives here.
Attempt = Callable[[Callable[[], Any]], Any]

_Job = tuple[int, int, Callable[[], Any] | None, asyncio.Future[Any] | None]


def _once(fn: Callable[[], T]) -> T:
    return fn()


class PriorityWorkers:
    """`threads` threads draining one priority queue; FIFO within a priority.

    Implements `WriteExecutor`. Each job runs through `attempt` (by default once): the
    PostgreSQL executor passes its retry loop. With one thread, jobs run strictly in queue
    order; with several, a higher-priority job waits at most for a free thread.
    """

    def __init__(self, threads: int = 1, *, attempt: Attempt = _once, name: str = "store-writer"):
        if threads < 1:
            raise ValueError("a write executor needs at least one thread")
        self._queue: queue.PriorityQueue[_Job] = queue.PriorityQueue()
        self._order = itertools.count()
        self._attempt = attempt
        self._threads = [
            threading.Thread(target=self._run, name=f"{name}-{i}" if threads > 1 else name)
            for i in range(threads)
        ]
        for thread in self._threads:
            thread.daemon = True
            thread.start()

    @property
    def threads(self) -> int:
        return len(self._threads)

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
                result = self._attempt(fn)
            except BaseException as exc:
                settle(future, None, exc)
            else:
                settle(future, result, None)

    def close(self) -> None:
        for _ in self._threads:  # after every queued job: the stop marks sort last
            self._queue.put((NORMAL + 1, next(self._order), None, None))
        for thread in self._threads:
            thread.join(timeout=30)


def settle(future: asyncio.Future[Any], result: Any, exc: BaseException | None) -> None:
    """Complete `future` from a worker thread, on its own loop."""

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
    """`executor` defaults to one writer thread (the embedded profile's); `bootstrap` passes
    the backend's own (`Store.executor()`)."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        reader_factory: UnitOfWorkFactory | None = None,
        *,
        executor: WriteExecutor | None = None,
        reader_threads: int = 2,
    ) -> None:
        self.uow_factory = uow_factory
        self._reader_factory = reader_factory or uow_factory
        self._writer: WriteExecutor = executor if executor is not None else PriorityWorkers(1)
        self._reader = ThreadPoolExecutor(reader_threads, thread_name_prefix="store-reader")

    async def write(self, fn: Callable[[UnitOfWork], T], *, priority: int = NORMAL) -> T:
        """Run `fn` in a fresh unit of work on a writer thread; `fn` commits. The executor may
        run it again, in another fresh unit of work, after a transient failure."""

        # The caller's context variables (its trace: messages recorded here continue it) go
        # with the job to the writer thread.
        context = contextvars.copy_context()

        def job() -> T:
            with self.uow_factory() as uow:
                return context.run(fn, uow)

        result: T = await self._writer.submit(priority, job)
        return result

    async def read(self, fn: Callable[[UnitOfWork], T]) -> T:
        def job() -> T:
            with self._reader_factory() as uow:
                return fn(uow)

        return await asyncio.get_running_loop().run_in_executor(self._reader, job)

    async def call(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a blocking call (a bus operation: its own transaction) on a writer thread,
        retried like a write."""
        result: T = await self._writer.submit(NORMAL, lambda: fn(*args, **kwargs))
        return result

    def close(self) -> None:
        self._writer.close()
        self._reader.shutdown(wait=True)
