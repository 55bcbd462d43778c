"""The SQL bus's statements, built once: fetch, lease, settle, pull, dead letters.

Kept apart from `bus.py` so the bus reads as behaviour; these are the exact queries it runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Select,
    bindparam,
    delete,
    exists,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql.dml import Insert

from crossdock.adapters.sql.prepared import Prepared
from crossdock.adapters.sql.tables import bus_groups, bus_log, bus_pending

PULL_CHUNK = 5000
PULL_CHUNKS = 20

_earlier = aliased(bus_pending)
FETCH = Prepared(
    select(
        bus_pending.c.id,
        bus_pending.c.seq,
        bus_pending.c.key,
        bus_pending.c.deliveries,
        bus_pending.c.replay,
        bus_log.c.subject,
        bus_log.c.message_id,
        bus_log.c.payload,
        bus_log.c.published_at,
    )
    .join(bus_log, bus_log.c.seq == bus_pending.c.seq)
    .where(
        bus_pending.c.group_name == bindparam("group"),
        bus_pending.c.state == "ready",
        bus_pending.c.available_at <= bindparam("now"),
        bus_pending.c.leased_until <= bindparam("now"),
        # the head of its key: no earlier entry with the same key still pending
        ~exists().where(
            _earlier.c.group_name == bus_pending.c.group_name,
            _earlier.c.key == bus_pending.c.key,
            _earlier.c.id < bus_pending.c.id,
            _earlier.c.state == "ready",
        ),
    )
    .order_by(bus_pending.c.id)
    .limit(bindparam("limit"))
)
LEASE = Prepared(
    update(bus_pending)
    .where(bus_pending.c.id == bindparam("b_id"))
    .values(leased_until=bindparam("b_until"), deliveries=bus_pending.c.deliveries + 1)
)
DELETE = Prepared(delete(bus_pending).where(bus_pending.c.id == bindparam("b_id")))
CURSOR = Prepared(  # FOR UPDATE on PostgreSQL: one puller per group at a time
    select(bus_groups.c.cursor).where(bus_groups.c.name == bindparam("group")).with_for_update()
)
UPPER = Prepared(
    select(func.max(bus_log.c.seq)).where(
        bus_log.c.seq > bindparam("cursor"), bus_log.c.seq <= bindparam("limit")
    )
)
MOVE_CURSOR = Prepared(
    update(bus_groups).where(bus_groups.c.name == bindparam("group")).values(cursor=bindparam("to"))
)

# Settling is fenced by the delivery count the settler fetched: a consumer whose lease ran
# out (and the entry was handed to another since) changes nothing.
RETRY = Prepared(
    update(bus_pending)
    .where(bus_pending.c.id == bindparam("b_id"), bus_pending.c.deliveries == bindparam("b_n"))
    .values(available_at=bindparam("b_at"), leased_until=0.0, last_error=bindparam("b_error"))
)
DEAD = Prepared(
    update(bus_pending)
    .where(bus_pending.c.id == bindparam("b_id"), bus_pending.c.deliveries == bindparam("b_n"))
    .values(
        state="dead", dead_at=bindparam("b_at"), leased_until=0.0, last_error=bindparam("b_error")
    )
)


def subject_clause(subjects: Sequence[str]) -> Any:
    """NATS-style filters: 'a.b' exact, 'a.>' anything below 'a.'."""
    if not subjects:
        return false()
    clauses: list[Any] = []
    for subject in subjects:
        if subject.endswith(">"):
            clauses.append(bus_log.c.subject.like(subject[:-1] + "%"))
        else:
            clauses.append(bus_log.c.subject == subject)
    return or_(*clauses)


_PENDING_COLUMNS = [
    "group_name",
    "seq",
    "key",
    "state",
    "deliveries",
    "available_at",
    "leased_until",
    "replay",
]


def pending_rows(group: str, available_at: Any, replay: Any, *where: Any) -> Insert:
    """INSERT ... SELECT of log entries into a group's pending set, ready, in log order."""
    chosen: Select[Any] = (
        select(
            literal(group),
            bus_log.c.seq,
            bus_log.c.key,
            literal("ready"),
            literal(0),
            available_at,
            literal(0.0),
            replay,
        )
        .where(*where)
        .order_by(bus_log.c.seq)
    )
    # preserve_rowcount: psycopg reports -1 for INSERT ... SELECT otherwise, and replay
    # counts come from this rowcount.
    return (
        insert(bus_pending)
        .from_select(_PENDING_COLUMNS, chosen)
        .execution_options(preserve_rowcount=True)
    )


def pull_statement(group: str, subjects: Sequence[str]) -> Prepared:
    """New entries past the cursor (bounds as parameters) that match the group's subjects."""
    return Prepared(
        pending_rows(
            group,
            bus_log.c.published_at,
            literal(0),
            bus_log.c.seq > bindparam("cursor"),
            bus_log.c.seq <= bindparam("upper"),
            subject_clause(subjects),
        )
    )
