"""Which messages without a route are nobody's: the router's `UnroutedPolicy`, from the
settings and the consumers they switch on (see `crossdock.hub.routing_outcomes`), and the
`config check` warnings about senders whose documents would end up unrouted."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from crossdock.bootstrap.flows import build_flows
from crossdock.canonical.registry import document_types
from crossdock.config import Settings, load_settings, locate_problems
from crossdock.config.file import ConfigProblem, Loc
from crossdock.hub.flows.model import FlowDefinition
from crossdock.hub.routing_outcomes import UnroutedPolicy
from crossdock.hub.webhook_events import DOCUMENT_TYPES as WEBHOOK_DOCUMENT_TYPES
from crossdock.mapping.systems import system_format


def taken_document_types(settings: Settings, flows: Sequence[FlowDefinition]) -> frozenset[str]:
    """Document types a consumer other than routing acts on: the types the flows react to,
    carriers' milestones when the proof-of-delivery fetcher reads them, the positions the
    inventory reconciliation records for its own comparison, and the documents that raise
    webhook events when outbound webhooks are enabled."""
    taken = {t for flow in flows for t in flow.document_types}
    if settings.webhooks.enabled:  # the webhook fan-out's (not the fan-out itself: `config
        taken |= WEBHOOK_DOCUMENT_TYPES  # check` must not load the HTTP client with it)
    if any(carrier.pod for carrier in settings.carriers.values()):
        taken.add("shipment_milestone")
    reconciliation = settings.inventory_reconciliation
    if reconciliation.enabled and reconciliation.erp and reconciliation.wms:
        taken.add("inventory_position")
    return frozenset(taken)


def unrouted_policy(settings: Settings, flows: Sequence[FlowDefinition]) -> UnroutedPolicy:
    declared: set[tuple[str, str | None]] = set()
    for item in settings.unrouted:
        if item.source:
            declared.update((item.document_type, source) for source in item.source)
        else:
            declared.add((item.document_type, None))
    return UnroutedPolicy(
        taken=taken_document_types(settings, flows),
        declared=frozenset(declared),
        known=frozenset(document_types()),
    )


def coverage_warnings(settings: Settings, flows: Sequence[FlowDefinition]) -> list[tuple[Loc, str]]:
    """Document types and sources no route takes (nor another consumer, nor `unrouted:`):
    their messages would be `unrouted` with a `routing` exception. Warnings, not errors: a
    hub may well be configured one route at a time.

    Two kinds: a configured sender (a system, a carrier) sending a type nothing takes from
    it; and a type whose routes all name their sources, so it is unrouted from any other
    (a document posted to POST /v1/messages without X-Crossdock-Source comes from `api`).
    """
    policy = unrouted_policy(settings, flows)

    def covered(document_type: str, source: str) -> bool:
        return (
            policy.is_taken(document_type)
            or policy.is_declared(document_type, source)
            or any(
                r.when.document_type == document_type
                and (not r.when.source or source in r.when.source)
                for r in settings.routes
            )
        )

    senders: list[tuple[Loc, str, list[str]]] = []
    for name, system in settings.systems.items():
        events = system_format(system.format).events.values()
        senders.append((("systems", name), name, sorted({m.document_type for m in events})))
    for name, carrier in settings.carriers.items():
        sent = ["shipment_milestone", *(["proof_of_delivery"] if carrier.pod else [])]
        senders.append((("carriers", name), name, sent))
    warnings: list[tuple[Loc, str]] = []
    for at, source, sent in senders:
        missing = [t for t in sent if not covered(t, source)]
        if missing:
            warnings.append(
                (
                    at,
                    f"no route takes {', '.join(missing)} from {source!r}: such messages will "
                    "be unrouted, with a routing exception (add a route, or declare them "
                    "under `unrouted:`)",
                )
            )
    declared_types = {item.document_type for item in settings.unrouted}
    only_from: dict[str, set[str]] = {}
    for route in settings.routes:
        only_from.setdefault(route.when.document_type, set()).update(route.when.source)
    narrow = [
        f"{document_type} (from {', '.join(sorted(sources))})"
        for document_type, sources in only_from.items()
        if all(r.when.source for r in settings.routes if r.when.document_type == document_type)
        and not policy.is_taken(document_type)
        and document_type not in declared_types
    ]
    if narrow:
        warnings.append(
            (
                ("routes",),
                f"routed only from the sources their routes name: {'; '.join(narrow)}. From "
                "any other source (such as 'api': POST /v1/messages without "
                "X-Crossdock-Source) they will be unrouted",
            )
        )
    return warnings


def config_warnings(path: Path | None = None) -> list[ConfigProblem]:
    """`coverage_warnings` of a valid configuration file, located (for `config check`)."""
    settings = load_settings(path)
    return locate_problems(path, coverage_warnings(settings, build_flows(settings)))
