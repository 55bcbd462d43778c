"""Contract of the API products' reads (`ProductReads`), on every backend (`backends`): the
latest document of a type per key (rejected ones never count), a key's documents in order,
documents by id, open flow instances by key range (the PO cursor), one instance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson

from crossdock.adapters.sql.product_reads import SqlProductUnitOfWorkFactory
from crossdock.hub.flows.model import FlowState
from crossdock.hub.records import InboundMessage, MessageStatus
from tests.contract.backends import ContractStore

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def message(
    n: int,
    document_type: str,
    key: str,
    minutes: float,
    status: MessageStatus = MessageStatus.ACCEPTED,
    **document: object,
) -> InboundMessage:
    return InboundMessage(
        id=f"01P{n:023d}",
        document_type=document_type,
        schema_version=1,
        source="erp",
        channel="api",
        received_at=T0 + timedelta(minutes=minutes),
        content_type="application/json",
        raw=b"{}",
        body_sha256="0" * 64,
        status=status,
        lane="bulk",
        correlation_key=key,
        canonical=orjson.dumps({"n": n, **document}),
    )


def seed(store: ContractStore) -> SqlProductUnitOfWorkFactory:
    messages = [
        message(1, "inventory_position", "DC1/A", 1),
        message(2, "inventory_position", "DC1/A", 3),  # the latest for DC1/A
        message(3, "inventory_position", "DC1/A", 5, MessageStatus.REJECTED),  # never counts
        message(4, "stock_movement", "DC1/A", 9),  # another type under the same key
        message(5, "inventory_position", "DC1/B", 2, MessageStatus.DELIVERED),
        message(6, "shipment", "SH-1", 1),
        message(7, "shipment_milestone", "SH-1", 2),
        message(8, "proof_of_delivery", "SH-1", 4),
        message(9, "shipment_milestone", "SH-1", 3, MessageStatus.REJECTED),
    ]
    with store.uow() as uow:
        uow.messages.add_many(messages)
        for n, (key, state, done) in enumerate(
            [("PO-3", "acknowledged", False), ("PO-1", "awaiting_acknowledgment", False),
             ("PO-2", "matched", True), ("PO-4", "awaiting_acknowledgment", False)]
        ):  # fmt: skip
            at = T0 + timedelta(minutes=n)
            flow = FlowState("procure_to_pay", key, state, {"n": n}, 1, at, at, done)
            uow.flows.save(flow, 0)
        uow.commit()
    return SqlProductUnitOfWorkFactory(store.uow)


def test_latest_is_the_newest_standing_document_of_the_type(store: ContractStore) -> None:
    factory = seed(store)
    with factory.reads() as reads:
        latest = reads.latest("inventory_position", ["DC1/A", "DC1/B", "DC9/NONE"])
    assert {k: d.document["n"] for k, d in latest.items()} == {"DC1/A": 2, "DC1/B": 5}
    assert latest["DC1/A"].received_at == T0 + timedelta(minutes=3)
    assert latest["DC1/A"].schema_version == 1 and latest["DC1/A"].source == "erp"


def test_by_key_lists_the_types_asked_in_order_without_rejected(store: ContractStore) -> None:
    factory = seed(store)
    with factory.reader() as uow:
        found = uow.products.by_key(["shipment", "shipment_milestone", "proof_of_delivery"], "SH-1")
        only = uow.products.by_key(["shipment_milestone"], "SH-1")
    assert [d.document["n"] for d in found] == [6, 7, 8]
    assert [d.document_type for d in only] == ["shipment_milestone"]


def test_documents_by_id_leave_out_missing_and_rejected(store: ContractStore) -> None:
    factory = seed(store)
    with factory.reads() as reads:
        found = reads.documents(["01P" + "0" * 22 + "1", "01P" + "0" * 22 + "3", "nope"])
    assert list(found) == ["01P" + "0" * 22 + "1"]


def test_open_flows_page_by_key_and_filter_by_state(store: ContractStore) -> None:
    factory = seed(store)
    with factory.reads() as reads:
        first = reads.open_flows("procure_to_pay", after=None, state=None, limit=2)
        rest = reads.open_flows("procure_to_pay", after=first[-1].key, state=None, limit=10)
        waiting = reads.open_flows(
            "procure_to_pay", after=None, state="awaiting_acknowledgment", limit=10
        )
        closed = reads.flow("procure_to_pay", "PO-2")
        other = reads.open_flows("order_to_delivery", after=None, state=None, limit=10)
    assert [f.key for f in first] == ["PO-1", "PO-3"]  # PO-2 is completed
    assert [f.key for f in rest] == ["PO-4"]
    assert [f.key for f in waiting] == ["PO-1", "PO-4"]
    assert closed is not None and closed.completed and closed.state == "matched"
    assert other == []
