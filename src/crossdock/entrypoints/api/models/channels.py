"""Receipts of the other intake channels: X12 (`/v1/edi`), carriers, business systems."""

from __future__ import annotations

from pydantic import Field

from crossdock.entrypoints.api.models.common import FieldError, Model


class EdiMessage(Model):
    """One transaction set, recorded as a message."""

    id: str
    status: str
    duplicate: bool
    correlation_key: str | None
    errors: list[FieldError]


class Interchange(Model):
    sender: str = Field(description="ISA05/ISA06 of the interchange")
    control_number: str
    source: str
    duplicate: bool
    errors: list[str]
    ack_kind: str | None = Field(description="997, 999 or TA1")
    ack: str | None = Field(description="the acknowledgment, as X12")
    ack_message_id: str | None
    outbound_settled: int
    messages: list[EdiMessage]


class EdiReceipt(Model):
    """202 with ``Accept: application/json``: what became of each interchange."""

    interchanges: list[Interchange]


class CarrierEvent(Model):
    event: str = Field(description="where the tracking event was in the payload")
    id: str
    status: str
    duplicate: bool
    correlation_key: str | None = None
    errors: list[FieldError] | None = None


class CarrierReceipt(Model):
    """202: each tracking event became a ``shipment_milestone`` message."""

    carrier: str
    events: int
    accepted: int
    rejected: int
    duplicate: int
    messages: list[CarrierEvent]


class SystemDocument(Model):
    document_type: str
    id: str
    status: str
    duplicate: bool
    path: str | None = None
    correlation_key: str | None = None
    errors: list[FieldError] | None = None


class SystemReceipt(Model):
    """202: the canonical messages the system's event became."""

    system: str
    event: str
    message_ids: list[str]
    messages: list[SystemDocument]
