"""Token bucket math and the leasing limiter, on a fake clock (nothing sleeps): refill, burst,
the lease batches and how they adapt, refusals served from memory, the store failing."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest

from crossdock.hub.identity import Principal
from crossdock.hub.throttle import (
    Bucket,
    BucketKey,
    Grant,
    InMemoryBucketStore,
    Policies,
    Policy,
    level_at,
    take,
)
from crossdock.hub.throttle_lease import LeasingLimiter

T0 = 1_765_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


class CountingStore(InMemoryBucketStore):
    """Buckets in memory that remember every take (how many store transactions a run cost)."""

    def __init__(self) -> None:
        super().__init__()
        self.takes: list[int] = []
        self.fail = False

    def take(self, key: BucketKey, policy: Policy, want: int, now: float) -> Grant:
        if self.fail:
            raise ConnectionError("store down")
        self.takes.append(want)
        return super().take(key, policy, want, now)


async def direct(fn: Any, *args: Any) -> Any:
    return fn(*args)


def limiter(store: CountingStore, clock: Clock, **kw: Any) -> LeasingLimiter:
    return LeasingLimiter(store, clock=clock, run_blocking=direct, **kw)


# -- the math -------------------------------------------------------------------------------


def test_a_new_bucket_is_full_and_a_take_never_exceeds_the_level() -> None:
    policy = Policy(requests=10, burst=20)
    bucket, grant = take(None, policy, want=25, now=T0)
    assert (grant.granted, grant.level) == (20, 0.0)
    assert grant.wait == pytest.approx(0.1)  # one token every 1/10 s
    assert bucket == Bucket(0.0, T0)


def test_refill_is_by_elapsed_time_and_capped_at_the_burst() -> None:
    policy = Policy(requests=10, burst=20)
    assert level_at(Bucket(0.0, T0), policy, T0 + 0.55) == pytest.approx(5.5)
    assert level_at(Bucket(0.0, T0), policy, T0 + 60) == 20.0
    bucket, grant = take(Bucket(0.0, T0), policy, want=10, now=T0 + 0.55)
    assert grant.granted == 5 and grant.level == pytest.approx(0.5)
    assert grant.wait == pytest.approx(0.05)
    assert bucket.updated_at == T0 + 0.55


def test_a_clock_behind_the_stored_time_neither_refills_nor_moves_the_bucket_back() -> None:
    policy = Policy(requests=10, burst=20)
    bucket, grant = take(Bucket(3.0, T0), policy, want=1, now=T0 - 5)
    assert grant.granted == 1 and bucket == Bucket(2.0, T0)


def test_a_window_longer_than_a_second_refills_at_requests_per_window() -> None:
    policy = Policy(requests=60, per_seconds=60)  # one a second, 60 at once
    assert policy.rate == 1.0 and policy.capacity == 60
    assert level_at(Bucket(0.0, T0), policy, T0 + 2.5) == pytest.approx(2.5)


def test_the_lease_bound_is_a_share_of_the_rate_within_half_the_bucket() -> None:
    assert Policy(100, burst=200).lease_bound(0.1) == 10
    assert Policy(5000, burst=5000).lease_bound(0.1) == 500
    assert Policy(1000, burst=4).lease_bound(0.1) == 2  # half the bucket at most
    assert Policy(1, per_seconds=60).lease_bound(0.1) == 1


def test_policies_prefer_the_subject_then_the_partner_then_the_product() -> None:
    base, acme, ci = Policy(10), Policy(100), Policy(1000)
    policies = Policies(
        products={"inventory": base, "intake": base},
        overrides={"acme": {"inventory": acme}, "operator:ci": {"inventory": ci}},
    )
    partner = Principal("partner:acme-portal", "partner", partner="acme")
    assert policies.policy_for("inventory", partner) is acme
    assert policies.policy_for("intake", partner) is base  # not overridden for this product
    assert policies.policy_for("inventory", Principal("operator:ci", "operator")) is ci
    assert policies.policy_for("inventory", None) is base


# -- the leasing limiter --------------------------------------------------------------------


async def test_burst_then_refused_with_the_wait_then_served_after_it() -> None:
    clock, store = Clock(), CountingStore()
    limit = limiter(store, clock)
    policy = Policy(requests=10, burst=20)
    answers = [await limit.check("partner:a", "inventory", policy) for _ in range(25)]
    assert [a.allowed for a in answers] == [True] * 20 + [False] * 5
    refused = answers[20]
    assert refused.remaining == 0 and refused.reset == pytest.approx(0.1)
    clock.now += refused.reset
    assert (await limit.check("partner:a", "inventory", policy)).allowed


async def test_refusals_are_answered_from_memory_until_a_token_is_due() -> None:
    clock, store = Clock(), CountingStore()
    limit = limiter(store, clock)
    policy = Policy(requests=1, burst=1)
    assert (await limit.check("c", "inventory", policy)).allowed
    takes = len(store.takes)
    for _ in range(1000):
        assert not (await limit.check("c", "inventory", policy)).allowed
    assert len(store.takes) == takes + 1  # one lease found the bucket empty; then memory


async def test_lease_batches_grow_with_the_pace_and_stay_within_the_bound() -> None:
    clock, store = Clock(), CountingStore()
    limit = limiter(store, clock, lease_seconds=0.1)
    policy = Policy(requests=1000, burst=2000)  # bound: 100 tokens a lease
    served = 0
    for _ in range(4000):  # 4,000 requests at 2,000/s
        clock.now += 0.0005
        served += (await limit.check("c", "inventory", policy)).allowed
    assert store.takes[0] == 1
    assert max(store.takes) == 100 == policy.lease_bound(0.1)
    assert len(store.takes) < 4000 / 20  # one store transaction per tens of requests
    # 2 s at twice the rate: the burst plus 2 s of refill, within one lease of it
    assert 2000 + 2000 - 100 <= served <= 2000 + 2000


async def test_a_slow_client_leases_one_token_at_a_time() -> None:
    clock, store = Clock(), CountingStore()
    limit = limiter(store, clock, lease_seconds=0.1)
    policy = Policy(requests=1000)
    for _ in range(20):
        clock.now += 1.0  # one request a second
        assert (await limit.check("c", "inventory", policy)).allowed
    assert set(store.takes) == {1}


async def test_buckets_are_per_client_and_per_product() -> None:
    clock, store = Clock(), CountingStore()
    limit = limiter(store, clock)
    policy = Policy(requests=2)
    for _ in range(2):
        assert (await limit.check("a", "inventory", policy)).allowed
    assert not (await limit.check("a", "inventory", policy)).allowed
    assert (await limit.check("a", "intake", policy)).allowed  # same client, other product
    assert (await limit.check("b", "inventory", policy)).allowed  # other client


async def test_concurrent_requests_share_one_lease() -> None:
    clock, store = Clock(), CountingStore()
    gate = asyncio.Event()

    async def slow(fn: Any, *args: Any) -> Any:
        await gate.wait()
        return fn(*args)

    limit = LeasingLimiter(store, clock=clock, run_blocking=slow)
    policy = Policy(requests=100, burst=200)  # bound 10
    waiting = [asyncio.ensure_future(limit.check("c", "inventory", policy)) for _ in range(8)]
    await asyncio.sleep(0)
    gate.set()
    answers = await asyncio.gather(*waiting)
    assert all(a.allowed for a in answers)
    assert store.takes[0] == 8  # the eight waiters, one transaction (then a top-up)


async def test_a_busy_client_is_topped_up_in_the_background_within_the_bound() -> None:
    clock, store = Clock(), CountingStore()
    release = asyncio.Event()
    leases = 0

    async def slow_after_first(fn: Any, *args: Any) -> Any:
        nonlocal leases
        leases += 1
        if leases > 1:
            await release.wait()  # the store is slow to answer the top-up
        return fn(*args)

    limit = LeasingLimiter(store, clock=clock, run_blocking=slow_after_first)
    policy = Policy(requests=100, burst=200)  # bound 10
    await asyncio.gather(*(limit.check("c", "inventory", policy) for _ in range(8)))
    # 8 leased and spent, a top-up of 10 is in flight; spend what the first lease left: none
    assert leases == 2 and store.takes == [8]
    release.set()
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert store.takes == [8, 10]
    share = limit._shares[("c", "inventory")]
    assert share.tokens == 10 == policy.lease_bound(0.1)  # never more than the bound held
    for _ in range(8):  # down to 2 (the low water of a lease of 10): no store access
        assert (await limit.check("c", "inventory", policy)).allowed
    assert len(store.takes) == 2
    assert (await limit.check("c", "inventory", policy)).allowed  # 1 left: top-up starts
    await asyncio.sleep(0)
    assert len(store.takes) == 3 and store.takes[2] <= policy.lease_bound(0.1) - 1


async def test_the_store_down_limits_per_process_and_counts_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock, store = Clock(), CountingStore()
    errors: list[int] = []
    limit = limiter(store, clock, on_store_error=lambda: errors.append(1))
    policy = Policy(requests=5)
    store.fail = True
    answers = [(await limit.check("c", "inventory", policy)).allowed for _ in range(8)]
    assert answers == [True] * 5 + [False] * 3  # still limited, by this process alone
    assert errors and "limiting per process" in caplog.text
    assert caplog.text.count("bucket store failed") == 1  # once per outage, not per lease
    store.fail = False
    clock.now += 10
    assert (await limit.check("c", "inventory", policy)).allowed
    assert "limits are shared again" in caplog.text


def test_the_configuration_page_states_the_built_in_policies() -> None:
    from crossdock.config.throttle import PRODUCT_DEFAULTS
    from tests.unit.config_reference import DOC

    rows = re.findall(r"^\| `([a-z-]+)` \| .* \| (\d+)/s, burst (\d+) \|$", DOC.read_text(), re.M)
    stated = {name: (int(rate), int(burst)) for name, rate, burst in rows}
    assert stated == {p: (c.requests, c.burst) for p, c in PRODUCT_DEFAULTS.items()}
