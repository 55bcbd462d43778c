"""The scheduled reconciliation: pull both systems, record what they said, compare, keep the
drift table and the exceptions, remember the run.

Restart-safe the way flow timers are (`hub/flows/timers.py`): the schedule is a row in the
store with the next due time and a lease. Every hub process ticks; the one that takes the
lease runs, the others skip, and a process that dies mid-run gives the run back when its lease
expires. The next due time is stored, so a restart neither repeats a run that just happened
nor forgets one that is due. An operator's "run now" takes the same lease (`force=True`), so
it never overlaps a scheduled run.

Each pulled position is recorded as an ``inventory_position`` message (source erp / wms,
channel ``pull``, raw = the system's own row), so every drift and every exception points at
the exact statements it was decided on (their message ids are the evidence). The positions,
the drift rows, the exceptions raised or resolved and the run commit in one transaction.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, TypeVar

from crossdock.canonical.inventory import InventoryPosition
from crossdock.hub.flows.exceptions import to_record
from crossdock.hub.ids import new_id
from crossdock.hub.intake import record
from crossdock.hub.inventory.compare import FLOW_NAME, DriftPolicy, compare
from crossdock.hub.inventory.model import Position, ReconciliationRun
from crossdock.hub.inventory.ports import (
    InventoryUnitOfWork,
    InventoryUnitOfWorkFactory,
    PositionSource,
)
from crossdock.hub.records import InboundMessage, MessageStatus
from crossdock.hub.store_runner import StoreRunner
from crossdock.mapping.systems.positions import POSITION_TYPE, map_positions

log = logging.getLogger(__name__)

SCHEDULE = "inventory_reconciliation"
CHANNEL = "pull"
Side = Literal["erp", "wms"]
T = TypeVar("T")


@dataclass(slots=True, frozen=True)
class PullSide:
    """One system to pull: where (the source port), how to read it (map), recorded as whom."""

    source: PositionSource
    map_name: str
    message_source: str


class Reconciler:
    """Runs reconciliations; `tick` is the scheduler's job, `run(force=True)` the operator's."""

    def __init__(
        self,
        sides: Mapping[Side, PullSide],
        uow_factory: InventoryUnitOfWorkFactory,
        reader_factory: InventoryUnitOfWorkFactory,
        runner: StoreRunner,
        *,
        policy: DriftPolicy,
        every: timedelta,
        in_flight: timedelta,
        lane_for: Callable[[str], str],
        sites: frozenset[str] = frozenset(),
        lease: timedelta = timedelta(minutes=2),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        owner: str | None = None,
    ) -> None:
        self._sides = dict(sides)
        self._uow = uow_factory
        self._reader = reader_factory
        self._runner = runner
        self.policy = policy
        self.every = every
        self._in_flight = in_flight
        self._lane_for = lane_for
        self._sites = sites
        self._lease = lease
        self._clock = clock
        self.owner = owner or f"inventory-{new_id()}"

    @property
    def movement_source(self) -> str:
        """The source of the WMS's stock movements (the sync lag's subject)."""
        return self._sides["wms"].message_source

    async def tick(self) -> None:
        """The periodic job: run if due and nobody else is running."""
        try:
            await self.run(force=False)
        except Exception:  # the next tick tries again; the lease runs out by itself
            log.exception("inventory reconciliation failed")

    async def run(self, *, force: bool = True) -> ReconciliationRun | None:
        """One reconciliation, or None when it is not due (`force=False`) or another one
        holds the lease."""
        started = self._clock()
        if not await self._runner.call(self._take_lease, started, force):
            return None
        names = list(self._sides)
        bodies = await asyncio.gather(
            *(self._sides[n].source.fetch() for n in names), return_exceptions=True
        )
        failures = [
            f"{n}: {b}" for n, b in zip(names, bodies, strict=True) if isinstance(b, BaseException)
        ]
        if failures:
            run = ReconciliationRun(
                id=new_id(),
                started_at=started,
                finished_at=self._clock(),
                status="failed",
                error="; ".join(failures),
            )
            log.warning("inventory reconciliation could not pull: %s", run.error)
            await self._runner.call(self._finish_failed, run)
            return run
        pulled = {n: b for n, b in zip(names, bodies, strict=True) if isinstance(b, bytes)}
        return await self._runner.call(self._apply, started, pulled)

    async def read(self, fn: Callable[[InventoryUnitOfWork], T]) -> T:
        """Run a read-only query off the event loop (the API's drift and sync views)."""

        def job() -> T:
            with self._reader() as uow:
                return fn(uow)

        return await asyncio.get_running_loop().run_in_executor(None, job)

    async def close(self) -> None:
        for side in self._sides.values():
            await side.source.close()

    # -- on the store's writer thread --------------------------------------------------------
    def _take_lease(self, now: datetime, force: bool) -> bool:
        with self._uow() as uow:
            taken = uow.inventory.lease_schedule(
                SCHEDULE, now, now + self._lease, self.owner, force=force
            )
            uow.commit()
        return taken

    def _finish_failed(self, run: ReconciliationRun) -> None:
        with self._uow() as uow:
            uow.inventory.add_run(run)
            uow.inventory.finish_schedule(SCHEDULE, self.owner, run.finished_at + self.every)
            uow.commit()

    def _apply(self, started: datetime, pulled: Mapping[Side, bytes]) -> ReconciliationRun:
        run = ReconciliationRun(id=new_id(), started_at=started, finished_at=started, status="ok")
        received_at = self._clock()
        with self._uow() as uow:
            positions: dict[Side, dict[str, Position]] = {}
            for name, body in pulled.items():
                positions[name] = self._record_side(uow, run, self._sides[name], body, received_at)
            run.erp_positions = len(positions.get("erp", {}))
            run.wms_positions = len(positions.get("wms", {}))
            now = self._clock()
            in_flight = (
                uow.inventory.movements_in_flight(self.movement_source, now - self._in_flight)
                if self._in_flight > timedelta(0)
                else set()
            )
            result = compare(
                positions.get("erp", {}),
                positions.get("wms", {}),
                uow.inventory.open_drift(),
                in_flight,
                now,
                self.policy,
                new_id,
            )
            for row, raised in result.raise_for:
                exception = to_record(
                    raised, id=new_id(), created_at=now, flow=FLOW_NAME, key=row.key
                )
                uow.exceptions.add(exception)
                row.exception_id = exception.id
            for row in result.resolve:
                assert row.exception_id is not None
                uow.exceptions.resolve(
                    row.exception_id, f"drift cleared: ERP and WMS agree (run {run.id})", now
                )
            uow.inventory.save_drift(result.save)
            run.items_compared = result.compared
            run.drifting = result.drifting
            run.new_drift = result.new_drift
            run.in_flight = result.in_flight
            run.raised = len(result.raise_for)
            run.resolved = sum(1 for r in result.save if r.resolved_at is not None)
            run.finished_at = self._clock()
            uow.inventory.add_run(run)
            uow.inventory.finish_schedule(SCHEDULE, self.owner, run.finished_at + self.every)
            uow.commit()
        return run

    def _record_side(
        self,
        uow: InventoryUnitOfWork,
        run: ReconciliationRun,
        side: PullSide,
        body: bytes,
        received_at: datetime,
    ) -> dict[str, Position]:
        """Map one listing, record each position in scope as a message, return them by key.

        A listing that is not JSON, or an element that cannot be mapped, is a problem of the
        run (kept with it), not a message: recording it every run would only repeat it."""
        try:
            payload: Any = json.loads(body)
        except ValueError as exc:
            run.problems.append({"source": side.message_source, "path": "$", "reason": str(exc)})
            return {}
        mapped = map_positions(
            side.map_name,
            payload,
            system=side.message_source,
            received_at=received_at.isoformat(),
        )
        elements = payload if isinstance(payload, list) else []
        messages: list[InboundMessage] = []
        out: dict[str, Position] = {}
        for index, doc in enumerate(mapped):
            document = doc.document
            if not isinstance(document, InventoryPosition):
                for problem in doc.problems:
                    run.problems.append({"source": side.message_source,
                                         "path": f"{doc.path}{problem.path}",
                                         "reason": problem.reason})  # fmt: skip
                continue
            if self._sites and document.site.code not in self._sites:
                continue
            element = elements[index] if index < len(elements) else {}
            raw = json.dumps(element, separators=(",", ":"), sort_keys=True).encode()
            canonical = document.model_dump_json(exclude_none=True).encode()
            message = InboundMessage(
                id=new_id(),
                document_type=POSITION_TYPE,
                schema_version=document.schema_version,
                source=side.message_source,
                channel=CHANNEL,
                received_at=received_at,
                content_type="application/json",
                raw=raw,
                body_sha256=hashlib.sha256(raw).hexdigest(),
                status=MessageStatus.ACCEPTED,
                lane=self._lane_for(POSITION_TYPE),
                correlation_key=document.correlation_key(),
                idempotency_key=f"reconcile:{run.id}:{doc.key or index}",
                canonical=canonical,
            )
            messages.append(message)
            position = Position(
                site=document.site.code,
                item=document.item.key,
                on_hand=document.on_hand.value,
                available=document.available.value,
                unit=document.on_hand.unit,
                message_id=message.id,
            )
            out[position.key] = position
        record(uow, messages)
        return out
