"""Outbound webhooks end to end on one hub's parts: a real SQLite store, the fan-out consumer,
the delivery machinery with the real HTTP adapter, and a loopback receiver verifying every
request with the reference `standardwebhooks` package."""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from crossdock.adapters.sql.audit_log import SqlAuditLog
from crossdock.hub.identity import Principal
from crossdock.hub.records import DeliveryStatus
from crossdock.hub.webhook_events import PAYLOADS
from crossdock.hub.webhook_records import DISABLED
from crossdock.hub.webhook_subscriptions import (
    delivery_log,
    replay_delivery,
    rotate,
)
from tests.conftest import SqlStore
from tests.integration.webhook_rig import (
    ALIASES,
    GROUP,
    OPERATOR,
    Receiver,
    Rig,
    partner,
    start_receiver,
)

PO = "purchase_order.json"


@pytest.fixture
async def rig(store: SqlStore) -> AsyncIterator[Rig]:
    receiver = Receiver()
    server = await start_receiver(receiver)
    built = Rig(store, receiver)
    yield built
    await built.close()
    await server.cleanup()


async def test_a_signed_event_reaches_its_owner_and_no_other_partner(rig: Rig) -> None:
    cascade, _ = rig.subscribe(partner("cascade"), "/cascade", "purchase_order.created")
    rig.subscribe(partner("acme"), "/acme", "purchase_order.created", "purchase_order.changed")
    rig.subscribe(OPERATOR, "/ops", "purchase_order.created")  # no partner: everyone's
    mine = rig.record(PO)  # supplier x12 id CASCADEPAPER: cascade's
    acmes = rig.record(PO, {"CASCADEPAPER": "ACMESUPPLY", "HP-PO-2024-018734": "AC-1"})

    assert rig.fan_out() == 4  # cascade 1, acme 1, ops 2
    assert await rig.deliver() == 4

    [got] = rig.receiver.at("/cascade")
    assert got.verified_with == rig.receiver.secrets["/cascade"]
    assert got.headers["webhook-id"] == f"msg_{mine.id}_{cascade.id}"
    assert abs(int(got.headers["webhook-timestamp"]) - datetime.now(UTC).timestamp()) < 30
    event = got.event
    assert event["type"] == "purchase_order.created"
    assert event["data"]["message_id"] == mine.id
    assert event["data"]["partner"] == "cascade"
    assert event["data"]["purchase_order"]["po_number"] == "HP-PO-2024-018734"
    [theirs] = rig.receiver.at("/acme")
    assert theirs.event["data"]["message_id"] == acmes.id  # never cascade's PO
    assert sorted(r.event["data"]["message_id"] for r in rig.receiver.at("/ops")) == sorted(
        [mine.id, acmes.id]
    )
    assert all(r.verified_with for r in rig.receiver.received)
    for r in rig.receiver.received:  # every body is what the AsyncAPI document promises
        PAYLOADS[r.event["type"]].model_validate_json(r.body)
    [delivered] = rig.deliveries_of(cascade.id)
    assert delivered.status is DeliveryStatus.DELIVERED
    [attempt] = rig.attempts(delivered.id)
    assert (attempt.outcome, attempt.status_code) == ("ok", 200) and attempt.duration_ms > 0


async def test_carrier_events_go_to_that_carrier_only(rig: Rig) -> None:
    ridgeline, _ = rig.subscribe(partner("ridgeline", "carrier"), "/rl", "shipment.milestone")
    rig.subscribe(partner("northline", "carrier"), "/nl", "shipment.milestone")
    rig.subscribe(partner("cascade"), "/cascade", "purchase_order.changed")
    rig.record("shipment_milestone.json", source="ridgeline")
    changed = rig.record(PO, {'"purpose": "original"': '"purpose": "replace"'})

    assert rig.fan_out() == 2
    assert await rig.deliver() == 2
    assert [r.event["type"] for r in rig.receiver.at("/rl")] == ["shipment.milestone"]
    assert rig.receiver.at("/nl") == []
    [po] = rig.receiver.at("/cascade")
    assert (po.event["type"], po.event["data"]["message_id"]) == (
        "purchase_order.changed",
        changed.id,
    )
    assert rig.deliveries_of(ridgeline.id)[0].status is DeliveryStatus.DELIVERED
    for r in rig.receiver.received:
        PAYLOADS[r.event["type"]].model_validate_json(r.body)


