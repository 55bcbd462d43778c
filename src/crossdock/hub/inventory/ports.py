"""What the reconciliation needs from the outside: the store (drift table, runs, schedule,
movements and their deliveries) and the systems' position listings.

The store part lives in a unit of work that also has the message log and the exception log,
so recorded positions, drift rows, raised exceptions and the run commit together.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from crossdock.hub.inventory.model import DriftRow, MovementDelivery, ReconciliationRun
from crossdock.hub.ports import UnitOfWork


class PullError(RuntimeError):
    """A system's listing could not be read (connection, status, timeout)."""


class PositionSource(Protocol):
    """A system that lists its positions (an HTTP GET in production)."""

    @property
    def name(self) -> str: ...

    async def fetch(self) -> bytes:
        """The listing's body.

        Raises:
            PullError: The system did not answer with a listing.
        """
        ...

    async def close(self) -> None: ...


class InventoryStore(Protocol):
    """The drift table, the run log, the schedule lease and the movements' delivery facts."""

    def open_drift(self) -> list[DriftRow]:
        """Every open drift episode."""
        ...

    def find_drift(
        self,
        *,
        site: str | None = None,
        item: str | None = None,
        include_resolved: bool = False,
        limit: int = 1000,
    ) -> list[DriftRow]:
        """Drift episodes, longest drifting first (open ones only unless asked)."""
        ...

    def save_drift(self, rows: Sequence[DriftRow]) -> None:
        """Insert new episodes and update known ones (by id)."""
        ...

    def add_run(self, run: ReconciliationRun) -> None: ...

    def last_run(self) -> ReconciliationRun | None: ...

    def lease_schedule(
        self, name: str, now: datetime, lease_until: datetime, owner: str, *, force: bool
    ) -> bool:
        """Take the schedule's lease if the next run is due (or `force`) and nobody holds a
        live lease. Two callers never both get it."""
        ...

    def finish_schedule(self, name: str, owner: str, next_due_at: datetime) -> None:
        """Set the next due time and drop `owner`'s lease."""
        ...

    def next_due(self, name: str) -> datetime | None: ...

    def movements_in_flight(self, source: str, since: datetime) -> set[str]:
        """Correlation keys (``site/item``) of stock movements from `source` received since
        `since` and not yet delivered (accepted or routed)."""
        ...

    def movement_deliveries(
        self, source: str, since: datetime, limit: int = 50_000
    ) -> list[MovementDelivery]:
        """Stock movements from `source` received since `since`, with their first
        successful delivery time (oldest first)."""
        ...

    def undelivered_movements(self, source: str) -> tuple[int, datetime | None]:
        """How many stock movements from `source` are not delivered (accepted, routed or
        failed) and when the oldest of them was received."""
        ...


class InventoryUnitOfWork(UnitOfWork, Protocol):
    @property
    def inventory(self) -> InventoryStore: ...

    def __enter__(self) -> InventoryUnitOfWork: ...


class InventoryUnitOfWorkFactory(Protocol):
    def __call__(self) -> InventoryUnitOfWork: ...
