"""The partner directory the channels see: the file's partners plus the registered ones.

Which one wins: ``crossdock.yaml`` is authoritative for the partners it names. The registry
refuses to create a partner under a name or an X12 sender id the file already uses (409), so
the two never overlap; should the file later gain a name or sender that the store also has,
the file's partner is the one found (and the store's is listed as shadowed).

Registered partners are read from the store into memory, so a lookup never queries: the
snapshot is at most `max_age` seconds old (``onboarding.directory_refresh_seconds``, 2 s by
default), and the process that changes a partner drops it at once (`invalidate`), so a
partner created through the API is known to the next interchange in that process and within
`max_age` in every other process on the store. The snapshot holds every registered partner
(one row each; thousands are a few hundred KiB).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

from crossdock.hub.edi.partners import (
    OwnIdentity,
    StaticPartnerDirectory,
    TradingPartner,
    sender_key,
)
from crossdock.hub.partners.model import OnboardingState, Partner

log = logging.getLogger(__name__)

DEFAULT_MAX_AGE = 2.0


def trading_partner(partner: Partner) -> TradingPartner | None:
    """The X12 view of a registered partner; None when it has no X12 ids."""
    x12 = partner.x12
    if x12 is None:
        return None
    return TradingPartner(
        name=partner.name,
        qualifier=x12.qualifier,
        id=x12.id,
        gs_id=x12.gs_id or x12.id,
        version=x12.version,
        usage=x12.usage,
        ack=x12.ack,
        ack_requested=x12.ack_requested,
        ack_endpoint=x12.ack_endpoint,
        mapping=dict(x12.mapping),
    )


@dataclass(frozen=True, slots=True)
class _Snapshot:
    loaded_at: float
    states: dict[str, OnboardingState] = field(default_factory=dict)
    by_name: dict[str, TradingPartner] = field(default_factory=dict)
    by_sender: dict[str, TradingPartner] = field(default_factory=dict)


class RegistryPartnerDirectory:
    """Implements `PartnerDirectory` over the file's partners and the store's.

    Args:
        file: The partners of ``crossdock.yaml`` with X12 settings.
        file_names: Every partner name the file declares (folder-only partners too).
        load: Reads every registered partner (one read transaction); called at most once
            per `max_age` seconds, on the thread that asks.
        max_age: How old the snapshot of registered partners may be, in seconds.
        clock: Monotonic seconds (tests move it).
    """

    def __init__(
        self,
        file: StaticPartnerDirectory,
        file_names: Collection[str],
        load: Callable[[], Sequence[Partner]],
        *,
        max_age: float = DEFAULT_MAX_AGE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._file = file
        self._file_names = frozenset(file_names) | frozenset(file.names())
        self._load = load
        self._max_age = max_age
        self._clock = clock
        self._lock = threading.Lock()
        self._snapshot: _Snapshot | None = None

    @property
    def own(self) -> OwnIdentity:
        return self._file.own

    @property
    def file(self) -> StaticPartnerDirectory:
        return self._file

    @property
    def file_names(self) -> frozenset[str]:
        return self._file_names

    def invalidate(self) -> None:
        """A partner changed in this process: the next lookup reads the store again."""
        self._snapshot = None

    def get(self, name: str) -> TradingPartner | None:
        found = self._file.get(name)
        if found is not None or name in self._file_names:
            return found
        return self._current().by_name.get(name)

    def by_sender(self, qualifier: str, identifier: str) -> TradingPartner | None:
        found = self._file.by_sender(qualifier, identifier)
        if found is not None:
            return found
        return self._current().by_sender.get(sender_key(qualifier, identifier))

    def names(self) -> list[str]:
        return sorted(set(self._file.names()) | set(self._current().by_name))

    def is_active(self, partner: str) -> bool:
        if partner in self._file_names:
            return True
        state = self._current().states.get(partner)
        return state is None or state is OnboardingState.LIVE

    def state(self, partner: str) -> OnboardingState | None:
        """The onboarding state of a registered partner (None: not registered here)."""
        if partner in self._file_names:
            return None
        return self._current().states.get(partner)

    def _current(self) -> _Snapshot:
        snapshot = self._snapshot
        now = self._clock()
        if snapshot is not None and now - snapshot.loaded_at < self._max_age:
            return snapshot
        with self._lock:
            snapshot = self._snapshot
            if snapshot is not None and self._clock() - snapshot.loaded_at < self._max_age:
                return snapshot  # another thread reloaded it meanwhile
            try:
                partners = self._load()
            except Exception:
                if snapshot is None:
                    raise
                # The store is briefly unreadable: keep answering from what we had.
                log.warning("registered partners could not be reloaded", exc_info=True)
                return snapshot
            self._snapshot = snapshot = self._build(partners, now)
            return snapshot

    def _build(self, partners: Sequence[Partner], now: float) -> _Snapshot:
        snapshot = _Snapshot(loaded_at=now)
        for partner in partners:
            if partner.name in self._file_names:
                continue  # the file is authoritative for its names
            snapshot.states[partner.name] = partner.state
            trading = trading_partner(partner)
            if trading is None:
                continue
            snapshot.by_name[partner.name] = trading
            if self._file.by_sender(trading.qualifier, trading.id) is None:
                snapshot.by_sender[trading.sender_key] = trading
        return snapshot
