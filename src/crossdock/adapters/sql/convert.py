"""Time conversions: the store keeps epoch seconds (portable, cheap to compare and index)."""

from __future__ import annotations

from datetime import UTC, datetime


def to_epoch(value: datetime) -> float:
    return value.timestamp()


def from_epoch(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def from_epoch_required(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC)
