"""Sync lag: how long a WMS stock movement takes to reach the ERP, as plain statistics.

A movement's lag runs from when it happened in the WMS (``occurred_at`` of the canonical
movement; the hub's receive time when the document does not say) to its first successful
delivery. The hub's own share (receive time to delivery) is reported beside it, so a slow WMS
and a slow hub are told apart. Movements not delivered yet count in `undelivered` and the age
of the oldest, never in the percentiles (which would otherwise look better the worse it gets).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crossdock.hub.inventory.model import MovementDelivery


@dataclass(slots=True, frozen=True)
class LagStats:
    """Seconds; None when nothing was delivered in the window."""

    delivered: int
    median: float | None
    p95: float | None
    max: float | None

    def as_dict(self) -> dict[str, Any]:
        return {"n": self.delivered, "median": self.median, "p95": self.p95, "max": self.max}


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending, non-empty list (no interpolation: the value
    is one a movement actually had)."""
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def stats(values: Sequence[float]) -> LagStats:
    ordered = sorted(values)
    if not ordered:
        return LagStats(0, None, None, None)
    return LagStats(
        len(ordered),
        round(percentile(ordered, 0.5), 3),
        round(percentile(ordered, 0.95), 3),
        round(ordered[-1], 3),
    )


def lag_report(
    movements: Sequence[MovementDelivery],
    undelivered: int,
    oldest_undelivered: datetime | None,
    now: datetime,
    window_hours: float,
) -> dict[str, Any]:
    """The ``sync_lag`` part of ``GET /v1/inventory/sync`` (and the KPI's input)."""
    end_to_end: list[float] = []
    hub_only: list[float] = []
    for m in movements:
        if m.delivered_at is None:
            continue
        start = m.occurred_at or m.received_at
        end_to_end.append(max(0.0, (m.delivered_at - start).total_seconds()))
        hub_only.append(max(0.0, (m.delivered_at - m.received_at).total_seconds()))
    age = None if oldest_undelivered is None else (now - oldest_undelivered).total_seconds()
    return {
        "window_hours": window_hours,
        "movements": len(movements),
        "lag_seconds": stats(end_to_end).as_dict(),
        "hub_lag_seconds": stats(hub_only).as_dict(),
        "undelivered": undelivered,
        "oldest_undelivered_received_at": (
            None if oldest_undelivered is None else oldest_undelivered.isoformat()
        ),
        "oldest_undelivered_age_seconds": None if age is None else round(max(0.0, age), 3),
    }
