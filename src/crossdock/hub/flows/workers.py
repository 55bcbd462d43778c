"""What a hub with flows runs besides routing and delivery, assembled for the runtime.

`bootstrap` calls `flow_workers` with the flows it built; with no flows nothing is added, so
a hub without flows runs exactly as before.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

from crossdock.hub.flows.engine import FlowEngine, flow_group
from crossdock.hub.flows.model import FlowDefinition
from crossdock.hub.flows.technical import DeadLetterSweep, RejectionWatcher, rejected_group
from crossdock.hub.flows.timers import TimerJob
from crossdock.hub.ports import Bus, UnitOfWorkFactory
from crossdock.hub.runtime import LANES, Consumer
from crossdock.hub.store_runner import StoreRunner

Job = tuple[float, Callable[[], Awaitable[None]]]

TIMER_INTERVAL_SECONDS = 1.0
DEAD_LETTER_SWEEP_SECONDS = 5.0


def flows_caught_up(bus: Bus, groups: Sequence[str]) -> Callable[[], datetime | None]:
    """When the flow groups' backlog starts (None: they have handled everything): timers due
    after it wait until the flows have seen what came before them."""

    def caught_up() -> datetime | None:
        oldest = [t for t in (bus.oldest_unhandled(g) for g in groups) if t is not None]
        return datetime.fromtimestamp(min(oldest), UTC) if oldest else None

    return caught_up


def flow_workers(
    flows: Sequence[FlowDefinition],
    *,
    lane_for: Callable[[str], str],
    uow_factory: UnitOfWorkFactory,
    bus: Bus,
    runner: StoreRunner,
    wake: Callable[[str], None],
) -> tuple[list[Consumer], list[Job]]:
    """Consumers and periodic jobs for `flows`.

    - a `flow.<lane>` consumer per lane that has flows; what flows emit is routed (and may
      advance other flows), so it wakes the routing and flow loops;
    - the timer job (every second), which holds back timers due after the oldest entry the
      flow groups still have to handle;
    - the technical-exception watchers: rejected messages become validation / mapping
      exceptions, delivery dead letters endpoint_unavailable ones.
    """
    unknown = sorted({f.lane for f in flows} - set(LANES))
    if unknown:
        raise ValueError(f"flows name unknown lanes {unknown} (known: {', '.join(LANES)})")
    if not flows:
        return [], []
    consumers = []
    groups = []
    for lane in LANES:
        in_lane = [f for f in flows if f.lane == lane]
        if in_lane:
            engine = FlowEngine(in_lane, lane_for=lane_for)
            group = flow_group(lane, in_lane, lane_for)
            groups.append(group.name)
            consumers.append(Consumer(group, engine, wakes=("route.", "flow.")))
    consumers.append(Consumer(rejected_group(), RejectionWatcher(), wakes=()))
    timers = TimerJob(flows, uow_factory, lane_for=lane_for, caught_up=flows_caught_up(bus, groups))
    sweep = DeadLetterSweep(bus, uow_factory)

    async def fire_flow_timers() -> None:
        run = await runner.call(timers.run_once)
        if run.emitted:
            wake("route.")
            wake("flow.")

    async def raise_dead_letter_exceptions() -> None:
        await runner.call(sweep.run_once)

    return consumers, [
        (TIMER_INTERVAL_SECONDS, fire_flow_timers),
        (DEAD_LETTER_SWEEP_SECONDS, raise_dead_letter_exceptions),
    ]
