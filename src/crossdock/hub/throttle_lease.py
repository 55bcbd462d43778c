"""A process's share of the shared buckets: lease a few tokens, spend them locally.

Per (client, product) a process keeps the tokens it leased. A request spends one of them
without touching the store; when none are left it leases again: one store transaction refills
the shared bucket by the elapsed time and takes up to k tokens. Requests arriving while that
lease is in flight wait for it rather than leasing too. When the bucket is empty the store
says how long until the next token, and until then the process answers 429 from memory: a
flood of refused requests costs no store access either.

k adapts to how fast this process spent its previous lease (`lease_seconds` worth of that
rate, plus the requests already waiting), at least 1. When a lease of k is down to k/4 the
next one starts in the background, so a busy client's requests rarely wait for the store.

The bound: a process never holds more than `Policy.lease_bound(lease_seconds)` unspent tokens
(a lease takes at most the bound minus what it still holds). Tokens leave the shared bucket at
most at its own limit (`capacity` at once plus `rate` per second), and a process can only
spend what it leased, so over any window of T seconds N processes spend at most
``capacity + rate * T + N * lease_bound``. With the default `lease_seconds` of 0.1 that is
one tenth of a second's allowance per process.

The store unreachable: the process falls back to buckets of its own with the same policy
(fail open to per-process limits, never to no limit), logs once per outage and counts every
failed lease. Refusing everything would turn a store hiccup into an outage of reads that may
be served from elsewhere, while intake would fail on the store anyway, with a clearer 503.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from crossdock.hub.throttle import BucketKey, BucketStore, Grant, InMemoryBucketStore, Policy

log = logging.getLogger(__name__)
T = TypeVar("T")
RunBlocking = Callable[..., Awaitable[Any]]

#: Rounds of "lease, then find the tokens spent by other waiters" before a request gives up
#: with a 429 (only reachable under extreme contention on one key).
MAX_ROUNDS = 8
#: Keys remembered per process (the oldest dropped first: its unspent tokens are lost, which
#: only ever makes the limit stricter): anonymous callers of the token endpoint are keyed by
#: address, which would otherwise grow without bound.
MAX_KEYS = 50_000


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer for one request. `remaining` is this process's estimate of the shared
    bucket (its level at the last lease plus what this process still holds); `reset` the
    seconds until a full bucket (allowed) or until the next token (refused)."""

    allowed: bool
    remaining: int
    reset: float


@dataclass(slots=True)
class _Share:
    tokens: int = 0  # leased, not yet spent
    level: float = 0.0  # the shared bucket's level after our last lease
    leased_at: float = 0.0
    spent: int = 0  # spent since the last lease (to size the next one)
    refused_until: float = 0.0
    waiters: int = 0
    low_water: int = 0  # a quarter of the last lease: top up in the background from here
    pending: asyncio.Future[None] | None = field(default=None, repr=False)


async def _to_thread(fn: Callable[..., T], *args: Any) -> T:
    return await asyncio.to_thread(fn, *args)


class LeasingLimiter:
    def __init__(
        self,
        store: BucketStore,
        *,
        clock: Callable[[], float] = time.time,
        lease_seconds: float = 0.1,
        run_blocking: RunBlocking = _to_thread,
        on_store_error: Callable[[], None] = lambda: None,
    ) -> None:
        self._store = store
        self._clock = clock
        self.lease_seconds = lease_seconds
        self._run = run_blocking
        self._on_store_error = on_store_error
        self._fallback = InMemoryBucketStore()
        self._store_down = False
        self._shares: dict[tuple[str, str], _Share] = {}

    async def check(self, client: str, product: str, policy: Policy) -> Decision:
        """Spend one token of (client, product), leasing more from the store when needed."""
        share = self._shares.get((client, product)) or self._share(client, product)
        for _ in range(MAX_ROUNDS):
            if share.tokens > 0:
                share.tokens -= 1
                share.spent += 1
                if share.tokens < share.low_water and share.pending is None:
                    # top up before running dry, so requests do not wait for the store
                    lease = self._lease(BucketKey(client, product), share, policy)
                    share.pending = asyncio.ensure_future(lease)
                remaining = math.floor(share.level) + share.tokens
                return Decision(
                    True, remaining, max(0.0, policy.capacity - remaining) / policy.rate
                )
            now = self._clock()
            if now < share.refused_until:
                return Decision(False, 0, share.refused_until - now)
            share.waiters += 1
            try:
                if share.pending is None:
                    lease = self._lease(BucketKey(client, product), share, policy)
                    share.pending = asyncio.ensure_future(lease)
                # shielded: a caller that goes away must not cancel the lease others wait for
                await asyncio.shield(share.pending)
            finally:
                share.waiters -= 1
        return Decision(False, 0, 1.0 / policy.rate)

    def _share(self, client: str, product: str) -> _Share:
        if len(self._shares) >= MAX_KEYS:
            del self._shares[next(iter(self._shares))]
        share = self._shares[(client, product)] = _Share()
        return share

    def want(self, share: _Share, policy: Policy, now: float) -> int:
        """How many tokens to lease: what this process spent in the last `lease_seconds` at
        its recent pace, at least the requests waiting, at least 1; and never so many that
        it would hold more than the policy's bound (0: it holds enough)."""
        bound = policy.lease_bound(self.lease_seconds)
        # a lease spent within the same clock reading: as fast as a millisecond allows
        elapsed = max(now - share.leased_at, 1e-3)
        pace = share.spent / elapsed if share.leased_at else 0.0
        wanted = max(math.ceil(pace * self.lease_seconds), share.waiters, 1)
        return max(0, min(bound - share.tokens, wanted))

    async def _lease(self, key: BucketKey, share: _Share, policy: Policy) -> None:
        try:
            now = self._clock()
            want = self.want(share, policy, now)
            if want == 0:
                return
            share.leased_at, share.spent = now, 0  # the pace is measured lease to lease
            grant = await self._take(key, policy, want, now)
            share.tokens += grant.granted
            share.level = grant.level
            share.low_water = want // 4
            if grant.granted == 0:
                # at least a millisecond: `now + wait` must be later than `now` in floats
                share.refused_until = now + max(grant.wait, 1e-3)
        finally:
            share.pending = None

    async def _take(self, key: BucketKey, policy: Policy, want: int, now: float) -> Grant:
        try:
            grant: Grant = await self._run(self._store.take, key, policy, want, now)
        except Exception as exc:
            self._on_store_error()
            if not self._store_down:
                self._store_down = True
                log.warning(
                    "throttling: the bucket store failed (%s: %s); limiting per process "
                    "until it answers again",
                    type(exc).__name__,
                    exc,
                )
            return self._fallback.take(key, policy, want, now)
        if self._store_down:
            self._store_down = False
            log.warning("throttling: the bucket store answers again; limits are shared again")
        return grant
