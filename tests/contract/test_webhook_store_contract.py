"""WebhookStore contract on every backend: subscriptions (add, read, list by partner, active
by event type, rotate, disable once, delete), the per-subscription delivery log, and the
inbound replay cache, which refuses a replay seen through another engine (another process)
and forgets entries past their window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crossdock.hub.webhook_records import (
    DISABLED,
    Subscription,
    SubscriptionChange,
    WebhookDeliveryRef,
)
from crossdock.hub.webhook_signing import new_secret
from tests.contract.backends import ContractStore, concurrently

T0 = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)


def sub(id_: str, partner: str | None, *types: str, at: int = 0) -> Subscription:
    return Subscription(
        id=id_,
        partner=partner,
        url=f"https://{partner or 'ops'}.example/hooks",
        event_types=types or ("purchase_order.created",),
        secret=new_secret(),
        created_at=T0 + timedelta(seconds=at),
        created_by=f"partner:{partner}" if partner else "operator:ops",
        description="POs\x00 for us",
    )


def test_subscriptions_round_trip_and_filters(store: ContractStore) -> None:
    a = sub("01SUBA", "cascade", "purchase_order.created", "invoice.approved", at=1)
    b = sub("01SUBB", "ridgeline", "shipment.milestone", at=2)
    c = sub("01SUBC", None, "shipment.delivered", at=3)
    with store.uow() as uow:
        for s in (a, b, c):
            uow.webhooks.add(s)
        uow.commit()
    with store.uow() as uow:
        got = uow.webhooks.get("01SUBA")
        assert got is not None
        assert (got.partner, got.url, got.event_types) == (a.partner, a.url, a.event_types)
        assert got.secret == a.secret and got.created_at == a.created_at and got.active
        assert got.description == "POs\ufffd for us"  # NUL stored the same on every backend
        assert uow.webhooks.get("nope") is None
        assert [s.id for s in uow.webhooks.subscriptions()] == ["01SUBA", "01SUBB", "01SUBC"]
        assert [s.id for s in uow.webhooks.subscriptions("ridgeline")] == ["01SUBB"]
        active = uow.webhooks.active_for(["invoice.approved", "shipment.delivered"])
        assert [s.id for s in active] == ["01SUBA", "01SUBC"]


def test_rotate_disable_once_and_delete(store: ContractStore) -> None:
    a = sub("01SUBA", "cascade")
    with store.uow() as uow:
        uow.webhooks.add(a)
        uow.commit()
    fresh = new_secret()
    with store.uow() as uow:
        change = SubscriptionChange(fresh, a.secret, T0 + timedelta(days=1))
        assert uow.webhooks.rotate("01SUBA", change)
        assert not uow.webhooks.rotate("gone", change)
        assert uow.webhooks.disable("01SUBA", T0, "410 Gone")
        assert not uow.webhooks.disable("01SUBA", T0, "again")  # recorded once
        uow.commit()
    with store.uow() as uow:
        got = uow.webhooks.get("01SUBA")
        assert got is not None
        assert (got.secret, got.previous_secret) == (fresh, a.secret)
        assert got.previous_until == T0 + timedelta(days=1)
        assert (got.status, got.disabled_at, got.disabled_reason) == (DISABLED, T0, "410 Gone")
        assert uow.webhooks.active_for(["purchase_order.created"]) == []
        assert uow.webhooks.delete("01SUBA") and not uow.webhooks.delete("01SUBA")
        uow.commit()


def test_delivery_log_newest_first_per_subscription(store: ContractStore) -> None:
    refs = [
        WebhookDeliveryRef(
            "01SUBA", f"01DEL{i}", f"01MSG{i}", "shipment.milestone", T0 + timedelta(seconds=i)
        )
        for i in range(5)
    ]
    other = WebhookDeliveryRef("01SUBB", "01DELX", "01MSG0", "shipment.milestone", T0)
    with store.uow() as uow:
        uow.webhooks.link([*refs, other])
        uow.webhooks.link([])
        uow.commit()
    with store.uow() as uow:
        assert uow.webhooks.deliveries("01SUBA", limit=3) == refs[::-1][:3]
        assert uow.webhooks.deliveries("01SUBB") == [other]


def test_inbound_replay_cache_across_processes(store: ContractStore) -> None:
    now = 1_765_000_000.0
    other = store.open_again()

    def claim(s: ContractStore, msg: str, ts: int, at: float) -> bool:
        with s.uow() as uow:
            fresh = uow.webhooks.claim_inbound("northline", msg, ts, ts + 300.0, at)
            uow.commit()
            return fresh

    assert claim(store, "msg_1", int(now), now)
    assert not claim(other, "msg_1", int(now), now + 1)  # the replay, in another process
    assert claim(other, "msg_1", int(now) + 5, now + 5)  # the sender's re-signed retry
    with store.uow() as uow:  # another source's id space is its own
        assert uow.webhooks.claim_inbound("ridgeline", "msg_1", int(now), now + 300, now)
        uow.commit()
    # past its window the entry is forgotten (its timestamp is refused by then anyway)
    assert claim(store, "msg_1", int(now), now + 400)

    # two processes claiming the same request at once: exactly one wins
    results = concurrently([store, other], lambda _n, s: claim(s, "msg_race", int(now), now))
    assert sorted(results) == [False, True]
