"""Maps from a system's inventory listing (a pulled ``GET``) to canonical ``inventory_position``
documents, by name, for the scheduled ERP / WMS reconciliation.

They are kept apart from the inbound formats (which pick a map by event type) and the outbound
maps (canonical -> request body) because a pull has no event: the configuration names the map
(``inventory_reconciliation.erp.map``) and `config check` validates the name against
`position_maps`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crossdock.mapping.systems.common import DEFAULTS
from crossdock.mapping.systems.model import MappedDocument, SystemMap, to_canonical
from crossdock.mapping.systems.registry import registered

POSITION_TYPE = "inventory_position"


def position_maps() -> dict[str, SystemMap]:
    """Every registered listing -> ``inventory_position`` map by name (``registry``)."""
    return registered().positions


def map_positions(
    name: str, payload: Any, *, system: str, received_at: str, defaults: Mapping[str, Any] = {}
) -> list[MappedDocument]:
    """Map a pulled listing to positions, one per element, each validated (never raises for
    content: an element that cannot be mapped comes back with its problems).

    Raises:
        KeyError: No position map has this name (configuration validates it first).
    """
    ctx = {**DEFAULTS, **defaults, "system": system, "received_at": received_at}
    return to_canonical(position_maps()[name], payload, ctx)
