"""The AsyncAPI 3.0 document: structurally valid, complete, and generated from the models.

No PyPI package ships the official AsyncAPI 3.0 JSON Schema (checked: asyncapi3,
asyncapi-python-parser-jonaslagoni (≤ 2.x), asyncapi-payload-validator, pydantic-asyncapi (a
loose model of the spec, not its schema)), and nothing may be fetched at run time, so this
checks the rules of the 3.0 specification the document could break: required fields, key
patterns, operations that point at channels and at messages of *those* channels, channel
parameters matching the address, every ``$ref`` resolving inside the document, and every
payload a valid JSON Schema that accepts what the hub really sends.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import jsonschema_rs
import pytest
import yaml
from typer.testing import CliRunner

from crossdock.canonical.registry import document_types
from crossdock.entrypoints.asyncapi import build_asyncapi
from crossdock.entrypoints.asyncapi_webhooks import webhook_events
from crossdock.entrypoints.cli import app
from crossdock.hub.intake import IntakeRequest, prepare
from crossdock.hub.records import MessageSummary, StoredMessage
from crossdock.hub.webhook_events import PAYLOADS, PartnerAliases
from crossdock.hub.webhook_fanout import plan_event
from crossdock.hub.webhook_records import Subscription
from tests.conftest import EXAMPLES

COMPONENT_KEY = re.compile(r"^[a-zA-Z0-9.\-_]+$")
WEBHOOK_TYPES = {
    "purchase_order.created",
    "purchase_order.changed",
    "shipment.milestone",
    "shipment.delivered",
    "invoice.approved",
}


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return build_asyncapi()


def resolve(doc: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = doc
    for token in ref[2:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and token in node, f"unresolved {ref} at {token!r}"
        node = node[token]
    return node


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in refs(v)]
    return []


def test_the_root_has_what_asyncapi_3_requires(doc: dict[str, Any]) -> None:
    assert doc["asyncapi"] == "3.0.0"
    assert doc["info"]["title"] and doc["info"]["version"]
    assert set(doc) <= {
        "asyncapi",
        "id",
        "info",
        "servers",
        "defaultContentType",
        "channels",
        "operations",
        "components",
    }
    for section in ("schemas", "messages"):
        assert all(COMPONENT_KEY.match(k) for k in doc["components"][section]), section


def test_every_ref_resolves_inside_the_document(doc: dict[str, Any]) -> None:
    for ref in refs(doc):
        resolve(doc, ref)


def test_channels_and_operations_fit_together(doc: dict[str, Any]) -> None:
    for name, channel in doc["channels"].items():
        assert set(channel) <= {"address", "title", "description", "parameters", "messages"}
        address = channel["address"]
        named = set(re.findall(r"{([^}]+)}", address or ""))
        assert named == set(channel.get("parameters", {})), name
        for parameter in channel.get("parameters", {}).values():
            assert set(parameter) <= {"enum", "default", "description", "examples", "location"}
        assert channel["messages"], name
    for op_id, operation in doc["operations"].items():
        assert operation["action"] in {"send", "receive"}, op_id
        channel_ref = operation["channel"]["$ref"]
        prefix = channel_ref + "/messages/"
        assert operation["messages"], op_id
        for message in operation["messages"]:
            # 3.0: an operation's messages are messages of its own channel
            assert message["$ref"].startswith(prefix), (op_id, message)


def test_messages_are_message_objects_with_schema_payloads(doc: dict[str, Any]) -> None:
    allowed = {"name", "title", "summary", "contentType", "headers", "payload"}
    for key, message in doc["components"]["messages"].items():
        assert set(message) <= allowed, key
        assert message["headers"]["type"] == "object", key
        payload = resolve(doc, message["payload"]["$ref"])
        jsonschema_rs.meta.validate(payload)


def test_every_document_type_and_webhook_event_has_a_channel(doc: dict[str, Any]) -> None:
    addresses = {c["address"] for c in doc["channels"].values()}
    for name in document_types():
        assert f"doc.{{lane}}.{name}" in addresses
    assert {"rejected.{document_type}", "deliver.{lane}.{endpoint}"} <= addresses
    assert "delivered.{lane}.{document_type}" in addresses
    events = {
        m["name"] for k, m in doc["components"]["messages"].items() if k.startswith("webhook.")
    }
    assert events == WEBHOOK_TYPES == {e.name for e in webhook_events()}
    for event in WEBHOOK_TYPES:
        headers = doc["components"]["messages"][f"webhook.{event}"]["headers"]
        assert headers["required"] == ["webhook-id", "webhook-timestamp", "webhook-signature"]


def validator(doc: dict[str, Any], ref: str) -> jsonschema_rs.Validator:
    return jsonschema_rs.Draft202012Validator({"$ref": ref, "components": doc["components"]})


def test_payload_schemas_accept_what_the_hub_sends_and_refuse_what_it_would_not(
    doc: dict[str, Any],
) -> None:
    po = json.loads((EXAMPLES / "purchase_order.json").read_text())
    schema = validator(doc, doc["components"]["messages"]["purchase_order"]["payload"]["$ref"])
    assert schema.is_valid(po)
    assert not schema.is_valid({**po, "lines": "none"})


def delivered_body(document_type: str, example: str) -> dict[str, Any]:
    """A webhook body exactly as the fan-out sends it: the example recorded by intake's
    `prepare` (the canonical bytes the store keeps), wrapped by `plan_event`."""
    received = datetime.now(UTC)
    raw = (EXAMPLES / example).read_bytes()
    request = IntakeRequest(document_type, raw, "application/json", "erp", "api", received)
    message = prepare(request, lambda _type: "critical")
    assert message.canonical is not None, message.errors
    stored = StoredMessage(
        summary=MessageSummary(
            id=message.id, document_type=document_type, source="erp", channel="api",
            correlation_key=message.correlation_key, status="accepted", received_at=received,
        ),
        schema_version=message.schema_version, causation_id=None, idempotency_key=None,
        content_type="application/json", raw=raw, body_sha256=message.body_sha256,
        lane="critical", canonical=message.canonical, errors=[],
    )  # fmt: skip
    aliases = PartnerAliases.of({"cascade": ["CASCADEPAPER"], "speedy": ["SPDY"]})
    subscription = Subscription(
        id="sub1", partner=None, url="https://partner.example/hooks",
        event_types=tuple(PAYLOADS), secret="whsec_" + "A" * 44,
        created_at=received, created_by="operator:tests",
    )  # fmt: skip
    [(delivery, _type)] = plan_event(stored, [subscription], aliases)
    body: dict[str, Any] = json.loads(delivery.body)
    return body


@pytest.mark.parametrize(
    ("document_type", "example", "event"),
    [
        ("purchase_order", "purchase_order.json", "purchase_order.created"),
        ("shipment_milestone", "shipment_milestone.json", "shipment.milestone"),
        ("proof_of_delivery", "proof_of_delivery.json", "shipment.delivered"),
        ("invoice_approval", "invoice_approval.json", "invoice.approved"),
    ],
)
def test_a_delivered_webhook_body_validates_against_its_documented_payload(
    doc: dict[str, Any], document_type: str, example: str, event: str
) -> None:
    body = delivered_body(document_type, example)
    assert body["type"] == event
    schema = validator(doc, doc["components"]["messages"][f"webhook.{event}"]["payload"]["$ref"])
    errors = [str(e) for e in schema.iter_errors(body)]
    assert errors == []
    assert not schema.is_valid({**body, "type": "no.such_event"})
    data = body["data"]
    assert not schema.is_valid({**body, "data": {k: v for k, v in data.items() if k != "partner"}})


def test_the_cli_prints_the_document_as_yaml_or_json(doc: dict[str, Any]) -> None:
    runner = CliRunner()
    as_yaml = runner.invoke(app, ["schema", "asyncapi"])
    assert as_yaml.exit_code == 0, as_yaml.output
    assert yaml.safe_load(as_yaml.stdout) == json.loads(json.dumps(doc))
    as_json = runner.invoke(app, ["schema", "asyncapi", "--json"])
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout) == json.loads(json.dumps(doc))
