"""The ports that coordinate work rather than store documents: the bus (topic log with
consumer groups), the write executor that runs units of work, and the cluster-wide job leases.

Kept apart from `hub.ports` (the store's document ports) so each reads in one sitting;
`hub.ports` re-exports them, so callers import from either.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from crossdock.hub.records import BusEntry, ConsumerGroup, DeadLetter, MessageFilter


class WriteExecutor(Protocol):
    """Runs the store's blocking write jobs (each opens and commits its own unit of work) off
    the event loop, lower `priority` first. The backend chooses it: one thread on SQLite,
    a pool retrying transient failures on PostgreSQL (`StoreRunner` uses either)."""

    def submit(self, priority: int, fn: Callable[[], Any]) -> asyncio.Future[Any]:
        """Queue `fn`; the future (of the running loop) settles with its result."""
        ...

    def close(self) -> None:
        """Finish the jobs queued so far, then stop the threads."""
        ...


@dataclass(slots=True)
class ReplayFilter:
    """Which published messages to hand to a consumer group again."""

    message_ids: list[str] | None = None
    messages: MessageFilter = field(default_factory=MessageFilter)


class Bus(Protocol):
    """A durable topic log with consumer groups (JetStream semantics).

    At-least-once: a fetched entry is leased for the group's ack wait; unacknowledged, it comes
    back. Within a group, entries with the same key are handed out one at a time, in order.
    `nak` schedules a redelivery after a delay; past `max_deliver` the entry is dead-lettered.
    """

    def ensure_group(self, group: ConsumerGroup) -> None: ...

    def fetch(self, group: str, limit: int) -> list[BusEntry]: ...

    def ack(self, group: str, entries: Sequence[BusEntry]) -> None: ...

    def hasten(self, group: str) -> int:
        """Make every entry of the group that waits out a redelivery delay deliverable now
        (its receiver is back); returns how many. Order per key is kept as ever."""
        ...

    def nak(self, group: str, entry: BusEntry, delay_seconds: float, error: str) -> bool:
        """Redeliver later; True when this dead-lettered the entry instead."""
        ...

    def settle(
        self,
        group: str,
        ack: Sequence[BusEntry] = (),
        nak: Sequence[tuple[BusEntry, float, str]] = (),
        dead: Sequence[tuple[BusEntry, str]] = (),
    ) -> int:
        """Ack, nak (entry, delay, error) and dead-letter in one go; returns how many naks
        turned into dead letters because the entry had used up `max_deliver`."""
        ...

    def dead_letter(self, group: str, entry: BusEntry, error: str) -> None:
        """Give up on an entry now (a permanent failure)."""
        ...

    def dead_letters(self, group: str | None = None, limit: int = 100) -> list[DeadLetter]: ...

    def retry_dead_letters(self, group: str | None, pending_ids: Sequence[int] | None) -> int:
        """Make dead letters deliverable again (deliveries reset). Returns how many."""
        ...

    def replay(self, group: str, message_ids: Sequence[str]) -> int:
        """Hand the log entries of these messages to `group` again. Returns how many."""
        ...

    def replay_from(self, group: str, *, seq: int | None = None, since: float | None = None) -> int:
        """Hand `group` every matching log entry from sequence `seq` or publish time `since`
        (epoch seconds) again. Returns how many."""
        ...

    def backlog(self) -> dict[str, int]:
        """Group name -> entries not yet acknowledged (published but unconsumed included)."""
        ...

    def has_work(self, group: str) -> bool:
        """Cheap check whether fetch could return anything now."""
        ...

    def oldest_unhandled(self, group: str) -> float | None:
        """Publish time (epoch seconds) of the oldest entry `group` has still to handle —
        pending, or published past its cursor — or None when it has caught up. May be earlier
        than the exact answer, never later. Entries that already failed once (retrying) do
        not count: they hold nothing back while they wait."""
        ...

    def release_leases(self) -> int:
        """Make every leased entry deliverable again (after a crash of the only consumer)."""
        ...

    def groups(self) -> list[ConsumerGroup]: ...


class JobLeases(Protocol):
    """Named, expiring leases in the store, atomic across processes and hosts: a cluster-wide
    periodic job runs only in the process holding its lease (`hub.cluster_jobs`)."""

    def acquire(self, name: str, owner: str, ttl: float) -> bool:
        """Take lease `name` for `ttl` seconds when it is free or expired, or renew it when
        `owner` already holds it. True when `owner` holds it afterwards."""
        ...

    def release(self, name: str, owner: str) -> bool:
        """Free lease `name` at once if `owner` holds it; True when it did."""
        ...
