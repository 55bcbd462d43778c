"""Mappers by partner: the (partner, transaction set, version) key DESIGN.md asks for.

The built-in maps are keyed by (set, version) with '*' for any version; each partner adds
its overrides (from config) on top. A partner's mapper is compiled on first use and kept,
so intake pays the compile cost once per partner, not per message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crossdock.mapping.x12.compile import CompiledMap
from crossdock.mapping.x12.mapper import ANY_VERSION, X12Mapper

DEFAULT_PARTNER = "*"


class X12MapRegistry:
    """Partner overrides plus the maps they patch; hands out compiled mappers.

    Args:
        partners: Overrides per partner logical name (``{"acme": {"850": {...}}}``).
        maps: Map data keyed by (set code, version); the built-in maps when omitted.
    """

    def __init__(
        self,
        partners: Mapping[str, Mapping[str, Any]] | None = None,
        *,
        maps: Mapping[tuple[str, str], Mapping[str, Any]] | None = None,
    ) -> None:
        self._partners = dict(partners or {})
        self._maps = maps
        self._mappers: dict[str, X12Mapper] = {}
        for partner in self._partners:
            self.mapper(partner)  # validate every partner's overrides at start-up

    def mapper(self, partner: str = DEFAULT_PARTNER) -> X12Mapper:
        """The mapper for ``partner`` (the built-in maps for a partner without overrides)."""
        key = partner if partner in self._partners else DEFAULT_PARTNER
        found = self._mappers.get(key)
        if found is None:
            found = X12Mapper(self._partners.get(key), maps=self._maps)
            self._mappers[key] = found
        return found

    def lookup(self, partner: str, code: str, version: str = ANY_VERSION) -> CompiledMap | None:
        """The compiled map for (partner, set, version), or None when there is none."""
        return self.mapper(partner).compiled(code, version)

    @property
    def partners(self) -> list[str]:
        """Partners with overrides, sorted."""
        return sorted(self._partners)
