"""Declarative JSON maps between business systems' own APIs and the canonical model.

Inbound, a *format* (``systems.<name>.format``) reads the event type from the payload or a
header and maps the event to canonical documents (``to_canonical``). Outbound, a route's
``transform: system`` names a map (``deliver.map``) that renders a canonical document as the
receiving system's request body (``render_outbound``). Each map is data compiled once (see
``engine``). The formats and maps themselves are registered by packages through the
``crossdock.system_maps`` entry-point group (``registry``): the sandbox landscape's live in
``crossdock.sandbox.maps``, a user's own system formats are added the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import orjson

from crossdock.mapping.systems.common import DEFAULTS
from crossdock.mapping.systems.engine import MapError, MapSyntaxError
from crossdock.mapping.systems.model import (
    MappedDocument,
    Problem,
    SystemFormat,
    SystemMap,
    to_canonical,
)
from crossdock.mapping.systems.registry import GROUP, SystemMaps, registered

__all__ = [
    "GROUP",
    "MapError",
    "MapSyntaxError",
    "MappedDocument",
    "Problem",
    "SystemFormat",
    "SystemMap",
    "SystemMaps",
    "format_names",
    "outbound_maps",
    "render_outbound",
    "system_format",
    "to_canonical",
]


def format_names() -> tuple[str, ...]:
    """Every registered inbound format's name (what ``systems.<name>.format`` may say)."""
    return tuple(sorted(registered().formats))


def system_format(name: str) -> SystemFormat:
    """The inbound format of a configured system; KeyError for one that does not exist."""
    return registered().formats[name]


def outbound_maps() -> dict[str, SystemMap]:
    """Every registered canonical -> system map by name."""
    return registered().outbound


def render_outbound(name: str, canonical: bytes, context: Mapping[str, Any]) -> bytes:
    """Render a canonical document (its JSON) as the body the map's system expects.

    Raises:
        KeyError: No map has this name.
        MapError: The document lacks what the map needs, or is not the map's document type
            (``context["document_type"]``).
    """
    system_map = outbound_maps()[name]
    kind = context.get("document_type")
    if kind is not None and kind != system_map.document_type:
        raise MapError("", f"map {name} renders {system_map.document_type}, not {kind}")
    document = orjson.loads(canonical)
    ctx = {**DEFAULTS, **context}
    return orjson.dumps(system_map.render(document, document, ctx), default=_json_default)


def _json_default(value: object) -> object:
    """Exact decimals left by arithmetic go out as JSON numbers, as the systems expect."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
