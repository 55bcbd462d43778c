"""Token buckets per client and API product: the math, the policies and the store port.

A bucket holds up to `burst` tokens and refills at `rate` tokens per second; a request spends
one. The buckets live in the store (`BucketStore`), so every process serving the same store
draws from the same bucket: a client cannot multiply its allowance by the number of workers.
Going to the store on every request would cost a write per request, so each process leases
a few tokens at a time and spends them locally (`hub.throttle_lease.LeasingLimiter`).

Everything here is pure (time is an argument), so the math is tested with a fake clock.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from crossdock.hub.identity import Principal

#: Tokens; far below one request, far above the rounding of epoch seconds times a rate.
EPSILON = 1e-6


@dataclass(frozen=True, slots=True)
class Policy:
    """`requests` per `per_seconds` in the long run, up to `burst` at once.

    `requests` and `per_seconds` are what the client is told (``RateLimit-Policy: q, w``); the
    bucket refills at their ratio.
    """

    requests: int
    per_seconds: float = 1.0
    burst: int = 0  # 0: as many as `requests`

    @property
    def rate(self) -> float:
        return self.requests / self.per_seconds

    @property
    def capacity(self) -> int:
        return self.burst or self.requests

    def lease_bound(self, lease_seconds: float) -> int:
        """The most tokens one process leases at once: `lease_seconds` worth of the rate (at
        least 1, at most half the bucket). N processes hold at most N x this many unspent
        tokens, which is all they can spend beyond the bucket's own limit."""
        return max(1, min(self.capacity // 2, math.ceil(self.rate * lease_seconds)))


@dataclass(frozen=True, slots=True)
class BucketKey:
    client: str  # the principal's subject, or ``addr:<ip>`` for an anonymous public path
    product: str


@dataclass(frozen=True, slots=True)
class Bucket:
    """A bucket as stored: its level at `updated_at` (epoch seconds)."""

    tokens: float
    updated_at: float


@dataclass(frozen=True, slots=True)
class Grant:
    """What one take from a bucket gave: `granted` tokens, `level` left in the bucket after
    it, and `wait` seconds until the bucket holds a whole token again (0 when it does)."""

    granted: int
    level: float
    wait: float


def level_at(bucket: Bucket | None, policy: Policy, now: float) -> float:
    """The bucket's level at `now`: refilled by the time elapsed, capped at its capacity. A
    bucket never seen is full. A clock behind the stored time (another host's) refills
    nothing rather than draining."""
    if bucket is None:
        return float(policy.capacity)
    elapsed = max(0.0, now - bucket.updated_at)
    return min(float(policy.capacity), bucket.tokens + elapsed * policy.rate)


def take(bucket: Bucket | None, policy: Policy, want: int, now: float) -> tuple[Bucket, Grant]:
    """Refill, then take up to `want` whole tokens: the bucket to store and the grant.

    A level within `EPSILON` of a whole token counts as that token: epoch seconds carry
    about 0.2 us of rounding, so a client waiting exactly the announced time must not find
    0.9999999 of a token."""
    level = level_at(bucket, policy, now)
    granted = max(0, min(want, math.floor(level + EPSILON)))
    left = max(0.0, level - granted)
    wait = 0.0 if left + EPSILON >= 1.0 else (1.0 - left) / policy.rate
    updated_at = now if bucket is None else max(now, bucket.updated_at)
    return Bucket(left, updated_at), Grant(granted, left, wait)


class BucketStore(Protocol):
    """Token buckets shared by every process on one store (one per client and product)."""

    def take(self, key: BucketKey, policy: Policy, want: int, now: float) -> Grant:
        """Refill `key`'s bucket to `now` and take up to `want` tokens, atomically across
        processes (a bucket never seen starts full).

        Raises:
            Exception: The store could not be reached; the caller decides what that means.
        """
        ...


class InMemoryBucketStore:
    """Buckets in this process only: tests, and the stand-in while the store is down."""

    def __init__(self) -> None:
        self._buckets: dict[BucketKey, Bucket] = {}
        self._lock = threading.Lock()

    def take(self, key: BucketKey, policy: Policy, want: int, now: float) -> Grant:
        with self._lock:
            bucket, grant = take(self._buckets.get(key), policy, want, now)
            self._buckets[key] = bucket
            return grant


@dataclass(frozen=True, slots=True)
class Policies:
    """Which policy applies: a client's own override for the product, else the product's.

    Overrides are keyed by partner name (every key of that partner) or by principal subject
    (``operator:ci``); the subject wins when both name one.
    """

    products: Mapping[str, Policy]
    overrides: Mapping[str, Mapping[str, Policy]] = field(default_factory=dict)

    def policy_for(self, product: str, principal: Principal | None) -> Policy:
        if principal is not None and self.overrides:
            for name in (principal.subject, principal.partner):
                own = self.overrides.get(name) if name else None
                if own is not None and product in own:
                    return own[product]
        return self.products[product]
