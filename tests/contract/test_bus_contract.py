"""Contract of the Bus port (and the outbox that feeds it), on every backend (`backends`).

The bus's clock is injected: leases and redelivery delays are waited out with
`store.clock.advance`, never with a sleep. A later NATS JetStream bus must pass the same tests.
"""

from __future__ import annotations

import time

from crossdock.hub.records import ConsumerGroup


def publish(store, *items: tuple[str, str, str]) -> None:
    with store.uow() as uow:
        for subject, key, message_id in items:
            uow.outbox.publish(subject, key, message_id, message_id.encode())
        uow.commit()


def test_only_committed_entries_are_visible(store) -> None:
    store.bus.ensure_group(ConsumerGroup("g", ("doc.>",)))
    with store.uow() as uow:
        uow.outbox.publish("doc.x", "k", "m1")
        # no commit: rolled back
    assert store.bus.fetch("g", 10) == []
    publish(store, ("doc.x", "k", "m2"))
    assert [e.message_id for e in store.bus.fetch("g", 10)] == ["m2"]


def test_subject_filters_and_groups_are_independent(store) -> None:
    store.bus.ensure_group(ConsumerGroup("all", ("doc.>",)))
    store.bus.ensure_group(ConsumerGroup("orders", ("doc.critical.purchase_order",)))
    publish(
        store,
        ("doc.critical.purchase_order", "a", "m1"),
        ("doc.bulk.inventory_position", "b", "m2"),
    )
    assert sorted(e.message_id for e in store.bus.fetch("all", 10)) == ["m1", "m2"]
    assert [e.message_id for e in store.bus.fetch("orders", 10)] == ["m1"]


def test_one_entry_per_key_in_flight_and_order_kept(store) -> None:
    store.bus.ensure_group(ConsumerGroup("g", ("doc.>",), ack_wait_seconds=30))
    publish(store, ("doc.x", "po-1", "m1"), ("doc.x", "po-1", "m2"), ("doc.x", "po-2", "m3"))
    first = store.bus.fetch("g", 10)
    assert [e.message_id for e in first] == ["m1", "m3"]
    assert store.bus.fetch("g", 10) == []  # m2 waits for m1, m3 is leased
    store.bus.ack("g", [first[0]])
    second = store.bus.fetch("g", 10)
    assert [e.message_id for e in second] == ["m2"]


def test_nak_delays_and_keeps_key_order(store) -> None:
    store.bus.ensure_group(ConsumerGroup("g", ("doc.>",), max_deliver=5))
    publish(store, ("doc.x", "po-1", "m1"), ("doc.x", "po-1", "m2"))
    [entry] = store.bus.fetch("g", 10)
    assert entry.deliveries == 1
    assert store.bus.nak("g", entry, 60, "HTTP 503") is False
    assert store.bus.fetch("g", 10) == []  # m1 is waiting, m2 may not overtake it
    store.clock.advance(50)
    assert store.bus.fetch("g", 10) == []  # not yet
    store.clock.advance(11)
    [again] = store.bus.fetch("g", 10)
    assert again.message_id == "m1" and again.deliveries == 2


def test_hasten_makes_waiting_entries_due_and_keeps_key_order(store) -> None:
    store.bus.ensure_group(ConsumerGroup("g", ("doc.>",), ack_wait_seconds=30))
    store.bus.ensure_group(ConsumerGroup("other", ("doc.>",)))
    publish(store, ("doc.x", "po-1", "m1"), ("doc.x", "po-1", "m2"), ("doc.x", "po-2", "m3"))
    [m1, _m3] = store.bus.fetch("g", 10)
    store.bus.nak("g", m1, 3600, "HTTP 503")
    assert store.bus.fetch("g", 10) == []  # m1 waits an hour; m3 is leased, not waiting

    assert store.bus.hasten("g") == 1
    assert store.bus.hasten("g") == 0
    [again] = store.bus.fetch("g", 10)
    assert again.message_id == "m1" and again.deliveries == 2  # m2 still behind it
    assert len(store.bus.fetch("other", 10)) == 2  # another group is not touched


