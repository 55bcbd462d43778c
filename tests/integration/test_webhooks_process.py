"""Outbound webhooks through a real `crossdock up` process: a subscription in its store, a PO
posted over HTTP, the signed event received by a loopback server in this test (verified with
the reference `standardwebhooks` package); a 410 from another receiver disables its
subscription. Subscriptions are written straight into the store until the API can be called
with credentials (authentication is another part of issue 12)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from crossdock.adapters.sqlite.engine import sqlite_url
from crossdock.bootstrap.store import open_store
from crossdock.hub.identity import Principal
from crossdock.hub.webhook_subscriptions import NewSubscription, create
from tests.conftest import EXAMPLES
from tests.integration.hubproc import HubProcess, wait_for

pytestmark = pytest.mark.slow

CASCADE = Principal("partner:cascade", "partner", partner="cascade", partner_role="supplier")
ACME = Principal("partner:acme", "partner", partner="acme", partner_role="supplier")


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


def test_a_posted_po_arrives_signed_and_a_410_disables(hub: HubProcess, receiver: Receiver) -> None:
    store = open_store(sqlite_url(hub.data_dir), checkpoints=False)
    try:
        with store.uow() as uow:
            mine, secret = create(
                uow,
                CASCADE,
                NewSubscription(receiver.url + "/cascade", ["purchase_order.created"]),
                datetime.now(UTC),
                private_urls=True,  # the receiver is on loopback
            )
        with store.uow() as uow:
            gone, _ = create(
                uow,
                CASCADE,
                NewSubscription(receiver.url + "/gone", ["purchase_order.created"]),
                datetime.now(UTC),
                private_urls=True,  # the receiver is on loopback
            )
        with store.uow() as uow:
            create(
                uow,
                ACME,
                NewSubscription(receiver.url + "/acme", ["purchase_order.created"]),
                datetime.now(UTC),
                private_urls=True,  # the receiver is on loopback
            )

        po = (EXAMPLES / "purchase_order.json").read_bytes()
        posted = httpx.post(
            f"{hub.url}/v1/messages/purchase_order",
            content=po,
            headers={"Content-Type": "application/json"},
            timeout=10,
        )
        assert posted.status_code == 202, posted.text
        wait_for(lambda: receiver.at("/cascade") and receiver.at("/gone"))
        [(_, headers, body)] = receiver.at("/cascade")
        event = Webhook(secret).verify(body, headers)
        assert event["type"] == "purchase_order.created"
        assert event["data"]["message_id"] == posted.json()["id"]
        assert headers["webhook-id"] == f"msg_{posted.json()['id']}_{mine.id}"

        def disabled() -> bool:
            with store.uow.reader() as uow:
                found = uow.webhooks.get(gone.id)
            return found is not None and found.status == "disabled"

        wait_for(disabled)
        assert receiver.at("/acme") == []  # acme's subscription never hears of cascade's PO
        message = httpx.get(f"{hub.url}/v1/messages/{posted.json()['id']}", timeout=10).json()
        assert message["status"] == "accepted"  # webhooks are not the message's routing
        assert {d["endpoint"] for d in message["deliveries"]} == {"webhooks"}
        assert json.loads(body)["data"]["partner"] == "cascade"
    finally:
        store.close()
