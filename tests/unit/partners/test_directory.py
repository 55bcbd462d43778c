"""The directory every channel asks: the file's partners first, registered ones from a
snapshot at most `max_age` old (or dropped at once by a change in this process), and which
partners may send production traffic (`is_active`)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crossdock.hub.edi.partners import StaticPartnerDirectory, TradingPartner
from crossdock.hub.partners.directory import RegistryPartnerDirectory
from crossdock.hub.partners.model import OnboardingState, Partner

AT = datetime(2026, 12, 1, tzinfo=UTC)
FILE = TradingPartner(name="acme", qualifier="ZZ", id="ACMEX12", gs_id="ACMEX12")


def partner(name: str, state: str = "live", x12_id: str | None = None) -> Partner:
    return Partner.model_validate(
        {
            "name": name,
            "kind": "supplier",
            "state": state,
            "x12": {"id": x12_id} if x12_id else None,
            "created_at": AT,
            "updated_at": AT,
            "state_changed_at": AT,
        }
    )


class Store:
    def __init__(self, *partners: Partner) -> None:
        self.partners = list(partners)
        self.loads = 0

    def load(self) -> list[Partner]:
        self.loads += 1
        return list(self.partners)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def directory(store: Store, clock: Clock, max_age: float = 2.0) -> RegistryPartnerDirectory:
    return RegistryPartnerDirectory(
        StaticPartnerDirectory([FILE]), ["acme", "drop-only"], store.load,
        max_age=max_age, clock=clock,
    )  # fmt: skip


def test_a_registered_partner_is_seen_once_the_snapshot_is_older_than_the_bound() -> None:
    store, clock = Store(), Clock()
    found = directory(store, clock)
    assert found.by_sender("ZZ", "NEWX12") is None
    store.partners.append(partner("newbie", x12_id="NEWX12"))

    clock.now += 1.9
    assert found.by_sender("ZZ", "NEWX12") is None  # still the snapshot: no query per lookup
    assert store.loads == 1
    clock.now += 0.2
    hit = found.by_sender("zz", " newx12 ")
    assert hit is not None and hit.name == "newbie" and found.get("newbie") == hit
    assert store.loads == 2
    assert found.names() == ["acme", "newbie"]


def test_invalidate_makes_the_next_lookup_read_the_store() -> None:
    store, clock = Store(), Clock()
    found = directory(store, clock, max_age=3600)
    assert found.get("newbie") is None
    store.partners.append(partner("newbie", x12_id="NEWX12"))
    found.invalidate()
    assert found.get("newbie") is not None


def test_the_file_wins_a_name_or_a_sender_the_store_also_has() -> None:
    """Creation refuses such clashes; a file edited afterwards still must not be shadowed."""
    store = Store(partner("acme", x12_id="OTHER"), partner("sly", x12_id="ACMEX12"))
    found = directory(store, Clock())
    assert found.get("acme") == FILE
    assert found.by_sender("ZZ", "ACMEX12") == FILE
    assert found.by_sender("ZZ", "OTHER") is None  # the store's "acme" is shadowed whole
    assert found.get("sly") is not None  # still reachable by name for outbound


@pytest.mark.parametrize(
    ("name", "active"),
    [("acme", True), ("drop-only", True), ("unknown", True), ("on", True),
     ("new", False), ("trial", False), ("paused", False)],
)  # fmt: skip
def test_only_live_registered_partners_are_active(name: str, active: bool) -> None:
    store = Store(
        partner("on", "live"), partner("new", "draft"), partner("trial", "testing"),
        partner("paused", "suspended"),
    )  # fmt: skip
    assert directory(store, Clock()).is_active(name) is active


def test_a_store_that_fails_a_reload_keeps_the_last_snapshot() -> None:
    store, clock = Store(partner("on", x12_id="ONX12")), Clock()
    found = directory(store, clock)
    assert found.by_sender("ZZ", "ONX12") is not None

    def broken() -> list[Partner]:
        raise OSError("disk gone")

    found._load = broken  # type: ignore[method-assign]
    clock.now += 10
    assert found.by_sender("ZZ", "ONX12") is not None
    assert found.state("on") is OnboardingState.LIVE