def test_max_deliver_dead_letters_with_error_and_retry_revives(store) -> None:
    store.bus.ensure_group(ConsumerGroup("g", ("doc.>",), max_deliver=2))
    publish(store, ("doc.x", "po-1", "m1"), ("doc.x", "po-1", "m2"))
    [e1] = store.bus.fetch("g", 10)
    store.bus.nak("g", e1, 0, "boom 1")
    [e2] = store.bus.fetch("g", 10)
    assert store.bus.nak("g", e2, 0, "boom 2") is True
    [dead] = store.bus.dead_letters("g")
    assert dead.message_id == "m1" and dead.deliveries == 2 and dead.last_error == "boom 2"
    # the dead entry no longer blocks its key
    assert [e.message_id for e in store.bus.fetch("g", 10)] == ["m2"]
    assert store.bus.retry_dead_letters("g", None) == 1
    assert store.bus.dead_letters("g") == []


def test_unacked_lease_expires_and_entry_returns(store) -> None:
    store.bus.ensure_group(ConsumerGroup("g", ("doc.>",), ack_wait_seconds=60))
    publish(store, ("doc.x", "k", "m1"))
    assert len(store.bus.fetch("g", 10)) == 1
    assert store.bus.fetch("g", 10) == []
    store.clock.advance(50)
    assert store.bus.fetch("g", 10) == []  # the lease still holds
    store.clock.advance(11)
    [again] = store.bus.fetch("g", 10)
    assert again.deliveries == 2


def test_a_stale_holder_cannot_settle_an_entry_another_consumer_leased_since(store) -> None:
    """A consumer that outlived its lease (a store outage, a stalled process) and then naks or
    dead-letters must not touch the entry: another consumer holds it now, and clearing that
    lease would hand the key's head out twice at once (order per key lost)."""
    store.bus.ensure_group(ConsumerGroup("g", ("doc.>",), ack_wait_seconds=60))
    publish(store, ("doc.x", "k", "m1"))
    [stale] = store.bus.fetch("g", 10)
    store.clock.advance(61)
    [current] = store.bus.fetch("g", 10)
    assert current.deliveries == 2
    store.bus.nak("g", stale, 0.0, "late")
    store.bus.dead_letter("g", stale, "late")
    assert store.bus.fetch("g", 10) == []  # still leased to the current holder
    assert store.bus.dead_letters("g") == []
    store.bus.ack("g", [current])
    assert store.bus.backlog().get("g", 0) == 0


def test_release_leases_after_crash(store) -> None:
    store.bus.ensure_group(ConsumerGroup("g", ("doc.>",), ack_wait_seconds=60))
    publish(store, ("doc.x", "k", "m1"))
    store.bus.fetch("g", 10)
    assert store.bus.release_leases() == 1
    assert [e.message_id for e in store.bus.fetch("g", 10)] == ["m1"]


def test_replay_hands_entries_again_with_a_replay_marker(store) -> None:
    store.bus.ensure_group(ConsumerGroup("g", ("doc.>",)))
    publish(store, ("doc.x", "k", "m1"), ("doc.x", "k2", "m2"))
    store.bus.ack("g", store.bus.fetch("g", 10))
    assert store.bus.replay("g", ["m1"]) == 1
    [entry] = store.bus.fetch("g", 10)
    assert entry.message_id == "m1" and entry.replay > 0


def test_backlog_counts_unpulled_and_pending(store) -> None:
    store.bus.ensure_group(ConsumerGroup("g", ("doc.>",)))
    publish(store, *[("doc.x", f"k{i}", f"m{i}") for i in range(5)])
    assert store.bus.backlog()["g"] == 5
    store.bus.ack("g", store.bus.fetch("g", 2))
    assert store.bus.backlog()["g"] == 3


def test_savepoint_rolls_back_only_its_own_outbox_rows(store) -> None:
    store.bus.ensure_group(ConsumerGroup("g", ("doc.>",)))
    with store.uow() as uow:
        uow.outbox.publish("doc.x", "a", "kept")
        try:
            with uow.savepoint():
                uow.outbox.publish("doc.x", "b", "dropped")
                raise RuntimeError("handler failed")
        except RuntimeError:
            pass
        uow.commit()
    assert [e.message_id for e in store.bus.fetch("g", 10)] == ["kept"]


