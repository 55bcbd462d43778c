"""The business-system inbound channel on a real SQLite store: each event becomes canonical
messages from the system, resends are duplicates, unmappable events are recorded as rejected
with the reason, signatures are checked before anything is recorded."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import orjson
import pytest

from crossdock.hub.inbound_systems import (
    BadSignature,
    InboundReceipt,
    InboundSystemService,
    SystemChannel,
    UnknownSystem,
)
from crossdock.hub.intake_pipeline import ForeignSender, Sender
from crossdock.hub.records import MessageFilter
from crossdock.hub.store_runner import StoreRunner
from crossdock.hub.webhooks import SignatureCheck
from crossdock.mapping.systems import system_format
from tests.conftest import SqlStore

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "systems"
SIGNED = SignatureCheck(header="X-Signature", secret=b"s3cret")


def channel(name: str, fmt: str, signature: SignatureCheck | None = None) -> SystemChannel:
    spec = system_format(fmt)
    return SystemChannel(name, spec, {**spec.defaults, "buyer_name": "Harbor Point"}, signature)


CHANNELS = {
    "erp": channel("erp", "sandbox_erp"),
    "wms": channel("wms", "sandbox_wms"),
    "supplier": channel("supplier", "sandbox_supplier"),
    "signed-erp": channel("signed-erp", "sandbox_erp", SIGNED),
}


def event(name: str) -> tuple[bytes, dict[str, str]]:
    data = json.loads((FIXTURES / f"{name}.json").read_text())
    return orjson.dumps(data["body"]), dict(data["headers"])


@pytest.fixture
def runner(store: SqlStore) -> Iterator[StoreRunner]:
    r = StoreRunner(store.uow, store.uow.reader)
    yield r
    r.close()


def receive(
    runner: StoreRunner, system: str, body: bytes, headers: Mapping[str, str] | None = None
) -> InboundReceipt:
    woken: list[bool] = []
    service = InboundSystemService(
        CHANNELS, runner, lambda _t: "critical", lambda: woken.append(True)
    )
    receipt = asyncio.run(service.receive(system, headers or {}, body))
    assert woken == [True]  # routing and flows hear of the new messages
    return receipt


def stored(store: SqlStore, source: str) -> list[Any]:
    with store.uow.reader() as uow:
        summaries = uow.messages.find(MessageFilter(source=source), limit=100)
        return [uow.messages.get(s.id) for s in summaries]


def test_an_erp_po_release_becomes_a_canonical_purchase_order_from_the_erp(
    runner: StoreRunner, store: SqlStore
) -> None:
    body, headers = event("erp_purchaseOrder_released")
    receipt = receive(runner, "erp", body, headers)
    assert receipt.event == "purchaseOrder.released" and not receipt.rejected
    (doc,) = receipt.documents
    assert (doc.document_type, doc.status, doc.correlation_key) == (
        "purchase_order", "accepted", "PO-7")  # fmt: skip
    (message,) = stored(store, "erp")
    assert message.summary.channel == "api"
    assert message.raw == body  # what the ERP said, verbatim
    canonical = orjson.loads(message.canonical)
    assert canonical["buyer"]["name"] == "Harbor Point"  # the system's configured default
    assert canonical["supplier"]["codes"] == [{"scheme": "erp", "value": "S-1"}]


def test_a_resend_with_the_same_key_is_a_duplicate_and_a_new_body_a_conflict(
    runner: StoreRunner, store: SqlStore
) -> None:
    body, headers = event("erp_purchaseOrder_released")
    first = receive(runner, "erp", body, headers)
    again = receive(runner, "erp", body, headers)
    assert (
        again.documents[0].duplicate
        and again.documents[0].message_id == first.documents[0].message_id
    )
    changed = orjson.dumps({**orjson.loads(body), "expectedDate": "2027-01-01"})
    assert receive(runner, "erp", changed, headers).conflicts
    kept = stored(store, "erp")  # the changed body is kept too, as a rejected message
    assert sorted(m.summary.status for m in kept) == ["accepted", "rejected"]


def test_without_an_idempotency_key_the_document_number_is_the_key(
    runner: StoreRunner, store: SqlStore
) -> None:
    body, headers = event("supplier_invoice")
    del headers["idempotency-key"]
    first = receive(runner, "supplier", body, headers)
    assert receive(runner, "supplier", body, headers).documents[0].duplicate
    with store.uow.reader() as uow:
        message = uow.messages.get(first.documents[0].message_id)
    assert message is not None and message.idempotency_key == "INV-PO-7"


def test_a_snapshot_becomes_one_inventory_position_per_site_and_item(
    runner: StoreRunner, store: SqlStore
) -> None:
    body, headers = event("wms_INVENTORY_SNAPSHOT")
    receipt = receive(runner, "wms", body, headers)
    assert [d.correlation_key for d in receipt.documents] == ["DC-ATL/HP-1", "DC-ATL/HP-2"]
    keys = sorted(m.idempotency_key for m in stored(store, "wms"))
    assert keys == ["wms-WMS-00000005:DC-ATL|HP-1", "wms-WMS-00000005:DC-ATL|HP-2"]


def test_an_unknown_event_is_recorded_as_rejected_with_the_reason(
    runner: StoreRunner, store: SqlStore
) -> None:
    body = orjson.dumps({"eventType": "vendor.created", "vendorId": "V-9"})
    receipt = receive(runner, "erp", body, {"Idempotency-Key": "erp-v-9"})
    (doc,) = receipt.rejected
    assert doc.document_type == "system_event"
    assert "unknown event 'vendor.created'" in doc.errors[0].reason
    (message,) = stored(store, "erp")
    assert message.summary.status == "rejected" and message.idempotency_key == "rejected:erp-v-9"


def test_an_unmappable_document_and_a_body_that_is_not_json_are_rejected(
    runner: StoreRunner,
) -> None:
    body, headers = event("supplier_acknowledgment")
    broken = orjson.loads(body)
    broken["status"] = "MAYBE"
    (doc,) = receive(runner, "supplier", orjson.dumps(broken), headers).rejected
    assert doc.document_type == "purchase_order_acknowledgment"
    assert "no code 'MAYBE'" in doc.errors[0].reason
    (doc,) = receive(runner, "supplier", b"{not json", {}).rejected
    assert "not JSON" in doc.errors[0].reason
    (doc,) = receive(runner, "supplier", b"{}", {}).rejected  # no X-Sandbox-Event header
    assert "no event type (read from header x-sandbox-event)" in doc.errors[0].reason


def test_signatures_are_checked_before_anything_is_recorded(
    runner: StoreRunner, store: SqlStore
) -> None:
    body, headers = event("erp_purchaseOrder_released")
    with pytest.raises(BadSignature):
        receive(runner, "signed-erp", body, headers)
    assert stored(store, "signed-erp") == []
    signed = {**headers, "X-Signature": SIGNED.sign(body)}
    assert not receive(runner, "signed-erp", body, signed).rejected
    # the verified secret is the identity; the system acts for itself
    [message] = stored(store, "signed-erp")
    assert (message.summary.sender, message.summary.partner) == ("system:signed-erp", "signed-erp")
    with pytest.raises(UnknownSystem):
        receive(runner, "crm", body, headers)


def test_without_a_secret_only_the_system_itself_or_an_operator_posts_for_it(
    runner: StoreRunner, store: SqlStore
) -> None:
    """The channel's secret is the identity; without one, the HTTP principal must be that
    system (or an operator): a partner or another system cannot post as the ERP."""
    body, headers = event("erp_purchaseOrder_released")
    service = InboundSystemService(CHANNELS, runner, lambda _t: "critical")
    for intruder in (Sender("partner:acme", "acme"), Sender("system:wms", "wms")):
        with pytest.raises(ForeignSender):
            asyncio.run(service.receive("erp", headers, body, intruder))
    assert stored(store, "erp") == []
    for rightful in (Sender("system:erp", "erp"), Sender("operator:ops", None)):
        receipt = asyncio.run(service.receive("erp", headers, body, rightful))
        assert not receipt.rejected
    senders = {m.summary.sender for m in stored(store, "erp")}
    assert senders == {"system:erp"}  # the operator's resend was a duplicate of it
