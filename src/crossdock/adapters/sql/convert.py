"""Time conversions: the store keeps epoch seconds (portable, cheap to compare and index)."""

from __future__ import annotations

from datetime import UTC, datetime


def to_epoch(value: datetime) -> float:
    return value.timestamp()


def from_epoch(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def from_epoch_required(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC)


def storable(text: str | None) -> str | None:
    """Free text (errors, reasons, details) as every backend can store it: PostgreSQL's text
    types refuse NUL, which a receiver's or partner's bytes can bring in, so NUL becomes
    U+FFFD on every backend (the same mark undecodable bytes get)."""
    if text is None or "\x00" not in text:
        return text
    return text.replace("\x00", "\ufffd")
