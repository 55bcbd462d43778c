"""Operator operations: message view, listing, replay and the endpoints overview."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from crossdock.hub import operations as ops
from crossdock.hub.delivery import delivery_group
from crossdock.hub.intake import record
from crossdock.hub.records import (
    ConsumerGroup,
    DeliveryAttempt,
    DeliveryStatus,
    EndpointState,
    InboundMessage,
    MessageFilter,
)
from crossdock.hub.routing import Route, Router
from tests.conftest import EXAMPLES, SqlStore, inbound

PO_RAW = (EXAMPLES / "purchase_order.json").read_bytes()
PO: dict[str, Any] = json.loads(PO_RAW)
ROUTE_GROUP = ConsumerGroup(name="route.critical", subjects=("doc.critical.>",))


def recorded(store: SqlStore, raw: bytes = PO_RAW, key: str | None = None) -> InboundMessage:
    message = inbound(raw, key=key)
    with store.uow() as uow:
        record(uow, [message])
        uow.commit()
    return message


def routed(store: SqlStore, routes: list[Route]) -> InboundMessage:
    """Record a PO and route it through the routing group."""
    message = recorded(store)
    store.bus.ensure_group(ROUTE_GROUP)
    entries = store.bus.fetch(ROUTE_GROUP.name, 10)
    with store.uow() as uow:
        result = Router(routes).handle_batch(uow, ROUTE_GROUP.name, entries)
        uow.commit()
    assert result.failed == []
    store.bus.ack(ROUTE_GROUP.name, entries)
    return message


# --- message_view --------------------------------------------------------------------------


def test_message_view_of_an_unknown_id_is_none(store: SqlStore) -> None:
    with store.uow.reader() as uow:
        assert ops.message_view(uow, "NOPE") is None


def test_message_view_includes_deliveries_and_their_attempts(store: SqlStore) -> None:
    message = routed(
        store,
        [Route("po-to-erp", "purchase_order", "erp"), Route("po-to-wms", "purchase_order", "wms")],
    )
    with store.uow() as uow:
        by_route = {d.route: d for d in uow.deliveries.for_message(message.id)}
        erp = by_route["po-to-erp"]
        started = datetime(2024, 11, 4, 19, 0, tzinfo=UTC)
        uow.deliveries.record_attempts(
            [
                DeliveryAttempt(erp.id, 1, started, 12.3456, "retry", 503, "HTTP 503: down"),
                DeliveryAttempt(erp.id, 2, started, 4.0, "ok", 200, None),
            ]
        )
        uow.deliveries.set_status(erp.id, DeliveryStatus.DELIVERED, 2, None)
        uow.commit()

    with store.uow.reader() as uow:
        view = ops.message_view(uow, message.id)

    assert view is not None
    assert view["id"] == message.id
    assert view["status"] == "routed"
    assert view["correlation_key"] == PO["po_number"]
    assert view["lane"] == "critical"
    assert view["errors"] == []
    assert view["canonical"] == orjson.loads(message.canonical or b"")
    assert "raw" not in view
    deliveries = {d["route"]: d for d in view["deliveries"]}
    assert set(deliveries) == {"po-to-erp", "po-to-wms"}
    erp_view = deliveries["po-to-erp"]
    assert erp_view["id"] == erp.id
    assert erp_view["endpoint"] == "erp"
    assert erp_view["status"] == "delivered"
    assert erp_view["idempotency_key"] == f"{message.id}.po-to-erp"
    assert [
        (a["attempt"], a["outcome"], a["status_code"], a["error"]) for a in erp_view["attempts"]
    ] == [(1, "retry", 503, "HTTP 503: down"), (2, "ok", 200, None)]
    assert erp_view["attempts"][0]["duration_ms"] == 12.346
    assert erp_view["attempts"][0]["started_at"] == started.isoformat()
    assert deliveries["po-to-wms"]["status"] == "pending"
    assert deliveries["po-to-wms"]["attempts"] == []
    orjson.dumps(view)  # the API and the CLI print it as JSON


def test_message_view_of_a_rejected_message_shows_errors_and_raw(store: SqlStore) -> None:
    message = recorded(store, b'{"po_number": 1}')
    with store.uow.reader() as uow:
        view = ops.message_view(uow, message.id, include_raw=True)
    assert view is not None
    assert view["status"] == "rejected"
    assert view["canonical"] is None
    assert view["deliveries"] == []
    assert view["raw"] == '{"po_number": 1}'
    paths = {e["path"] for e in view["errors"]}
    assert "po_number" in paths
    assert "lines" in paths


def test_list_messages_filters_and_orders_newest_first(store: SqlStore) -> None:
    first = recorded(store)
    rejected = recorded(store, b"{}")
    second = recorded(store, json.dumps(dict(PO, po_number="PO-2")).encode(), key="k")
    recorded(store, json.dumps(dict(PO, po_number="PO-2")).encode(), key="k")  # a duplicate

    with store.uow.reader() as uow:
        everything = ops.list_messages(uow, MessageFilter())
        accepted = ops.list_messages(uow, MessageFilter(status="accepted"))
        po2 = ops.list_messages(uow, MessageFilter(correlation_key="PO-2"))
        limited = ops.list_messages(uow, MessageFilter(), limit=1)

    assert [m["id"] for m in everything] == [second.id, rejected.id, first.id]
    assert [m["id"] for m in accepted] == [second.id, first.id]
    assert [(m["id"], m["duplicates"]) for m in po2] == [(second.id, 1)]
    assert [m["id"] for m in limited] == [second.id]


# --- replay --------------------------------------------------------------------------------


def test_replay_without_a_matching_message_is_an_error(store: SqlStore) -> None:
    recorded(store)
    store.bus.ensure_group(ROUTE_GROUP)
    with store.uow.reader() as uow, pytest.raises(ops.ReplayError, match="no message"):
        ops.replay(uow, store.bus, MessageFilter(correlation_key="NOPE"))
    with store.uow.reader() as uow, pytest.raises(ops.ReplayError, match="no message"):
        ops.replay(uow, store.bus, MessageFilter(ids=["NOPE"]))


def test_replay_to_an_unknown_group_is_an_error(store: SqlStore) -> None:
    message = recorded(store)
    # no routing group exists yet: the default target is unknown
    with store.uow.reader() as uow, pytest.raises(ops.ReplayError, match=r"route\.critical"):
        ops.replay(uow, store.bus, MessageFilter(ids=[message.id]))
    store.bus.ensure_group(ROUTE_GROUP)
    with store.uow.reader() as uow, pytest.raises(ops.ReplayError) as info:
        ops.replay(uow, store.bus, MessageFilter(ids=[message.id]), group="route.nope")
    assert "route.nope" in str(info.value)
    assert "route.critical" in str(info.value)  # the known groups are listed


def test_replay_hands_messages_to_their_routing_group_again(store: SqlStore) -> None:
    message = routed(store, [Route("po-to-erp", "purchase_order", "erp")])
    assert store.bus.fetch(ROUTE_GROUP.name, 10) == []

    with store.uow.reader() as uow:
        result = ops.replay(uow, store.bus, MessageFilter(correlation_key=PO["po_number"]))

    assert result == {"matched": 1, "replayed": {"route.critical": 1}}
    [entry] = store.bus.fetch(ROUTE_GROUP.name, 10)
    assert entry.message_id == message.id
    assert entry.replay > 0


# --- endpoints_view ------------------------------------------------------------------------


def publish(store: SqlStore, subject: str, count: int) -> None:
    with store.uow() as uow:
        for n in range(count):
            uow.outbox.publish(subject, f"{subject}-{n}", f"M-{subject}-{n}")
        uow.commit()


def test_endpoints_view_counts_backlog_and_dead_letters_per_endpoint(store: SqlStore) -> None:
    for lane, endpoint in [("critical", "erp"), ("bulk", "erp"), ("critical", "wms")]:
        store.bus.ensure_group(delivery_group(lane, endpoint))
    store.bus.ensure_group(ROUTE_GROUP)
    publish(store, "deliver.critical.erp", 3)
    publish(store, "deliver.bulk.erp", 2)
    publish(store, "deliver.critical.wms", 2)
    publish(store, "doc.critical.purchase_order", 4)  # routing backlog: no endpoint's
    entries = store.bus.fetch("deliver.critical.wms", 10)
    store.bus.dead_letter("deliver.critical.wms", entries[0], "rejected by receiver: HTTP 400")
    with store.uow() as uow:
        uow.endpoints.save(EndpointState("legacy", "open", 7, datetime.now(UTC)))
        uow.commit()

    with store.uow.reader() as uow:
        rows = ops.endpoints_view(uow, store.bus, ["erp", "wms", "archive"])

    by_name = {r["name"]: r for r in rows}
    assert [r["name"] for r in rows] == ["archive", "erp", "legacy", "wms"]
    assert (by_name["erp"]["backlog"], by_name["erp"]["dead_letters"]) == (5, 0)
    assert (by_name["wms"]["backlog"], by_name["wms"]["dead_letters"]) == (1, 1)
    assert (by_name["archive"]["backlog"], by_name["archive"]["dead_letters"]) == (0, 0)
    assert by_name["archive"]["circuit"] == "closed"
    assert by_name["erp"]["configured"] is True
    legacy = by_name["legacy"]
    assert legacy["configured"] is False
    assert legacy["circuit"] == "open"
    assert legacy["consecutive_failures"] == 7
    assert legacy["opened_at"] is not None
    orjson.dumps(rows)


def test_endpoints_view_does_not_mix_endpoints_with_similar_names(store: SqlStore) -> None:
    store.bus.ensure_group(delivery_group("critical", "erp"))
    store.bus.ensure_group(delivery_group("critical", "old-erp"))
    publish(store, "deliver.critical.old-erp", 2)
    with store.uow.reader() as uow:
        rows = ops.endpoints_view(uow, store.bus, ["erp", "old-erp"])
    assert {r["name"]: r["backlog"] for r in rows} == {"erp": 0, "old-erp": 2}
