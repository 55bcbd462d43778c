"""Technical failures become exceptions: rejected messages and dead-lettered deliveries."""

from __future__ import annotations

import json
import time

from crossdock.hub.flows.exceptions import ExceptionCategory
from crossdock.hub.flows.technical import DeadLetterSweep, RejectionWatcher, rejected_group
from crossdock.hub.intake import record
from crossdock.hub.records import FieldError, InboundMessage, MessageStatus
from tests.conftest import SqlStore, inbound
from tests.unit.flows.helpers import example
from tests.unit.flows.test_cli_exceptions import ERP, route_all
from tests.unit.flows.test_timers import open_orders

GROUP = rejected_group()


def rejected(store: SqlStore, *messages: InboundMessage) -> None:
    assert all(m.status is MessageStatus.REJECTED for m in messages)
    with store.uow() as uow:
        record(uow, list(messages))
        uow.commit()


def watch(store: SqlStore, redeliver: bool = False) -> int:
    store.bus.ensure_group(GROUP)
    entries = store.bus.fetch(GROUP.name, 100)
    raised = 0
    for _ in range(2 if redeliver else 1):
        with store.uow() as uow:
            raised += RejectionWatcher().handle_batch(uow, GROUP.name, entries).raised
            uow.commit()
    store.bus.ack(GROUP.name, entries)
    return raised


def test_a_rejected_message_becomes_one_validation_exception(store: SqlStore) -> None:
    bad = inbound(json.dumps(example("purchase_order") | {"currency": "EURO"}).encode())
    rejected(store, bad)

    assert watch(store, redeliver=True) == 1  # the redelivery raises nothing more
    with store.uow.reader() as uow:
        [raised] = uow.exceptions.find()
    assert raised.category is ExceptionCategory.VALIDATION
    assert raised.owner_role == "integration_support" and raised.evidence == [bad.id]
    assert f"purchase_order {bad.id} rejected at currency" in raised.detail
    assert raised.data["errors"][0]["path"] == "currency"


def test_a_mapping_failure_is_a_mapping_exception(store: SqlStore) -> None:
    message = inbound(b"ISA*...", document_type="purchase_order")
    message.status, message.canonical = MessageStatus.REJECTED, None
    message.errors = [FieldError("ST[1].BEG03", "no PO number", type="x12.mapping")]
    rejected(store, message)

    assert watch(store) == 1
    with store.uow.reader() as uow:
        [raised] = uow.exceptions.find(category=ExceptionCategory.MAPPING)
    assert "at ST[1].BEG03: no PO number" in raised.detail


def test_a_second_body_under_one_idempotency_key_is_a_duplicate_exception(
    store: SqlStore,
) -> None:
    po = example("purchase_order")
    first = inbound(json.dumps(po).encode(), key="po-1")
    clash = inbound(json.dumps(po | {"currency": "EUR"}).encode(), key="po-1")
    with store.uow() as uow:
        [_, outcome] = record(uow, [first, clash])
        uow.commit()

    assert outcome.conflict and watch(store) == 1
    with store.uow.reader() as uow:
        [raised] = uow.exceptions.find()
    assert raised.category is ExceptionCategory.DUPLICATE
    assert raised.evidence == [outcome.recorded_as]
    assert f"already used by message {first.id} with a different body" in raised.detail


def test_each_death_of_a_delivery_raises_one_endpoint_exception(store: SqlStore) -> None:
    [po_id] = open_orders(store)
    route_all(store)
    store.bus.ensure_group(ERP)
    [entry] = store.bus.fetch(ERP.name, 10)
    store.bus.dead_letter(ERP.name, entry, "HTTP 503: erp down")
    sweep = DeadLetterSweep(store.bus, store.uow)

    assert (sweep.run_once(), sweep.run_once()) == (1, 0)
    with store.uow.reader() as uow:
        [raised] = uow.exceptions.find()
    assert raised.category is ExceptionCategory.ENDPOINT_UNAVAILABLE
    assert raised.evidence == [po_id] and raised.data["endpoint"] == "erp"
    assert raised.correlation_key == example("purchase_order")["po_number"]
    assert "gave up: HTTP 503: erp down" in raised.detail

    store.bus.retry_dead_letters(ERP.name, None)  # retried, and it dies again
    time.sleep(0.01)
    [entry] = store.bus.fetch(ERP.name, 10)
    store.bus.dead_letter(ERP.name, entry, "HTTP 503: still down")
    assert sweep.run_once() == 1
    with store.uow.reader() as uow:
        assert len(uow.exceptions.find(category=ExceptionCategory.ENDPOINT_UNAVAILABLE)) == 2


def test_a_delivery_the_message_itself_broke_raises_a_mapping_exception(store: SqlStore) -> None:
    """Issue 10: the message, not the endpoint, needs fixing."""
    [po_id] = open_orders(store)
    route_all(store)
    store.bus.ensure_group(ERP)
    [entry] = store.bus.fetch(ERP.name, 10)
    error = "message failure after 1 attempt(s): header X-Crossdock-Correlation-Key cannot carry"
    store.bus.dead_letter(ERP.name, entry, error)

    assert DeadLetterSweep(store.bus, store.uow).run_once() == 1
    with store.uow.reader() as uow:
        [raised] = uow.exceptions.find()
    assert raised.category is ExceptionCategory.MAPPING
    assert raised.evidence == [po_id] and raised.data["endpoint"] == "erp"
    assert raised.data["dead_letter"] == entry.pending_id
