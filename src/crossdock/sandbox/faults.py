"""Fault injection shared by every sandbox system, switched on and off over ``POST /_faults``.

Real partner systems fail in a handful of recognisable ways, and the hub's flows must survive
each of them: the system is down (503 for a while), answers slowly, its sender repeats or
reorders events, its webhook sender cannot reach us for a while, it loses an event, or it simply
never answers. One spec covers them all, so a scenario driver can script any system alike::

    {"down_for": 60}              answer 503 (or "status") on the business API for 60 s;
                                  outbound sending and scheduled work pause too
    {"down": true} / {"down": false}   the same until switched back
    {"slow": 0.5, "slow_for": 30} delay every business answer by 0.5 s (for 30 s, or until clear)
    {"duplicate_next": 2}         the next 2 outbound events are sent twice (same key, or
                                  ``"duplicate_new_key": true`` for a resend under a new key)
    {"reorder_next": 3}           hold the next 3 outbound events, then send them newest first
    {"outbound_down_for": 30}     the sender cannot deliver for 30 s (webhook outage): events
                                  queue and drain afterwards; ``"outbound_down": true|false``
    {"drop_next": 1}              the next outbound event is lost (a missing milestone)
    {"silent": true}              emit nothing at all until ``"silent": false``
    {"clear": true}               everything off (applied first, so it combines with the rest)

Faults live in memory only: a restarted system comes back healthy, as a real one would.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, fields
from typing import Any

_KEYS = {
    "clear",
    "down",
    "down_for",
    "status",
    "slow",
    "slow_for",
    "duplicate_next",
    "duplicate_new_key",
    "reorder_next",
    "outbound_down",
    "outbound_down_for",
    "drop_next",
    "silent",
}


class FaultSpecError(ValueError):
    """A ``/_faults`` body that names an unknown fault or a value of the wrong type."""


def _until(seconds: Any) -> float:
    """A monotonic deadline ``seconds`` from now (``inf`` for None: until switched off)."""
    return math.inf if seconds is None else time.monotonic() + float(seconds)


@dataclass
class Faults:
    """The faults currently active on one system; deadlines are ``time.monotonic()`` values."""

    down_until: float = 0.0
    down_status: int = 503
    slow: float = 0.0
    slow_until: float = 0.0
    duplicate_next: int = 0
    duplicate_new_key: bool = False
    reorder_next: int = 0
    outbound_down_until: float = 0.0
    drop_next: int = 0
    silent: bool = False

    def reset(self) -> None:
        """Switch every fault off."""
        for f in fields(self):
            setattr(self, f.name, f.default)

    def is_down(self) -> bool:
        return time.monotonic() < self.down_until

    def outbound_blocked(self) -> bool:
        """True while the system cannot send: it is down, or its sender has an outage."""
        return self.is_down() or time.monotonic() < self.outbound_down_until

    def delay(self) -> float:
        return self.slow if time.monotonic() < self.slow_until else 0.0

    def apply(self, spec: dict[str, Any]) -> None:
        """Apply a fault spec (see the module docstring); raises FaultSpecError when invalid."""
        if not isinstance(spec, dict):
            raise FaultSpecError("a fault spec is a JSON object")
        unknown = set(spec) - _KEYS
        if unknown:
            raise FaultSpecError(f"unknown fault(s): {sorted(unknown)}; known: {sorted(_KEYS)}")
        try:
            self._apply(spec)
        except (TypeError, ValueError) as exc:
            raise FaultSpecError(f"bad fault value: {exc}") from exc

    def _apply(self, spec: dict[str, Any]) -> None:
        if spec.get("clear"):
            self.reset()
        if "status" in spec:
            self.down_status = int(spec["status"])
        if "down_for" in spec:
            self.down_until = _until(spec["down_for"])
        if "down" in spec:
            self.down_until = math.inf if spec["down"] else 0.0
        if "slow" in spec:
            self.slow = float(spec["slow"])
            self.slow_until = _until(spec.get("slow_for"))
        if "duplicate_next" in spec:
            self.duplicate_next = int(spec["duplicate_next"])
        if "duplicate_new_key" in spec:
            self.duplicate_new_key = bool(spec["duplicate_new_key"])
        if "reorder_next" in spec:
            self.reorder_next = int(spec["reorder_next"])
        if "outbound_down_for" in spec:
            self.outbound_down_until = _until(spec["outbound_down_for"])
        if "outbound_down" in spec:
            self.outbound_down_until = math.inf if spec["outbound_down"] else 0.0
        if "drop_next" in spec:
            self.drop_next = int(spec["drop_next"])
        if "silent" in spec:
            self.silent = bool(spec["silent"])

    def view(self) -> dict[str, Any]:
        """What is active now, with remaining seconds (``null`` = until switched off)."""
        now = time.monotonic()

        def left(deadline: float) -> float | None:
            return None if deadline == math.inf else round(max(deadline - now, 0.0), 3)

        return {
            "down": self.is_down(),
            "down_remaining": left(self.down_until) if self.is_down() else 0.0,
            "status": self.down_status,
            "slow": self.delay(),
            "duplicate_next": self.duplicate_next,
            "duplicate_new_key": self.duplicate_new_key,
            "reorder_next": self.reorder_next,
            "outbound_down": now < self.outbound_down_until,
            "drop_next": self.drop_next,
            "silent": self.silent,
        }
