"""The store's side of ``/metrics``: the state gauges, read in grouped counts per scrape.

Each query is a GROUP BY an existing index covers: dead letters by ``ix_pending_ready``
(group_name, state, id), flow instances by ``ix_flow_instances_state`` (flow, state). The
backlog itself is `SqlBus.backlog`, the same count `crossdock status` shows.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from crossdock.adapters.sql.flow_tables import flow_instances
from crossdock.adapters.sql.tables import bus_groups, bus_pending, endpoint_states


def dead_letter_counts(conn: Connection) -> dict[str, int]:
    """Dead letters held now, per consumer group."""
    rows = conn.execute(
        select(bus_pending.c.group_name, func.count())
        .where(bus_pending.c.state == "dead")
        .group_by(bus_pending.c.group_name)
    )
    return {name: int(n) for name, n in rows}


def group_lanes(conn: Connection) -> dict[str, str]:
    """Every consumer group the bus knows, with its lane."""
    return {name: lane for name, lane in conn.execute(select(bus_groups.c.name, bus_groups.c.lane))}


def flow_counts(conn: Connection) -> dict[tuple[str, str], int]:
    """Flow instances per (flow, state), completed ones included (their final state)."""
    c = flow_instances.c
    rows = conn.execute(select(c.flow, c.state, func.count()).group_by(c.flow, c.state))
    return {(flow, state): int(n) for flow, state, n in rows}


def circuit_states(conn: Connection) -> dict[str, str]:
    """The circuit state each delivering process last persisted, per endpoint."""
    rows = conn.execute(select(endpoint_states.c.name, endpoint_states.c.circuit))
    return {name: circuit for name, circuit in rows}
