"""Contract of the FlowStore port (instances and timers), on every backend (`backends`)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from crossdock.hub.flows.model import FlowState
from crossdock.hub.flows.ports import FlowConflict
from tests.contract.backends import ContractStore, concurrently

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def instance(key: str, state: str = "open", version: int = 1, **data: object) -> FlowState:
    return FlowState("p2p", key, state, dict(data), version, T0, T0 + timedelta(seconds=version))


def test_instances_round_trip_and_are_found_and_counted(store: ContractStore) -> None:
    with store.uow() as uow:
        uow.flows.save(instance("PO-1", lines=[{"n": 1, "qty": "2.5"}]), 0)
        uow.flows.save(instance("PO-2", "closed"), 0)
        done = instance("PO-3", "closed")
        done.completed = True
        uow.flows.save(done, 0)
        uow.commit()
    with store.uow.reader() as uow:
        assert uow.flows.get("p2p", "PO-1") == instance("PO-1", lines=[{"n": 1, "qty": "2.5"}])
        assert uow.flows.get("p2p", "PO-9") is None
        assert uow.flows.get("other", "PO-1") is None
        assert [s.key for s in uow.flows.find(state="closed")] == ["PO-2", "PO-3"]
        assert [s.key for s in uow.flows.find(completed=True)] == ["PO-3"]
        assert [s.key for s in uow.flows.find(flow="p2p", limit=1, offset=1)] == ["PO-2"]
        counts = {(c.state, c.completed): c.count for c in uow.flows.counts("p2p")}
    assert counts == {("open", False): 1, ("closed", False): 1, ("closed", True): 1}


def test_saves_are_checked_against_the_version_read(store: ContractStore) -> None:
    with store.uow() as uow:
        uow.flows.save(instance("PO-1"), 0)
        uow.flows.save(instance("PO-1", "acknowledged", version=2), 1)
        with pytest.raises(FlowConflict):
            uow.flows.save(instance("PO-1", "late", version=2), 1)
        uow.commit()
    with store.uow.reader() as uow:
        stored = uow.flows.get("p2p", "PO-1")
    assert stored is not None and (stored.state, stored.version) == ("acknowledged", 2)


def test_timers_are_set_moved_cancelled_and_leased_once(store: ContractStore) -> None:
    with store.uow() as uow:
        uow.flows.set_timer("p2p", "PO-1", "ack_due", T0)
        uow.flows.set_timer("p2p", "PO-1", "asn_due", T0 + timedelta(days=2))
        uow.flows.set_timer("p2p", "PO-1", "ack_due", T0 + timedelta(hours=1))  # moved
        uow.flows.set_timer("p2p", "PO-2", "ack_due", T0)
        assert uow.flows.cancel_timers("p2p", "PO-2", None) == 1
        uow.commit()
    with store.uow() as uow:
        assert uow.flows.lease_due_timers(T0, T0.timestamp() + 60, "a") == []  # moved past T0
        due = T0 + timedelta(hours=1)
        [leased] = uow.flows.lease_due_timers(due, due.timestamp() + 60, "a")
        assert uow.flows.lease_due_timers(due, due.timestamp() + 60, "b") == []
        assert (leased.name, leased.due_at, leased.lease_owner) == ("ack_due", due, "a")
        assert uow.flows.claim_fire(leased, due)
        assert not uow.flows.claim_fire(leased, due)  # once
        uow.commit()
    with store.uow.reader() as uow:
        timers = {t.name: t.fired_at for t in uow.flows.timers("p2p", "PO-1")}
    assert timers == {"ack_due": T0 + timedelta(hours=1), "asn_due": None}


def test_named_timers_are_cancelled_and_a_fired_timer_set_again_starts_over(
    store: ContractStore,
) -> None:
    with store.uow() as uow:
        for name in ("ack_due", "asn_due", "receipt_due"):
            uow.flows.set_timer("p2p", "PO-1", name, T0)
        uow.flows.set_timer("p2p", "PO-2", "ack_due", T0)
        [leased, *_] = uow.flows.lease_due_timers(T0, T0.timestamp() + 60, "a", limit=1)
        assert (leased.key, leased.name) == ("PO-1", "ack_due")
        assert uow.flows.claim_fire(leased, T0)
        # a fired timer is not cancelled; a name twice or unknown counts once or not at all
        assert uow.flows.cancel_timers("p2p", "PO-1", ["ack_due", "asn_due", "asn_due", "x"]) == 1
        assert uow.flows.cancel_timers("p2p", "PO-1", []) == 0
        uow.commit()
    with store.uow.reader() as uow:
        timers = {t.name: t.fired_at for t in uow.flows.timers("p2p", "PO-1")}
        assert timers == {"ack_due": T0, "receipt_due": None}
        assert [t.name for t in uow.flows.timers("p2p", "PO-2")] == ["ack_due"]
    later = T0 + timedelta(hours=2)
    with store.uow() as uow:
        uow.flows.set_timer("p2p", "PO-1", "ack_due", later)  # fired, set again: starts over
        uow.commit()
    with store.uow.reader() as uow:
        [again] = [t for t in uow.flows.timers("p2p", "PO-1") if t.name == "ack_due"]
    assert (again.due_at, again.fired_at, again.lease_owner, again.lease_until) == (
        later,
        None,
        None,
        0.0,
    )


def test_a_failed_create_leaves_the_transaction_usable(store: ContractStore) -> None:
    with store.uow() as uow:
        uow.flows.save(instance("PO-1"), 0)
        with pytest.raises(FlowConflict, match="created concurrently"):
            uow.flows.save(instance("PO-1", "other"), 0)
        uow.flows.save(instance("PO-2"), 0)
        uow.commit()
    with store.uow.reader() as uow:
        assert sorted((s.key, s.state) for s in uow.flows.find()) == [
            ("PO-1", "open"),
            ("PO-2", "open"),
        ]


def test_concurrent_creators_of_one_instance_get_one_winner(store: ContractStore) -> None:
    """Four engines (processes, on PostgreSQL) create the same instance at once: one wins,
    the others see FlowConflict and can still commit the rest of their unit of work."""

    def create(n: int, s: ContractStore) -> bool:
        with s.uow() as uow:
            try:
                uow.flows.save(instance("PO-1", f"by-{n}"), 0)
                won = True
            except FlowConflict:
                won = False
            uow.flows.save(instance(f"PO-own-{n}"), 0)
            uow.commit()
        return won

    results = concurrently([store.open_again() for _ in range(4)], create)
    assert sorted(results) == [False, False, False, True]
    with store.uow.reader() as uow:
        assert len(uow.flows.find(limit=10)) == 5


def test_concurrent_saves_of_one_version_get_one_winner(store: ContractStore) -> None:
    with store.uow() as uow:
        uow.flows.save(instance("PO-1"), 0)
        uow.commit()

    def advance(n: int, s: ContractStore) -> bool:
        with s.uow() as uow:
            try:
                uow.flows.save(instance("PO-1", f"by-{n}", version=2), 1)
            except FlowConflict:
                return False
            uow.commit()
        return True

    results = concurrently([store.open_again() for _ in range(4)], advance)
    assert sorted(results) == [False, False, False, True]
    with store.uow.reader() as uow:
        stored = uow.flows.get("p2p", "PO-1")
    assert stored is not None and stored.version == 2
    assert stored.state == f"by-{results.index(True)}"


def test_concurrent_leasers_never_lease_one_timer_twice(store: ContractStore) -> None:
    with store.uow() as uow:
        for n in range(60):
            uow.flows.set_timer("p2p", f"PO-{n}", "ack_due", T0 + timedelta(seconds=n))
        uow.commit()
    now = T0 + timedelta(hours=1)

    def lease(n: int, s: ContractStore) -> list[str]:
        # until a round finds nothing: losing a race for every row of a round (another
        # worker leased them first) is still progress for someone
        got: list[str] = []
        for _ in range(100):
            with s.uow() as uow:
                timers = uow.flows.lease_due_timers(now, now.timestamp() + 60, f"w{n}", limit=10)
                uow.commit()
            if not timers:
                break
            got += [t.key for t in timers]
        return got

    leased = [
        key for keys in concurrently([store.open_again() for _ in range(4)], lease) for key in keys
    ]
    assert sorted(leased) == sorted(f"PO-{n}" for n in range(60))  # each once, none left out


def test_a_timer_created_meanwhile_by_another_writer_is_moved(store: ContractStore) -> None:
    """Two writers set the same new timer: the one that comes second moves it (SQLite makes
    it wait for the first; on PostgreSQL its INSERT met the first one's row)."""
    first, second = store.open_again(), store.open_again()
    inserted, go = threading.Event(), threading.Event()

    def hold(_n: int, s: ContractStore) -> None:
        with s.uow() as uow:
            uow.flows.set_timer("p2p", "PO-1", "ack_due", T0)
            inserted.set()
            go.wait(timeout=10)
            uow.commit()

    def follow(_n: int, s: ContractStore) -> None:
        inserted.wait(timeout=10)
        # let the first commit only once this writer is blocked behind it (or about to be)
        threading.Timer(0.3, go.set).start()
        with s.uow() as uow:
            uow.flows.set_timer("p2p", "PO-1", "ack_due", T0 + timedelta(hours=1))
            uow.commit()

    concurrently([first, second], lambda n, s: (hold if n == 0 else follow)(n, s))
    with store.uow.reader() as uow:
        [timer] = uow.flows.timers("p2p", "PO-1")
    assert timer.due_at == T0 + timedelta(hours=1)
