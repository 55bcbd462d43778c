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
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field

from crossdock.hub.edi.partners import (
    OwnIdentity,
    PartnerDirectory,
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
        strict=x12.strict,
        unknown_sets=x12.unknown_sets,
        mapping=dict(x12.mapping),
    )


def known_as(partner: Partner) -> frozenset[str]:
    """Every identifier a registered partner's documents may name it by (its name, GLN,
    D-U-N-S, X12 sender and group ids, own codes), as given: callers compare case-blind."""
    ids = partner.identifiers
    found = {partner.name, ids.gln, ids.duns, *ids.codes.values()}
    if partner.x12 is not None:
        found |= {partner.x12.id, partner.x12.gs_id}
    return frozenset(i for i in found if i)


_REFUSED = {
    OnboardingState.DRAFT: "is a draft: it sends documents once it is certified and live",
    OnboardingState.TESTING: "is in testing: until it goes live, only the certification "
    "endpoints (/v1/certification/...) take its documents",
    OnboardingState.SUSPENDED: "is suspended: its documents are refused until it is live again",
}


def production_refusal(directory: PartnerDirectory | None, partner: str | None) -> str | None:
    """Why `partner` may not send production traffic now, None when it may (operators,
    which name no partner, file partners and live registered ones). Answered from the
    directory's in-memory snapshot: cheap enough for every intake request."""
    if partner is None or directory is None or directory.is_active(partner):
        return None
    state = directory.state(partner) if isinstance(directory, RegistryPartnerDirectory) else None
    why = _REFUSED.get(state) if state is not None else None
    return f"partner {partner!r} " + (why or "may not send production documents now")


@dataclass(frozen=True, slots=True)
class _Snapshot:
    loaded_at: float
    states: dict[str, OnboardingState] = field(default_factory=dict)
    #: registered partner -> `known_as` (every state: ownership is not onboarding).
    identifiers: dict[str, frozenset[str]] = field(default_factory=dict)
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

    def identifiers(self) -> Mapping[str, frozenset[str]]:
        """Registered partner -> the identifiers its documents name it by (`known_as`);
        the same mapping object until the snapshot is reloaded (callers may cache on it)."""
        return self._current().identifiers

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
            snapshot.identifiers[partner.name] = known_as(partner)
            trading = trading_partner(partner)
            if trading is None:
                continue
            snapshot.by_name[partner.name] = trading
            if self._file.by_sender(trading.qualifier, trading.id) is None:
                snapshot.by_sender[trading.sender_key] = trading
        return snapshot
