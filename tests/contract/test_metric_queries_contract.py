"""The store's side of `/metrics` (`adapters/sql/metric_queries.py`), on every backend."""

from __future__ import annotations

from datetime import UTC, datetime

from crossdock.adapters.sql import metric_queries as q
from crossdock.hub.flows.model import FlowState
from crossdock.hub.records import ConsumerGroup, EndpointState
from tests.contract.backends import ContractStore

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def test_grouped_counts_for_the_state_gauges(store: ContractStore) -> None:
    store.bus.ensure_group(ConsumerGroup("deliver.bulk.erp", ("doc.>",), lane="bulk"))
    store.bus.ensure_group(ConsumerGroup("route.critical", ("other.>",)))
    with store.uow() as uow:
        for n in range(3):
            uow.outbox.publish("doc.x", f"k{n}", f"m{n}")
        for key, state in (("PO-1", "open"), ("PO-2", "open"), ("PO-3", "closed")):
            uow.flows.save(FlowState("p2p", key, state, {}, 1, T0, T0), 0)
        uow.endpoints.save(EndpointState("erp", "open", 3, T0))
        uow.commit()
    [first, *_] = store.bus.fetch("deliver.bulk.erp", 10)
    store.bus.dead_letter("deliver.bulk.erp", first, "rejected")
    with store.uow.reader() as uow:
        conn = uow.connection
        assert q.dead_letter_counts(conn) == {"deliver.bulk.erp": 1}
        assert q.group_lanes(conn) == {"deliver.bulk.erp": "bulk", "route.critical": "critical"}
        assert q.flow_counts(conn) == {("p2p", "open"): 2, ("p2p", "closed"): 1}
        assert q.circuit_states(conn) == {"erp": "open"}
    assert store.bus.backlog()["deliver.bulk.erp"] == 2  # the dead one is not backlog
