"""Retention on SQLite (a real file) and PostgreSQL (skips without a server): which messages
and flows are eligible, what is never pruned, batches, the archive round trip, run records."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from crossdock.adapters.archive.ndjson import NdjsonArchive, read_archive
from crossdock.adapters.sql.flow_tables import exceptions, flow_instances, flow_timers
from crossdock.adapters.sql.retention_store import SqlRetentionStore
from crossdock.adapters.sql.tables import bus_log, deliveries, delivery_attempts, inbox
from crossdock.hub.retention.archive_lines import message_from_line
from crossdock.hub.retention.model import FLOWS, BatchCursor, Cutoffs
from crossdock.hub.retention.pruner import Pruner, RetentionPolicy
from tests import retention_rows as rows
from tests.contract.backends import ContractStore


def pruner(
    store: ContractStore,
    archive: Path | None = None,
    *,
    default_days: float | None = 30,
    per_type: dict[str, float | None] | None = None,
    flow_days: float | None = None,
    batch_size: int = 500,
) -> Pruner:
    return Pruner(
        SqlRetentionStore(store.engine),
        NdjsonArchive(archive) if archive is not None else None,
        RetentionPolicy(default_days, per_type or {}, flow_days),
        batch_size=batch_size,
        clock=lambda: rows.NOW,
    )


def count(store: ContractStore, table: Any) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_age_per_document_type(store: ContractStore) -> None:
    with store.engine.begin() as conn:
        rows.message(conn, "po-old", document_type="purchase_order", age_days=400)
        rows.message(conn, "inv-100", document_type="invoice", age_days=100)
        rows.message(conn, "inv-400", document_type="invoice", age_days=400)
        rows.message(conn, "asn-40", document_type="ship_notice", age_days=40)
        rows.message(conn, "asn-10", document_type="ship_notice", age_days=10)
    job = pruner(store, per_type={"invoice": 365, "purchase_order": None})

    assert job.eligible() == {"invoice": 1, "ship_notice": 1}
    run = job.run()

    assert (run.messages, run.batches) == (2, 1)
    with store.engine.connect() as conn:
        assert rows.message_ids(conn) == {"po-old", "inv-100", "asn-10"}
    assert job.eligible() == {}


def test_nothing_is_eligible_without_ages(store: ContractStore) -> None:
    with store.engine.begin() as conn:
        rows.message(conn, "ancient", age_days=10_000)
    job = pruner(store, default_days=None)
    assert job.eligible() == {}
    assert job.run().messages == 0
    with store.engine.connect() as conn:
        assert rows.message_ids(conn) == {"ancient"}


def test_exceptions_open_flows_and_undelivered_messages_are_kept(store: ContractStore) -> None:
    with store.engine.begin() as conn:
        rows.message(conn, "plain", n=1)
        rows.delivery(conn, "plain", attempts=2)
        rows.bus_entry(conn, "plain", seq=1)
        rows.message(conn, "open-flow", key="PO-1", n=2)
        rows.flow(conn, "PO-1", completed=False, age_days=100)
        rows.message(conn, "done-flow", key="PO-2", n=3)
        rows.flow(conn, "PO-2", completed=True, age_days=100)
        rows.message(conn, "open-exc-key", key="PO-3", n=4)
        rows.exception(conn, "E1", key="PO-3", evidence=[])
        rows.message(conn, "resolved-exc-key", key="PO-4", n=5)
        rows.exception(conn, "E2", key="PO-4", evidence=[], status="resolved")
        rows.message(conn, "evidence", n=6)
        rows.exception(conn, "E3", key=None, evidence=["evidence"], status="resolved")
        rows.message(conn, "pending-delivery", n=7, status="routed")
        rows.delivery(conn, "pending-delivery", status="pending")
        rows.message(conn, "dead-letter", n=8, status="failed")
        rows.delivery(conn, "dead-letter", status="dead_lettered", attempts=5)
        rows.message(conn, "dead-entry", n=9)
        rows.bus_entry(conn, "dead-entry", seq=2)
        rows.pending(conn, seq=2, state="dead")
        rows.message(conn, "unpulled", n=10, status="routed")
        rows.bus_entry(conn, "unpulled", seq=5)
        rows.group(conn, "router", cursor=4)
        rows.group(conn, "flows", cursor=9)
        rows.message(conn, "accepted", n=11, status="accepted")
        rows.message(conn, "awaiting-997", n=12)
        rows.outbound(conn, "awaiting-997", "sent", 1)
        rows.message(conn, "acked-997", n=13)
        rows.outbound(conn, "acked-997", "accepted", 2)
        rows.message(conn, "young", age_days=5)
    job = pruner(store)

    assert job.eligible() == {"purchase_order": 4}
    run = job.run()

    assert (run.messages, run.deliveries, run.attempts) == (4, 1, 2)
    kept = {
        "open-flow", "open-exc-key", "evidence", "pending-delivery", "dead-letter",
        "dead-entry", "unpulled", "accepted", "awaiting-997", "young",
    }  # fmt: skip
    with store.engine.connect() as conn:
        assert rows.message_ids(conn) == kept
        # the pruned message's delivery, attempts, inbox row and bus entry went with it
        assert set(conn.execute(select(deliveries.c.message_id)).scalars()) == {
            "pending-delivery",
            "dead-letter",
        }
        assert conn.execute(select(func.count()).select_from(delivery_attempts)).scalar() == 6
        assert set(conn.execute(select(bus_log.c.message_id)).scalars()) == {
            "dead-entry",
            "unpulled",
        }
        assert set(conn.execute(select(inbox.c.message_id)).scalars()) == {
            "dead-entry",
            "unpulled",
        }
    assert count(store, exceptions) == 3  # exceptions are never pruned


def test_an_exception_raised_during_a_run_keeps_its_evidence(store: ContractStore) -> None:
    with store.engine.begin() as conn:
        for n in range(6):
            rows.message(conn, f"m{n}", n=100 - n)  # m0 oldest
    job = pruner(store, batch_size=2)
    state = job.start()
    assert job.step(state) == 2  # m0, m1
    with store.engine.begin() as conn:
        # raised now, by the hub's clock (the store reads exceptions raised since its last look)
        rows.exception(conn, "late", key=None, evidence=["m4"], created_at=time.time())
    while not state.done:
        job.step(state)
    job.finish(state)
    with store.engine.connect() as conn:
        assert rows.message_ids(conn) == {"m4"}


def test_a_prune_of_n_messages_goes_in_batches_of_k(store: ContractStore, tmp_path: Path) -> None:
    with store.engine.begin() as conn:
        for n in range(23):
            rows.message(conn, f"m{n:02}", n=n)
    seen: list[int] = []
    retention = SqlRetentionStore(store.engine)
    cursor = BatchCursor()
    cutoffs = Cutoffs(default=rows.NOW - 30 * rows.DAY)
    while (batch := retention.message_batch(cutoffs, cursor, 5)) is not None:
        seen.append(retention.delete_messages([r["id"] for r in batch])[0])
    assert seen == [5, 5, 5, 5, 3]

    with store.engine.begin() as conn:
        for n in range(23):
            rows.message(conn, f"n{n:02}", n=n)
    run = pruner(store, tmp_path, batch_size=5).run()
    assert (run.messages, run.batches) == (23, 5)
    with store.engine.connect() as conn:
        assert rows.message_ids(conn) == set()


def test_a_failed_archive_write_rolls_the_batch_back(store: ContractStore) -> None:
    with store.engine.begin() as conn:
        rows.message(conn, "m1")
        rows.delivery(conn, "m1")

    class Broken:
        def write(self, run: str, kind: str, document_type: str, lines: Sequence[Any]) -> str:
            raise OSError("disk full")

    job = Pruner(
        SqlRetentionStore(store.engine),
        Broken(),
        RetentionPolicy(30),
        clock=lambda: rows.NOW,
    )
    with pytest.raises(OSError, match="disk full"):
        job.run()
    with store.engine.connect() as conn:
        assert rows.message_ids(conn) == {"m1"}
    assert count(store, delivery_attempts) == 1
    [recorded] = job.store.runs(5)
    assert recorded.error == "OSError: disk full" and recorded.messages == 0


def test_the_archive_reads_back_as_the_pruned_rows(store: ContractStore, tmp_path: Path) -> None:
    with store.engine.begin() as conn:
        originals = {
            "po-1": rows.message(conn, "po-1", n=1),
            "po-2": rows.message(conn, "po-2", n=2),
            "inv-1": rows.message(conn, "inv-1", document_type="invoice", n=3),
        }
        rows.delivery(conn, "po-1", attempts=3)
    with store.engine.connect() as conn:
        # what the store holds (each backend's own float and text round trip)
        from crossdock.adapters.sql.tables import messages

        stored = {r["id"]: dict(r) for r in conn.execute(select(messages)).mappings()}
        stored_deliveries = [dict(r) for r in conn.execute(select(deliveries)).mappings()]
        stored_attempts = [
            dict(r)
            for r in conn.execute(
                select(delivery_attempts).order_by(delivery_attempts.c.attempt)
            ).mappings()
        ]
    assert stored.keys() == originals.keys()

    run = pruner(store, tmp_path / "archive").run()

    assert run.messages == 3 and len(run.archives) == 2
    back: dict[str, dict[str, Any]] = {}
    for path in run.archives:
        assert path.endswith(".ndjson.gz") and "/2027-01-15/" in path
        for line in read_archive(Path(path)):
            record = message_from_line(line)
            back[record["id"]] = record
    assert back.keys() == stored.keys()
    for message_id, row in stored.items():
        record = dict(back[message_id])
        record.pop("deliveries")
        assert record == row
        assert record["raw"] == originals[message_id]["raw"]  # every byte value, NUL included
    [delivery] = back["po-1"]["deliveries"]
    attempts = delivery.pop("delivery_attempts")
    assert [delivery] == stored_deliveries
    assert attempts == stored_attempts
    assert back["po-2"]["deliveries"] == []
    assert sorted(str(p) for p in NdjsonArchive(tmp_path / "archive").files()) == sorted(
        run.archives
    )


def test_completed_flows_are_pruned_with_their_timers(store: ContractStore, tmp_path: Path) -> None:
    with store.engine.begin() as conn:
        rows.flow(conn, "OLD-DONE", completed=True, age_days=200)
        rows.flow(conn, "OLD-OPEN", completed=False, age_days=200)
        rows.flow(conn, "YOUNG-DONE", completed=True, age_days=10)
        rows.flow(conn, "DONE-WITH-EXC", completed=True, age_days=200)
        rows.exception(conn, "E", key="DONE-WITH-EXC", evidence=[])
    job = pruner(store, tmp_path, default_days=None, flow_days=90)

    assert job.eligible() == {FLOWS: 1}
    run = job.run()

    assert run.flows == 1 and run.messages == 0
    with store.engine.connect() as conn:
        assert set(conn.execute(select(flow_instances.c.key)).scalars()) == {
            "OLD-OPEN",
            "YOUNG-DONE",
            "DONE-WITH-EXC",
        }
        assert set(conn.execute(select(flow_timers.c.key)).scalars()) == {
            "OLD-OPEN",
            "YOUNG-DONE",
            "DONE-WITH-EXC",
        }
    [path] = run.archives
    [line] = list(read_archive(Path(path)))
    assert (line["kind"], line["key"], line["completed"]) == ("flow", "OLD-DONE", True)
    assert [t["name"] for t in line["timers"]] == ["ack_due"]


def test_runs_are_recorded_newest_first(store: ContractStore, tmp_path: Path) -> None:
    with store.engine.begin() as conn:
        rows.message(conn, "m1")
    job = pruner(store, tmp_path)
    first = job.run("job")
    second = job.run("cli")
    runs = job.store.runs(10)
    assert [r.id for r in runs] == [second.id, first.id]
    assert (runs[1].messages, runs[1].trigger, runs[1].archives) == (1, "job", first.archives)
    assert (runs[0].messages, runs[0].trigger) == (0, "cli")
    assert runs[0].finished_at is not None


async def test_the_background_job_records_only_runs_that_did_something(
    store: ContractStore, tmp_path: Path
) -> None:
    calls: list[str] = []

    async def call(fn: Any) -> Any:  # the store runner's writer, inline
        calls.append("batch")
        return fn()

    job = pruner(store, tmp_path, batch_size=2)
    idle = await job.run_async(call, pause=0)
    assert idle.id is None and job.store.runs(5) == []

    with store.engine.begin() as conn:
        for n in range(5):
            rows.message(conn, f"m{n}", n=n)
    calls.clear()
    busy = await job.run_async(call, pause=0.001)
    # only the writes go through the writer: the deletes of 3 batches, and the record
    assert (busy.messages, busy.batches) == (5, 3) and len(calls) == 4
    assert [r.id for r in job.store.runs(5)] == [busy.id]


def test_a_run_paces_its_batches(store: ContractStore) -> None:
    with store.engine.begin() as conn:
        for n in range(5):
            rows.message(conn, f"m{n}", n=n)
    slept: list[float] = []
    # a fixed pause: between batches (3 of messages, 1 finding none left), not after the last
    pruner(store, batch_size=2).run(pause=0.01, sleep=slept.append)
    assert slept == [0.01, 0.01, 0.01]

    with store.engine.begin() as conn:
        for n in range(5):
            rows.message(conn, f"n{n}", n=n)
    slept.clear()
    # at most a fifth of the time in batches: each wait is at least 4 x the batch before it
    pruner(store, batch_size=2).run(share=0.2, sleep=slept.append)
    assert len(slept) == 3 and all(s > 0 for s in slept)
    with pytest.raises(ValueError, match="share"):
        pruner(store).run(share=0)


def test_each_flow_batch_deletes_only_what_it_archived(
    store: ContractStore, tmp_path: Path
) -> None:
    with store.engine.begin() as conn:
        for n in range(3):
            rows.flow(conn, f"DONE-{n}", completed=True, age_days=200 + n)
    run = pruner(store, tmp_path, default_days=None, flow_days=90, batch_size=1).run()
    assert (run.flows, run.batches) == (3, 3)
    archived = [line["key"] for path in run.archives for line in read_archive(Path(path))]
    assert sorted(archived) == ["DONE-0", "DONE-1", "DONE-2"]
