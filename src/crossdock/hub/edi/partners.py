"""Trading partners as the hub sees them: plain values built from settings by bootstrap.

Inbound interchanges name their sender only by ISA05/ISA06, so the directory resolves a
partner from that pair; outbound rendering looks partners up by logical name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from crossdock.x12.model import Delimiters


@dataclass(frozen=True, slots=True)
class OwnIdentity:
    """Who we are in the envelopes we write."""

    qualifier: str = "ZZ"
    id: str = "CROSSDOCK"
    gs_id: str = "CROSSDOCK"


@dataclass(frozen=True, slots=True)
class TradingPartner:
    name: str
    qualifier: str
    id: str
    gs_id: str
    version: str = "00401"
    usage: str = "P"
    ack: str = "auto"  # auto | 997 | 999 | none
    ack_requested: bool = True
    ack_endpoint: str | None = None
    delimiters: Delimiters = field(default_factory=Delimiters)
    mapping: Mapping[str, Any] = field(default_factory=dict)

    @property
    def sender_key(self) -> str:
        return sender_key(self.qualifier, self.id)


def sender_key(qualifier: str, identifier: str) -> str:
    """The one spelling of an ISA sender used for lookups and the duplicate check."""
    return f"{qualifier.strip().upper()}/{identifier.strip().upper()}"


class PartnerDirectory:
    """Partners by name and by X12 sender; unknown senders are allowed and named by their ID."""

    def __init__(self, partners: Iterable[TradingPartner], own: OwnIdentity | None = None) -> None:
        self.own = own or OwnIdentity()
        self._by_name = {p.name: p for p in partners}
        self._by_sender = {p.sender_key: p for p in self._by_name.values()}

    def get(self, name: str) -> TradingPartner | None:
        return self._by_name.get(name)

    def by_sender(self, qualifier: str, identifier: str) -> TradingPartner | None:
        return self._by_sender.get(sender_key(qualifier, identifier))

    def names(self) -> list[str]:
        return sorted(self._by_name)
