"""Alerts in a real `crossdock up`: an endpoint that stays down raises an `endpoint_down`
alert, delivered to a loopback webhook, listed by `GET /v1/alerts`; once the endpoint answers
again the circuit closes and the clear is delivered.

The circuit re-opens after every failed probe (`reset_timeout_seconds` 0.3) while the rule
waits 3 s: the alert fires only because the persisted `opened_at` keeps the moment the outage
began across those re-opens."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.alert_receiver import Receiver
from tests.conftest import EXAMPLES
from tests.integration.hubproc import HubProcess, free_port, sink_config

PO = (EXAMPLES / "purchase_order.json").read_bytes()


def wait_for(check: Callable[[], bool], timeout: float = 45.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.1)


class Sink(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def test_an_endpoint_down_alert_opens_and_clears_in_a_running_hub(
    tmp_path: Path, receiver: Receiver
) -> None:
    port = free_port()  # nothing listens here yet: the endpoint is down
    config = sink_config(
        f"http://127.0.0.1:{port}",
        retry={"max_attempts": 1000, "initial_backoff_seconds": 0.05, "max_backoff_seconds": 0.2},
        circuit={"failure_threshold": 1, "reset_timeout_seconds": 0.3},
    )
    config["alerts"] = {
        "interval_seconds": 0.5,
        "webhook": {"url": receiver.url},
        "rules": [{"name": "erp-down", "kind": "endpoint_down", "minutes": 0.05}],
    }
    hub = HubProcess(tmp_path, config).start()
    sink: ThreadingHTTPServer | None = None
    try:
        with hub.client(timeout=10) as http:
            sent = http.post(
                "/v1/messages/purchase_order",
                content=PO,
                headers={"content-type": "application/json"},
            )
            assert sent.status_code == 202, sent.text
            wait_for(lambda: len(receiver.requests) >= 1)
            [opened] = receiver.delivered()
            assert (opened["type"], opened["alert"]["subject"]) == ("alert.opened", "erp")
            [listed] = http.get("/v1/alerts").json()["alerts"]
            assert listed["id"] == opened["alert"]["id"] and listed["status"] == "open"

            sink = ThreadingHTTPServer(("127.0.0.1", port), Sink)  # the endpoint is back
            threading.Thread(target=sink.serve_forever, daemon=True).start()
            wait_for(lambda: len(receiver.requests) >= 2)
            cleared = receiver.delivered()[1]
            assert cleared["type"] == "alert.cleared"
            assert cleared["alert"]["id"] == opened["alert"]["id"]
            assert http.get("/v1/alerts").json() == {"alerts": []}
            assert len(http.get("/v1/alerts", params={"status": "all"}).json()["alerts"]) == 1
    finally:
        hub.stop()
        if sink is not None:
            sink.shutdown()
            sink.server_close()
