"""Categorized exceptions: every business or technical failure an operator must look at.

A flow raises a `RaisedException` in its reaction; the engine stores it as an
`ExceptionRecord` with the flow, the correlation key and the evidence (message ids), in the
same transaction as the flow's new state. The hub raises technical ones (a rejected message,
a dead-lettered delivery) with the helpers at the bottom. Operators resolve them with a
reason, or act on their evidence (retry its dead letters, replay its messages): see
`crossdock.hub.flows.actions`.

Pure module: records and rules, no ports.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from crossdock.hub.policy import DEAD_LETTER_REASONS, Outcome


class ExceptionCategory(enum.StrEnum):
    """What went wrong, in the words of the people who fix it."""

    VALIDATION = "validation"
    MAPPING = "mapping"
    ENDPOINT_UNAVAILABLE = "endpoint_unavailable"
    LATE_ACKNOWLEDGMENT = "late_acknowledgment"
    SHORT_SHIPMENT = "short_shipment"
    OVER_RECEIPT = "over_receipt"
    PRICE_MISMATCH = "price_mismatch"
    QUANTITY_MISMATCH = "quantity_mismatch"
    MISSING_MILESTONE = "missing_milestone"
    DUPLICATE = "duplicate"
    INVENTORY_DRIFT = "inventory_drift"
    ROUTING = "routing"
    UNKNOWN_REFERENCE = "unknown_reference"


class ExceptionStatus(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


#: Who owns an exception unless the flow names someone else. Technical failures go to the
#: integration team; business ones to the role that talks to the partner or pays the bill.
DEFAULT_OWNER: Mapping[ExceptionCategory, str] = {
    ExceptionCategory.VALIDATION: "integration_support",
    ExceptionCategory.MAPPING: "integration_support",
    ExceptionCategory.ENDPOINT_UNAVAILABLE: "integration_support",
    ExceptionCategory.LATE_ACKNOWLEDGMENT: "buyer",
    ExceptionCategory.SHORT_SHIPMENT: "buyer",
    ExceptionCategory.OVER_RECEIPT: "receiving",
    ExceptionCategory.PRICE_MISMATCH: "accounts_payable",
    ExceptionCategory.QUANTITY_MISMATCH: "accounts_payable",
    ExceptionCategory.MISSING_MILESTONE: "logistics",
    ExceptionCategory.DUPLICATE: "integration_support",
    ExceptionCategory.INVENTORY_DRIFT: "inventory_control",
    ExceptionCategory.ROUTING: "integration_support",
    ExceptionCategory.UNKNOWN_REFERENCE: "buyer",
}


def default_owner(category: ExceptionCategory) -> str:
    return DEFAULT_OWNER[category]


@dataclass(slots=True, frozen=True)
class RaisedException:
    """What a flow (or the hub) reports. Empty `evidence` means "the event being handled";
    no `correlation_key` means "the flow instance's key"; no `owner_role` means the
    category's default owner."""

    category: ExceptionCategory
    detail: str
    evidence: Sequence[str] = ()
    owner_role: str | None = None
    correlation_key: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class ExceptionAction:
    """One operator action taken on an exception, kept on it as an audit trail."""

    action: str  # retry | replay | resolve
    at: datetime
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"action": self.action, "at": self.at.isoformat(), "detail": self.detail}


@dataclass(slots=True)
class ExceptionRecord:
    """A stored exception."""

    id: str
    category: ExceptionCategory
    owner_role: str
    detail: str
    created_at: datetime
    evidence: list[str] = field(default_factory=list)
    flow: str | None = None
    correlation_key: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    status: ExceptionStatus = ExceptionStatus.OPEN
    resolved_at: datetime | None = None
    resolution: str | None = None
    actions: list[ExceptionAction] = field(default_factory=list)


def to_record(
    raised: RaisedException,
    *,
    id: str,
    created_at: datetime,
    flow: str | None = None,
    key: str | None = None,
    cause: str | None = None,
) -> ExceptionRecord:
    """Fill in what the raiser left to its context: key, evidence and owner."""
    evidence = list(raised.evidence) or ([cause] if cause else [])
    return ExceptionRecord(
        id=id,
        category=ExceptionCategory(raised.category),
        owner_role=raised.owner_role or default_owner(ExceptionCategory(raised.category)),
        detail=raised.detail,
        created_at=created_at,
        evidence=evidence,
        flow=flow,
        correlation_key=raised.correlation_key or key,
        data=dict(raised.data),
    )


# -- technical exceptions the hub raises itself ---------------------------------------------


def rejected_message(
    message_id: str,
    document_type: str,
    errors: Sequence[Mapping[str, Any]],
    *,
    correlation_key: str | None = None,
    mapping: bool = False,
) -> RaisedException:
    """A message intake recorded as rejected: `validation` when the document broke the
    canonical rules, `mapping` when a partner format could not be turned into one,
    `duplicate` when its idempotency key already named another body."""
    first = errors[0] if errors else {}
    if first.get("type") == "idempotency_conflict":  # a second body under one key
        return RaisedException(
            category=ExceptionCategory.DUPLICATE,
            detail=f"{document_type} {message_id} refused: {first.get('reason')}",
            evidence=[message_id],
            correlation_key=correlation_key,
            data={"document_type": document_type, "errors": [dict(e) for e in errors]},
        )
    where = f" at {first.get('path')}" if first.get("path") else ""
    reason = f": {first.get('reason')}" if first.get("reason") else ""
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return RaisedException(
        category=ExceptionCategory.MAPPING if mapping else ExceptionCategory.VALIDATION,
        detail=f"{document_type} {message_id} rejected{where}{reason}{more}",
        evidence=[message_id],
        correlation_key=correlation_key,
        data={"document_type": document_type, "errors": [dict(e) for e in errors]},
    )


def dead_delivery(
    message_id: str,
    group: str,
    last_error: str | None,
    *,
    correlation_key: str | None = None,
    pending_id: int | None = None,
) -> RaisedException:
    """A delivery that ran out of retries (or was refused for good): `endpoint_unavailable`,
    with the endpoint named; `retry` on it re-delivers the dead letter. A delivery that failed
    because of the message itself (its request could not be built) is a `mapping` one: the
    document needs fixing, not the endpoint."""
    endpoint = group.rsplit(".", 1)[-1]
    message_failure = (last_error or "").startswith(DEAD_LETTER_REASONS[Outcome.MESSAGE_FAILURE])
    return RaisedException(
        category=(
            ExceptionCategory.MAPPING if message_failure else ExceptionCategory.ENDPOINT_UNAVAILABLE
        ),
        detail=f"delivery of {message_id} to {endpoint} gave up: {last_error or 'no error recorded'}",
        evidence=[message_id],
        correlation_key=correlation_key,
        data={"group": group, "endpoint": endpoint, "dead_letter": pending_id},
    )
