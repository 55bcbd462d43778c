"""Carrier webhooks in the hub, on a real SQLite store: one message per tracking event,
redelivery harmless, unmappable input recorded as rejected, signatures checked."""

from __future__ import annotations

import asyncio
import copy
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

import orjson
import pytest

from crossdock.canonical.shipment import MilestoneCode
from crossdock.hub.intake_pipeline import ForeignSender, Sender
from crossdock.hub.records import MessageFilter
from crossdock.hub.store_runner import StoreRunner
from crossdock.hub.webhooks import (
    BadSignature,
    CarrierChannel,
    SignatureCheck,
    UnknownCarrier,
    WebhookReceipt,
    WebhookService,
    event_key,
)
from crossdock.mapping.carriers import SHAPES, CarrierContext, Status, normalize, normalizer
from tests.conftest import SqlStore
from tests.unit.mapping.carrier_support import FIXTURES, corpus

SIGNED = SignatureCheck(header="X-Hmac-Signature", secret=b"s3cret")


def channel(name: str, fmt: str, signature: SignatureCheck | None = None) -> CarrierChannel:
    return CarrierChannel(name, normalizer(fmt), CarrierContext(name), signature)


CHANNELS = {
    "easypost": channel("easypost", "easypost"),
    "fedex": channel("fedex", "track_v1", SIGNED),
    "northline": channel("northline", "flat_events"),
}


@pytest.fixture
def runner(store: SqlStore) -> Iterator[StoreRunner]:
    r = StoreRunner(store.uow, store.uow.reader)
    yield r
    r.close()


def receive(
    runner: StoreRunner,
    carrier: str,
    body: bytes,
    headers: Mapping[str, str] | None = None,
    channels: Mapping[str, CarrierChannel] = CHANNELS,
) -> WebhookReceipt:
    woken: list[bool] = []
    service = WebhookService(channels, runner, lambda _t: "critical", lambda: woken.append(True))

    async def run() -> WebhookReceipt:
        return await service.receive(carrier, headers or {}, body)

    receipt = asyncio.run(run())
    assert woken == [True]  # routing and flows are told about new messages
    return receipt


def stored(store: SqlStore, source: str) -> list[Any]:
    with store.uow.reader() as uow:
        summaries = uow.messages.find(MessageFilter(source=source), limit=100)
        return [uow.messages.get(s.id) for s in summaries]


def easypost_body(details: slice = slice(None), **envelope: str) -> bytes:
    payload = copy.deepcopy(corpus("easypost_event-body_tracker.updated.json"))
    payload["result"]["tracking_details"] = payload["result"]["tracking_details"][details]
    payload.update(envelope)
    return json.dumps(payload).encode()


def test_each_tracking_event_becomes_an_accepted_message(
    runner: StoreRunner, store: SqlStore
) -> None:
    body = easypost_body()
    receipt = receive(runner, "easypost", body)
    assert [e.status for e in receipt.events] == ["accepted"] * 7
    assert not receipt.rejected and not receipt.unreadable
    messages = {m.summary.id: m for m in stored(store, "easypost")}
    assert set(messages) == {e.message_id for e in receipt.events}
    first = messages[receipt.events[0].message_id]
    assert first.summary.document_type == "shipment_milestone"
    assert first.summary.channel == "webhook"
    assert first.summary.correlation_key == "1"
    assert first.idempotency_key == "track:1:pre_transit:2024-07-31T15:00:00Z"
    assert first.raw == body and first.body_sha256 == hashlib.sha256(body).hexdigest()
    assert first.content_type == "application/json"
    canonical = orjson.loads(first.canonical or b"")
    assert canonical["milestone"] == "booked" and canonical["carrier"]["name"] == "FedEx"


def test_the_same_payload_twice_is_all_duplicates(runner: StoreRunner, store: SqlStore) -> None:
    body = easypost_body()
    first = receive(runner, "easypost", body)
    again = receive(runner, "easypost", body)
    assert [e.duplicate for e in again.events] == [True] * 7
    assert [e.message_id for e in again.events] == [e.message_id for e in first.events]
    rows = stored(store, "easypost")
    assert len(rows) == 7 and {m.summary.duplicates for m in rows} == {1}


def test_a_growing_history_records_only_new_events(runner: StoreRunner, store: SqlStore) -> None:
    # EasyPost resends every earlier detail with each update, in a new envelope.
    early = receive(runner, "easypost", easypost_body(slice(0, 3), id="evt_1"))
    later = receive(runner, "easypost", easypost_body(slice(None), id="evt_2"))
    assert [e.duplicate for e in later.events] == [True] * 3 + [False] * 4
    assert [e.message_id for e in later.events[:3]] == [e.message_id for e in early.events]
    assert len(stored(store, "easypost")) == 7


def test_repeats_inside_one_payload_are_one_message(runner: StoreRunner, store: SqlStore) -> None:
    payload = json.loads((FIXTURES / "flat_events_shipment.json").read_text())
    payload["events"].append(payload["events"][0])
    receipt = receive(runner, "northline", json.dumps(payload).encode())
    assert [e.duplicate for e in receipt.events] == [False] * 5 + [True]
    assert receipt.events[5].message_id == receipt.events[0].message_id
    assert len(stored(store, "northline")) == 5


