"""What retention works with: cutoffs per document type, a run's record, and its two ports.

The ages come from settings (`config.retention`); the hub turns them into epoch-second
cutoffs at the start of a run, so every batch of a run prunes against the same line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

DAY = 86_400.0

#: The key of completed flow instances in the eligible counts (no document type has it).
FLOWS = "(completed flows)"


@dataclass(frozen=True, slots=True)
class Cutoffs:
    """A message received before its type's cutoff (epoch seconds) is old enough to prune.

    `per_type` names the configured types (None: that type is kept for ever); every other
    type uses `default` (None: kept for ever). `flows` is the cutoff of completed flow
    instances, by their last update."""

    per_type: Mapping[str, float | None] = field(default_factory=dict)
    default: float | None = None
    flows: float | None = None

    @classmethod
    def at(
        cls,
        now: float,
        *,
        default_days: float | None,
        per_type_days: Mapping[str, float | None],
        flow_days: float | None,
    ) -> Cutoffs:
        def line(days: float | None) -> float | None:
            return None if days is None else now - days * DAY

        return cls(
            per_type={t: line(d) for t, d in per_type_days.items()},
            default=line(default_days),
            flows=line(flow_days),
        )

    @property
    def prunes_messages(self) -> bool:
        return self.default is not None or any(c is not None for c in self.per_type.values())

    def cutoff_for(self, document_type: str) -> float | None:
        if document_type in self.per_type:
            return self.per_type[document_type]
        return self.default


@dataclass(slots=True)
class RetentionRun:
    """One run of the job or of `crossdock retention run`, as recorded in the store."""

    started_at: float
    finished_at: float | None = None
    trigger: str = "job"  # job | cli
    messages: int = 0
    deliveries: int = 0
    attempts: int = 0
    flows: int = 0
    batches: int = 0
    archives: list[str] = field(default_factory=list)
    error: str | None = None
    id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "trigger": self.trigger,
            "messages": self.messages,
            "deliveries": self.deliveries,
            "attempts": self.attempts,
            "flows": self.flows,
            "batches": self.batches,
            "archives": list(self.archives),
            "error": self.error,
        }


#: A pruned message as the store read it: its columns (``raw`` and ``canonical`` as bytes)
#: plus ``deliveries``, each with its columns (``attempts`` is the delivery's count) and
#: ``delivery_attempts``, its attempt rows in order.
MessageRecord = dict[str, Any]
#: A pruned flow instance: its columns plus ``timers``.
FlowRecord = dict[str, Any]


@dataclass(slots=True)
class BatchCursor:
    """Where a run stands in the message log: batches go in (received_at, id) order, so rows
    kept (an exception's evidence) are passed over, never read again in the same run."""

    received_at: float = float("-inf")
    id: str = ""


class RetentionStore(Protocol):
    """The store's side of retention. Each call is its own short transaction."""

    def eligible(self, cutoffs: Cutoffs) -> dict[str, int]:
        """How many messages per document type (and completed flows, under `FLOWS`) a run
        with `cutoffs` would prune now."""
        ...

    def message_batch(
        self, cutoffs: Cutoffs, cursor: BatchCursor, limit: int
    ) -> list[MessageRecord] | None:
        """Up to `limit` eligible messages after `cursor` (moving it past the rows read),
        each with its deliveries and their attempts, in a read transaction. Fewer (even
        none) when some read are kept; None when no eligible message is left."""
        ...

    def delete_messages(self, ids: Sequence[str]) -> tuple[int, int, int]:
        """Delete the messages of `ids` still eligible, with their deliveries, attempts,
        inbox rows and bus log entries, in one short transaction.

        Returns:
            (messages, deliveries, attempts) deleted.
        """
        ...

    def flow_batch(self, before: float, limit: int) -> list[FlowRecord]:
        """Up to `limit` completed flow instances last updated before `before`, each with
        its timers ([]: none left)."""
        ...

    def delete_flows(self, keys: Sequence[tuple[str, str]], before: float) -> int:
        """Delete the (flow, key) instances still eligible, with their timers; how many."""
        ...

    def record_run(self, run: RetentionRun) -> int:
        """Store a finished run; returns its id."""
        ...

    def runs(self, limit: int) -> list[RetentionRun]:
        """The latest runs, newest first."""
        ...


class Archive(Protocol):
    """Where pruned records go first: one file per run, kind and document type."""

    def write(self, run: str, kind: str, document_type: str, lines: Sequence[Any]) -> str:
        """Append `lines` (JSON-ready) durably; returns the file's path."""
        ...
