"""Routing outcomes that are not deliveries: untransformable and unrouted messages."""

from __future__ import annotations

from crossdock.hub.flows.exceptions import ExceptionCategory, ExceptionRecord, ExceptionStatus
from crossdock.hub.routing import Route, Router, RoutingResult
from crossdock.hub.routing_outcomes import MAX_EVIDENCE, UnroutedPolicy, dedupe_key
from tests.conftest import SqlStore
from tests.unit.test_routing import (
    ROUTE_GROUP,
    ROUTES,
    deliveries,
    entry_for,
    po_raw,
    recorded,
    status,
)


def route_batch(store: SqlStore, router: Router, message_ids: list[str]) -> RoutingResult:
    with store.uow() as uow:
        result = router.handle_batch(uow, ROUTE_GROUP, [entry_for(m) for m in message_ids])
        uow.commit()
    return result


def exceptions(store: SqlStore, category: ExceptionCategory) -> list[ExceptionRecord]:
    with store.uow.reader() as uow:
        return uow.exceptions.find(category=category)


# --- a transform error is the message's fault -----------------------------------------------


def test_transform_error_fails_the_message_with_a_mapping_exception_at_once(
    store: SqlStore,
) -> None:
    message = recorded(store)
    route = Route(
        "po-flat", "purchase_order", "legacy", transform="fields", fields={"x": "buyer.fax"}
    )
    result = route_batch(store, Router([route]), [message.id])
    assert result.failed == []  # not retried...
    [(entry, error)] = result.dead  # ...dead-lettered at once
    assert entry.message_id == message.id
    assert "route 'po-flat'" in error and "buyer.fax" in error
    assert status(store, message.id) == "failed"
    assert deliveries(store, message.id) == []
    [raised] = exceptions(store, ExceptionCategory.MAPPING)
    assert raised.evidence == [message.id]
    assert raised.correlation_key == "HP-PO-2024-018734"
    assert "buyer.fax" in raised.detail and raised.owner_role == "integration_support"


# --- unrouted: nobody acts on the message ---------------------------------------------------

SOURCED = [Route("po-from-erp", "purchase_order", "erp", sources=("erp",))]


def test_a_message_no_route_and_no_consumer_takes_is_unrouted_with_one_exception_per_sender(
    store: SqlStore,
) -> None:
    first = recorded(store, source="api")
    second = recorded(store, po_raw("PO-2"), source="api")
    other = recorded(store, po_raw("PO-3"), source="portal")
    router = Router(SOURCED)
    assert route_batch(store, router, [first.id]).unrouted == 1
    assert route_batch(store, router, [second.id, other.id]).unrouted == 2
    assert {status(store, m.id) for m in (first, second, other)} == {"unrouted"}
    raised = {e.correlation_key: e for e in exceptions(store, ExceptionCategory.ROUTING)}
    assert set(raised) == {
        dedupe_key("purchase_order", "api"),
        dedupe_key("purchase_order", "portal"),
    }
    from_api = raised[dedupe_key("purchase_order", "api")]
    assert from_api.evidence == [first.id, second.id]
    assert from_api.data == {"document_type": "purchase_order", "source": "api", "messages": 2}
    assert "purchase_order from api" in from_api.detail


def test_a_resolved_routing_exception_stays_resolved_and_a_new_one_opens(store: SqlStore) -> None:
    first = recorded(store, source="api")
    router = Router(SOURCED)
    route_batch(store, router, [first.id])
    [old] = exceptions(store, ExceptionCategory.ROUTING)
    with store.uow() as uow:
        assert uow.exceptions.resolve(old.id, "route added", old.created_at)
        uow.commit()
    second = recorded(store, po_raw("PO-2"), source="api")
    route_batch(store, router, [second.id])
    new, resolved = exceptions(store, ExceptionCategory.ROUTING)
    assert resolved.id == old.id and resolved.status is ExceptionStatus.RESOLVED
    assert resolved.evidence == [first.id]
    assert new.status is ExceptionStatus.OPEN and new.evidence == [second.id]


def test_routing_exception_evidence_is_capped_but_counted(store: SqlStore) -> None:
    ids = [recorded(store, po_raw(f"PO-{n}"), source="api").id for n in range(MAX_EVIDENCE + 5)]
    route_batch(store, Router(SOURCED), ids)
    [raised] = exceptions(store, ExceptionCategory.ROUTING)
    assert len(raised.evidence) == MAX_EVIDENCE
    assert raised.evidence[0] == ids[0] and raised.evidence[-1] == ids[-1]
    assert raised.data["messages"] == MAX_EVIDENCE + 5


def test_declared_unrouted_is_unrouted_without_exception(store: SqlStore) -> None:
    from_api = recorded(store, source="api")
    from_portal = recorded(store, po_raw("PO-2"), source="portal")
    policy = UnroutedPolicy(declared=frozenset({("purchase_order", "api")}))
    route_batch(store, Router(SOURCED, unrouted=policy), [from_api.id, from_portal.id])
    assert status(store, from_api.id) == status(store, from_portal.id) == "unrouted"
    [raised] = exceptions(store, ExceptionCategory.ROUTING)  # only the undeclared sender
    assert raised.data["source"] == "portal"
    anyone = UnroutedPolicy(declared=frozenset({("purchase_order", None)}))
    third = recorded(store, po_raw("PO-3"), source="portal")
    route_batch(store, Router(SOURCED, unrouted=anyone), [third.id])
    assert status(store, third.id) == "unrouted"
    [still] = exceptions(store, ExceptionCategory.ROUTING)
    assert still.evidence == [from_portal.id]


def test_a_type_another_consumer_takes_is_not_unrouted(store: SqlStore) -> None:
    """A flow reacting to purchase orders acts on one no route takes: no status, no alarm."""
    message = recorded(store, source="api")
    policy = UnroutedPolicy(taken=frozenset({"purchase_order"}))
    result = route_batch(store, Router(SOURCED, unrouted=policy), [message.id])
    assert result.unrouted == 0 and result.dead == [] and result.failed == []
    assert status(store, message.id) == "accepted"
    assert exceptions(store, ExceptionCategory.ROUTING) == []


def test_router_watches_types_nobody_takes() -> None:
    policy = UnroutedPolicy(
        taken=frozenset({"purchase_order", "shipment"}),
        known=frozenset({"purchase_order", "shipment", "invoice", "goods_receipt"}),
    )
    assert Router(ROUTES[:1], unrouted=policy).document_types() == [
        "goods_receipt",
        "invoice",
        "purchase_order",
    ]
    assert Router(ROUTES[:1]).document_types() == ["purchase_order"]  # no policy: routed only
