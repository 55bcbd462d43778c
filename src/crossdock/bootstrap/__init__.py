"""The one place that wires adapters into the hub, from settings.

Entrypoints (API server, CLI, demo) call `build_store` when they only need the store (operator
commands work with the hub stopped) and `build_hub` for a running hub with its workers.

The names below are loaded on first use (PEP 562): `crossdock messages list` needs the store,
not the web server, routes and flows that `build_hub` pulls in, and importing them all would
cost every CLI command a second of start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crossdock.bootstrap.channels import (
        build_carriers,
        build_drops,
        build_endpoint,
        build_partners,
        build_routes,
        build_systems,
        mapper_factory,
    )
    from crossdock.bootstrap.flows import build_flows
    from crossdock.bootstrap.services import HubServices, build_hub
    from crossdock.bootstrap.store import Store, build_store
    from crossdock.bootstrap.unrouted import config_warnings

_HOMES = {
    "build_carriers": "channels",
    "build_drops": "channels",
    "build_endpoint": "channels",
    "build_partners": "channels",
    "build_routes": "channels",
    "build_systems": "channels",
    "mapper_factory": "channels",
    "build_flows": "flows",
    "HubServices": "services",
    "build_hub": "services",
    "Store": "store",
    "build_store": "store",
    "config_warnings": "unrouted",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


__all__ = [
    "HubServices",
    "Store",
    "build_carriers",
    "build_drops",
    "build_endpoint",
    "build_flows",
    "build_hub",
    "build_partners",
    "build_routes",
    "build_store",
    "build_systems",
    "config_warnings",
    "mapper_factory",
]
