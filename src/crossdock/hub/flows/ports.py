"""The ports flows need from the store: instances and timers, and the exception log.

Both live in the unit of work (`uow.flows`, `uow.exceptions`), so a flow's new state, its
timers, its exceptions, the messages it emits and the inbox row of the event that caused them
commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from crossdock.hub.flows.exceptions import (
    ExceptionAction,
    ExceptionCategory,
    ExceptionRecord,
    ExceptionStatus,
)
from crossdock.hub.flows.model import FlowState, FlowTimer


class FlowConflict(RuntimeError):
    """Someone saved the instance since it was read (its version moved on)."""


@dataclass(slots=True, frozen=True)
class FlowCount:
    flow: str
    state: str
    completed: bool
    count: int


class FlowStore(Protocol):
    """Flow instances (by flow and key) and their timers."""

    def get(self, flow: str, key: str) -> FlowState | None: ...

    def save(self, state: FlowState, expected_version: int) -> None:
        """Write `state` (whose version is `expected_version + 1`) if the stored instance is
        still at `expected_version` (0: not stored yet).

        Raises:
            FlowConflict: the instance was created or saved by someone else meanwhile.
        """
        ...

    def find(
        self,
        *,
        flow: str | None = None,
        state: str | None = None,
        completed: bool | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[FlowState]:
        """Instances, most recently updated first."""
        ...

    def counts(self, flow: str | None = None) -> list[FlowCount]:
        """How many instances per (flow, state, completed)."""
        ...

    def set_timer(self, flow: str, key: str, name: str, due_at: datetime) -> None:
        """Create or move a timer; a fired or leased timer of the same name starts over."""
        ...

    def cancel_timers(self, flow: str, key: str, names: Sequence[str] | None = None) -> int:
        """Drop the named timers (None: every timer not fired yet). Returns how many."""
        ...

    def timers(self, flow: str, key: str) -> list[FlowTimer]: ...

    def lease_due_timers(
        self,
        now: datetime,
        lease_until: float,
        owner: str,
        limit: int = 100,
        due_by: datetime | None = None,
    ) -> list[FlowTimer]:
        """Lease timers due at `due_by` (default `now`), not fired and not leased by a lease
        live at `now`, for `owner` until `lease_until` (epoch seconds). Two callers never
        lease the same timer at once."""
        ...

    def claim_fire(self, timer: FlowTimer, fired_at: datetime) -> bool:
        """Mark a leased timer fired, if it is still the one that was leased (not moved,
        cancelled, fired or re-leased meanwhile). Call in the unit of work that applies its
        reaction: the mark commits with the effects."""
        ...


class ExceptionLog(Protocol):
    """Categorized exceptions with their evidence and what operators did about them."""

    def add(self, record: ExceptionRecord) -> None: ...

    def get(self, exception_id: str) -> ExceptionRecord | None: ...

    def find(
        self,
        *,
        category: ExceptionCategory | None = None,
        status: ExceptionStatus | None = None,
        correlation_key: str | None = None,
        flow: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[ExceptionRecord]:
        """Newest first."""
        ...

    def resolve(self, exception_id: str, resolution: str, resolved_at: datetime) -> bool:
        """Close an open exception with the reason; False when it is not open."""
        ...

    def note_action(self, exception_id: str, action: ExceptionAction) -> None:
        """Append an operator action (retry, replay) to the exception's audit trail."""
        ...

    def extend(self, exception_id: str, evidence: Sequence[str], data: Mapping[str, Any]) -> None:
        """Replace an open exception's evidence and data (one exception collecting the
        messages of one recurring cause, e.g. unrouted messages of one sender)."""
        ...

    def counts(self) -> dict[tuple[str, str], int]:
        """(category, status) -> how many."""
        ...
