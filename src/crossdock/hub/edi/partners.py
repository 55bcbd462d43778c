"""Trading partners as the hub sees them: plain values built from settings by bootstrap.

Inbound interchanges name their sender only by ISA05/ISA06, so the directory resolves a
partner from that pair; outbound rendering looks partners up by logical name. The channels
see the `PartnerDirectory` port: `StaticPartnerDirectory` holds the partners of
``crossdock.yaml``; `crossdock.hub.partners.directory.RegistryPartnerDirectory` adds the
partners registered in the store (admin API, `crossdock partners`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

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
    strict: bool = False  # warnings (codes outside a partial list) become rejections
    unknown_sets: str = "accept"  # accept | reject: the ack of a set the hub has no map for
    delimiters: Delimiters = field(default_factory=Delimiters)
    mapping: Mapping[str, Any] = field(default_factory=dict)

    @property
    def sender_key(self) -> str:
        return sender_key(self.qualifier, self.id)


def sender_key(qualifier: str, identifier: str) -> str:
    """The one spelling of an ISA sender used for lookups and the duplicate check."""
    return f"{qualifier.strip().upper()}/{identifier.strip().upper()}"


class PartnerDirectory(Protocol):
    """Partners by name and by X12 sender; unknown senders are allowed and named by their ID.

    Called on intake paths (once per interchange, once per request): answers come from
    memory, never from a query per call.
    """

    @property
    def own(self) -> OwnIdentity: ...

    def get(self, name: str) -> TradingPartner | None: ...

    def by_sender(self, qualifier: str, identifier: str) -> TradingPartner | None: ...

    def names(self) -> list[str]: ...

    def is_active(self, partner: str) -> bool:
        """False when `partner` is a registered partner that may not send production
        traffic (draft, testing or suspended): the intake refuses it with a 403 problem.
        Partners of the file, and names the directory does not know, are active."""
        ...


class StaticPartnerDirectory:
    """The partners of ``crossdock.yaml``: fixed for the life of the process."""

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

    def is_active(self, partner: str) -> bool:
        return True
