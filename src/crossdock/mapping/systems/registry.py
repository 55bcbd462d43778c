"""Which system formats and maps exist: registered by packages, found through entry points.

Production mapping ships the engine, not the systems: a package that knows a system's API
(the sandbox's simulated ERP, WMS, TMS and supplier portal; a user's own ERP) declares its
maps as a `SystemMaps` and registers a function returning it under the entry-point group
``crossdock.system_maps`` in its ``pyproject.toml``::

    [project.entry-points."crossdock.system_maps"]
    my_erp = "my_package.crossdock_maps:system_maps"

The hub loads every registered package once, on first use (`registered`). The sandbox
registers itself the same way (``crossdock.sandbox.maps``), which keeps the rule that
nothing but the entrypoints and the tests imports the sandbox: mapping only ever names an
entry-point group.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import entry_points

from crossdock.mapping.systems.model import SystemFormat, SystemMap

GROUP = "crossdock.system_maps"


@dataclass(frozen=True, slots=True)
class SystemMaps:
    """One package's maps.

    Attributes:
        formats: inbound formats (``systems.<name>.format``), each picking a map per event.
        outbound: canonical -> request body maps (a route's ``deliver.map``).
        positions: inventory listing -> ``inventory_position`` maps
            (``inventory_reconciliation.<side>.map``).
    """

    formats: Sequence[SystemFormat] = ()
    outbound: Sequence[SystemMap] = ()
    positions: Sequence[SystemMap] = ()


@dataclass(frozen=True, slots=True)
class Registry:
    """Every registered package's maps, by name."""

    formats: dict[str, SystemFormat] = field(default_factory=dict)
    outbound: dict[str, SystemMap] = field(default_factory=dict)
    positions: dict[str, SystemMap] = field(default_factory=dict)


class DuplicateMap(ValueError):
    """Two registered packages declare a format or map of the same name."""


def merge(packages: Sequence[tuple[str, SystemMaps]]) -> Registry:
    """One registry from several packages; a name declared twice is refused, naming both."""
    registry = Registry()
    owners: dict[tuple[str, str], str] = {}
    for package, maps in packages:
        sections: tuple[tuple[str, dict[str, SystemFormat] | dict[str, SystemMap], Sequence[SystemFormat] | Sequence[SystemMap]], ...] = (
            ("format", registry.formats, maps.formats),
            ("outbound map", registry.outbound, maps.outbound),
            ("position map", registry.positions, maps.positions),
        )  # fmt: skip
        for kind, target, items in sections:
            for item in items:
                first = owners.setdefault((kind, item.name), package)
                if first != package or item.name in target:
                    raise DuplicateMap(f"{kind} {item.name!r} is declared by {first} and {package}")
                target[item.name] = item  # type: ignore[assignment]
    return registry


def _load() -> list[tuple[str, SystemMaps]]:
    loaded = []
    for point in sorted(entry_points(group=GROUP), key=lambda p: p.name):
        build: Callable[[], SystemMaps] = point.load()
        loaded.append((f"{point.name} ({point.value})", build()))
    return loaded


@cache
def registered() -> Registry:
    """The maps of every package registered under ``crossdock.system_maps`` (loaded once)."""
    return merge(_load())
