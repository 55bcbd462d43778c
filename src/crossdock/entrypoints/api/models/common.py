"""Shapes every module shares: problem details, field errors, message summaries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Model(BaseModel):
    """Base of every response model: a field the model does not name is a documentation bug."""

    model_config = ConfigDict(extra="forbid")


class Problem(BaseModel):
    """RFC 9457 problem details: the one shape of every error (``application/problem+json``).

    Besides the standard members, a problem may carry members of its own (``errors``,
    ``message_id``, ``required_scope``...), named in the operation's description.
    """

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="a URI naming the kind of problem")
    title: str = Field(description="short summary of the kind of problem")
    status: int = Field(description="the HTTP status code")
    detail: str = Field(description="what went wrong this time, in words")
    instance: str | None = Field(None, description="the request path")
    errors: list[Any] | None = Field(
        None, description="located errors (``path``, ``reason``, ``type``) when there are several"
    )
    message_id: str | None = Field(
        None, description="the id the refused request was recorded under in the message log"
    )


class FieldError(Model):
    """One located validation error of a document."""

    path: str = Field(description="JSON path (``$.lines[0].quantity``) or X12 location")
    reason: str
    type: str


class FieldWarning(Model):
    """One finding that did not reject the message (e.g. an X12 code the hub cannot judge)."""

    path: str = Field(description="X12 location (or JSON path) of the finding")
    reason: str
    type: str
    element: str | None = Field(None, description="the X12 element, e.g. ``REF01``")
    code: str | None = Field(None, description="the value found in it")


class MessageSummary(Model):
    """One message of the log, as lists show it."""

    id: str
    document_type: str
    source: str
    channel: str
    correlation_key: str | None
    status: str = Field(description="accepted, rejected, routed, unrouted, failed, ...")
    received_at: datetime
    duplicates: int = Field(description="how many times the same message was sent again")
    sender: str | None = Field(
        None,
        description="who the channel proved sent it: `operator:<name>`, `partner:<name>`, "
        "`system:<name>`, `carrier:<name>`, `folder:<partner>`; null when nobody was proven",
    )
    partner: str | None = Field(None, description="the partner the message belongs to")


class MissingMessage(Model):
    """An evidence message id that is no longer (or not yet) in the log."""

    id: str
    missing: bool


class Page(Model):
    """Offset paging of a list route."""

    limit: int
    offset: int
