"""Records of the reconciliation: one position per side, a drift episode, a run, lag samples.

Plain dataclasses (not pydantic): they come from the store or from validated canonical
documents, never straight from untrusted input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any


@dataclass(slots=True, frozen=True)
class Position:
    """What one system states for one item at one site, and the message that recorded it."""

    site: str
    item: str
    on_hand: Decimal
    available: Decimal
    unit: str
    message_id: str = ""

    @property
    def key(self) -> str:
        """``<site>/<item>``: the correlation key of the item's stock movements and positions."""
        return f"{self.site}/{self.item}"


@dataclass(slots=True)
class DriftRow:
    """One drift episode of one item at one site: open while ``resolved_at`` is None.

    ``first_seen_at`` is when the hub first saw the systems disagree and stays put while the
    episode lasts (the quantities may change in between); ``runs`` counts the consecutive
    runs that saw it, so a difference seen once (a movement crossing a pull) raises nothing.
    """

    id: str
    site: str
    item: str
    unit: str
    erp_on_hand: Decimal | None
    wms_on_hand: Decimal | None
    difference: Decimal
    first_seen_at: datetime
    last_checked_at: datetime
    erp_available: Decimal | None = None
    wms_available: Decimal | None = None
    runs: int = 1
    resolved_at: datetime | None = None
    exception_id: str | None = None
    evidence: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.site}/{self.item}"

    @property
    def open(self) -> bool:
        return self.resolved_at is None


@dataclass(slots=True)
class ReconciliationRun:
    """One pass: when, how much was compared, what it found; ``error`` when a pull failed."""

    id: str
    started_at: datetime
    finished_at: datetime
    status: str  # ok | failed
    items_compared: int = 0
    drifting: int = 0
    new_drift: int = 0
    resolved: int = 0
    raised: int = 0
    in_flight: int = 0
    erp_positions: int = 0
    wms_positions: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None


@dataclass(slots=True, frozen=True)
class MovementDelivery:
    """One stock movement from the WMS and when it first reached a receiver (None: not yet)."""

    message_id: str
    correlation_key: str | None
    received_at: datetime
    status: str
    occurred_at: datetime | None = None
    delivered_at: datetime | None = None