def test_replay_from_a_sequence_or_a_time(store) -> None:
    store.bus.ensure_group(ConsumerGroup("g", ("doc.>",)))
    publish(store, ("doc.x", "k1", "m1"), ("other.y", "k2", "m2"))
    middle = time.time()  # after m1's commit: m1 was stamped before it, m3 will be after
    publish(store, ("doc.x", "k3", "m3"))
    consumed = store.bus.fetch("g", 10)
    store.bus.ack("g", consumed)
    first_seq = min(e.seq for e in consumed)
    assert store.bus.replay_from("g", seq=first_seq) == 2  # m1 and m3; m2 is not the group's
    replayed = store.bus.fetch("g", 10)
    assert sorted(e.message_id for e in replayed) == ["m1", "m3"]
    assert all(e.replay > 0 for e in replayed)
    store.bus.ack("g", replayed)
    assert store.bus.replay_from("g", since=middle) == 1
    assert [e.message_id for e in store.bus.fetch("g", 10)] == ["m3"]


def test_fetch_finds_entries_behind_a_long_run_of_other_subjects(store) -> None:
    """A group whose subject is rare is not starved by more than a pull chunk of others."""
    store.bus.ensure_group(ConsumerGroup("rare", ("deliver.x",)))
    with store.uow() as uow:
        for n in range(6000):
            uow.outbox.publish("doc.other", f"k{n}", f"m{n}")
        uow.outbox.publish("deliver.x", "k", "wanted")
        uow.commit()
    assert [e.message_id for e in store.bus.fetch("rare", 10)] == ["wanted"]


def test_a_replayed_entry_carries_its_marker_past_32_bits(store) -> None:
    """Replay markers are epoch microseconds: the pending row must hold them (PostgreSQL's
    INTEGER did not), and the entry must come back with the very marker."""
    store.bus.ensure_group(ConsumerGroup("g", ("doc.>",)))
    publish(store, ("doc.x", "k", "m1"))
    store.bus.ack("g", store.bus.fetch("g", 10))
    store.bus.replay("g", ["m1"])
    [entry] = store.bus.fetch("g", 10)
    assert entry.message_id == "m1" and entry.replay > 2**31
    with store.uow() as uow:
        assert uow.inbox.claim("g", "m1", entry.replay)
        assert not uow.inbox.claim("g", "m1", entry.replay)
        uow.commit()


def test_a_nak_error_with_nul_is_kept_readable(store) -> None:
    """A receiver's error body may carry NUL; PostgreSQL text cannot store it (the other
    stores keep it as U+FFFD: `adapters.sql.convert.storable`)."""
    store.bus.ensure_group(ConsumerGroup("g", ("doc.>",), max_deliver=1))
    publish(store, ("doc.x", "k", "m1"))
    [entry] = store.bus.fetch("g", 10)
    assert store.bus.nak("g", entry, 0, "HTTP 500: a\x00b") is True
    [dead] = store.bus.dead_letters("g")
    assert dead.last_error in ("HTTP 500: a\ufffdb", "HTTP 500: a\x00b")


def test_settle_acks_naks_and_dead_letters_in_one_go(store) -> None:
    store.bus.ensure_group(ConsumerGroup("g", ("doc.>",), max_deliver=2, ack_wait_seconds=60))
    publish(store, ("doc.x", "a", "m1"), ("doc.x", "b", "m2"), ("doc.x", "c", "m3"))
    m1, m2, m3 = store.bus.fetch("g", 10)
    assert store.bus.settle("g", ack=[m1], nak=[(m2, 30, "HTTP 503")], dead=[(m3, "HTTP 400")]) == 0
    [dead] = store.bus.dead_letters("g")
    assert (dead.message_id, dead.last_error, dead.deliveries) == ("m3", "HTTP 400", 1)
    assert dead.dead_at is not None
    assert store.bus.fetch("g", 10) == []  # m2 waits out its delay
    store.clock.advance(31)
    [again] = store.bus.fetch("g", 10)
    assert (again.message_id, again.deliveries) == ("m2", 2)
    # the last allowed delivery naked: dead instead, and counted as such
    assert store.bus.settle("g", nak=[(again, 30, "HTTP 503 again")]) == 1
    assert [d.message_id for d in store.bus.dead_letters("g")] == ["m2", "m3"]
    assert store.bus.settle("g") == 0


