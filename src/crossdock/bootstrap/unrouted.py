"""Which messages without a route are nobody's: the router's `UnroutedPolicy`, from the
settings and the consumers the hub runs (see `crossdock.hub.routing_outcomes`)."""

from __future__ import annotations

from collections.abc import Sequence

from crossdock.canonical.registry import document_types
from crossdock.config import Settings
from crossdock.hub.routing_outcomes import UnroutedPolicy
from crossdock.hub.runtime import Consumer


def taken_document_types(
    consumers: Sequence[Consumer], *, pod: bool, reconciling: bool
) -> frozenset[str]:
    """Document types a consumer other than routing acts on.

    A flow consumer subscribes to `doc.<lane>.<type>` for each type its flows react to; the
    proof-of-delivery fetcher reads carriers' milestones; the inventory reconciliation records
    the positions it pulls for its own comparison.
    """
    taken: set[str] = set()
    for consumer in consumers:
        for subject in consumer.group.subjects:
            parts = subject.split(".")
            if parts[0] == "doc" and len(parts) == 3:
                taken.update(document_types() if parts[2] == ">" else [parts[2]])
    if pod:
        taken.add("shipment_milestone")
    if reconciling:
        taken.add("inventory_position")
    return frozenset(taken)


def unrouted_policy(
    settings: Settings, consumers: Sequence[Consumer], *, pod: bool, reconciling: bool
) -> UnroutedPolicy:
    declared: set[tuple[str, str | None]] = set()
    for item in settings.unrouted:
        if item.source:
            declared.update((item.document_type, source) for source in item.source)
        else:
            declared.add((item.document_type, None))
    return UnroutedPolicy(
        taken=taken_document_types(consumers, pod=pod, reconciling=reconciling),
        declared=frozenset(declared),
        known=frozenset(document_types()),
    )
