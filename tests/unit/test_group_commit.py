"""Group commit: concurrent intake submissions share transactions, each gets its own outcome."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from crossdock.adapters.sql.tables import metadata
from crossdock.hub.group_commit import IntakeRecorder, Overloaded
from crossdock.hub.intake import IntakeOutcome
from crossdock.hub.ports import UnitOfWork
from crossdock.hub.records import InboundMessage, MessageFilter
from crossdock.hub.store_runner import StoreRunner
from tests.conftest import EXAMPLES, SqlStore, inbound

T = TypeVar("T")
PO: dict[str, Any] = json.loads((EXAMPLES / "purchase_order.json").read_bytes())


def message(n: int, *, key: str | None = None, po_number: str | None = None) -> InboundMessage:
    raw = json.dumps(dict(PO, po_number=po_number or f"PO-{n}")).encode()
    return inbound(raw, key=key if key is not None else f"k-{n}")


class CountingRunner(StoreRunner):
    """A StoreRunner that counts write transactions (each `write` is one unit of work)."""

    writes = 0

    async def write(self, fn: Callable[[UnitOfWork], T], *args: Any, **kwargs: Any) -> T:
        self.writes += 1
        return await super().write(fn, *args, **kwargs)


@pytest.fixture
async def runner(store: SqlStore) -> AsyncIterator[CountingRunner]:
    r = CountingRunner(store.uow, store.uow.reader)
    yield r
    r.close()


@pytest.fixture
async def recorder(runner: CountingRunner) -> AsyncIterator[IntakeRecorder]:
    rec = IntakeRecorder(runner)
    rec.start()
    yield rec
    await rec.stop()


def stored_ids(store: SqlStore) -> set[str]:
    with store.uow.reader() as uow:
        return {m.id for m in uow.messages.find(MessageFilter(), limit=10_000)}


async def test_concurrent_submissions_share_transactions(
    store: SqlStore, runner: CountingRunner, recorder: IntakeRecorder
) -> None:
    batches = [[message(n)] if n % 4 else [message(n), message(1000 + n)] for n in range(200)]

    results = await asyncio.gather(*(recorder.submit(batch) for batch in batches))

    assert 1 <= runner.writes < len(batches) // 4, runner.writes
    for batch, outcomes in zip(batches, results, strict=True):
        assert [o.message_id for o in outcomes] == [m.id for m in batch]
        assert [o.correlation_key for o in outcomes] == [m.correlation_key for m in batch]
        assert all(o.status == "accepted" and not o.duplicate for o in outcomes)
    assert stored_ids(store) == {m.id for batch in batches for m in batch}


async def test_an_outcome_means_the_message_is_committed(
    store: SqlStore, recorder: IntakeRecorder
) -> None:
    m = message(1)
    [outcome] = await recorder.submit([m])
    assert outcome.message_id == m.id
    # a separate connection sees it: it was committed before the submitter was answered
    assert stored_ids(store) == {m.id}


async def test_duplicates_across_submissions_in_one_group(
    store: SqlStore, recorder: IntakeRecorder
) -> None:
    first, again, clash = message(1, key="same"), message(1, key="same"), message(2, key="same")
    results = await asyncio.gather(
        recorder.submit([first]), recorder.submit([again]), recorder.submit([clash])
    )
    copy = results[2][0].recorded_as  # the clashing body, kept as a rejected message
    assert copy is not None and copy not in (first.id, clash.id)
    assert list(results) == [
        [IntakeOutcome(first.id, "accepted", correlation_key="PO-1")],
        [IntakeOutcome(first.id, "accepted", duplicate=True)],
        [IntakeOutcome(first.id, "accepted", conflict=True, recorded_as=copy)],
    ]
    assert stored_ids(store) == {first.id, copy}
    # the same clash again is a duplicate of that copy, not a second one
    [retry] = await recorder.submit([message(2, key="same")])
    assert (retry.conflict, retry.recorded_as) == (True, copy)
    assert stored_ids(store) == {first.id, copy}


async def test_on_commit_is_called_after_each_commit(runner: CountingRunner) -> None:
    commits = 0

    def on_commit() -> None:
        nonlocal commits
        commits += 1

    recorder = IntakeRecorder(runner, on_commit=on_commit)
    recorder.start()
    try:
        await recorder.submit([message(1)])
        assert commits == 1
        await asyncio.gather(*(recorder.submit([message(n)]) for n in range(2, 50)))
        assert commits == runner.writes
    finally:
        await recorder.stop()


async def test_a_store_failure_reaches_every_waiter(
    store: SqlStore, runner: CountingRunner, recorder: IntakeRecorder
) -> None:
    with store.engine.begin() as conn:
        conn.execute(text("DROP TABLE messages"))

    results = await asyncio.gather(
        *(recorder.submit([message(n)]) for n in range(20)), return_exceptions=True
    )

    assert len(results) == 20
    for result in results:
        assert isinstance(result, OperationalError), result
        assert "messages" in str(result)

    # the recorder survives the failure: once the store is back, intake works again
    metadata.create_all(store.engine)
    m = message(99)
    [outcome] = await asyncio.wait_for(recorder.submit([m]), timeout=10)
    assert outcome.message_id == m.id
    assert stored_ids(store) == {m.id}


async def test_failure_in_one_group_does_not_leak_into_the_next(
    store: SqlStore, runner: CountingRunner, recorder: IntakeRecorder
) -> None:
    """A batch that breaks the store (same message id twice) fails, and only its group."""
    m = message(1)
    twin = message(2)
    twin.id = m.id  # primary key clash inside one transaction
    with pytest.raises(IntegrityError, match=r"(?i)unique"):
        await recorder.submit([m, twin])
    assert stored_ids(store) == set()
    ok = message(3)
    [outcome] = await recorder.submit([ok])
    assert outcome.message_id == ok.id
    assert stored_ids(store) == {ok.id}


async def test_too_many_waiting_messages_are_refused_not_queued(runner: CountingRunner) -> None:
    recorder = IntakeRecorder(runner, max_waiting=5)
    recorder.start()
    release = asyncio.Event()
    loop = asyncio.get_running_loop()

    def hold_the_writer(_uow: UnitOfWork) -> None:
        asyncio.run_coroutine_threadsafe(release.wait(), loop).result(timeout=10)

    try:
        blocker = asyncio.create_task(runner.write(hold_the_writer, priority=0))
        await asyncio.sleep(0.05)
        first = asyncio.create_task(recorder.submit([message(n) for n in range(4)]))
        await asyncio.sleep(0.05)
        with pytest.raises(Overloaded, match="4 messages are waiting"):
            await recorder.submit([message(10), message(11)])
        release.set()
        await blocker
        outcomes = await first
        assert [o.status for o in outcomes] == ["accepted"] * 4
        # once the backlog is recorded, the hub takes messages again
        assert (await recorder.submit([message(20)]))[0].status == "accepted"
    finally:
        release.set()
        await recorder.stop()
