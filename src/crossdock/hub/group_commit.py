"""Group commit for intake: concurrent requests share one transaction.

A request's 202 means its message is durable, so each request must wait for a commit. Rather
than one transaction per request, submissions queue up while the previous commit runs and are
written together: throughput grows with load, latency stays one commit or two.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Sequence

from crossdock.hub.intake import IntakeOutcome, record
from crossdock.hub.ports import UnitOfWork
from crossdock.hub.records import InboundMessage
from crossdock.hub.store_runner import URGENT, StoreRunner
from crossdock.observability.tracing import tracing

_MAX_GROUP = 2000
SLOW_COMMIT_SECONDS = 0.05
#: a large group (an NDJSON batch) is allowed this much more per message before it is "slow"
SLOW_COMMIT_PER_MESSAGE = 0.00005
log = logging.getLogger(__name__)


class Overloaded(RuntimeError):
    """More messages wait for a commit than the hub will hold in memory: the sender should
    retry shortly (HTTP 503 with Retry-After) rather than the hub growing without bound."""


class IntakeRecorder:
    def __init__(
        self,
        runner: StoreRunner,
        on_commit: Callable[[], None] | None = None,
        *,
        max_waiting: int = 50_000,
    ) -> None:
        self._runner = runner
        self._on_commit = on_commit
        self._max_waiting = max_waiting
        self._waiting = 0
        self._queue: deque[tuple[Sequence[InboundMessage], asyncio.Future[list[IntakeOutcome]]]] = (
            deque()
        )
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._drain(), name="intake-group-commit")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def submit(self, messages: Sequence[InboundMessage]) -> list[IntakeOutcome]:
        """Wait until the messages are committed; raises Overloaded when too many wait."""
        if self._waiting and self._waiting + len(messages) > self._max_waiting:
            raise Overloaded(f"{self._waiting} messages are waiting to be recorded")
        # The producer's context, taken here in the request's task (the commit runs in another).
        spans = tracing().stamp(messages)
        future: asyncio.Future[list[IntakeOutcome]] = asyncio.get_running_loop().create_future()
        self._queue.append((messages, future))
        self._waiting += len(messages)
        self._wakeup.set()
        try:
            return await future
        finally:
            self._waiting -= len(messages)
            for span in spans:
                span.end()

    async def _drain(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._queue:
                group: list[tuple[Sequence[InboundMessage], asyncio.Future[list[IntakeOutcome]]]]
                group, size = [], 0
                while self._queue and (size == 0 or size + len(self._queue[0][0]) <= _MAX_GROUP):
                    item = self._queue.popleft()
                    group.append(item)
                    size += len(item[0])
                await self._commit(group)

    async def _commit(
        self, group: list[tuple[Sequence[InboundMessage], asyncio.Future[list[IntakeOutcome]]]]
    ) -> None:
        flat = [m for messages, _ in group for m in messages]

        def write(uow: UnitOfWork) -> list[IntakeOutcome]:
            outcomes = record(uow, flat)
            uow.commit()
            return outcomes

        started = time.perf_counter()
        try:
            outcomes = await self._runner.write(write, priority=URGENT)
        except Exception as exc:  # the store failed: every waiting request learns it
            for _, future in group:
                if not future.done():
                    future.set_exception(exc)
            return
        elapsed = time.perf_counter() - started
        if elapsed > SLOW_COMMIT_SECONDS + len(flat) * SLOW_COMMIT_PER_MESSAGE:
            log.warning("intake commit of %d message(s) took %.0f ms", len(flat), elapsed * 1000)
        start = 0
        for messages, future in group:
            if not future.done():
                future.set_result(outcomes[start : start + len(messages)])
            start += len(messages)
        if self._on_commit is not None:
            self._on_commit()
