"""Outbound webhooks through a real `crossdock up` process: a subscription in its store, a PO
posted over HTTP, the signed event received by a loopback server in this test (verified with
the reference `standardwebhooks` package); a 410 from another receiver disables its
subscription. Partners call the API with their own API keys."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from crossdock.adapters.sqlite.engine import sqlite_url
from crossdock.bootstrap.auth import key_service
from crossdock.bootstrap.store import open_store
from crossdock.hub.credentials import Client
from crossdock.hub.identity import WEBHOOKS_MANAGE
from tests.auth_helpers import bearer
from tests.conftest import EXAMPLES
from tests.integration.hubproc import HubProcess, wait_for

pytestmark = pytest.mark.slow


class Receiver:
    def __init__(self) -> None:
        self.got: list[tuple[str, dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.got.append(
                    (self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                self.send_response(410 if self.path == "/gone" else 204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def at(self, path: str) -> list[tuple[str, dict[str, str], bytes]]:
        return [g for g in self.got if g[0] == path]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    r.thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture
def hub(workdir: Path) -> Iterator[HubProcess]:
    config = {
        "hub": {"prepare_workers": 0},
        "partners": {"cascade": {"x12": {"id": "CASCADEPAPER"}}, "acme": {"x12": {"id": "ACME"}}},
        "webhooks": {"enabled": True, "allow_private_urls": True},
        "unrouted": [{"document_type": "purchase_order"}],
    }
    process = HubProcess(workdir, config).start()
    yield process
    process.stop()


@pytest.fixture
def api(hub: HubProcess) -> Iterator[httpx.Client]:
    with hub.client(timeout=10) as client:
        yield client


def test_a_posted_po_arrives_signed_and_a_410_disables(
    hub: HubProcess, receiver: Receiver, api: httpx.Client
) -> None:
    store = open_store(sqlite_url(hub.data_dir), checkpoints=False)
    try:
        issue = key_service(store.engine).issue
        cascade = bearer(issue(Client("partner", "cascade", "supplier"), [WEBHOOKS_MANAGE]).token)
        acme = bearer(issue(Client("partner", "acme", "supplier"), [WEBHOOKS_MANAGE]).token)
    finally:
        store.close()

    def subscribe(who: dict[str, str], path: str) -> dict[str, Any]:
        body = {"url": receiver.url + path, "event_types": ["purchase_order.created"]}
        answer = api.post("/v1/webhooks/subscriptions", json=body, headers=who)
        assert answer.status_code == 201, answer.text
        created: dict[str, Any] = answer.json()
        return created

    mine, gone = subscribe(cascade, "/cascade"), subscribe(cascade, "/gone")
    subscribe(acme, "/acme")
    po = (EXAMPLES / "purchase_order.json").read_bytes()
    posted = api.post(
        "/v1/messages/purchase_order", content=po, headers={"Content-Type": "application/json"}
    )
    assert posted.status_code == 202, posted.text
    message_id = posted.json()["id"]
    wait_for(lambda: receiver.at("/cascade") and receiver.at("/gone"))
    [(_, headers, body)] = receiver.at("/cascade")
    event = Webhook(mine["secret"]).verify(body, headers)
    assert event["type"] == "purchase_order.created"
    assert event["data"]["message_id"] == message_id and event["data"]["partner"] == "cascade"
    assert headers["webhook-id"] == f"msg_{message_id}_{mine['id']}"

    gone_url = f"/v1/webhooks/subscriptions/{gone['id']}"
    wait_for(lambda: api.get(gone_url, headers=cascade).json()["status"] == "disabled")
    assert "410" in api.get(gone_url, headers=cascade).json()["disabled_reason"]
    [logged] = api.get(f"{gone_url}/deliveries", headers=cascade).json()["items"]
    assert logged["status"] == "dead_lettered" and logged["attempts"][0]["status_code"] == 410
    assert api.get(gone_url, headers=acme).status_code == 404
    assert receiver.at("/acme") == []  # acme's subscription never hears of cascade's PO
    message = api.get(f"/v1/messages/{message_id}").json()
    assert message["status"] == "accepted"  # webhooks are not the message's routing
    assert {d["endpoint"] for d in message["deliveries"]} == {"webhooks"}
