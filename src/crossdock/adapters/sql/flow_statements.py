"""The flow engine's per-message statements, built once: instances, timers, the inbox claim.

Every message the flow consumer handles claims an inbox row and reads, saves and re-times the
instances it advances; building these statements on each call cost more than running them.
They are `Prepared` (compiled once per dialect), so they stay portable SQL: the same
statements run on SQLite and PostgreSQL. Parameters are plain strings, numbers, booleans and
NULLs, which both drivers bind as they are.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, delete, exists, insert, select, update

from crossdock.adapters.sql.flow_tables import flow_instances, flow_timers
from crossdock.adapters.sql.prepared import Prepared
from crossdock.adapters.sql.tables import inbox

_i = flow_instances.c
_t = flow_timers.c

GET_INSTANCE = Prepared(
    select(flow_instances).where(_i.flow == bindparam("b_flow"), _i.key == bindparam("b_key"))
)


def _bound(*columns: str) -> dict[str, Any]:
    """Column values bound to parameters named ``b_<column>`` (SQLAlchemy reserves the bare
    column names for its own parameters in an UPDATE)."""
    return {column: bindparam(f"b_{column}") for column in columns}


def _match(columns: Any, *names: str) -> list[Any]:
    """``column == :b_<column>`` for each name: the row a statement addresses."""
    return [getattr(columns, name) == bindparam(f"b_{name}") for name in names]


#: What a save writes, beyond the identity: the same values for an insert and an update.
_SAVED = ("state", "data", "version", "updated_at", "completed")

INSERT_INSTANCE = Prepared(
    insert(flow_instances).values(**_bound("flow", "key", "created_at", *_SAVED))
)
# The optimistic version check: the row count says whether the instance was still there.
UPDATE_INSTANCE = Prepared(
    update(flow_instances)
    .where(*_match(_i, "flow", "key"), _i.version == bindparam("b_expected"))
    .values(**_bound(*_SAVED))
)

# Setting a timer moves the existing one (clearing its lease and fired mark), else inserts.
MOVE_TIMER = Prepared(
    update(flow_timers)
    .where(*_match(_t, "flow", "key", "name"))
    .values(due_at=bindparam("b_due_at"), lease_until=0.0, lease_owner=None, fired_at=None)
)
INSERT_TIMER = Prepared(
    insert(flow_timers).values(
        **_bound("flow", "key", "name", "due_at"), lease_until=0.0, lease_owner=None
    )
)
CANCEL_TIMERS = Prepared(
    delete(flow_timers).where(
        _t.flow == bindparam("b_flow"), _t.key == bindparam("b_key"), _t.fired_at.is_(None)
    )
)
CANCEL_TIMER = Prepared(  # one name: a reaction cancels one or two, never a long list
    delete(flow_timers).where(
        _t.flow == bindparam("b_flow"),
        _t.key == bindparam("b_key"),
        _t.name == bindparam("b_name"),
        _t.fired_at.is_(None),
    )
)

# The inbox claim in one statement: insert the row unless it is there (row count 1: claimed).
# Typed parameters, because PostgreSQL must know what a parameter in a select list is.
_seen = exists().where(
    inbox.c.consumer == bindparam("b_consumer"),
    inbox.c.message_id == bindparam("b_message_id"),
    inbox.c.replay == bindparam("b_replay"),
)
CLAIM = Prepared(
    insert(inbox).from_select(
        ["consumer", "message_id", "replay"],
        select(
            bindparam("b_consumer", type_=inbox.c.consumer.type),
            bindparam("b_message_id", type_=inbox.c.message_id.type),
            bindparam("b_replay", type_=inbox.c.replay.type),
        ).where(~_seen),
    )
)
