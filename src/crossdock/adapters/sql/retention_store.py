"""Retention on SQL (the hub's `RetentionStore`): eligible messages found, archived and deleted
in short transactions, on SQLite and PostgreSQL alike.

A message is eligible when it is older than its type's cutoff and none of these holds (each
one condition of the batch's SELECT, so a batch reads only what it may delete):

- it is still in the outbox: one of its bus log entries lies past some consumer group's
  cursor, or is pending in a group (ready, leased, waiting for a retry, or dead);
- it is accepted but not yet routed, or failed;
- one of its deliveries is not delivered (pending or dead-lettered);
- an X12 document made from it still awaits its 997/999;
- its correlation key has an open flow instance, or an open exception;
- an exception (open or resolved) names it as evidence. Evidence is a JSON list, so it is read
  into a set (all of it at the start of a run and every `EVIDENCE_REFRESH` seconds, and the
  exceptions raised since the last look before every batch) and checked in Python.

Batches go in (received_at, id) order past a cursor, so rows kept for their evidence are read
once per run. A batch is read in a read transaction (on SQLite a deferred one, beside the
writer), archived, then deleted in a short write transaction that checks the rules again and
takes the messages with their deliveries, delivery attempts, inbox rows and bus log entries
(none of which a consumer still needs, by the rules above).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    and_,
    delete,
    desc,
    exists,
    false,
    func,
    insert,
    or_,
    select,
    true,
)

from crossdock.adapters.sql.flow_tables import exceptions, flow_instances, flow_timers
from crossdock.adapters.sql.retention_tables import retention_runs
from crossdock.adapters.sql.tables import (
    bus_groups,
    bus_log,
    bus_pending,
    deliveries,
    delivery_attempts,
    inbox,
    messages,
    x12_outbound,
)
from crossdock.hub.edi_records import OutboundStatus
from crossdock.hub.flows.exceptions import ExceptionStatus
from crossdock.hub.records import DeliveryStatus, MessageStatus
from crossdock.hub.retention.model import (
    FLOWS,
    BatchCursor,
    Cutoffs,
    FlowRecord,
    MessageRecord,
    RetentionRun,
)

T = TypeVar("T")

#: Ids per IN list: well under every backend's limit on bound parameters.
CHUNK = 500
#: Seconds between full reads of every exception's evidence (an exception's evidence can be
#: extended after it is raised; new exceptions are read before every batch).
EVIDENCE_REFRESH = 10.0
#: Exceptions raised this long before the last look are read again (other processes' clocks).
CLOCK_SKEW = 300.0
#: Messages in these states are still on their way.
KEPT_STATUSES = (MessageStatus.ACCEPTED.value, MessageStatus.FAILED.value)


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def old_enough(cutoffs: Cutoffs) -> ColumnElement[bool]:
    """Messages received before their type's cutoff."""
    m = messages.c
    parts: list[ColumnElement[bool]] = [
        and_(m.document_type == t, m.received_at < c)
        for t, c in sorted(cutoffs.per_type.items())
        if c is not None
    ]
    if cutoffs.default is not None:
        others = m.received_at < cutoffs.default
        if cutoffs.per_type:
            others = and_(others, m.document_type.not_in(sorted(cutoffs.per_type)))
        parts.append(others)
    return or_(*parts) if parts else false()


def not_kept() -> ColumnElement[bool]:
    """Messages nothing still needs (the rules in the module docstring, but evidence)."""
    m = messages.c
    floor = select(func.min(bus_groups.c.cursor)).scalar_subquery()  # NULL: no groups
    return and_(
        m.status.not_in(KEPT_STATUSES),
        ~exists().where(
            deliveries.c.message_id == m.id,
            deliveries.c.status != DeliveryStatus.DELIVERED.value,
        ),
        ~exists().where(
            x12_outbound.c.message_id == m.id, x12_outbound.c.status == OutboundStatus.SENT.value
        ),
        ~exists().where(
            flow_instances.c.key == m.correlation_key, flow_instances.c.completed == false()
        ),
        ~exists().where(
            exceptions.c.correlation_key == m.correlation_key,
            exceptions.c.status == ExceptionStatus.OPEN.value,
        ),
        m.id.not_in(select(bus_log.c.message_id).where(bus_log.c.seq > floor)),
        m.id.not_in(
            select(bus_log.c.message_id).join(bus_pending, bus_pending.c.seq == bus_log.c.seq)
        ),
    )


def _flows_eligible(before: float) -> ColumnElement[bool]:
    f = flow_instances.c
    return and_(
        f.completed == true(),
        f.updated_at < before,
        ~exists().where(
            exceptions.c.correlation_key == f.key,
            exceptions.c.status == ExceptionStatus.OPEN.value,
        ),
    )


