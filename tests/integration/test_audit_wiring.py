"""Audit entries of OAuth, webhook subscriptions, partner administration and operator
acknowledgments, read back through `GET /v1/audit`: a real hub process, real HTTP on
loopback, real keys in its SQLite store.

Each test acts as a named operator (or a partner), then checks who, what, target, from where
and how it ended, as an admin sees them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from crossdock.adapters.sqlite.engine import sqlite_url
from crossdock.bootstrap.auth import key_service
from crossdock.bootstrap.store import open_store
from crossdock.hub.credentials import Client
from tests.auth_helpers import bearer
from tests.conftest import EXAMPLES
from tests.integration.hubproc import HubProcess, wait_for

pytestmark = pytest.mark.slow

PO = json.loads((EXAMPLES / "purchase_order.json").read_text())
LOOPBACK = "127.0.0.1"
ALICE = "operator:alice"


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    config: dict[str, Any] = {
        "hub": {"prepare_workers": 0},
        "partners": {"cascade": {"x12": {"id": "CASCADEPAPER"}}},
        "flows": {"procure_to_pay": {"enabled": True}},
        "webhooks": {"enabled": True, "allow_private_urls": True},
    }
    process = HubProcess(tmp_path_factory.mktemp("audit"), config)
    try:
        yield process.start(timeout=90)
    finally:
        process.stop()


def issue(hub: HubProcess, client: Client, scopes: list[str] | None = None) -> tuple[str, str]:
    """A key issued into the running hub's store (as `crossdock keys create` would): its id
    and the whole key."""
    store = open_store(sqlite_url(hub.data_dir), checkpoints=False)
    try:
        issued = key_service(store.engine).issue(client, scopes)
    finally:
        store.close()
    return issued.key.key_id, issued.token


@pytest.fixture(scope="module")
def alice(hub: HubProcess) -> Iterator[httpx.Client]:
    """An operator with every scope (`admin` included), named so that entries show who."""
    _, token = issue(hub, Client("operator", "alice"))
    with httpx.Client(base_url=hub.url, timeout=30, headers=bearer(token)) as client:
        yield client


def audit(client: httpx.Client, action: str | None = None) -> list[dict[str, Any]]:
    """Entries of `action` (``x.`` for every ``x.*``; None: all), oldest first, as the admin
    API lists them."""
    params: dict[str, Any] = {"limit": 1000} | ({"action": action} if action else {})
    answer = client.get("/v1/audit", params=params)
    assert answer.status_code == 200, answer.text
    return list(reversed(answer.json()["items"]))


def test_webhook_subscription_changes_are_audited(hub: HubProcess, alice: httpx.Client) -> None:
    subs = "/v1/webhooks/subscriptions"
    hook = {"url": "http://127.0.0.1:9/hook", "event_types": ["purchase_order.created"]}
    made = alice.post(subs, json={**hook, "partner": "cascade"})
    assert made.status_code == 201, made.text
    sub = made.json()["id"]
    assert alice.post(f"{subs}/{sub}/rotate").status_code == 200
    assert alice.delete(f"{subs}/{sub}").status_code == 204
    _, token = issue(hub, Client("partner", "cascade", "supplier"), ["webhooks:manage"])
    own = httpx.post(f"{hub.url}{subs}", json=hook, headers=bearer(token), timeout=30)
    assert own.status_code == 201, own.text

    entries = audit(alice, "webhook.")
    seen = [(e["actor"], e["action"], e["target"], e["outcome"], e["source_ip"]) for e in entries]
    assert seen == [
        (ALICE, "webhook.subscription.create", f"webhook:{sub}", "ok", LOOPBACK),
        (ALICE, "webhook.subscription.rotate", f"webhook:{sub}", "ok", LOOPBACK),
        (ALICE, "webhook.subscription.delete", f"webhook:{sub}", "ok", LOOPBACK),
        ("partner:cascade", "webhook.subscription.create", f"webhook:{own.json()['id']}", "ok",
         LOOPBACK),
    ]  # fmt: skip
    assert entries[0]["detail"] == {"partner": "cascade"}
    assert made.json()["secret"] not in json.dumps(entries)


def test_partner_administration_is_audited_refusals_included(alice: httpx.Client) -> None:
    admin = "/v1/admin/partners"
    assert alice.post(admin, json={"name": "northwind", "kind": "supplier"}).status_code == 201
    assert alice.post(admin, json={"name": "northwind", "kind": "supplier"}).status_code == 409
    patched = alice.patch(f"{admin}/northwind", json={"display_name": "Northwind"})
    assert patched.status_code == 200, patched.text
    assert alice.post(f"{admin}/northwind/state", json={"state": "testing"}).status_code == 200
    go_live = f"{admin}/northwind/go-live"
    assert alice.post(go_live, json={"force": True}).status_code == 409  # no reason
    forced = alice.post(go_live, json={"force": True, "reason": "certified by phone"})
    assert forced.status_code == 200, forced.text

    entries = audit(alice, "partner.")
    assert all(e["actor"] == ALICE and e["source_ip"] == LOOPBACK for e in entries)
    assert all(e["target"] == "partner:northwind" for e in entries)
    assert [(e["action"], e["outcome"]) for e in entries] == [
        ("partner.create", "ok"),
        ("partner.create", "refused"),
        ("partner.update", "ok"),
        ("partner.state", "ok"),
        ("partner.go_live.forced", "refused"),
        ("partner.go_live.forced", "ok"),
    ]
    assert entries[3]["detail"]["from"] == "draft" and entries[3]["detail"]["to"] == "testing"
    assert entries[4]["detail"]["reason"] == "a forced go-live needs a reason"
    assert entries[5]["detail"]["reason"] == "certified by phone"
    assert entries[5]["detail"]["from"] == "testing" and entries[5]["detail"]["to"] == "live"


def test_an_operator_acknowledging_for_a_supplier_is_audited(
    hub: HubProcess, alice: httpx.Client
) -> None:
    assert alice.post("/v1/messages/purchase_order", json=PO).status_code == 202
    wait_for(lambda: alice.get("/v1/purchase-orders").json()["items"], timeout=30)
    number = PO["po_number"]
    answer = {"lines": [{"line_number": n["line_number"], "action": "accept"} for n in PO["lines"]]}
    acked = alice.post(f"/v1/purchase-orders/{number}/acknowledgment", json=answer)
    assert acked.status_code == 202, acked.text
    _, token = issue(
        hub,
        Client("partner", "cascade", "supplier"),
        ["purchase-orders:read", "purchase-orders:acknowledge"],
    )
    own = httpx.post(f"{hub.url}/v1/purchase-orders/{number}/acknowledgment", json=answer,
                     headers={**bearer(token), "Idempotency-Key": "own-1"}, timeout=30)  # fmt: skip
    assert own.status_code == 202, own.text

    [entry] = audit(alice, "purchase_order.acknowledge")  # the supplier's own is no operator's
    assert (entry["actor"], entry["target"], entry["outcome"], entry["source_ip"]) == (
        ALICE,
        f"purchase_order:{number}",
        "ok",
        LOOPBACK,
    )
    assert entry["detail"]["supplier"] == "cascade"
    assert entry["detail"]["message_id"] == acked.json()["message_id"]


def test_tokens_issued_refused_and_signing_keys_rotated_are_audited(
    hub: HubProcess, alice: httpx.Client
) -> None:
    key_id, key = issue(hub, Client("partner", "cascade", "supplier"), ["inventory:read"])
    grant = {"grant_type": "client_credentials"}
    token = httpx.post(f"{hub.url}/oauth/token", data=grant, auth=(key_id, key), timeout=30)
    assert token.status_code == 200, token.text
    for _ in range(5):
        bad = httpx.post(f"{hub.url}/oauth/token", data=grant, auth=(key_id, "cdk_x_y"), timeout=30)
        assert bad.status_code == 401
    rotated = hub.cli("oauth", "rotate-signing-key")
    assert rotated.returncode == 0, rotated.stderr

    [issued] = audit(alice, "oauth.token.issued")
    assert (issued["actor"], issued["target"], issued["outcome"], issued["source_ip"]) == (
        "partner:cascade",
        f"key:{key_id}",
        "ok",
        LOOPBACK,
    )
    assert issued["detail"]["scope"] == "inventory:read" and issued["detail"]["jti"]
    [rotation] = audit(alice, "oauth.signing-key.")
    assert rotation["actor"].startswith("cli") and rotation["target"].startswith("signing-key:")
    assert rotation["source_ip"] is None and rotation["outcome"] == "ok"

    # refusals are folded per minute: the stopping hub writes the unfinished minute's row
    hub.stop()
    hub.start(timeout=90)
    again = httpx.Client(base_url=hub.url, timeout=30, headers=alice.headers)
    with again:
        refused = [
            e for e in audit(again, "credential.refused") if e["outcome"] == "oauth.invalid_client"
        ]
        text = json.dumps(audit(again))
    assert [(e["actor"], e["target"], e["source_ip"]) for e in refused] == [
        ("anonymous", f"key:{key_id}", LOOPBACK)
    ]
    assert refused[0]["detail"]["count"] == 5
    assert key not in text and token.json()["access_token"] not in text
