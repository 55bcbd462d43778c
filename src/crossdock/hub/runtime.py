"""The hub's workers: routing and delivery loops per lane, further consumer groups (flows,
`Consumer`), and the periodic scheduler.

Everything runs as asyncio tasks in one process on the embedded default. Each lane has its
own loops, batch sizes and poll intervals; wakeup events make a commit upstream start the next
stage at once instead of waiting for a poll. A `crossdock worker` process runs a selection of
the groups (`runs`); a `Wakeup` hook tells the other processes (PostgreSQL NOTIFY) as a hint.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from crossdock.hub.cluster_jobs import LeasedJobs
from crossdock.hub.delivery import EndpointDispatcher, delivery_group
from crossdock.hub.policy import RetryPolicy
from crossdock.hub.ports import Bus, UnitOfWork
from crossdock.hub.records import BusEntry, ConsumerGroup
from crossdock.hub.routing import Router, RoutingResult
from crossdock.hub.store_runner import StoreRunner
from crossdock.observability.metrics import HubMetrics

log = logging.getLogger(__name__)

LANES = ("critical", "bulk")


@dataclass(slots=True, frozen=True)
class LaneSettings:
    workers: int = 1
    batch_size: int = 100
    poll_interval: float = 0.02


MAX_IDLE_SECONDS = 1.0

#: Tells other hub processes that work under a group prefix ("route.", "deliver.") was
#: committed. A hint only: a lost one costs at most MAX_IDLE_SECONDS, polling stays the truth.
Wakeup = Callable[[str], None]


def _every_group(_group: ConsumerGroup) -> bool:
    return True


def _next_idle(current: float, settings: LaneSettings, woken: bool) -> float:
    """Back off while a group stays empty (an idle hub should cost nothing); a wakeup from a
    commit in this process resets it. Work from elsewhere (another process's replay, a retry
    coming due) is seen within MAX_IDLE_SECONDS."""
    if woken:
        return settings.poll_interval
    return min(current * 2, MAX_IDLE_SECONDS)


def release_batch(bus: Bus, group: str, entries: Sequence[BusEntry]) -> None:
    """Hand a batch whose handling failed back to its group, for redelivery now: a nak with
    no delay, counted like the delivery it was (its inbox claims make redelivery harmless)."""
    bus.settle(group, nak=[(e, 0.0, "interrupted by a store error; redelivered") for e in entries])


def route_group(lane: str, document_types: Sequence[str] | None = None) -> ConsumerGroup:
    """The routing consumer of a lane, subscribed to the document types the router must see
    (`Router.document_types`: those some route takes, and those no other consumer takes).

    Types only other consumers take (flows, ...) stay `accepted` in the log at no routing
    cost; when a route for them is added later, `crossdock messages replay --type T --since
    ...` routes the backlog.
    """
    subjects = (
        (f"doc.{lane}.>",)
        if document_types is None
        else tuple(f"doc.{lane}.{t}" for t in sorted(set(document_types)))
    )
    return ConsumerGroup(name=f"route.{lane}", subjects=subjects, lane=lane, max_deliver=20)


class HandlerResult(Protocol):
    @property
    def created(self) -> int:
        """Downstream work the batch committed (the loops named by `wakes` are woken)."""
        ...

    @property
    def failed(self) -> list[tuple[BusEntry, str]]:
        """Entries that failed, with why: they are redelivered after a backoff."""
        ...


class BatchHandler(Protocol):
    """A consumer group's handler: one batch of entries in the caller's unit of work, with
    an inbox claim per entry so redelivery is harmless (`Router`, `FlowEngine`)."""

    def handle_batch(
        self, uow: UnitOfWork, consumer: str, entries: Sequence[BusEntry]
    ) -> HandlerResult: ...


@dataclass(slots=True, frozen=True)
class Consumer:
    """A consumer group run by the runtime next to routing and delivery (e.g. `flow.<lane>`):
    one loop, the group's lane settings, and the loops to wake when it created work."""

    group: ConsumerGroup
    handler: BatchHandler
    wakes: tuple[str, ...] = ("route.",)


