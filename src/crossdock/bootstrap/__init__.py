"""The one place that wires adapters into the hub, from settings.

Entrypoints (API server, CLI, demo) call `build_store` when they only need the store (operator
commands work with the hub stopped) and `build_hub` for a running hub with its workers.
"""

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