async def test_a_500_is_retried_with_backoff_then_delivered_with_the_same_id(rig: Rig) -> None:
    sub, _ = rig.subscribe(partner("cascade"), "/cascade", "purchase_order.created")
    rig.receiver.answers["/cascade"] = deque([500])
    rig.record(PO)
    rig.fan_out()

    assert await rig.deliver() == 1
    [delivery] = rig.deliveries_of(sub.id)
    assert delivery.status is DeliveryStatus.PENDING
    assert await rig.deliver() == 0  # waiting out its backoff: nothing is sent
    rig.make_due()
    assert await rig.deliver() == 1

    first, second = rig.receiver.at("/cascade")
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body and second.verified_with
    assert rig.deliveries_of(sub.id)[0].status is DeliveryStatus.DELIVERED
    assert [(a.outcome, a.status_code) for a in rig.attempts(delivery.id)] == [
        ("retry", 500),
        ("ok", 200),
    ]


async def test_410_gone_disables_the_subscription(rig: Rig) -> None:
    sub, _ = rig.subscribe(partner("cascade"), "/cascade", "purchase_order.created")
    rig.receiver.answers["/cascade"] = deque([410])
    rig.record(PO)
    rig.fan_out()

    assert await rig.deliver() == 1
    gone = rig.subscription(sub.id)
    assert gone.status == DISABLED and gone.disabled_at is not None
    assert "410 Gone" in (gone.disabled_reason or "")
    assert rig.disabled == [(sub.id, gone.disabled_reason)]  # reported once
    [entry] = SqlAuditLog(rig.store.engine).query(action="webhook.subscription.disable")
    assert (entry.actor, entry.target, entry.outcome) == ("internal:hub", f"webhook:{sub.id}", "ok")
    assert entry.detail == {"reason": gone.disabled_reason}  # in the disabling transaction
    [delivery] = rig.deliveries_of(sub.id)
    assert delivery.status is DeliveryStatus.DEAD_LETTERED
    assert "410" in (delivery.last_error or "")
    # no more deliveries: the next PO makes none
    rig.record(PO, {"HP-PO-2024-018734": "HP-PO-2"})
    assert rig.fan_out() == 0
    assert await rig.deliver() == 0
    assert len(rig.receiver.at("/cascade")) == 1


async def test_dead_letter_then_replay_of_that_one_delivery(rig: Rig) -> None:
    def replay(who: Principal, sub_id: str, delivery_id: str) -> str:
        return replay_delivery(rig.store.uow, rig.store.bus, who, sub_id, delivery_id, ALIASES, now)

    sub, _ = rig.subscribe(partner("cascade"), "/cascade", "purchase_order.created")
    rig.receiver.answers["/cascade"] = deque([400])
    rig.record(PO)
    rig.fan_out()
    assert await rig.deliver() == 1
    [delivery] = rig.deliveries_of(sub.id)
    assert delivery.status is DeliveryStatus.DEAD_LETTERED
    assert [d.key for d in rig.store.bus.dead_letters(GROUP)] == [delivery.correlation_key]

    # another partner cannot replay it (not found), its owner can
    with pytest.raises(LookupError):
        replay(partner("acme"), sub.id, delivery.id)
    how = replay(partner("cascade"), sub.id, delivery.id)
    assert how == "dead letter retried"
    assert await rig.deliver() == 1
    assert rig.deliveries_of(sub.id)[0].status is DeliveryStatus.DELIVERED
    assert rig.store.bus.dead_letters(GROUP) == []

    # a delivered one is queued anew, with the same webhook-id (the receiver may drop it)
    how = replay(OPERATOR, sub.id, delivery.id)
    assert how.startswith("queued again as delivery")
    assert await rig.deliver() == 1
    ids = [r.headers["webhook-id"] for r in rig.receiver.at("/cascade")]
    assert len(ids) == 3 and len(set(ids)) == 1

    replays = SqlAuditLog(rig.store.engine).query(action="webhook.delivery.replay")
    assert [(e.actor, e.target, e.detail["how"]) for e in reversed(replays)] == [
        ("partner:cascade", f"webhook:{sub.id}/{delivery.id}", "dead letter"),
        ("operator:ops", f"webhook:{sub.id}/{delivery.id}", "requeued"),
    ]
    with rig.store.uow.reader() as uow:
        log = delivery_log(uow, partner("cascade"), sub.id)
    assert len(log) == 2  # the original and the requeued one, newest first
    original = log[1]
    assert original.delivery is not None and original.delivery.id == delivery.id
    assert [(a.outcome, a.status_code) for a in original.attempts] == [
        ("rejected", 400),
        ("ok", 200),
    ]


