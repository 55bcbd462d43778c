"""Throttling: per-client token buckets per API product, shared by every hub process.

```yaml
throttle:
  enabled: true
  products:                       # overrides of the built-in defaults (PRODUCT_DEFAULTS)
    inventory: {requests: 200, per_seconds: 1, burst: 400}
    intake: {requests: 2000}
  partners:                       # by partner name, or by principal subject
    acme: {inventory: {requests: 1000, burst: 2000}}
    "operator:ci": {operations: {requests: 100}}
  lease_seconds: 0.1
```

A client is one principal (``partner:acme``, ``operator:ops``): all keys of that principal
share its buckets, in every process on the same store. Each API product has its own bucket,
so a bulk reader hitting its `inventory` limit still posts documents through `intake`.
Requests are classed into products by path (`entrypoints/api/throttling.py`).
"""

from __future__ import annotations

from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

Product = Literal[
    "inventory",
    "purchase-orders",
    "shipments",
    "messages-read",
    "intake",
    "admin",
    "operations",
    "token",
    "other",
]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RatePolicyConfig(_Section):
    """`requests` per `per_seconds` in the long run, `burst` at once."""

    requests: int = Field(ge=1, le=1_000_000, description="requests allowed per window")
    per_seconds: int = Field(1, ge=1, le=86_400, description="the window, in whole seconds")
    burst: int | None = Field(
        None, ge=1, le=10_000_000, description="most requests at once; default: `requests`"
    )


def _policy(requests: int, burst: int) -> RatePolicyConfig:
    return RatePolicyConfig(requests=requests, burst=burst)


#: Per client, when `throttle.products` does not say otherwise. Intake is generous: it is
#: the transactional traffic that must keep flowing; bulk reads are what gets limited.
#: Operations and message reads leave room for a console and scripts polling a few views.
PRODUCT_DEFAULTS: Final[dict[Product, RatePolicyConfig]] = {
    "inventory": _policy(100, 200),
    "purchase-orders": _policy(50, 100),
    "shipments": _policy(100, 200),
    "messages-read": _policy(100, 200),
    "intake": _policy(1000, 2000),
    "admin": _policy(20, 40),
    "operations": _policy(50, 100),
    "token": _policy(5, 10),
    "other": _policy(50, 100),
}


class ThrottleConfig(_Section):
    enabled: bool = Field(True, description="answer 429 past a client's rate per API product")
    products: dict[Product, RatePolicyConfig] = Field(
        default_factory=dict,
        description="per product, replacing its built-in default (see the table below)",
    )
    partners: dict[str, dict[Product, RatePolicyConfig]] = Field(
        default_factory=dict,
        description="per partner name or principal subject: its own policy for some products",
    )
    lease_seconds: float = Field(
        0.1,
        gt=0,
        le=10,
        description="most tokens a process leases from a shared bucket at once, in seconds of "
        "its rate: N processes exceed a limit by at most N x that",
    )

    def policy(self, product: Product) -> RatePolicyConfig:
        return self.products.get(product) or PRODUCT_DEFAULTS[product]