class Runtime:
    def __init__(
        self,
        runner: StoreRunner,
        bus: Bus,
        router: Router,
        dispatchers: Sequence[EndpointDispatcher],
        lanes: dict[str, LaneSettings],
        *,
        handler_retry: RetryPolicy,
        lane_for: Callable[[str], str],
        periodic: Sequence[tuple[float, Callable[[], Awaitable[None]]]] = (),
        consumers: Sequence[Consumer] = (),
        metrics: HubMetrics | None = None,
        leased: LeasedJobs | None = None,
        runs: Callable[[ConsumerGroup], bool] = _every_group,
        scheduler: bool = True,
        release_leases: bool = True,
        elsewhere: Wakeup | None = None,
    ) -> None:
        """`periodic` jobs run in every process (gauges); `leased` jobs once across all the
        processes sharing the store (`LeasedJobs`), whose leases `stop` gives back. `runs`
        picks the groups this process consumes (all by default) and `scheduler` whether it
        runs the periodic and leased jobs; `release_leases` frees every bus lease at start,
        right only when this is the store's one process (the embedded profile: a lease found
        then is a dead process's; with several processes it may be a live one's, and it
        expires (ack_wait) and is taken over then); `elsewhere` is told of the work a batch
        created, for the loops of other processes."""
        self._runner = runner
        self._metrics = metrics
        self._bus = bus
        self._router = router
        self.dispatchers = {d.name: d for d in dispatchers}
        self._lanes = lanes
        self._handler_retry = handler_retry
        self._lane_for = lane_for
        self._periodic = list(periodic)
        self._consumers = list(consumers)
        self._leased = leased
        self._runs = runs
        self._scheduler = scheduler
        self._release_leases = release_leases
        self._elsewhere = elsewhere
        self._wake: dict[str, asyncio.Event] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._jobs: list[asyncio.Task[None]] = []  # the scheduler's, among `_tasks`
        self._stopping = False

    # -- lifecycle -------------------------------------------------------------------------
    async def start(self) -> None:
        if self._release_leases:
            released = await self._runner.call(self._bus.release_leases)
            if released:
                log.warning("released %d leases left by a previous process", released)
        for lane in LANES:
            settings = self._lanes.get(lane, LaneSettings())
            routed = [t for t in self._router.document_types() if self._lane_for(t) == lane]
            group = route_group(lane, routed)
            await self._runner.call(self._bus.ensure_group, group)
            if routed and self._runs(group):
                self._spawn(
                    self._consume_loop(group.name, settings, self._router, ("deliver.",)),
                    group.name,
                )
            for dispatcher in self.dispatchers.values():
                dgroup = delivery_group(lane, dispatcher.name, dispatcher.budget.max_attempts)
                await self._runner.call(self._bus.ensure_group, dgroup)
                if not self._runs(dgroup):
                    continue
                for worker in range(max(1, settings.workers)):
                    self._spawn(
                        self._delivery_loop(dispatcher, dgroup.name, settings),
                        f"{dgroup.name}#{worker}",
                    )
        for consumer in self._consumers:
            await self._runner.call(self._bus.ensure_group, consumer.group)
            if not self._runs(consumer.group):
                continue
            settings = self._lanes.get(consumer.group.lane, LaneSettings())
            self._spawn(
                self._consume_loop(consumer.group.name, settings, consumer.handler, consumer.wakes),
                consumer.group.name,
            )
        leased = self._leased.jobs if self._leased is not None else []
        for interval, job in [*self._periodic, *leased] if self._scheduler else ():
            self._spawn(self._every(interval, job), getattr(job, "__name__", "periodic"))
            self._jobs.append(self._tasks[-1])

    async def stop(self, grace: float = 0.0) -> None:
        """Stop the loops. With a `grace` (a worker on SIGTERM) each loop first finishes the
        batch in hand, up to `grace` seconds, so its settled state is committed; a loop still
        busy then is cancelled, and its leased entries come back once their lease expires:
        abandoned, never lost."""
        self._stopping = True
        loops = [t for t in self._tasks if t not in self._jobs]
        if grace > 0 and loops:
            for job in self._jobs:
                job.cancel()  # a scheduled job is re-run by its next tick
            for event in self._wake.values():
                event.set()  # idle loops see `_stopping` at once
            await asyncio.wait(loops, timeout=grace)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        self._jobs.clear()
        if self._leased is not None:
            await self._leased.release()

    def _spawn(self, coro: Awaitable[None], name: str) -> None:
        self._tasks.append(asyncio.ensure_future(coro))
        self._tasks[-1].set_name(name)

    def _event(self, name: str) -> asyncio.Event:
        return self._wake.setdefault(name, asyncio.Event())

    def wake(self, prefix: str) -> None:
        """Tell the loops whose group starts with `prefix` that new work was committed."""
        for name, event in self._wake.items():
            if name.startswith(prefix):
                event.set()

    async def _idle(self, group: str, seconds: float) -> bool:
        """Wait for a wakeup or the timeout; True when woken (work was committed upstream)."""
        event = self._event(group)
        woken = False
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout=seconds)
            woken = True
        event.clear()
        return woken

    # -- loops -----------------------------------------------------------------------------
    async def _consume_loop(
        self, group: str, settings: LaneSettings, handler: BatchHandler, wakes: Sequence[str]
    ) -> None:
        """Fetch, handle and settle batches of one group (routing, flows) until stopped.

        A batch whose handling failed (the store went away mid-batch) is handed back as soon
        as the store answers again, rather than sitting out its lease (`ack_wait`, a minute).
        """
        idle = settings.poll_interval
        unsettled: list[BusEntry] = []
        while not self._stopping:
            entries: list[BusEntry] = []
            try:
                if unsettled:
                    await self._runner.call(release_batch, self._bus, group, unsettled)
                    unsettled = []
                entries = await self._runner.call(self._bus.fetch, group, settings.batch_size)
                if not entries:
                    idle = _next_idle(idle, settings, await self._idle(group, idle))
                    continue
                idle = settings.poll_interval
                created = await self._runner.call(self._handle_batch, handler, group, entries)
                if created:
                    for prefix in wakes:
                        self.wake(prefix)
                        if self._elsewhere is not None:
                            self._elsewhere(prefix)
            except asyncio.CancelledError:
                raise
            except Exception:
                unsettled = unsettled or entries
                log.exception("consumer loop %s failed; retrying", group)
                await asyncio.sleep(1.0)

    def _handle_batch(self, handler: BatchHandler, group: str, entries: list[BusEntry]) -> int:
        """On the store thread: handle a batch in one transaction, then settle it on the bus."""
        with self._runner.uow_factory() as uow:
            result = handler.handle_batch(uow, group, entries)
            uow.commit()
        # The router's untransformable messages: their fault, dead-lettered without retries.
        dead = result.dead if isinstance(result, RoutingResult) else []
        failed = {id(entry) for entry, _ in [*result.failed, *dead]}
        for entry, error in result.failed:
            log.error("%s: handling %s failed: %s", group, entry.message_id, error)
        for entry, error in dead:
            log.error("%s: %s dead-lettered: %s", group, entry.message_id, error)
        self._bus.settle(
            group,
            ack=[e for e in entries if id(e) not in failed],
            nak=[
                (e, self._handler_retry.delay(e.deliveries, None), err) for e, err in result.failed
            ],
            dead=dead,
        )
        if self._metrics is not None and dead:
            self._metrics.dead_letters.labels(group).inc(len(dead))
        if self._metrics is not None and isinstance(result, RoutingResult):
            for outcome, count in (("unrouted", result.unrouted), ("untransformable", len(dead))):
                if count:
                    self._metrics.routing.labels(outcome).inc(count)
        return result.created

    async def _delivery_loop(
        self, dispatcher: EndpointDispatcher, group: str, settings: LaneSettings
    ) -> None:
        idle = settings.poll_interval
        while not self._stopping:
            try:
                wait = dispatcher.ready_in()
                if wait > 0:
                    await asyncio.sleep(min(wait, 1.0))
                    continue
                if await dispatcher.run_round(group):
                    idle = settings.poll_interval
                else:
                    idle = _next_idle(idle, settings, await self._idle(group, idle))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("delivery loop %s failed; retrying", group)
                await asyncio.sleep(1.0)

    async def _every(self, interval: float, job: Callable[[], Awaitable[None]]) -> None:
        while not self._stopping:
            await asyncio.sleep(interval)
            if self._stopping:
                return
            try:
                await job()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("scheduled job failed")
