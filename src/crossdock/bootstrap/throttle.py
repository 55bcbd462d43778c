"""Throttling from settings: the policies per product and client, and the leasing limiter on
the store's shared buckets (`adapters/sql/throttle_store.py`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import get_args

from crossdock.adapters.sql.throttle_store import SqlBucketStore
from crossdock.bootstrap.store import Store
from crossdock.config.throttle import Product, RatePolicyConfig, ThrottleConfig
from crossdock.hub.throttle import BucketStore, Policies, Policy
from crossdock.hub.throttle_lease import LeasingLimiter
from crossdock.observability.metrics import HubMetrics


def _policy(config: RatePolicyConfig) -> Policy:
    return Policy(config.requests, config.per_seconds, config.burst or 0)


def build_policies(config: ThrottleConfig) -> Policies:
    """Every product's policy (configured, else its built-in default) and the overrides."""
    products: tuple[Product, ...] = get_args(Product)
    return Policies(
        products={p: _policy(config.policy(p)) for p in products},
        overrides={
            name: {p: _policy(c) for p, c in own.items()} for name, own in config.partners.items()
        },
    )


def build_limiter(
    config: ThrottleConfig,
    store: Store,
    metrics: HubMetrics,
    *,
    buckets: BucketStore | None = None,
    clock: Callable[[], float] = time.time,
) -> LeasingLimiter:
    """A limiter leasing from the store's buckets (or `buckets`, for tests), counting the
    leases the store failed in `crossdock_throttle_store_errors`."""
    return LeasingLimiter(
        buckets or SqlBucketStore(store.engine),
        clock=clock,
        lease_seconds=config.lease_seconds,
        on_store_error=metrics.throttle_store_errors.inc,
    )
