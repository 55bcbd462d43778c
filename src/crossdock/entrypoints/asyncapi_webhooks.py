"""The outbound webhook events as the AsyncAPI document describes them.

THE PLUG POINT: `webhook_events()` is the one place the AsyncAPI document learns the webhook
event types and their payload models. Until the outbound webhooks (issue 12, "webhooks") are
merged, it builds stand-in payloads here: a Standard Webhooks envelope (``type``,
``timestamp``, ``data``) whose ``data`` is the canonical document the event is about.
TODO(merge): return the webhook engineer's event registry (event type -> pydantic payload
model) instead, and delete the stand-ins below; the AsyncAPI builder needs nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, create_model

from crossdock.canonical.registry import document_model


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """One event type a partner may subscribe to."""

    name: str
    summary: str
    payload: type[BaseModel]


#: Event type -> (what it announces, the canonical document type its ``data`` carries).
_STAND_INS: dict[str, tuple[str, str]] = {
    "purchase_order.created": ("A purchase order was issued to you.", "purchase_order"),
    "purchase_order.changed": ("A purchase order issued to you changed.", "purchase_order"),
    "shipment.milestone": ("A shipment reached a milestone.", "shipment_milestone"),
    "shipment.delivered": ("A shipment was delivered (proof of delivery).", "proof_of_delivery"),
    "invoice.approved": ("An invoice was approved for payment.", "invoice_approval"),
}


def _stand_in(event_type: str, document_type: str) -> type[BaseModel]:
    data = document_model(document_type)
    if data is None:  # a renamed canonical type: fail loudly, not with an empty schema
        raise LookupError(f"webhook event {event_type!r} names unknown type {document_type!r}")
    name = "".join(part.title() for part in event_type.replace(".", "_").split("_")) + "Event"
    fields: dict[str, Any] = {
        "type": (Literal[event_type], Field(description="the event type")),
        "timestamp": (datetime, Field(description="when the event happened")),
        "data": (data, Field(description=f"the {document_type} document")),
    }
    model: type[BaseModel] = create_model(name, **fields)
    return model


def webhook_events() -> list[WebhookEvent]:
    """Every outbound webhook event type with its payload model (see the module docstring)."""
    return [
        WebhookEvent(event_type, summary, _stand_in(event_type, document_type))
        for event_type, (summary, document_type) in _STAND_INS.items()
    ]


#: The Standard Webhooks headers every delivery carries (the signing is the webhooks
#: engineer's; the header names are fixed by the specification the issue names).
WEBHOOK_HEADERS: dict[str, Any] = {
    "type": "object",
    "required": ["webhook-id", "webhook-timestamp", "webhook-signature"],
    "properties": {
        "webhook-id": {
            "type": "string",
            "description": "unique id of the delivery; the same on every retry (deduplicate on it)",
        },
        "webhook-timestamp": {
            "type": "string",
            "pattern": "^[0-9]+$",
            "description": "seconds since the epoch; reject deliveries far from your clock",
        },
        "webhook-signature": {
            "type": "string",
            "description": "space-separated `v1,<base64 HMAC-SHA256 of id.timestamp.body>`; "
            "several during a secret rotation: accept if any verifies",
        },
    },
}
