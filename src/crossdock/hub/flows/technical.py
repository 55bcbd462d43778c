"""Technical failures as exceptions: rejected messages and dead-lettered deliveries.

Flows raise business exceptions; these two watchers raise the technical ones, so operators
find every failure in one list (`crossdock exceptions list`):

- `RejectionWatcher`, a consumer of the ``rejected.>`` subjects intake already announces:
  each rejected message becomes a `validation` exception (`mapping` when a partner format
  could not be mapped), claimed in the inbox like any consumer, so it is raised once.
- `DeadLetterSweep`, a periodic job: each delivery that ran out of retries becomes an
  `endpoint_unavailable` exception whose `retry` action re-delivers it. The inbox row
  (sweep, message@dead time, dead letter id) keeps it from being raised twice, while a
  delivery that dies again after a retry raises a new one.

Both start from the beginning of the store: on a store that already holds rejected messages
or dead letters, the first run raises an exception for each of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from crossdock.hub.flows.exceptions import dead_delivery, rejected_message, to_record
from crossdock.hub.ids import new_id
from crossdock.hub.ports import Bus, UnitOfWork, UnitOfWorkFactory
from crossdock.hub.records import BusEntry, ConsumerGroup, DeadLetter

REJECTED_GROUP = "exceptions.rejected"
DEAD_LETTER_CONSUMER = "exceptions.dead_letters"
DELIVERY_PREFIX = "deliver."


def _claim(dead: DeadLetter) -> tuple[str, int]:
    """The inbox key of one death of one dead letter (a retried delivery may die again)."""
    died = int(dead.dead_at.timestamp() * 1000) if dead.dead_at else 0
    return f"{dead.message_id}@{died}", dead.pending_id


def rejected_group() -> ConsumerGroup:
    """The consumer of rejected messages (bulk lane: an operator reads these, nobody waits)."""
    return ConsumerGroup(name=REJECTED_GROUP, subjects=("rejected.>",), lane="bulk", max_deliver=20)


@dataclass(slots=True)
class WatchResult:
    raised: int = 0
    failed: list[tuple[BusEntry, str]] = field(default_factory=list)

    @property
    def created(self) -> int:
        return 0  # exceptions wake no loop


class RejectionWatcher:
    """Consumer-group handler: every rejected message becomes one exception."""

    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._clock = clock

    def handle_batch(
        self, uow: UnitOfWork, consumer: str, entries: Sequence[BusEntry]
    ) -> WatchResult:
        result = WatchResult()
        stored = uow.messages.get_many([e.message_id for e in entries], with_raw=False)
        claims = []
        for entry in entries:
            if entry.message_id in stored:
                claims.append((entry.message_id, entry.replay))
            else:
                result.failed.append((entry, f"message {entry.message_id} is not in the log"))
        fresh = uow.inbox.claim_many(consumer, claims)
        now = self._clock()
        for message_id, replay in claims:
            if (message_id, replay) not in fresh:
                continue
            message = stored[message_id]
            errors = message.errors
            raised = rejected_message(
                message_id,
                message.summary.document_type,
                errors,
                correlation_key=message.summary.correlation_key,
                mapping=any("mapping" in str(e.get("type", "")) for e in errors),
            )
            uow.exceptions.add(to_record(raised, id=new_id(), created_at=now))
            result.raised += 1
        return result


class DeadLetterSweep:
    """Periodic job raising `endpoint_unavailable` for new delivery dead letters. Blocking:
    run it on the store's writer thread."""

    def __init__(
        self,
        bus: Bus,
        uow_factory: UnitOfWorkFactory,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        scan_limit: int = 10_000,
    ) -> None:
        self._bus = bus
        self._uow = uow_factory
        self._clock = clock
        self._scan_limit = scan_limit
        self._seen: set[tuple[str, int]] = set()  # claimed already: skip the inbox next time

    def run_once(self) -> int:
        """Raise an exception per delivery dead letter not raised yet; returns how many."""
        dead = [
            d
            for d in self._bus.dead_letters(None, self._scan_limit)
            if d.group.startswith(DELIVERY_PREFIX) and _claim(d) not in self._seen
        ]
        if not dead:
            return 0

        now = self._clock()
        with self._uow() as uow:
            fresh = uow.inbox.claim_many(DEAD_LETTER_CONSUMER, [_claim(d) for d in dead])
            for d in dead:
                if _claim(d) not in fresh:
                    continue
                raised = dead_delivery(
                    d.message_id,
                    d.group,
                    d.last_error,
                    correlation_key=d.key,
                    pending_id=d.pending_id,
                )
                uow.exceptions.add(to_record(raised, id=new_id(), created_at=now))
            uow.commit()
        self._seen.update(_claim(d) for d in dead)
        return len(fresh)
