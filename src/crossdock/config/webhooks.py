"""Outbound webhook settings: how the hub delivers signed events to partners' subscriptions.

Subscriptions themselves live in the store (``POST /v1/webhooks/subscriptions``): partners
manage them at run time. What is configured here is the delivery policy every subscription
shares (the one `webhooks` endpoint of the delivery machinery: retries with backoff, a time
budget, dead letters) and how long a rotated secret keeps signing next to the new one.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from crossdock.config.endpoints import CircuitConfig, RetryConfig


class WebhooksConfig(BaseModel):
    """Outbound webhooks (Standard Webhooks signatures); off unless ``enabled``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = Field(
        False, description="fan business events out to webhook subscriptions and deliver them"
    )
    concurrency: int = Field(16, gt=0, description="webhook deliveries in flight")
    timeout_seconds: float = Field(10, gt=0, description="per delivery attempt")
    retry: RetryConfig = Field(default_factory=RetryConfig)
    circuit: CircuitConfig = Field(
        default_factory=CircuitConfig,
        description="one circuit per subscription: a partner's failing URL waits on its own",
    )
    allow_private_urls: bool = Field(
        False,
        description="let partners subscribe URLs on loopback, private or link-local addresses",
    )
    rotation_overlap_seconds: float = Field(
        86_400,
        ge=0,
        description="how long a rotated secret still signs deliveries next to the new one",
    )