def _pairs(pairs: Sequence[tuple[str, str]], table: Any = flow_timers) -> ColumnElement[bool]:
    """Rows of `table` (flow timers or instances) with one of the (flow, key) pairs."""
    return or_(*(and_(table.c.flow == fl, table.c.key == k) for fl, k in pairs))


class SqlRetentionStore:
    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time) -> None:
        self._engine = engine
        self._clock = clock
        self._evidence: set[str] = set()
        self._read_all_at: float | None = None  # when every exception was last read
        self._read_new_at = 0.0

    # -- what a run would prune ---------------------------------------------------------

    def eligible(self, cutoffs: Cutoffs) -> dict[str, int]:
        m = messages.c
        found: dict[str, int] = {}
        with self._engine.connect().execution_options(readonly=True) as conn:
            self._read_evidence(conn, everything=True)
            where = and_(old_enough(cutoffs), not_kept())
            rows = conn.execute(
                select(m.document_type, func.count()).where(where).group_by(m.document_type)
            )
            found = {str(t): int(n) for t, n in rows}
            evidence = sorted(self._evidence)
            for ids in _chunks(evidence):
                kept = conn.execute(
                    select(m.document_type, func.count())
                    .where(where, m.id.in_(ids))
                    .group_by(m.document_type)
                )
                for t, n in kept:
                    found[str(t)] -= int(n)
            if cutoffs.flows is not None:
                found[FLOWS] = int(
                    conn.execute(
                        select(func.count())
                        .select_from(flow_instances)
                        .where(_flows_eligible(cutoffs.flows))
                    ).scalar_one()
                )
        return {t: n for t, n in sorted(found.items()) if n > 0}

    # -- messages --------------------------------------------------------------------------

    def message_batch(
        self, cutoffs: Cutoffs, cursor: BatchCursor, limit: int
    ) -> list[MessageRecord] | None:
        m = messages.c
        # A read transaction (deferred on SQLite): the writer is not held while a batch is
        # read, archived and written to disk; only `delete_messages` takes it.
        with self._engine.connect().execution_options(readonly=True) as conn, conn.begin():
            self._read_evidence(conn, everything=cursor.id == "")
            query = select(messages).where(old_enough(cutoffs), not_kept())
            if cursor.id:
                # `>=` first: a range on the time index (an OR of the two would scan it)
                query = query.where(
                    m.received_at >= cursor.received_at,
                    or_(m.received_at > cursor.received_at, m.id > cursor.id),
                )
            rows = conn.execute(query.order_by(m.received_at, m.id).limit(limit)).mappings().all()
            if not rows:
                return None
            cursor.received_at, cursor.id = rows[-1]["received_at"], rows[-1]["id"]
            records = [dict(r) for r in rows if r["id"] not in self._evidence]
            delivered = self._deliveries(conn, [r["id"] for r in records])
        for record in records:
            record["deliveries"] = delivered.get(record["id"], [])
        return records

    def delete_messages(self, ids: Sequence[str]) -> tuple[int, int, int]:
        m = messages.c
        with self._engine.begin() as conn:
            # Checked again in the deleting transaction: a message replayed, or named by an
            # exception, since it was read stays (archived, not deleted: a later run that
            # finds it eligible archives it again).
            self._read_evidence(conn, everything=False)
            gone: list[str] = []
            for chunk in _chunks(list(ids)):
                gone.extend(conn.execute(select(m.id).where(m.id.in_(chunk), not_kept())).scalars())
            gone = [i for i in gone if i not in self._evidence]
            delivery_ids: list[str] = []
            for chunk in _chunks(gone):
                delivery_ids.extend(
                    conn.execute(
                        select(deliveries.c.id).where(deliveries.c.message_id.in_(chunk))
                    ).scalars()
                )
            attempts = 0
            for chunk in _chunks(delivery_ids):
                done = conn.execute(
                    delete(delivery_attempts).where(delivery_attempts.c.delivery_id.in_(chunk))
                )
                attempts += max(done.rowcount, 0)
            for chunk in _chunks(gone):
                conn.execute(delete(deliveries).where(deliveries.c.message_id.in_(chunk)))
                # by its primary key (consumer, message id): consumers are the groups
                conn.execute(
                    delete(inbox).where(
                        inbox.c.consumer.in_(select(bus_groups.c.name)),
                        inbox.c.message_id.in_(chunk),
                    )
                )
                conn.execute(delete(bus_log).where(bus_log.c.message_id.in_(chunk)))
                conn.execute(delete(messages).where(m.id.in_(chunk)))
            return len(gone), len(delivery_ids), attempts

    def _deliveries(self, conn: Connection, ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        """The deliveries of `ids` by message, each with its attempts in order."""
        found: dict[str, list[dict[str, Any]]] = {}
        by_id: dict[str, dict[str, Any]] = {}
        for chunk in _chunks(ids):
            rows = conn.execute(
                select(deliveries)
                .where(deliveries.c.message_id.in_(chunk))
                .order_by(deliveries.c.id)
            ).mappings()
            for row in rows:
                delivery = {**dict(row), "delivery_attempts": []}
                by_id[delivery["id"]] = delivery
                found.setdefault(delivery["message_id"], []).append(delivery)
        a = delivery_attempts.c
        for chunk in _chunks(list(by_id)):
            rows = conn.execute(
                select(delivery_attempts)
                .where(a.delivery_id.in_(chunk))
                .order_by(a.delivery_id, a.attempt, a.id)
            ).mappings()
            for row in rows:
                by_id[row["delivery_id"]]["delivery_attempts"].append(dict(row))
        return found

    def _read_evidence(self, conn: Connection, *, everything: bool) -> None:
        """Bring the set of evidence message ids up to date (see the module docstring)."""
        now = self._clock()
        e = exceptions.c
        query = select(e.evidence)
        if everything or self._read_all_at is None or now - self._read_all_at >= EVIDENCE_REFRESH:
            evidence: set[str] = set()
            self._read_all_at = now
        else:
            evidence = self._evidence
            query = query.where(e.created_at >= self._read_new_at - CLOCK_SKEW)
        for (text,) in conn.execute(query):
            try:
                ids = json.loads(text)
            except ValueError:
                continue
            if isinstance(ids, list):
                evidence.update(str(i) for i in ids)
        self._evidence = evidence
        self._read_new_at = now

    # -- flows ---------------------------------------------------------------------------

    def flow_batch(self, before: float, limit: int) -> list[FlowRecord]:
        f, t = flow_instances.c, flow_timers.c
        with self._engine.connect().execution_options(readonly=True) as conn, conn.begin():
            rows = conn.execute(
                select(flow_instances)
                .where(_flows_eligible(before))
                .order_by(f.updated_at, f.flow, f.key)
                .limit(limit)
            ).mappings()
            records: list[FlowRecord] = [{**dict(r), "timers": []} for r in rows]
            by_key = {(r["flow"], r["key"]): r for r in records}
            for chunk in _chunks(list(by_key)):
                timers = conn.execute(select(flow_timers).where(_pairs(chunk)).order_by(t.name))
                for timer in timers.mappings():
                    by_key[(timer["flow"], timer["key"])]["timers"].append(dict(timer))
        return records

    def delete_flows(self, keys: Sequence[tuple[str, str]], before: float) -> int:
        f = flow_instances.c
        deleted = 0
        with self._engine.begin() as conn:
            for chunk in _chunks(list(keys)):
                still = [
                    (str(fl), str(k))
                    for fl, k in conn.execute(
                        select(f.flow, f.key).where(
                            _pairs(chunk, flow_instances), _flows_eligible(before)
                        )
                    )
                ]
                if not still:
                    continue
                conn.execute(delete(flow_timers).where(_pairs(still)))
                conn.execute(delete(flow_instances).where(_pairs(still, flow_instances)))
                deleted += len(still)
        return deleted

    # -- the record of runs --------------------------------------------------------------

    def record_run(self, run: RetentionRun) -> int:
        with self._engine.begin() as conn:
            result = conn.execute(
                insert(retention_runs).values(
                    started_at=run.started_at,
                    finished_at=run.finished_at,
                    trigger=run.trigger,
                    messages=run.messages,
                    deliveries=run.deliveries,
                    attempts=run.attempts,
                    flows=run.flows,
                    batches=run.batches,
                    archives=json.dumps(run.archives),
                    error=run.error,
                )
            )
            key = result.inserted_primary_key
            return int(key[0]) if key is not None else 0

    def runs(self, limit: int) -> list[RetentionRun]:
        r = retention_runs.c
        with self._engine.connect().execution_options(readonly=True) as conn:
            rows = conn.execute(
                select(retention_runs).order_by(desc(r.started_at), desc(r.id)).limit(limit)
            ).mappings()
            return [
                RetentionRun(
                    id=int(row["id"]),
                    started_at=row["started_at"],
                    finished_at=row["finished_at"],
                    trigger=row["trigger"],
                    messages=row["messages"],
                    deliveries=row["deliveries"],
                    attempts=row["attempts"],
                    flows=row["flows"],
                    batches=row["batches"],
                    archives=list(json.loads(row["archives"])),
                    error=row["error"],
                )
                for row in rows
            ]
