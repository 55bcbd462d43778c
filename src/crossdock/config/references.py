"""Cross-reference checks of the settings: what one field alone cannot validate.

Kept apart from the setting models so each reads in one sitting; `Settings` runs these after
its fields are valid and reports each problem at the setting that names the missing thing.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from crossdock.canonical.registry import document_model, document_types
from crossdock.canonical.versions import current_version, reachable
from crossdock.config.file import Loc
from crossdock.mapping.transforms import path_problem

if TYPE_CHECKING:
    from crossdock.config.partners import PartnerConfig
    from crossdock.config.sections import RouteConfig


@dataclass(frozen=True)
class References:
    """What the cross-reference checks read, from valid settings or from the valid parts of
    invalid ones (so `config check` reports these problems next to the others, in one run).

    Attributes:
        document_lanes: The document types given a lane.
        endpoints: Every endpoint name, valid or not; None when the section is unreadable
            (nothing to check routes against).
        routes: The valid routes, with their index in the file.
        partners: The valid partners.
        partner_names: Every partner name, valid or not.
        supplier_routes: `flows.procure_to_pay.supplier_routes`, as written.
    """

    document_lanes: Collection[str] = ()
    endpoints: Collection[str] | None = ()
    routes: Sequence[tuple[int, RouteConfig]] = ()
    partners: Mapping[str, PartnerConfig] = field(default_factory=dict)
    partner_names: Collection[str] = ()
    supplier_routes: Sequence[str] = ()


def partial_references(data: Mapping[str, Any]) -> References:
    """The parts of raw settings that validate on their own, for the reference checks of a
    configuration that has other problems too: each route and partner is validated alone,
    and a name written in the file counts as existing even when its entry is invalid."""
    from pydantic import ValidationError

    from crossdock.config.partners import PartnerConfig
    from crossdock.config.sections import RouteConfig

    lanes = data.get("document_lanes", {})
    endpoints = data.get("endpoints", {})
    raw_routes = data.get("routes", [])
    raw_partners = data.get("partners", {})
    routes: list[tuple[int, RouteConfig]] = []
    for index, raw in enumerate(raw_routes if isinstance(raw_routes, list) else []):
        try:
            routes.append((index, RouteConfig.model_validate(raw)))
        except ValidationError:
            continue  # reported by the settings' own validation
    partners: dict[str, PartnerConfig] = {}
    for name, raw in raw_partners.items() if isinstance(raw_partners, Mapping) else ():
        try:
            partners[str(name)] = PartnerConfig.model_validate(raw)
        except ValidationError:
            continue
    return References(
        document_lanes=[str(k) for k in lanes] if isinstance(lanes, Mapping) else [],
        endpoints=[str(k) for k in endpoints] if isinstance(endpoints, Mapping) else None,
        routes=routes,
        partners=partners,
        partner_names=[str(k) for k in raw_partners] if isinstance(raw_partners, Mapping) else [],
        supplier_routes=_written_supplier_routes(data),
    )


def _written_supplier_routes(data: Mapping[str, Any]) -> list[str]:
    flows = data.get("flows")
    p2p = flows.get("procure_to_pay") if isinstance(flows, Mapping) else None
    named = p2p.get("supplier_routes") if isinstance(p2p, Mapping) else None
    return [str(n) for n in named] if isinstance(named, list) else []


def reference_problems(refs: References) -> list[tuple[Loc, str]]:
    """Cross-reference checks that one field alone cannot make.

    Returns:
        (path, message) for each route naming a missing endpoint or unknown document type,
        each repeated route name, each ``transform: fields`` without fields, each ``fields``
        path or ``where`` field the document type's canonical schema does not have, and each
        unknown document type in ``document_lanes``.
    """
    known_types = _known_document_types()
    endpoints = ", ".join(sorted(refs.endpoints or ())) or "none"
    problems: list[tuple[Loc, str]] = []
    if known_types:
        for document_type in refs.document_lanes:
            if document_type not in known_types:
                message = _unknown_type(document_type, known_types)
                problems.append((("document_lanes", document_type), message))
    first_index: dict[str, int] = {}
    for index, route in refs.routes:
        at: Loc = ("routes", index)
        if route.name in first_index:
            message = (
                f"duplicate route name {route.name!r} (first at routes[{first_index[route.name]}])"
            )
            problems.append(((*at, "name"), message))
        first_index.setdefault(route.name, index)
        document_type = route.when.document_type
        if known_types and document_type not in known_types:
            message = _unknown_type(document_type, known_types)
            problems.append(((*at, "when", "document_type"), message))
        if refs.endpoints is not None and route.deliver.endpoint not in refs.endpoints:
            message = f"unknown endpoint {route.deliver.endpoint!r} (known: {endpoints})"
            problems.append(((*at, "deliver", "endpoint"), message))
        if route.deliver.transform == "fields" and not route.deliver.fields:
            problems.append(((*at, "deliver", "fields"), "transform 'fields' needs fields"))
        if route.deliver.transform != "fields" and route.deliver.fields:
            message = "fields are only used with transform 'fields'"
            problems.append(((*at, "deliver", "fields"), message))
        problems.extend(_path_problems(route, at))
        problems.extend(_version_problems(route, at))
        problems.extend(_x12_route_problems(refs, route, at))
        problems.extend(_system_route_problems(route, at))
    problems.extend(_partner_problems(refs, endpoints))
    problems.extend(_csv_problems(refs))
    problems.extend(_supplier_route_problems(refs))
    return problems


def _supplier_route_problems(refs: References) -> list[tuple[Loc, str]]:
    """`flows.procure_to_pay.supplier_routes` must name routes that deliver purchase orders."""
    named = refs.supplier_routes
    po_routes = sorted(r.name for _, r in refs.routes if r.when.document_type == "purchase_order")
    known = ", ".join(po_routes) or "none"
    return [
        (
            ("flows", "procure_to_pay", "supplier_routes", index),
            f"{name!r} is not a route of purchase_order (known: {known})",
        )
        for index, name in enumerate(named)
        if name not in po_routes
    ]


def _path_problems(route: RouteConfig, at: Loc) -> list[tuple[Loc, str]]:
    """`fields` paths and `where` fields must exist in the document type's canonical schema:
    a typo would otherwise fail every message (fields) or match none (where) at run time."""
    model = document_model(route.when.document_type)
    if model is None:  # an unknown type is reported on its own
        return []
    problems: list[tuple[Loc, str]] = []
    for path in route.when.where:
        if problem := path_problem(model, path):
            problems.append(((*at, "when", "where", path), problem))
    if route.deliver.transform == "fields":
        for target, path in route.deliver.fields.items():
            if problem := path_problem(model, path):
                problems.append(((*at, "deliver", "fields", target), problem))
    return problems


def _version_problems(route: RouteConfig, at: Loc) -> list[tuple[Loc, str]]:
    """A pinned schema version must exist and be reachable from the current one: otherwise
    every message of the route would fail at delivery time."""
    pinned = route.deliver.schema_version
    kind = route.when.document_type
    if pinned is None or document_model(kind) is None:
        return []
    current = current_version(kind)
    if pinned > current or not reachable(kind, current, pinned):
        message = (
            f"{kind} has no schema version {pinned} to deliver (current: {current}"
            f"{'' if pinned > current else '; no downcaster to it'})"
        )
        return [((*at, "deliver", "schema_version"), message)]
    return []


def _x12_route_problems(refs: References, route: RouteConfig, at: Loc) -> list[tuple[Loc, str]]:
    """A route rendering X12 (or CSV) must name a partner that has X12 settings (a CSV map
    for the route's document type), and only then."""
    partner = route.deliver.partner
    transform = route.deliver.transform
    if transform not in ("x12", "csv"):
        if partner is not None:
            message = "partner is only used with transform 'x12' or 'csv'"
            return [((*at, "deliver", "partner"), message)]
        return []
    if partner is None:
        return [((*at, "deliver", "transform"), f"transform {transform!r} needs deliver.partner")]
    if partner not in refs.partner_names:
        known = ", ".join(sorted(refs.partner_names)) or "none"
        return [((*at, "deliver", "partner"), f"unknown partner {partner!r} (known: {known})")]
    config = refs.partners.get(partner)
    if config is None:  # named but invalid: reported where it is written
        return []
    if transform == "csv":
        kind = route.when.document_type
        if config.csv is None or kind not in config.csv.maps:
            message = f"partner {partner!r} has no csv map for {kind}"
            return [((*at, "deliver", "partner"), message)]
        return []
    if config.x12 is None:
        return [((*at, "deliver", "partner"), f"partner {partner!r} has no x12 settings")]
    return []


def _system_route_problems(route: RouteConfig, at: Loc) -> list[tuple[Loc, str]]:
    """A route rendering a system's body must name a map for its document type, and only then."""
    from crossdock.mapping.systems import outbound_maps

    name = route.deliver.map
    if route.deliver.transform != "system":
        if name is not None:
            return [((*at, "deliver", "map"), "map is only used with transform 'system'")]
        return []
    if name is None:
        return [((*at, "deliver", "transform"), "transform 'system' needs deliver.map")]
    system_map = outbound_maps().get(name)
    if system_map is None:
        known = ", ".join(sorted(outbound_maps()))
        return [((*at, "deliver", "map"), f"unknown map {name!r} (known: {known})")]
    if system_map.document_type != route.when.document_type:
        message = f"map {name!r} renders {system_map.document_type}, not {route.when.document_type}"
        return [((*at, "deliver", "map"), message)]
    return []


def _csv_problems(refs: References) -> list[tuple[Loc, str]]:
    """A CSV map must read a known document type into fields that type has."""
    problems: list[tuple[Loc, str]] = []
    for name, partner in refs.partners.items():
        if partner.csv is None:
            continue
        for kind, csv_map in partner.csv.maps.items():
            at: Loc = ("partners", name, "csv", "maps", kind)
            model = document_model(kind)
            if model is None:
                known = ", ".join(sorted(document_types()))
                problems.append((at, f"unknown document type {kind!r} (known: {known})"))
                continue
            paths: list[tuple[Loc, str]] = [
                (("columns", i, "field"), c.field) for i, c in enumerate(csv_map.columns)
            ]
            paths += [(("constants", p), p) for p in csv_map.constants]
            if csv_map.line_number:
                paths.append((("line_number",), csv_map.line_number))
            for where, path in paths:
                problem = path_problem(model, path.replace("[]", "[0]"))
                if problem:
                    problems.append(((*at, *where), problem))
    return problems


def _partner_problems(refs: References, endpoints: str) -> list[tuple[Loc, str]]:
    """Acknowledgment endpoints must exist; an X12 sender ID must identify one partner."""
    problems: list[tuple[Loc, str]] = []
    owners: dict[tuple[str, str], str] = {}
    for name, partner in refs.partners.items():
        if partner.x12 is None:
            continue
        at: Loc = ("partners", name, "x12")
        endpoint = partner.x12.ack_endpoint
        if endpoint is not None and refs.endpoints is not None and endpoint not in refs.endpoints:
            message = f"unknown endpoint {endpoint!r} (known: {endpoints})"
            problems.append(((*at, "ack_endpoint"), message))
        if partner.x12.mapping:
            problem = _mapping_problem(partner.x12.mapping)
            if problem:
                problems.append(((*at, "mapping"), problem))
        key = (partner.x12.qualifier, partner.x12.id)
        if key in owners:
            message = f"X12 ID {key[0]}/{key[1]} already belongs to partner {owners[key]!r}"
            problems.append(((*at, "id"), message))
        owners.setdefault(key, name)
    return problems


def _mapping_problem(overrides: Mapping[str, Any]) -> str | None:
    """Compile a partner's map overrides now, so a typo fails `config check`, not a file."""
    from crossdock.mapping.x12 import MappingConfigError, X12Mapper

    try:
        X12Mapper(overrides)
    except MappingConfigError as exc:
        return str(exc)
    return None


def _unknown_type(name: str, known: list[str]) -> str:
    """The message for an unknown document type, with the likeliest intended one."""
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(known)}"
    return f"unknown document type {name!r} ({hint})"


def _known_document_types() -> list[str]:
    """Registered canonical document types; none registered means nothing to check against."""
    return sorted(document_types())
