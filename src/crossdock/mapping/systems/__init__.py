"""Declarative JSON maps between business systems' own APIs and the canonical model.

Inbound, a *format* (``systems.<name>.format``) reads the event type from the payload or a
header and maps the event to canonical documents (``to_canonical``). Outbound, a route's
``transform: system`` names a map (``deliver.map``) that renders a canonical document as the
receiving system's request body (``render_outbound``). The maps for the sandbox landscape are
built in; each map is data compiled once (see ``engine``).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from typing import Any, Literal, get_args

import orjson

from crossdock.mapping.systems import sandbox_erp, sandbox_supplier, sandbox_tms, sandbox_wms
from crossdock.mapping.systems.common import DEFAULTS
from crossdock.mapping.systems.engine import MapError, MapSyntaxError
from crossdock.mapping.systems.model import (
    MappedDocument,
    Problem,
    SystemFormat,
    SystemMap,
    to_canonical,
)
from crossdock.mapping.systems.sandbox_flows import flow_maps

__all__ = [
    "FORMATS",
    "MapError",
    "MapSyntaxError",
    "MappedDocument",
    "Problem",
    "SystemFormat",
    "SystemFormatName",
    "SystemMap",
    "outbound_maps",
    "render_outbound",
    "system_format",
    "to_canonical",
]

SystemFormatName = Literal["sandbox_erp", "sandbox_wms", "sandbox_tms", "sandbox_supplier"]
FORMATS: tuple[str, ...] = get_args(SystemFormatName)


@cache
def _formats() -> dict[str, SystemFormat]:
    erp_events = {
        "purchaseOrder.released": sandbox_erp.PURCHASE_ORDER,
        "purchaseOrder.changed": sandbox_erp.PURCHASE_ORDER,
        "salesOrder.released": sandbox_erp.FULFILLMENT_ORDER,
    }
    formats = [
        SystemFormat("sandbox_erp", ("eventType",), "x-sandbox-event", erp_events, DEFAULTS),
        SystemFormat("sandbox_wms", ("event_type",), None, sandbox_wms.INBOUND, DEFAULTS),
        SystemFormat("sandbox_tms", ("eventType",), None, sandbox_tms.INBOUND, DEFAULTS),
        SystemFormat("sandbox_supplier", (), "x-sandbox-event", sandbox_supplier.INBOUND, DEFAULTS),
    ]
    return {f.name: f for f in formats}


def system_format(name: str) -> SystemFormat:
    """The inbound format of a configured system; KeyError for one that does not exist."""
    return _formats()[name]


@cache
def outbound_maps() -> dict[str, SystemMap]:
    """Every canonical -> system map by name (flow documents' maps once those types exist)."""
    maps = [
        *sandbox_erp.OUTBOUND,
        *sandbox_wms.OUTBOUND,
        *sandbox_tms.OUTBOUND,
        *sandbox_supplier.OUTBOUND,
        *flow_maps(),
    ]
    return {m.name: m for m in maps}


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
