"""Runs blocking store work off the event loop.

All writes go through one thread: SQLite has one writer anyway, and funnelling them through a
single thread turns lock contention into a queue (and lets intake commit in groups). Reads use
their own small pool so an operator's query never waits behind a write batch.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from crossdock.hub.ports import UnitOfWork, UnitOfWorkFactory

T = TypeVar("T")
P = ParamSpec("P")


class StoreRunner:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        reader_factory: UnitOfWorkFactory | None = None,
        *,
        writer_threads: int = 1,
        reader_threads: int = 2,
    ) -> None:
        self.uow_factory = uow_factory
        self._reader_factory = reader_factory or uow_factory
        self._writer = ThreadPoolExecutor(writer_threads, thread_name_prefix="store-writer")
        self._reader = ThreadPoolExecutor(reader_threads, thread_name_prefix="store-reader")

    async def write(self, fn: Callable[[UnitOfWork], T]) -> T:
        """Run `fn` in a fresh unit of work on the writer thread; `fn` commits."""

        def job() -> T:
            with self.uow_factory() as uow:
                return fn(uow)

        return await asyncio.get_running_loop().run_in_executor(self._writer, job)

    async def read(self, fn: Callable[[UnitOfWork], T]) -> T:
        def job() -> T:
            with self._reader_factory() as uow:
                return fn(uow)

        return await asyncio.get_running_loop().run_in_executor(self._reader, job)

    async def call(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a blocking call (a bus operation) on the writer thread."""
        return await asyncio.get_running_loop().run_in_executor(
            self._writer, lambda: fn(*args, **kwargs)
        )

    def close(self) -> None:
        self._writer.shutdown(wait=True)
        self._reader.shutdown(wait=True)
