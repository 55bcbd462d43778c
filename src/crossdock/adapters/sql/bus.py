"""The embedded bus: a topic log in the store with durable consumer groups.

Publishing is the outbox (rows written by a unit of work). Each group pulls the log past its
cursor into its own pending set, matching its subject filters; entries are then leased,
acknowledged (deleted), redelivered after a delay, or dead-lettered. Within a group, an entry
is handed out only when no earlier entry with the same key is still pending, which is what
keeps one purchase order's messages in order while different orders flow in parallel.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import (
    Engine,
    and_,
    func,
    insert,
    literal,
    select,
    update,
)

from crossdock.adapters.sql import bus_statements as st
from crossdock.adapters.sql.convert import from_epoch, from_epoch_required, storable
from crossdock.adapters.sql.prepared import Prepared
from crossdock.adapters.sql.tables import bus_groups, bus_log, bus_pending, bus_replays
from crossdock.hub.records import BusEntry, ConsumerGroup, DeadLetter


class SqlBus:
    """Implements the hub's Bus port. Thread-safe as far as the database is."""

    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time) -> None:
        self._engine = engine
        #: Epoch seconds for leases, redelivery delays and dead-letter times; tests that
        #: simulate hours of waiting replace it.
        self.clock = clock
        self._groups: dict[str, ConsumerGroup] = {}
        self._last_marker = 0
        self._pulls: dict[str, tuple[tuple[str, ...], Prepared]] = {}

    def ensure_group(self, group: ConsumerGroup) -> None:
        self._groups[group.name] = group
        values = {
            "subjects": json.dumps(list(group.subjects)),
            "lane": group.lane,
            "max_deliver": group.max_deliver,
            "ack_wait": group.ack_wait_seconds,
        }
        with self._engine.begin() as conn:
            found = conn.execute(
                select(bus_groups.c.name).where(bus_groups.c.name == group.name)
            ).first()
            if found is None:
                conn.execute(insert(bus_groups).values(name=group.name, cursor=0, **values))
            else:
                conn.execute(
                    update(bus_groups).where(bus_groups.c.name == group.name).values(**values)
                )

    def _group(self, name: str) -> ConsumerGroup:
        group = self._groups.get(name)
        if group is None:
            with self._engine.connect() as conn:
                row = conn.execute(select(bus_groups).where(bus_groups.c.name == name)).first()
            if row is None:
                raise KeyError(f"unknown consumer group {name!r}")
            group = ConsumerGroup(
                name=row.name,
                subjects=tuple(json.loads(row.subjects)),
                lane=row.lane,
                max_deliver=row.max_deliver,
                ack_wait_seconds=row.ack_wait,
            )
            self._groups[name] = group
        return group

    def groups(self) -> list[ConsumerGroup]:
        with self._engine.connect() as conn:
            names = [r.name for r in conn.execute(select(bus_groups.c.name))]
        return [self._group(name) for name in names]

    def _pull_statement(self, group: ConsumerGroup) -> Prepared:
        """The group's pull statement, built once per group (and again if its subjects change)."""
        found = self._pulls.get(group.name)
        if found is None or found[0] != group.subjects:
            found = (group.subjects, st.pull_statement(group.name, group.subjects))
            self._pulls[group.name] = found
        return found[1]

    def _pull(self, conn: Any, group: ConsumerGroup) -> None:
        """Move newly published entries that match the group into its pending set.

        Chunk by chunk, until some entry matched or the log ends (at most PULL_CHUNKS chunks
        per call): a group whose subjects are rare must not stall behind other subjects.
        """
        cursor = st.CURSOR.execute(conn, {"group": group.name}).scalar_one()
        statement = self._pull_statement(group)
        for _ in range(st.PULL_CHUNKS):
            upper = st.UPPER.execute(
                conn, {"cursor": cursor, "limit": cursor + st.PULL_CHUNK}
            ).scalar()
            if upper is None:
                return
            pulled = statement.execute(conn, {"cursor": cursor, "upper": upper}).rowcount
            st.MOVE_CURSOR.execute(conn, {"group": group.name, "to": upper})
            cursor = upper
            if pulled:
                return

    def fetch(self, group: str, limit: int) -> list[BusEntry]:
        spec = self._group(group)
        now = self.clock()
        with self._engine.begin() as conn:
            self._pull(conn, spec)
            rows = st.FETCH.execute(conn, {"group": group, "now": now, "limit": limit}).all()
            if not rows:
                return []
            until = now + spec.ack_wait_seconds
            st.LEASE.executemany(conn, [{"b_id": r.id, "b_until": until} for r in rows])
        return [
            BusEntry(
                seq=r.seq,
                subject=r.subject,
                key=r.key,
                message_id=r.message_id,
                payload=r.payload,
                published_at=from_epoch_required(r.published_at),
                deliveries=r.deliveries + 1,
                replay=r.replay,
                pending_id=r.id,
            )
            for r in rows
        ]

    def ack(self, group: str, entries: Sequence[BusEntry]) -> None:
        self.settle(group, ack=entries)

    def hasten(self, group: str) -> int:
        now = self.clock()
        with self._engine.begin() as conn:
            result = conn.execute(
                update(bus_pending)
                .where(
                    bus_pending.c.group_name == group,
                    bus_pending.c.state == "ready",
                    bus_pending.c.available_at > now,
                )
                .values(available_at=now)
            )
        return int(result.rowcount or 0)

    def nak(self, group: str, entry: BusEntry, delay_seconds: float, error: str) -> bool:
        return self.settle(group, nak=[(entry, delay_seconds, error)]) > 0

    def settle(
        self,
        group: str,
        ack: Sequence[BusEntry] = (),
        nak: Sequence[tuple[BusEntry, float, str]] = (),
        dead: Sequence[tuple[BusEntry, str]] = (),
    ) -> int:
        spec = self._group(group)
        now = self.clock()
        dead_rows = [(e, err) for e, err in dead]
        retry_rows = []
        for entry, delay, error in nak:
            if entry.deliveries >= spec.max_deliver:
                dead_rows.append((entry, error))
            else:
                retry_rows.append(
                    {
                        "b_id": entry.pending_id,
                        "b_n": entry.deliveries,
                        "b_at": now + delay,
                        "b_error": storable(error),
                    }
                )
        if not (ack or retry_rows or dead_rows):
            return 0
        with self._engine.begin() as conn:
            st.DELETE.executemany(conn, [{"b_id": e.pending_id} for e in ack])
            st.RETRY.executemany(conn, retry_rows)
            st.DEAD.executemany(
                conn,
                [
                    {
                        "b_id": e.pending_id,
                        "b_n": e.deliveries,
                        "b_at": now,
                        "b_error": storable(err),
                    }
                    for e, err in dead_rows
                ],
            )
        return len(dead_rows) - len(dead)

    def dead_letter(self, group: str, entry: BusEntry, error: str) -> None:
        self.settle(group, dead=[(entry, error)])

    def release_leases(self) -> int:
        """Return every leased entry to the group at once: the embedded hub is the only
        consumer, so at start-up any lease belongs to a process that died."""
        with self._engine.begin() as conn:
            result = conn.execute(
                update(bus_pending).where(bus_pending.c.leased_until > 0).values(leased_until=0.0)
            )
        return int(result.rowcount or 0)

    def dead_letters(self, group: str | None = None, limit: int = 100) -> list[DeadLetter]:
        query = (
            select(bus_pending, bus_log.c.subject, bus_log.c.message_id)
            .join(bus_log, bus_log.c.seq == bus_pending.c.seq)
            .where(bus_pending.c.state == "dead")
            .order_by(bus_pending.c.id)
            .limit(limit)
        )
        if group:
            query = query.where(bus_pending.c.group_name == group)
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            DeadLetter(
                group=r.group_name,
                pending_id=r.id,
                seq=r.seq,
                message_id=r.message_id,
                subject=r.subject,
                key=r.key,
                deliveries=r.deliveries,
                last_error=r.last_error,
                dead_at=from_epoch(r.dead_at),
            )
            for r in rows
        ]

    def retry_dead_letters(self, group: str | None, pending_ids: Sequence[int] | None) -> int:
        clauses = [bus_pending.c.state == "dead"]
        if group:
            clauses.append(bus_pending.c.group_name == group)
        if pending_ids is not None:
            clauses.append(bus_pending.c.id.in_(list(pending_ids)))
        with self._engine.begin() as conn:
            result = conn.execute(
                update(bus_pending)
                .where(and_(*clauses))
                .values(state="ready", deliveries=0, available_at=self.clock(), leased_until=0.0)
            )
            count = int(result.rowcount or 0)
            _record_replay(conn, "dead_letters", group, count, None)
        return count

    def _replay_marker(self) -> int:
        """Microseconds, strictly increasing in this process: two replays of one message must
        never share a marker, or the inbox would take the second for the first."""
        marker = max(time.time_ns() // 1000, self._last_marker + 1)
        self._last_marker = marker
        return marker

    def replay(self, group: str, message_ids: Sequence[str]) -> int:
        spec = self._group(group)
        marker = self._replay_marker()
        total = 0
        ids = list(message_ids)
        with self._engine.begin() as conn:
            for start in range(0, len(ids), 400):
                statement = st.pending_rows(
                    spec.name,
                    literal(self.clock()),
                    literal(marker),
                    bus_log.c.message_id.in_(ids[start : start + 400]),
                    st.subject_clause(spec.subjects),
                )
                result = conn.execute(statement)
                total += int(result.rowcount or 0)
            _record_replay(conn, "messages", spec.name, total, marker)
        return total

    def replay_from(self, group: str, *, seq: int | None = None, since: float | None = None) -> int:
        """Hand the group every entry from a log sequence number or a publish time (epoch s),
        up to its cursor (later entries reach it anyway) — JetStream's start-sequence and
        start-time replays."""
        if seq is None and since is None:
            raise ValueError("replay_from needs a sequence number or a time")
        spec = self._group(group)
        marker = self._replay_marker()
        with self._engine.begin() as conn:
            cursor = st.CURSOR.execute(conn, {"group": spec.name}).scalar_one()
            where = [bus_log.c.seq <= cursor, st.subject_clause(spec.subjects)]
            if seq is not None:
                where.append(bus_log.c.seq >= seq)
            if since is not None:
                where.append(bus_log.c.published_at >= since)
            statement = st.pending_rows(spec.name, literal(self.clock()), literal(marker), *where)
            count = int(conn.execute(statement).rowcount or 0)
            _record_replay(conn, "from", spec.name, count, marker)
            return count

    def backlog(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        with self._engine.connect() as conn:
            for name, n in conn.execute(
                select(bus_pending.c.group_name, func.count())
                .where(bus_pending.c.state == "ready")
                .group_by(bus_pending.c.group_name)
            ):
                counts[name] = int(n)
            for row in conn.execute(select(bus_groups)):
                unpulled = conn.execute(
                    select(func.count()).where(
                        bus_log.c.seq > row.cursor, st.subject_clause(json.loads(row.subjects))
                    )
                ).scalar_one()
                counts[row.name] = counts.get(row.name, 0) + int(unpulled)
        return counts

    def oldest_unhandled(self, group: str) -> float | None:
        spec = self._group(group)
        p, log = bus_pending.c, bus_log.c
        with self._engine.connect() as conn:
            pending = conn.execute(
                select(func.min(log.published_at))
                .select_from(bus_pending.join(bus_log, log.seq == p.seq))
                .where(p.group_name == spec.name, p.state == "ready", p.deliveries <= 1)
            ).scalar()
            cursor = conn.execute(
                select(bus_groups.c.cursor).where(bus_groups.c.name == spec.name)
            ).scalar()
            # Any subject: the first entry past the cursor bounds the answer in one row read,
            # where matching the group's subjects would scan the unpulled tail.
            unpulled = conn.execute(
                select(log.published_at).where(log.seq > (cursor or 0)).order_by(log.seq).limit(1)
            ).scalar()
        found = [t for t in (pending, unpulled) if t is not None]
        return min(found) if found else None

    def has_work(self, group: str) -> bool:
        spec = self._group(group)
        now = self.clock()
        with self._engine.connect() as conn:
            cursor = conn.execute(
                select(bus_groups.c.cursor).where(bus_groups.c.name == spec.name)
            ).scalar_one()
            newer = conn.execute(select(func.max(bus_log.c.seq))).scalar() or 0
            if newer > cursor:
                return True
            ready = conn.execute(
                select(bus_pending.c.id)
                .where(
                    bus_pending.c.group_name == group,
                    bus_pending.c.state == "ready",
                    bus_pending.c.available_at <= now,
                    bus_pending.c.leased_until <= now,
                )
                .limit(1)
            ).first()
        return ready is not None


def _record_replay(
    conn: Any, kind: str, group: str | None, entries: int, marker: int | None
) -> None:
    """Keep a durable trace of a replay in its own transaction (the replay KPI counts these);
    a replay that matched nothing is not one."""
    if entries:
        conn.execute(
            insert(bus_replays).values(
                at=time.time(), kind=kind, group_name=group, entries=entries, marker=marker
            )
        )
