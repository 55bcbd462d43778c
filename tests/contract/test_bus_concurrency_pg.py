"""The bus on PostgreSQL under concurrent commits, with consumers in two "processes".

Writers publish from many threads, each in its own unit of work (its own connection), and
sleep between inserting their entries and committing, so transactions commit out of
sequence order. Two consumers, each its own `SqlBus` on its own engine (as two processes
would be), fetch and acknowledge meanwhile. Every committed entry must reach the group
exactly once, and each key's entries in the order they were published.

Without the commit-order lock (`adapters.postgres.engine.lock_log_for_commit`) a consumer
reads past a sequence number whose transaction has not committed yet and never sees it.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from crossdock.adapters.sql.bus import SqlBus
from crossdock.bootstrap.store import make_engine
from crossdock.hub.records import ConsumerGroup
from tests.conftest import SqlStore

WRITERS = 6
TRANSACTIONS = 40  # per writer
KEYS_PER_WRITER = 3
CONSUMERS_PER_BUS = 2
GROUP = ConsumerGroup("g", ("doc.>",), ack_wait_seconds=60)


@pytest.fixture
def pg_store(postgres_url: str) -> Iterator[SqlStore]:
    store = SqlStore(url=postgres_url)
    yield store
    store.close()


def _writer(store: SqlStore, writer: int, published: list[tuple[str, str]], rng: random.Random):
    """Publishes 1-3 entries per transaction; a key belongs to one writer, so its publish
    order is this writer's order."""
    sequence = 0
    for _ in range(TRANSACTIONS):
        batch = []
        with store.uow() as uow:
            for _ in range(rng.randint(1, 3)):
                key = f"k{writer}-{rng.randrange(KEYS_PER_WRITER)}"
                message_id = f"w{writer}-{sequence}"
                sequence += 1
                uow.outbox.publish("doc.critical.purchase_order", key, message_id)
                batch.append((key, message_id))
            uow.outbox.flush()  # the topic-log insert, then a delay before COMMIT
            time.sleep(rng.uniform(0, 0.006))
            uow.commit()
        published.extend(batch)  # list.extend is atomic; per writer the order is kept


def _consumer(bus: SqlBus, seen: list[str], lock: threading.Lock, stop: threading.Event) -> None:
    while not stop.is_set():
        entries = bus.fetch(GROUP.name, 25)
        if not entries:
            time.sleep(0.002)
            continue
        with lock:  # before the ack: the key's next entry cannot be fetched until then
            seen.extend(e.message_id for e in entries)
        bus.ack(GROUP.name, entries)


def test_every_committed_entry_once_per_group_in_key_order(
    pg_store: SqlStore, postgres_url: str
) -> None:
    pg_store.bus.ensure_group(GROUP)
    engines = [make_engine(postgres_url) for _ in range(2)]  # two consumer "processes"
    buses = [SqlBus(engine) for engine in engines]
    published: list[tuple[str, str]] = []
    seen: list[str] = []
    lock, stop = threading.Lock(), threading.Event()
    writers = [
        threading.Thread(target=_writer, args=(pg_store, w, published, random.Random(w)))
        for w in range(WRITERS)
    ]
    consumers = [
        threading.Thread(target=_consumer, args=(bus, seen, lock, stop))
        for bus in buses
        for _ in range(CONSUMERS_PER_BUS)
    ]
    try:
        for thread in consumers + writers:
            thread.start()
        for thread in writers:
            thread.join(60)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with lock:
                if len(seen) >= len(published):
                    break
            time.sleep(0.05)
        time.sleep(0.2)  # anything delivered twice would show up now
    finally:
        stop.set()
        for thread in consumers:
            thread.join(10)
        for engine in engines:
            engine.dispose()

    counts = Counter(seen)
    missing = {m for _k, m in published} - set(counts)
    doubled = {m: n for m, n in counts.items() if n > 1}
    order: dict[str, list[str]] = defaultdict(list)
    for key, message_id in published:
        order[key].append(message_id)
    position = {m: i for i, m in enumerate(seen)}
    out_of_order = [
        key
        for key, ids in order.items()
        if [m for m in sorted(ids, key=lambda m: position.get(m, -1)) if m in position]
        != [m for m in ids if m in position]
    ]
    print(
        f"published {len(published)} entries in {WRITERS * TRANSACTIONS} transactions; "
        f"consumed {len(seen)}: missing {len(missing)}, doubled {len(doubled)}, "
        f"keys out of order {len(out_of_order)}"
    )
    assert not missing, f"{len(missing)} committed entries never delivered: {sorted(missing)[:10]}"
    assert not doubled, f"delivered more than once: {doubled}"
    assert not out_of_order, f"keys delivered out of publish order: {out_of_order}"
    assert pg_store.bus.fetch(GROUP.name, 10) == []


class _Clock:
    def __init__(self) -> None:
        self.now = time.time() + 1  # entries become available at their publish time

    def __call__(self) -> float:
        return self.now


def test_a_vanished_process_lease_is_taken_over_only_after_it_expires(
    pg_store: SqlStore, postgres_url: str
) -> None:
    """On PostgreSQL no process releases leases at start-up (another live process may hold
    them): a dead process's lease is taken over when it expires."""
    clock = _Clock()
    group = ConsumerGroup("leases", ("doc.>",), ack_wait_seconds=30)
    first_engine, second_engine = make_engine(postgres_url), make_engine(postgres_url)
    try:
        first, second = SqlBus(first_engine, clock), SqlBus(second_engine, clock)
        first.ensure_group(group)
        with pg_store.uow() as uow:
            uow.outbox.publish("doc.critical.purchase_order", "po-1", "m1")
            uow.outbox.publish("doc.critical.purchase_order", "po-1", "m2")
            uow.commit()
        [leased] = first.fetch(group.name, 10)
        assert leased.message_id == "m1"
        first_engine.dispose()  # the first process vanishes without acknowledging

        assert second.fetch(group.name, 10) == []  # its lease still holds, m2 waits behind it
        clock.now += 29.9
        assert second.fetch(group.name, 10) == []
        clock.now += 0.2  # past ack_wait
        [taken] = second.fetch(group.name, 10)
        assert (taken.message_id, taken.deliveries) == ("m1", 2)
        second.ack(group.name, [taken])
        assert [e.message_id for e in second.fetch(group.name, 10)] == ["m2"]
    finally:
        first_engine.dispose()
        second_engine.dispose()


@pytest.mark.parametrize("profile", ["sqlite", "postgresql"])
async def test_only_the_embedded_hub_releases_leases_at_start(
    profile: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """A lease held by another process (here: another bus) survives a PostgreSQL hub's
    start-up; the embedded hub is its store's only process, so it releases every lease."""
    from crossdock.bootstrap.services import build_hub
    from crossdock.config import Settings

    url = request.getfixturevalue("postgres_url") if profile == "postgresql" else None
    store = SqlStore(tmp_path, url=None) if url is None else SqlStore(url=url)
    try:
        group = ConsumerGroup("audit", ("doc.>",), ack_wait_seconds=300)
        store.bus.ensure_group(group)
        with store.uow() as uow:
            uow.outbox.publish("doc.critical.purchase_order", "po-1", "m1")
            uow.commit()
        assert len(store.bus.fetch(group.name, 10)) == 1  # the other process's lease
        store_settings = {"url": url} if url else {}
        hub = build_hub(Settings(hub={"data_dir": tmp_path}, store=store_settings))
        await hub.start()
        await hub.stop()
        released = store.bus.fetch(group.name, 10)
        assert len(released) == (1 if profile == "sqlite" else 0)
    finally:
        store.close()
