"""What routing does with a message it cannot turn into deliveries.

Two outcomes are the message's (or the configuration's) doing, not a passing failure, so they
are settled at once instead of being retried by the bus:

- **A transform error** (a `fields` path the document lacks, a map that cannot render it): the
  message is `failed`, its routing entry is dead-lettered with the error and a `mapping`
  exception names it. Fixing the route and `crossdock exceptions retry` routes it again.
- **No consumer**: no route matched and no other consumer (a flow, the proof-of-delivery
  fetcher, the inventory reconciliation) acts on its document type. The message is
  `unrouted`; unless the configuration declares that document type and source intentionally
  unrouted, one open `routing` exception per (document type, source) collects the messages as
  evidence, so a misconfigured sender makes one exception to fix, not thousands.

Both are written in the routing transaction, next to the routing decision.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from crossdock.hub.flows.exceptions import (
    ExceptionCategory,
    ExceptionStatus,
    RaisedException,
    to_record,
)
from crossdock.hub.ids import new_id
from crossdock.hub.ports import UnitOfWork
from crossdock.hub.records import StoredMessage

#: Evidence kept on one routing exception; the count in its data keeps growing past it.
MAX_EVIDENCE = 100


@dataclass(slots=True, frozen=True)
class UnroutedPolicy:
    """Which unmatched messages are nobody's: see the module docstring.

    Attributes:
        taken: Document types another consumer acts on (a flow, the POD fetcher, the
            reconciliation): unmatched by routes, they stay `accepted` for that consumer.
        declared: (document type, source) pairs the configuration leaves unrouted on purpose;
            a None source stands for every source. They are `unrouted` without an exception.
        known: Every document type the hub may receive (the canonical registry); routing
            subscribes to those it must watch (`watched_types`). Empty: only routed types.
    """

    taken: frozenset[str] = frozenset()
    declared: frozenset[tuple[str, str | None]] = frozenset()
    known: frozenset[str] = frozenset()

    def is_taken(self, document_type: str) -> bool:
        return document_type in self.taken

    def is_declared(self, document_type: str, source: str) -> bool:
        return (document_type, source) in self.declared or (document_type, None) in self.declared

    def watched_types(self) -> list[str]:
        """Document types routing must see even without a route for them: those nobody else
        takes. Those declared unrouted for every source are watched too, so that they are
        marked `unrouted` rather than left looking like they wait."""
        return sorted(t for t in self.known if t not in self.taken)


def dedupe_key(document_type: str, source: str) -> str:
    """The key of the one open routing exception per (document type, source)."""
    return f"unrouted:{document_type}:{source}"


def transform_failed(message: StoredMessage, error: str) -> RaisedException:
    """A `mapping` exception for a message a route's transform could not render."""
    summary = message.summary
    return RaisedException(
        category=ExceptionCategory.MAPPING,
        detail=f"{summary.document_type} {summary.id} could not be transformed: {error}",
        evidence=[summary.id],
        correlation_key=summary.correlation_key,
        data={"document_type": summary.document_type, "source": summary.source, "error": error},
    )


@dataclass(slots=True)
class UnroutedBatch:
    """Unmatched messages of one batch, sorted by what happens to them."""

    unrouted: list[str] = field(default_factory=list)
    unexpected: dict[tuple[str, str], list[str]] = field(default_factory=dict)


def sort_unmatched(policy: UnroutedPolicy, messages: Sequence[StoredMessage]) -> UnroutedBatch:
    """Split messages no route matched into unrouted ones (and which need an exception);
    messages another consumer takes are left out (they stay `accepted`)."""
    batch = UnroutedBatch()
    for message in messages:
        summary = message.summary
        if policy.is_taken(summary.document_type):
            continue
        batch.unrouted.append(summary.id)
        if not policy.is_declared(summary.document_type, summary.source):
            pair = (summary.document_type, summary.source)
            batch.unexpected.setdefault(pair, []).append(summary.id)
    return batch


def raise_unrouted(
    uow: UnitOfWork,
    unexpected: dict[tuple[str, str], list[str]],
    clock: Callable[[], datetime],
) -> None:
    """One open `routing` exception per (document type, source): new evidence is added to
    the open one, else a new one is raised (a resolved one stays resolved)."""
    for (document_type, source), ids in unexpected.items():
        key = dedupe_key(document_type, source)
        open_ones = uow.exceptions.find(
            category=ExceptionCategory.ROUTING,
            status=ExceptionStatus.OPEN,
            correlation_key=key,
            limit=1,
        )
        if open_ones:
            current = open_ones[0]
            count = int(current.data.get("messages", len(current.evidence))) + len(ids)
            evidence = _capped([*current.evidence, *ids])
            uow.exceptions.extend(current.id, evidence, {**current.data, "messages": count})
            continue
        raised = RaisedException(
            category=ExceptionCategory.ROUTING,
            detail=(
                f"{document_type} from {source} matches no route and no other consumer takes "
                "it: add a route, or declare it under `unrouted:` in the configuration"
            ),
            evidence=_capped(ids),
            correlation_key=key,
            data={"document_type": document_type, "source": source, "messages": len(ids)},
        )
        uow.exceptions.add(to_record(raised, id=new_id(), created_at=clock()))


def _capped(ids: Collection[str]) -> list[str]:
    """The first evidence stays (where it started), then the latest up to the cap."""
    unique = list(dict.fromkeys(ids))
    if len(unique) <= MAX_EVIDENCE:
        return unique
    return [*unique[:10], *unique[-(MAX_EVIDENCE - 10) :]]
