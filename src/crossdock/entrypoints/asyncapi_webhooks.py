"""The outbound webhook events as the AsyncAPI document describes them.

`webhook_events()` is the one place the AsyncAPI document learns the webhook event types and
their payload models. It reads them from `crossdock.hub.webhook_events`, the module the
fan-out builds every delivered body from (``{type, timestamp, data}``, Standard Webhooks'
recommended shape, `data` naming the message and carrying the canonical document), so the
document describes exactly what partners receive and cannot drift from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from crossdock.hub.webhook_events import EVENTS, PAYLOADS


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """One event type a partner may subscribe to."""

    name: str
    summary: str
    payload: type[BaseModel]


def webhook_events() -> list[WebhookEvent]:
    """Every outbound webhook event type with the payload model its deliveries follow."""
    return [WebhookEvent(name, EVENTS[name].summary, model) for name, model in PAYLOADS.items()]


#: The Standard Webhooks headers every delivery carries (`crossdock.hub.webhook_signing`).
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