def test_dead_letters_are_listed_per_group_and_retried_by_id(store) -> None:
    store.bus.ensure_group(ConsumerGroup("a", ("doc.>",)))
    store.bus.ensure_group(ConsumerGroup("b", ("doc.>",)))
    publish(store, ("doc.x", "k1", "m1"), ("doc.x", "k2", "m2"))
    for group in ("a", "b"):
        for entry in store.bus.fetch(group, 10):
            store.bus.dead_letter(group, entry, f"permanent \u2717 {group}")
    assert len(store.bus.dead_letters()) == 4
    assert len(store.bus.dead_letters(limit=3)) == 3
    first, _second = store.bus.dead_letters("a")
    assert first.last_error == "permanent \u2717 a" and first.group == "a"
    assert store.bus.retry_dead_letters("a", [first.pending_id]) == 1
    assert [d.message_id for d in store.bus.dead_letters("a")] == ["m2"]
    [revived] = store.bus.fetch("a", 10)
    assert (revived.message_id, revived.deliveries) == ("m1", 1)  # deliveries start over
    assert store.bus.retry_dead_letters(None, None) == 3  # every group
    assert store.bus.dead_letters() == []


def test_has_work_and_oldest_unhandled_follow_the_group(store) -> None:
    store.bus.ensure_group(ConsumerGroup("g", ("doc.>",), ack_wait_seconds=60))
    assert not store.bus.has_work("g")
    assert store.bus.oldest_unhandled("g") is None
    before = time.time()
    publish(store, ("doc.x", "k", "m1"))
    assert store.bus.has_work("g")
    oldest = store.bus.oldest_unhandled("g")
    assert oldest is not None and before - 1 <= oldest <= time.time()
    [m1] = store.bus.fetch("g", 10)
    assert not store.bus.has_work("g")  # m1 is leased
    assert store.bus.oldest_unhandled("g") == oldest  # and still to handle
    store.bus.ack("g", [m1])
    assert not store.bus.has_work("g")
    assert store.bus.oldest_unhandled("g") is None
    publish(store, ("doc.x", "k", "m2"))
    [m2] = store.bus.fetch("g", 10)
    store.bus.nak("g", m2, 600, "HTTP 503")
    # a retrying entry holds nothing back (an earlier answer is allowed, a later one never),
    # and is no work until its delay is over
    retrying = store.bus.oldest_unhandled("g")
    assert retrying is None or retrying <= m2.published_at.timestamp() + 1e-5  # datetime: µs
    assert not store.bus.has_work("g")
    store.clock.advance(601)
    assert store.bus.has_work("g")


def test_groups_are_kept_and_updated(store) -> None:
    store.bus.ensure_group(ConsumerGroup("g", ("doc.>",), lane="bulk", max_deliver=3))
    store.bus.ensure_group(ConsumerGroup("g", ("doc.>", "rejected.>"), lane="bulk", max_deliver=5))
    store.bus.ensure_group(ConsumerGroup("h", ("deliver.critical.erp",)))
    groups = {g.name: g for g in store.open_again().bus.groups()}
    assert groups["g"] == ConsumerGroup("g", ("doc.>", "rejected.>"), "bulk", 5, 60.0)
    assert groups["h"].subjects == ("deliver.critical.erp",)


def test_large_and_binary_payloads_travel_unchanged(store) -> None:
    store.bus.ensure_group(ConsumerGroup("g", ("deliver.>",)))
    payload = bytes(range(256)) * 4096  # 1 MiB with every byte value
    with store.uow() as uow:
        uow.outbox.publish("deliver.critical.erp", "PO-\u00fc", "m1", payload)
        uow.outbox.publish("deliver.critical.erp", "PO-2", "m2", b"")
        uow.commit()
    first, second = store.bus.fetch("g", 10)
    assert (first.payload, first.key, first.subject) == (
        payload,
        "PO-\u00fc",
        "deliver.critical.erp",
    )
    assert second.payload == b""
