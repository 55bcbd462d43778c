"""Operations: health, replay, dead letters, endpoints."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from crossdock.entrypoints.api.models.common import Model


class Health(Model):
    status: str = Field(description='"ok" while the store answers')
    messages: dict[str, int] = Field(description="messages in the log, by status")


class Ready(Model):
    status: str = Field(description='"ready": the store answered a read just now')


class ReplayResult(Model):
    """202: the matching messages were handed to their consumer groups again."""

    matched: int | None = Field(None, description="messages matching the filter")
    replayed: dict[str, int] = Field(description="entries replayed, by consumer group")


class DeadLetter(Model):
    id: int = Field(description="the dead letter's id (what `POST /v1/dlq/retry` takes)")
    group: str
    message_id: str
    subject: str
    key: str
    deliveries: int
    last_error: str | None
    dead_at: datetime | None


class DeadLetterList(Model):
    items: list[DeadLetter]


class RetryResult(Model):
    retried: int = Field(description="dead letters handed back to their group")


class EndpointState(Model):
    """An endpoint's circuit, backlog and dead letters (live state merged in where running)."""

    name: str
    configured: bool
    circuit: str = Field(description="closed, open or half_open")
    consecutive_failures: int
    opened_at: datetime | None
    backlog: int
    dead_letters: int


class EndpointList(Model):
    items: list[EndpointState]
