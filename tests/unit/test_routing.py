"""Routing: route matching, deliveries with stable keys, replays and the inbox."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from crossdock.hub.delivery_wire import decode_delivery
from crossdock.hub.intake import record
from crossdock.hub.records import (
    BusEntry,
    ConsumerGroup,
    Delivery,
    DeliveryStatus,
    InboundMessage,
    MessageSummary,
    StoredMessage,
)
from crossdock.hub.routing import Route, Router, delivery_key
from tests.conftest import EXAMPLES, SqlStore, inbound

PO_RAW = (EXAMPLES / "purchase_order.json").read_bytes()
PO: dict[str, Any] = json.loads(PO_RAW)
ROUTE_GROUP = "route.critical"


def stored(document_type: str = "purchase_order", source: str = "erp") -> StoredMessage:
    return StoredMessage(
        summary=MessageSummary(
            id="01HMSG",
            document_type=document_type,
            source=source,
            channel="http",
            correlation_key="PO-1",
            status="accepted",
            received_at=datetime.now(UTC),
        ),
        schema_version=1,
        causation_id=None,
        idempotency_key=None,
        content_type="application/json",
        raw=b"{}",
        body_sha256="0" * 64,
        lane="critical",
        canonical=b"{}",
        errors=[],
    )


# --- Route.matches -------------------------------------------------------------------------


def test_route_matches_its_document_type_only() -> None:
    route = Route("r", "purchase_order", "erp")
    assert route.matches(stored("purchase_order"), None)
    assert not route.matches(stored("advance_ship_notice"), None)


def test_route_with_sources_matches_only_those_sources() -> None:
    route = Route("r", "purchase_order", "erp", sources=("portal", "edi"))
    assert route.matches(stored(source="portal"), None)
    assert route.matches(stored(source="edi"), None)
    assert not route.matches(stored(source="erp"), None)


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ({"currency": "USD"}, True),
        ({"currency": "EUR"}, False),
        ({"lines[0].item.sku": "HP-100231"}, True),
        ({"lines[1].item.sku": "HP-100231"}, False),
        ({"lines[2].quantity.value": "60", "ship_to.address.city": "Atlanta"}, True),
        ({"lines[2].quantity.value": "60", "ship_to.address.city": "Boston"}, False),
        ({"lines[7].item.sku": "HP-100231"}, False),  # no such line: no match, no error
        ({"buyer.fax": "x"}, False),
        ({"po_number.digits": "1"}, False),  # below a scalar
        ({"payment_terms.net_days": 30}, True),
    ],
)
def test_route_where_compares_dotted_paths(where: dict[str, Any], expected: bool) -> None:
    route = Route("r", "purchase_order", "erp", where=where)
    assert route.matches(stored(), PO) is expected


def test_route_with_where_needs_the_document() -> None:
    route = Route("r", "purchase_order", "erp", where={"currency": "USD"})
    assert not route.matches(stored(), None)


def test_delivery_key_is_stable_and_changes_only_for_replays() -> None:
    assert delivery_key("M1", "po-to-erp", 0) == "M1.po-to-erp"
    assert delivery_key("M1", "po-to-erp", 7) == "M1.po-to-erp.r7"


# --- Router.handle on a real store ---------------------------------------------------------


def po_raw(po_number: str) -> bytes:
    return json.dumps(dict(json.loads(PO_RAW), po_number=po_number)).encode()


def recorded(store: SqlStore, raw: bytes = PO_RAW, source: str = "erp") -> InboundMessage:
    message = inbound(raw, source=source)
    assert message.status == "accepted" or raw == b"not json", message.errors
    with store.uow() as uow:
        record(uow, [message])
        uow.commit()
    return message


def fetch_one(store: SqlStore, group: str = ROUTE_GROUP) -> BusEntry:
    store.bus.ensure_group(ConsumerGroup(name=group, subjects=("doc.critical.>",)))
    [entry] = store.bus.fetch(group, 10)
    return entry


def handle(store: SqlStore, router: Router, entry: BusEntry) -> int:
    """Route one entry in its own committed transaction; the deliveries it created."""
    with store.uow() as uow:
        result = router.handle_batch(uow, ROUTE_GROUP, [entry])
        uow.commit()
    assert result.failed == []
    return result.created


def deliveries(store: SqlStore, message_id: str) -> list[Delivery]:
    with store.uow.reader() as uow:
        return uow.deliveries.for_message(message_id)


def status(store: SqlStore, message_id: str) -> str:
    with store.uow.reader() as uow:
        message = uow.messages.get(message_id)
    assert message is not None
    return message.summary.status


def announced(store: SqlStore) -> list[BusEntry]:
    """Every delivery announcement so far (one probe group reading all of them)."""
    store.bus.ensure_group(ConsumerGroup(name="probe", subjects=("deliver.>",)))
    entries: list[BusEntry] = []
    while batch := store.bus.fetch("probe", 100):
        entries.extend(batch)
        store.bus.ack("probe", batch)
    return entries


ROUTES = [
    Route("po-to-erp", "purchase_order", "erp"),
    Route("po-to-wms", "purchase_order", "wms", transform="envelope", lane="bulk"),
    Route("po-portal-only", "purchase_order", "portal", sources=("portal",)),
    Route("po-eur", "purchase_order", "eu", where={"currency": "EUR"}),
    Route("asn-to-erp", "advance_ship_notice", "erp"),
]


def test_router_creates_one_delivery_per_matching_route(store: SqlStore) -> None:
    message = recorded(store)
    entry = fetch_one(store)

    assert handle(store, Router(ROUTES), entry) == 2

    by_route = {d.route: d for d in deliveries(store, message.id)}
    assert set(by_route) == {"po-to-erp", "po-to-wms"}
    erp, wms = by_route["po-to-erp"], by_route["po-to-wms"]
    assert erp.idempotency_key == f"{message.id}.po-to-erp"
    assert wms.idempotency_key == f"{message.id}.po-to-wms"
    assert (erp.endpoint, erp.lane) == ("erp", "critical")
    assert (wms.endpoint, wms.lane) == ("wms", "bulk")
    assert erp.status is DeliveryStatus.PENDING and erp.attempts == 0
    assert erp.correlation_key == PO["po_number"]

    # The encoded body travels in the bus entry, with the delivery's identity in front.
    entries = {e.subject: e for e in announced(store)}
    assert set(entries) == {"deliver.critical.erp", "deliver.bulk.wms"}
    sent_erp = decode_delivery(entries["deliver.critical.erp"].payload)
    sent_wms = decode_delivery(entries["deliver.bulk.wms"].payload)
    assert (sent_erp.id, sent_erp.idempotency_key) == (erp.id, erp.idempotency_key)
    assert sent_wms.id == wms.id
    assert sent_erp.body == message.canonical
    envelope = orjson.loads(sent_wms.body)
    assert envelope["message_id"] == message.id
    assert envelope["correlation_key"] == PO["po_number"]
    assert envelope["document"] == orjson.loads(message.canonical or b"")
    assert all(e.message_id == message.id for e in entries.values())
    assert all(e.key == PO["po_number"] for e in entries.values())
    assert status(store, message.id) == "routed"


def test_router_honours_sources_and_where(store: SqlStore) -> None:
    doc = json.loads(PO_RAW)
    doc["currency"] = "EUR"
    for line in doc["lines"]:
        line["unit_price"] = dict(line["unit_price"], currency="EUR")
    message = recorded(store, json.dumps(doc).encode(), source="portal")
    assert handle(store, Router(ROUTES), fetch_one(store)) == 4
    routes = {d.route for d in deliveries(store, message.id)}
    assert routes == {"po-to-erp", "po-to-wms", "po-portal-only", "po-eur"}


def test_fields_route_encodes_the_body(store: SqlStore) -> None:
    route = Route(
        "po-flat",
        "purchase_order",
        "legacy",
        transform="fields",
        fields={"order": "po_number", "sku": "lines[0].item.sku"},
    )
    message = recorded(store)
    handle(store, Router([route]), fetch_one(store))
    [delivery] = deliveries(store, message.id)
    [entry] = announced(store)
    sent = decode_delivery(entry.payload)
    assert sent.id == delivery.id
    assert orjson.loads(sent.body) == {"order": PO["po_number"], "sku": "HP-100231"}


def test_message_without_a_matching_route_is_unrouted(store: SqlStore) -> None:
    message = recorded(store)
    assert handle(store, Router([ROUTES[-1]]), fetch_one(store)) == 0
    assert deliveries(store, message.id) == []
    assert announced(store) == []
    assert status(store, message.id) == "unrouted"


def test_redelivered_entry_has_no_second_effect(store: SqlStore) -> None:
    message = recorded(store)
    entry = fetch_one(store)
    router = Router(ROUTES)
    assert handle(store, router, entry) == 2
    # the bus hands the same entry again (say the ack was lost): the inbox stops it
    assert handle(store, router, entry) == 0
    assert len(deliveries(store, message.id)) == 2
    assert len(announced(store)) == 2


def test_inbox_is_per_consumer(store: SqlStore) -> None:
    message = recorded(store)
    entry = fetch_one(store)
    router = Router(ROUTES[:1])
    with store.uow() as uow:
        assert router.handle_batch(uow, "route.critical", [entry]).created == 1
        assert router.handle_batch(uow, "route.audit", [entry]).created == 1
        uow.commit()
    assert len(deliveries(store, message.id)) == 2


def test_uncommitted_routing_leaves_no_trace(store: SqlStore) -> None:
    message = recorded(store)
    entry = fetch_one(store)
    router = Router(ROUTES)
    with store.uow() as uow:
        assert router.handle_batch(uow, ROUTE_GROUP, [entry]).created == 2
        # no commit: the inbox claim rolls back with the deliveries
    assert deliveries(store, message.id) == []
    assert status(store, message.id) == "accepted"
    assert handle(store, router, entry) == 2


def test_replayed_entry_creates_new_deliveries_with_a_replay_key(store: SqlStore) -> None:
    message = recorded(store)
    router = Router(ROUTES[:1])
    first = fetch_one(store)
    assert handle(store, router, first) == 1
    store.bus.ack(ROUTE_GROUP, [first])

    assert store.bus.replay(ROUTE_GROUP, [message.id]) == 1
    [replayed] = store.bus.fetch(ROUTE_GROUP, 10)
    assert replayed.replay > 0
    assert replayed.message_id == message.id

    assert handle(store, router, replayed) == 1
    keys = sorted(d.idempotency_key for d in deliveries(store, message.id))
    assert keys == sorted([f"{message.id}.po-to-erp", f"{message.id}.po-to-erp.r{replayed.replay}"])
    # a redelivery of the replayed entry is still deduplicated
    assert handle(store, router, replayed) == 0
    assert len(deliveries(store, message.id)) == 2
    assert len(announced(store)) == 2


def test_replay_marker_in_a_hand_built_entry(store: SqlStore) -> None:
    message = recorded(store)
    entry = fetch_one(store)
    router = Router(ROUTES[:1])
    handle(store, router, entry)
    again = BusEntry(
        seq=entry.seq,
        subject=entry.subject,
        key=entry.key,
        message_id=entry.message_id,
        payload=entry.payload,
        published_at=entry.published_at,
        deliveries=1,
        replay=3,
    )
    assert handle(store, router, again) == 1
    assert {d.idempotency_key for d in deliveries(store, message.id)} == {
        f"{message.id}.po-to-erp",
        f"{message.id}.po-to-erp.r3",
    }


def entry_for(message_id: str, replay: int = 0) -> BusEntry:
    return BusEntry(
        seq=1,
        subject="doc.critical.purchase_order",
        key=message_id,
        message_id=message_id,
        payload=b"",
        published_at=datetime.now(UTC),
        deliveries=1,
        replay=replay,
    )


def test_a_batch_routes_several_messages_in_one_transaction(store: SqlStore) -> None:
    one = recorded(store)
    two = recorded(store, po_raw("PO-2"))
    with store.uow() as uow:
        result = Router(ROUTES[:1]).handle_batch(
            uow, ROUTE_GROUP, [entry_for(one.id), entry_for(two.id)]
        )
        uow.commit()
    assert result.created == 2
    assert result.failed == []
    assert [d.correlation_key for d in deliveries(store, two.id)] == ["PO-2"]
    assert status(store, one.id) == status(store, two.id) == "routed"


def test_a_message_that_cannot_be_routed_fails_alone_and_unclaimed(store: SqlStore) -> None:
    """No canonical form (a rejected message), unknown id, or a transform error: the entry
    is reported (failed: retried; a transform error: dead at once), the rest of the batch is
    routed, and the failed one is not claimed in the inbox, so its redelivery (or dead-letter
    retry) is routed once the cause is fixed."""
    good = recorded(store)
    rejected = recorded(store, b"not json")
    no_po2 = recorded(store, po_raw("PO-2"))
    flat = Route(
        "flat",
        "purchase_order",
        "legacy",
        transform="fields",
        fields={"n": "po_number"},
        where={"po_number": "PO-2"},
    )
    broken = Route(
        "broken",
        "purchase_order",
        "legacy",
        transform="fields",
        fields={"fax": "buyer.fax"},
        where={"po_number": "PO-2"},
    )
    router = Router([ROUTES[0], flat, broken])
    batch = [entry_for(good.id), entry_for(rejected.id), entry_for("NOPE"), entry_for(no_po2.id)]
    with store.uow() as uow:
        result = router.handle_batch(uow, ROUTE_GROUP, batch)
        uow.commit()

    assert result.created == 1
    failed = {entry.message_id: error for entry, error in result.failed}
    assert set(failed) == {rejected.id, "NOPE"}
    assert "canonical" in failed[rejected.id]
    assert "NOPE" in failed["NOPE"]
    dead = {entry.message_id: error for entry, error in result.dead}
    assert set(dead) == {no_po2.id}
    assert "buyer.fax" in dead[no_po2.id] and "'broken'" in dead[no_po2.id]
    assert dead[no_po2.id].startswith("TransformError")
    # nothing half-done for the failed message: no delivery, not even for its good routes
    assert deliveries(store, no_po2.id) == []
    assert status(store, no_po2.id) == "failed"
    assert status(store, good.id) == "routed"
    # not claimed: with the route fixed, the redelivered entry is routed
    assert handle(store, Router([ROUTES[0], flat]), entry_for(no_po2.id)) == 2
    assert handle(store, Router([ROUTES[0], flat]), entry_for(good.id)) == 0
