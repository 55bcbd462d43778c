"""Exceptions and flow instances: `/v1/exceptions...`, `/v1/flows...`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from crossdock.entrypoints.api.models.common import MessageSummary, MissingMessage, Model, Page
from crossdock.entrypoints.api.models.operations import ReplayResult


class ExceptionAction(Model):
    """Something an operator (or the hub) did about the exception."""

    action: str = Field(description="retry, replay, resolve, ...")
    at: datetime
    detail: str


class ExceptionRecord(Model):
    """A categorized exception: what went wrong in a flow or a route, with its evidence."""

    id: str
    category: str = Field(description="mapping, routing, delivery, sla, match, ...")
    status: str = Field(description="open or resolved")
    owner_role: str = Field(description="who is expected to act on it")
    flow: str | None
    correlation_key: str | None
    detail: str
    evidence: list[str] = Field(description="ids of the messages that show it")
    data: dict[str, Any]
    created_at: datetime
    resolved_at: datetime | None
    resolution: str | None
    actions: list[ExceptionAction]


class ExceptionView(ExceptionRecord):
    evidence_messages: list[MessageSummary | MissingMessage]


class ExceptionPage(Page):
    items: list[ExceptionRecord]


class ExceptionRetry(Model):
    exception: str
    retried: int
    groups: list[str]


class ExceptionReplay(ReplayResult):
    exception: str


class FlowSummary(Model):
    """One flow instance (a business transaction followed across systems)."""

    flow: str
    key: str = Field(description="the correlation key (e.g. the PO number)")
    state: str
    completed: bool
    version: int
    created_at: datetime
    updated_at: datetime
    held_events: int = Field(description="events waiting for an earlier one to arrive")


class FlowTimer(Model):
    name: str
    due_at: datetime
    fired_at: datetime | None
    leased: bool


class FlowView(FlowSummary):
    data: dict[str, Any]
    timers: list[FlowTimer]
    exceptions: list[ExceptionRecord]


class FlowPage(Page):
    items: list[FlowSummary]