async def test_rotation_signs_with_both_secrets_during_the_overlap(rig: Rig) -> None:
    sub, old = rig.subscribe(partner("cascade"), "/cascade", "purchase_order.created")
    with rig.store.uow() as uow:
        rotated, new = rotate(uow, partner("cascade"), sub.id, now(), overlap=3600)
    assert new != old and rotated.previous_secret == old
    rig.receiver.secrets["/cascade"] = [old, new]
    rig.record(PO)
    rig.fan_out()
    assert await rig.deliver() == 1

    [got] = rig.receiver.at("/cascade")
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    assert got.verified_with == [old, new]  # a receiver holding either one verifies

    # without an overlap the old secret stops signing at once
    with rig.store.uow() as uow:
        _, newest = rotate(uow, OPERATOR, sub.id, now(), overlap=0)
    rig.receiver.secrets["/cascade"] = [new, newest]
    rig.record(PO, {"HP-PO-2024-018734": "HP-PO-3"})
    rig.fan_out()
    assert await rig.deliver() == 1
    last = rig.receiver.at("/cascade")[-1]
    assert last.verified_with == [newest]


def now() -> datetime:
    return datetime.now(UTC)


async def test_invoice_approvals_and_proofs_of_delivery_find_their_owner(rig: Rig) -> None:
    # the approval names its supplier by GLN only; the POD's carrier is known by its party id
    rig.subscribe(partner("cascade"), "/cascade", "invoice.approved", "shipment.delivered")
    rig.subscribe(partner("ridgeline", "carrier"), "/rl", "shipment.delivered", "invoice.approved")
    rig.record(
        "invoice_approval.json",
        {
            '"gln": "0860001000016"': '"gln": "0860001000016", '
            '"codes": [{"scheme": "erp", "value": "CASCADEPAPER"}]'
        },
    )
    rig.record("proof_of_delivery.json", {'"identifier": "BRFX"': '"identifier": "RIDGELINE"'})

    assert rig.fan_out() == 2
    assert await rig.deliver() == 2
    assert [r.event["type"] for r in rig.receiver.at("/cascade")] == ["invoice.approved"]
    assert [r.event["type"] for r in rig.receiver.at("/rl")] == ["shipment.delivered"]
    for r in rig.receiver.received:
        PAYLOADS[r.event["type"]].model_validate_json(r.body)


async def test_a_failing_subscription_opens_its_own_circuit_only(rig: Rig) -> None:
    dead, _ = rig.subscribe(partner("cascade"), "/dead", "purchase_order.created")
    rig.subscribe(partner("cascade"), "/ok", "purchase_order.created")
    rig.receiver.answers["/dead"] = deque([500, 503])
    rig.record(PO)
    rig.fan_out()
    assert await rig.deliver() == 2
    rig.make_due()
    assert await rig.deliver() == 1  # the second failure opens /dead's circuit
    rig.record(PO, {"HP-PO-2024-018734": "HP-PO-2"})
    rig.fan_out()
    rig.make_due()
    assert await rig.deliver() == 3  # /ok delivers; /dead's two wait: no request is made
    assert len(rig.receiver.at("/dead")) == 2 and len(rig.receiver.at("/ok")) == 2
    second, first = rig.deliveries_of(dead.id)
    for waiting in (first, second):
        assert "circuit open for subscription" in (waiting.last_error or "")
    assert [a.status_code for a in rig.attempts(first.id)] == [500, 503, None]

    rig.monotonic[0] += 31  # the reset timeout passed: one probe, the receiver is back
    for _ in range(3):
        rig.make_due()
        await rig.deliver()
    assert len(rig.receiver.at("/dead")) == 2 + 2  # the probe, then the other one
    assert {d.status for d in rig.deliveries_of(dead.id)} == {DeliveryStatus.DELIVERED}


async def test_a_partner_known_only_by_name_gets_its_own_events(rig: Rig) -> None:
    # "northwind" is in no configuration (registered at run time): its documents name it
    sub, _ = rig.subscribe(partner("northwind"), "/nw", "purchase_order.created")
    rig.record(PO, {'"identifier": "CASCADEPAPER"': '"identifier": "NORTHWIND"'})
    rig.record(PO, {"HP-PO-2024-018734": "HP-PO-9"})  # cascade's
    assert rig.fan_out() == 1
    assert await rig.deliver() == 1
    [got] = rig.receiver.at("/nw")
    assert got.event["data"]["partner"] == "northwind"
    assert rig.deliveries_of(sub.id)[0].status is DeliveryStatus.DELIVERED