def test_an_unknown_code_is_rejected_and_accepted_once_the_map_knows_it(
    runner: StoreRunner, store: SqlStore
) -> None:
    payload = json.loads((FIXTURES / "flat_events_shipment.json").read_text())
    payload["events"][2]["code"] = "TELEPORTED"
    body = json.dumps(payload).encode()
    receipt = receive(runner, "northline", body)
    [bad] = receipt.rejected
    assert bad.path == "events[2]"
    [error] = bad.errors
    assert (
        error.path == "events[2].code" and "unknown flat_events code 'TELEPORTED'" in error.reason
    )
    row = next(m for m in stored(store, "northline") if m.summary.id == bad.message_id)
    assert row.summary.status == "rejected" and row.raw == body
    assert row.idempotency_key == "rejected:event:NXL-EV-77120002"
    assert row.errors[0]["type"] == "carrier.unknown_status"
    # The carrier retries: the rejection is a duplicate, nothing new is recorded.
    assert receive(runner, "northline", body).events[2].duplicate
    # The map learns the code; the next delivery records the event as accepted.
    shape = SHAPES["flat_events"]
    taught = replace(
        shape, statuses={**shape.statuses, "TELEPORTED": Status(MilestoneCode.IN_TRANSIT)}
    )
    fixed = {
        "northline": CarrierChannel(
            "northline", lambda p, c: normalize(taught, p, c), CarrierContext("northline")
        )
    }
    retried = receive(runner, "northline", body, channels=fixed)
    assert retried.events[2].status == "accepted" and not retried.events[2].duplicate
    assert [e.duplicate for e in retried.events] == [True, True, False, True, True]


def test_an_event_with_nothing_to_key_it_is_keyed_by_payload_and_place(
    runner: StoreRunner, store: SqlStore
) -> None:
    payload = json.loads((FIXTURES / "track_v1_two_packages.json").read_text())
    del payload["output"]["completeTrackResults"][1]["trackResults"][0]["scanEvents"][0]["date"]
    body = json.dumps(payload).encode()
    receipt = receive(runner, "fedex", body, {"x-hmac-signature": SIGNED.sign(body)})
    [bad] = receipt.rejected
    row = next(m for m in stored(store, "fedex") if m.summary.id == bad.message_id)
    digest = hashlib.sha256(body).hexdigest()
    assert row.idempotency_key == f"rejected:payload:{digest}:{bad.path}"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"events": [', "the body is not JSON"),
        (b"\xff\xfe\x00", "the body is not JSON"),
        (b"", "the body is not JSON"),
        (b'{"shipmentId": "X", "events": []}', "no tracking events"),
    ],
)
def test_an_unreadable_payload_is_one_rejected_message(
    runner: StoreRunner, store: SqlStore, body: bytes, reason: str
) -> None:
    receipt = receive(runner, "northline", body)
    assert receipt.unreadable
    [event] = receipt.events
    assert event.path == "$" and event.status == "rejected" and reason in event.errors[0].reason
    [row] = stored(store, "northline")
    assert row.raw == body and row.summary.status == "rejected"
    assert row.idempotency_key == f"rejected:payload:{hashlib.sha256(body).hexdigest()}"
    assert receive(runner, "northline", body).events[0].duplicate


def test_easypost_events_other_than_trackers_are_rejected_with_the_reason(
    runner: StoreRunner,
) -> None:
    body = json.dumps(corpus("easypost_batch-webhooks_batch.updated.json")).encode()
    [event] = receive(runner, "easypost", body).events
    assert event.status == "rejected"
    assert event.errors[0].path == "description" and "batch.updated" in event.errors[0].reason


def test_signatures(runner: StoreRunner, store: SqlStore) -> None:
    body = (FIXTURES / "track_v1_two_packages.json").read_bytes()
    good = SIGNED.sign(body)
    assert good.startswith("hmac-sha256-hex=") and len(good) == len("hmac-sha256-hex=") + 64
    for bad in (
        {},
        {"x-hmac-signature": "hmac-sha256-hex=" + "0" * 64},
        {"x-hmac-signature": SIGNED.sign(body + b" ")},
        {"x-hmac-signature": good[16:]},
    ):
        with pytest.raises(BadSignature):
            receive(runner, "fedex", body, bad)
    assert stored(store, "fedex") == []  # nothing unauthenticated reaches the log
    upper = "hmac-sha256-hex=" + good[16:].upper()
    assert len(receive(runner, "fedex", body, {"x-hmac-signature": upper}).events) == 7
    # the verified secret is the identity recorded on every message
    assert {(m.summary.sender, m.summary.partner) for m in stored(store, "fedex")} == {
        ("carrier:fedex", "fedex")
    }


def test_base64_signatures_without_prefix() -> None:
    check = SignatureCheck(header="X-Signature", secret=b"k", prefix="", encoding="base64")
    value = check.sign(b"{}")
    assert value.endswith("=") and check.verify({"x-signature": value}, b"{}")
    assert not check.verify({"x-signature": value}, b"{ }")


def test_an_unconfigured_carrier_is_refused(runner: StoreRunner) -> None:
    with pytest.raises(UnknownCarrier):
        receive(runner, "ups", b"{}")


def test_over_long_keys_are_digested() -> None:
    assert event_key("k" * 200) == "k" * 200
    long = event_key("k" * 300)
    assert long.startswith("sha256:") and len(long) == 71


def test_without_a_secret_only_that_carrier_or_an_operator_posts_for_it(
    runner: StoreRunner, store: SqlStore
) -> None:
    body = (FIXTURES / "flat_events_shipment.json").read_bytes()
    service = WebhookService(CHANNELS, runner, lambda _t: "critical")
    for intruder in (Sender("partner:acme", "acme"), Sender("carrier:fedex", "fedex")):
        with pytest.raises(ForeignSender):
            asyncio.run(service.receive("northline", {}, body, intruder))
    assert stored(store, "northline") == []
    receipt = asyncio.run(
        service.receive("northline", {}, body, Sender("partner:northline", "northline"))
    )
    assert len(receipt.events) == 5
    assert {(m.summary.sender, m.summary.partner) for m in stored(store, "northline")} == {
        ("partner:northline", "northline")
    }
