"""The AsyncAPI 3.0 document of the hub: its bus topics and its outbound webhooks.

`crossdock schema asyncapi` prints it and `GET /asyncapi.json` serves it. Two kinds of
channels:

- the bus (the topic log in the store): ``doc.<lane>.<type>`` announces each accepted
  canonical document, ``rejected.<type>`` each rejected one, ``deliver.<lane>.<endpoint>`` each
  delivery to send and ``delivered.<lane>.<type>`` each one an endpoint took. Entries carry the
  message id and key; the canonical document itself is read from the message log, and its
  schema is the message payload here (generated from the canonical pydantic models).
- outbound webhooks: one channel per event type, POSTed to each subscription's URL (the
  address is the subscriber's, so it is null), signed per Standard Webhooks.

Built from the models every time (no file to forget to regenerate); schemas are hoisted into
``components.schemas`` so every ``$ref`` resolves inside the one document.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from pydantic import BaseModel, Field
from pydantic.json_schema import models_json_schema

from crossdock import __version__
from crossdock.canonical.registry import document_types
from crossdock.entrypoints.asyncapi_webhooks import WEBHOOK_HEADERS, webhook_events
from crossdock.hub.delivered import DELIVERED_SUBJECT
from crossdock.hub.intake import ACCEPTED_SUBJECT, REJECTED_SUBJECT
from crossdock.hub.routing import DELIVERY_SUBJECT

ASYNCAPI_VERSION = "3.0.0"
SCHEMAS = "#/components/schemas/"
LANES = ["critical", "bulk"]


class RejectedNotice(BaseModel):
    """A rejected message was recorded (its errors are in the message log)."""

    message_id: str = Field(description="the rejected message's id in the log")


class DeliveredNotice(BaseModel):
    """An endpoint took a delivery (2xx, or the interchange was handed over)."""

    delivery: str = Field(description="the delivery id")
    route: str
    endpoint: str
    at: float = Field(description="when, in seconds since the epoch")


class DeliveryHeader(BaseModel):
    """The first line (JSON) of a delivery entry; the encoded body follows after a newline."""

    id: str
    message_id: str
    route: str
    endpoint: str
    lane: str
    idempotency_key: str
    correlation_key: str
    content_type: str


_ENTRY_HEADERS = {
    "type": "object",
    "properties": {
        "message_id": {"type": "string", "description": "the message in the message log"},
        "key": {"type": "string", "description": "ordering key: the correlation key"},
        "seq": {"type": "integer", "description": "position in the topic log"},
    },
}
_LANE = {"enum": LANES, "description": "the worker lane (critical or bulk) of the document type"}


def _pascal(name: str) -> str:
    return "".join(part.title() for part in re.split(r"[._]", name))


@cache
def build_asyncapi() -> dict[str, Any]:
    """The document (cached: it depends only on the code)."""
    canonical = dict(sorted(document_types().items()))
    events = webhook_events()
    models: list[type[BaseModel]] = [
        *canonical.values(),
        *(e.payload for e in events),
        RejectedNotice,
        DeliveredNotice,
        DeliveryHeader,
    ]
    refs, defs = models_json_schema(
        [(m, "validation") for m in models], ref_template=SCHEMAS + "{model}"
    )

    def ref(model: type[BaseModel]) -> dict[str, str]:
        return {"$ref": str(refs[(model, "validation")]["$ref"])}

    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}

    for name, model in canonical.items():
        messages[name] = {
            "name": name,
            "title": model.__name__,
            "summary": f"A {name} document (schema version {model.schema_version}).",
            "contentType": "application/json",
            "headers": _ENTRY_HEADERS,
            "payload": ref(model),
        }
        channel = f"doc.{name}"
        channels[channel] = {
            "address": ACCEPTED_SUBJECT.format(lane="{lane}", document_type=name),
            "title": f"Accepted {name}",
            "description": "Intake announces every accepted document here, in the same "
            "transaction that records it; routes and flows consume it.",
            "parameters": {"lane": _LANE},
            "messages": {name: {"$ref": f"#/components/messages/{name}"}},
        }
        operations[f"announce.{name}"] = _send(channel, name, f"Announce an accepted {name}.")

    _bus_channel(
        channels,
        operations,
        messages,
        key="rejected",
        address=REJECTED_SUBJECT.format(document_type="{document_type}"),
        parameters={"document_type": {"description": "the document type it claimed to be"}},
        payload=ref(RejectedNotice),
        summary="Intake announces every rejected message (the technical-exception watcher "
        "consumes it).",
    )
    _bus_channel(
        channels,
        operations,
        messages,
        key="deliver",
        address=DELIVERY_SUBJECT.format(lane="{lane}", endpoint="{endpoint}"),
        parameters={"lane": _LANE, "endpoint": {"description": "the endpoint's logical name"}},
        payload=ref(DeliveryHeader),
        summary="Routing announces each delivery to send: a JSON header line, a newline, then "
        "the body encoded for the receiver. The endpoint's dispatcher consumes it.",
    )
    _bus_channel(
        channels,
        operations,
        messages,
        key="delivered",
        address=DELIVERED_SUBJECT.format(lane="{lane}", document_type="{document_type}"),
        parameters={"lane": _LANE, "document_type": {"description": "the delivered type"}},
        payload=ref(DeliveredNotice),
        summary="The dispatcher announces a delivery an endpoint took, for the routes a flow "
        "watches (SLAs measure the partner from that moment).",
    )

    for event in events:
        key = f"webhook.{event.name}"
        messages[key] = {
            "name": event.name,
            "title": event.payload.__name__,
            "summary": event.summary,
            "contentType": "application/json",
            "headers": WEBHOOK_HEADERS,
            "payload": ref(event.payload),
        }
        channels[key] = {
            "address": None,
            "title": f"Webhook {event.name}",
            "description": f"{event.summary} POSTed to the URL of every subscription to "
            f"`{event.name}`; retried with backoff until a 2xx, 410 Gone ends the subscription.",
            "messages": {key: {"$ref": f"#/components/messages/{key}"}},
        }
        operations[f"notify.{event.name}"] = {
            **_send(key, key, event.summary),
            "bindings": {"http": {"method": "POST", "bindingVersion": "0.3.0"}},
        }

    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "crossdock events and webhooks",
            "version": __version__,
            "description": "The hub's bus topics (inside the hub: for operators and "
            "extensions) and the webhooks it sends to subscribed partners.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"schemas": defs.get("$defs", {}), "messages": messages},
    }


def _send(channel: str, message: str, summary: str) -> dict[str, Any]:
    return {
        "action": "send",
        "summary": summary,
        "channel": {"$ref": f"#/channels/{_escape(channel)}"},
        "messages": [{"$ref": f"#/channels/{_escape(channel)}/messages/{_escape(message)}"}],
    }


def _escape(name: str) -> str:
    """A JSON Pointer token (RFC 6901): ``~`` and ``/`` escaped."""
    return name.replace("~", "~0").replace("/", "~1")


def _bus_channel(
    channels: dict[str, Any],
    operations: dict[str, Any],
    messages: dict[str, Any],
    *,
    key: str,
    address: str,
    parameters: dict[str, Any],
    payload: dict[str, str],
    summary: str,
) -> None:
    name = f"{key}-notice"
    messages[name] = {
        "name": name,
        "title": _pascal(name),
        "summary": summary,
        "contentType": "application/json",
        "headers": _ENTRY_HEADERS,
        "payload": payload,
    }
    channels[key] = {
        "address": address,
        "description": summary,
        "parameters": parameters,
        "messages": {name: {"$ref": f"#/components/messages/{name}"}},
    }
    operations[f"announce.{key}"] = _send(key, name, summary)
