"""Endpoint sections: where deliveries go (HTTP or a folder) and the delivery policy every
endpoint shares (retry budget, circuit breaker, concurrency)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, SecretStr


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RetryConfig(_Section):
    """Exponential backoff with jitter while the endpoint fails; a delivery still failing
    ``max_age_seconds`` after it was routed becomes a dead letter (see `DeliveryBudget`)."""

    max_age_seconds: float = Field(
        3 * 86_400, gt=0, description="endpoint failures past this age dead-letter (3 days)"
    )
    max_attempts: int | None = Field(
        None,
        gt=0,
        description="optional cap on attempts too; unset: only max_age_seconds counts (a cap"
        " turns a long outage into dead letters)",
    )
    initial_backoff_seconds: float = Field(0.5, gt=0)
    multiplier: float = Field(2.0, ge=1)
    max_backoff_seconds: float = Field(300, gt=0)
    jitter: float = Field(0.2, ge=0, le=1, description="fraction of the backoff, randomized")


class CircuitConfig(_Section):
    """Stop calling a receiver that keeps failing, and try again after a pause."""

    failure_threshold: int = Field(5, gt=0)
    reset_timeout_seconds: float = Field(30, gt=0)


class _EndpointBase(_Section):
    """Delivery policy shared by every kind of endpoint: a full disk fails like a 503."""

    concurrency: int = Field(16, gt=0, description="deliveries in flight")
    retry: RetryConfig = Field(default_factory=RetryConfig)
    circuit: CircuitConfig = Field(default_factory=CircuitConfig)


class HttpEndpointConfig(_EndpointBase):
    """A receiver reached over HTTP. Credentials go in ``token``, never in ``headers``."""

    type: Literal["http"]
    url: HttpUrl
    method: Literal["POST", "PUT", "PATCH"] = "POST"
    timeout_seconds: float = Field(10, gt=0)
    headers: dict[str, str] = Field(default_factory=dict)
    token: SecretStr | None = None


class FolderEndpointConfig(_EndpointBase):
    """A receiver that picks files up from a directory (the oldest integration there is)."""

    type: Literal["folder"]
    path: Path


EndpointConfig = Annotated[HttpEndpointConfig | FolderEndpointConfig, Field(discriminator="type")]
