"""Intake answers and the message log: `POST /v1/messages/...`, `GET /v1/messages...`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from crossdock.entrypoints.api.models.common import (
    FieldError,
    FieldWarning,
    MessageSummary,
    Model,
    Page,
)


class Accepted(Model):
    """202: the document is durable in the message log; its id tracks it from now on."""

    id: str = Field(description="the message id (also in the Location header)")
    status: str = Field(description="accepted (or, for a duplicate, what the first one became)")
    duplicate: bool = Field(description="the Idempotency-Key was seen with the same body")
    correlation_key: str | None = Field(
        None, description="the document's business key (e.g. the PO number), when it has one"
    )


class BatchLine(Model):
    """The outcome of one NDJSON line."""

    line: int = Field(description="1-based line number in the body")
    id: str
    status: str
    duplicate: bool | None = None
    conflict: bool | None = Field(
        None, description="the line's idempotency key was used with another body"
    )
    errors: list[FieldError] | None = None


class BatchReceipt(Model):
    """202: every line was recorded on its own (accepted, rejected, duplicate or conflict)."""

    documents: int
    accepted: int
    rejected: int
    duplicate: int
    conflict: int
    results: list[BatchLine]


class MessagePage(Page):
    items: list[MessageSummary]


class Attempt(Model):
    attempt: int
    started_at: datetime
    duration_ms: float
    outcome: str
    status_code: int | None
    error: str | None


class DeliveryView(Model):
    """One delivery of the message to one endpoint, with every attempt."""

    id: str
    route: str
    endpoint: str
    lane: str
    idempotency_key: str
    status: str = Field(description="pending, delivered or dead_lettered")
    attempts: list[Attempt]
    last_error: str | None


class MessageView(MessageSummary):
    """A message with its canonical form, errors, warnings, deliveries and (with ``raw=true``)
    its bytes."""

    schema_version: int
    causation_id: str | None
    idempotency_key: str | None
    content_type: str
    lane: str
    body_sha256: str
    errors: list[FieldError] | None
    warnings: list[FieldWarning] = Field(
        description="findings that did not reject it, e.g. an X12 code outside a code list "
        "the hub carries only in part (the partner's 997/999 does not mention those)"
    )
    trace_id: str | None = Field(
        None,
        description="the W3C trace id the message belongs to: its sender's (traceparent), "
        "continued by its deliveries, or a new one; none for messages from before tracing",
    )
    canonical: dict[str, Any] | None = Field(description="the canonical document, when accepted")
    deliveries: list[DeliveryView]
    raw: str | None = Field(None, description="the bytes as received (``raw=true`` only)")
