"""Outages, dead letters, lanes and kill -9: nothing accepted is ever lost."""

from __future__ import annotations

import json
import random
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from crossdock.sandbox.sink import RunningSink, run_sink_in_thread
from tests.auth_helpers import ADMIN_HEADERS
from tests.integration.conftest import BOTH_PROFILES, po_with_number
from tests.integration.hubproc import HubProcess, sink_config, wait_for

pytestmark = pytest.mark.slow


def stats(sink: RunningSink, detail: bool = False) -> dict[str, Any]:
    return dict(
        httpx.get(f"{sink.url}/_stats", params={"detail": 1} if detail else None, timeout=10).json()
    )


def post_po(client: httpx.Client, hub: HubProcess, doc: dict[str, Any], key: str) -> httpx.Response:
    return client.post(
        f"{hub.url}/v1/messages/purchase_order", json=doc, headers={"Idempotency-Key": key}
    )


def test_endpoint_outage_buffers_then_drains_in_order_per_key(
    workdir: Path, sink: RunningSink, po_example
) -> None:
    hub = HubProcess(workdir, sink_config(sink.url)).start()
    try:
        httpx.post(f"{sink.url}/_fail", json={"mode": "down", "status": 503})
        with httpx.Client(timeout=10, headers=ADMIN_HEADERS) as client:
            for version in range(5):  # five revisions of each of three POs, in order
                for po in ("PO-A", "PO-B", "PO-C"):
                    doc = po_with_number(po_example, po)
                    doc["notes"] = [f"revision {version}"]
                    assert post_po(client, hub, doc, f"{po}-{version}").status_code == 202
        wait_for(lambda: stats(sink)["failed"] >= 5)
        endpoints = httpx.get(f"{hub.url}/v1/endpoints", headers=hub.headers).json()["items"]
        assert wait_for(
            lambda: (
                httpx.get(f"{hub.url}/v1/endpoints", headers=hub.headers).json()["items"][0][
                    "circuit"
                ]
                in ("open", "half_open")
            )
        )
        assert endpoints[0]["backlog"] >= 1
        httpx.post(f"{sink.url}/_fail", json={"mode": "up"})
        wait_for(lambda: stats(sink)["unique_keys"] == 15, timeout=30)
        deliveries = stats(sink, detail=True)["deliveries"]
        for po in ("PO-A", "PO-B", "PO-C"):
            bodies = [d for d in deliveries if d["correlation_key"] == po]
            assert len(bodies) == 5
            # the sink saw this PO's revisions in the order they were accepted
            ids = [d["message_id"] for d in bodies]
            assert ids == sorted(ids)
    finally:
        hub.stop()


def test_permanent_rejection_dead_letters_and_retry_delivers(
    workdir: Path, sink: RunningSink, po_example
) -> None:
    config = sink_config(
        sink.url,
        retry={"max_attempts": 3, "initial_backoff_seconds": 0.05, "max_backoff_seconds": 0.1},
    )
    hub = HubProcess(workdir, config).start()
    try:
        httpx.post(f"{sink.url}/_fail", json={"mode": "status", "status": 400, "count": 1})
        first = httpx.post(
            f"{hub.url}/v1/messages/purchase_order",
            json=po_with_number(po_example, "PO-D1"),
            headers={**hub.headers, **{"Idempotency-Key": "d1"}},
        ).json()
        wait_for(
            lambda: (
                httpx.get(f"{hub.url}/v1/messages/{first['id']}", headers=hub.headers).json()[
                    "status"
                ]
                == "failed"
            )
        )
        [dead] = httpx.get(f"{hub.url}/v1/dlq", headers=hub.headers).json()["items"]
        assert dead["message_id"] == first["id"] and "HTTP 400" in dead["last_error"]
        listed = hub.cli("dlq", "list", "--json")
        assert json.loads(listed.stdout)[0]["id"] == dead["id"]
        retried = hub.cli("dlq", "retry", str(dead["id"]))
        assert retried.returncode == 0, retried.stderr
        wait_for(
            lambda: (
                httpx.get(f"{hub.url}/v1/messages/{first['id']}", headers=hub.headers).json()[
                    "status"
                ]
                == "delivered"
            )
        )
        assert httpx.get(f"{hub.url}/v1/dlq", headers=hub.headers).json()["items"] == []
    finally:
        hub.stop()


def test_retries_exhausted_become_a_dead_letter_with_the_last_error(
    workdir: Path, sink: RunningSink, po_example
) -> None:
    config = sink_config(
        sink.url,
        retry={"max_attempts": 3, "initial_backoff_seconds": 0.05, "max_backoff_seconds": 0.1},
        circuit={"failure_threshold": 100, "reset_timeout_seconds": 0.1},
    )
    hub = HubProcess(workdir, config).start()
    try:
        httpx.post(f"{sink.url}/_fail", json={"mode": "down", "status": 503})
        first = httpx.post(
            f"{hub.url}/v1/messages/purchase_order",
            json=po_with_number(po_example, "PO-E1"),
            headers={**hub.headers, **{"Idempotency-Key": "e1"}},
        ).json()
        view = wait_for(
            lambda: (
                (
                    v := httpx.get(
                        f"{hub.url}/v1/messages/{first['id']}", headers=hub.headers
                    ).json()
                )["status"]
                == "failed"
                and v
            )
        )
        attempts = view["deliveries"][0]["attempts"]
        assert [a["attempt"] for a in attempts] == [1, 2, 3]
        assert all(a["status_code"] == 503 for a in attempts)
        assert "retries exhausted" in view["deliveries"][0]["last_error"]
    finally:
        hub.stop()


def test_endpoint_failures_give_up_by_age_and_a_short_outage_drains(
    workdir: Path, sink: RunningSink, po_example
) -> None:
    """Issue 10: an outage spends a delivery's time budget (`max_age_seconds`), not a count of
    attempts; within the budget the delivery simply waits and arrives when the receiver is
    back."""
    config = sink_config(
        sink.url,
        retry={"max_age_seconds": 3, "initial_backoff_seconds": 0.05, "max_backoff_seconds": 0.2},
        circuit={"failure_threshold": 3, "reset_timeout_seconds": 0.2},
    )
    hub = HubProcess(workdir, config).start()
    try:
        httpx.post(f"{sink.url}/_fail", json={"mode": "down", "status": 503})
        with httpx.Client(timeout=10, headers=ADMIN_HEADERS) as client:
            started = time.monotonic()
            old = post_po(client, hub, po_with_number(po_example, "PO-AGE-1"), "age-1").json()
            view = wait_for(
                lambda: (
                    (v := client.get(f"{hub.url}/v1/messages/{old['id']}").json())["status"]
                    == "failed"
                    and v
                )
            )
            assert time.monotonic() - started >= 3.0
            [delivery] = view["deliveries"]
            assert delivery["last_error"].startswith("endpoint failing: gave up after ")
            assert "(max_age 3s): HTTP 503" in delivery["last_error"]
            assert len(delivery["attempts"]) > 3  # the circuit kept probing: no count ran out

            young = post_po(client, hub, po_with_number(po_example, "PO-AGE-2"), "age-2").json()
            time.sleep(1.0)
            httpx.post(f"{sink.url}/_fail", json={"mode": "up"})
            wait_for(
                lambda: (
                    client.get(f"{hub.url}/v1/messages/{young['id']}").json()["status"]
                    == "delivered"
                )
            )
            dead = client.get(f"{hub.url}/v1/dlq").json()["items"]
            assert [d["message_id"] for d in dead] == [old["id"]]
    finally:
        hub.stop()


def test_bulk_backlog_does_not_hold_up_critical(workdir: Path, po_example) -> None:
    slow = run_sink_in_thread()
    fast = run_sink_in_thread()
    inventory = json.loads(
        (Path(__file__).resolve().parents[2] / "examples" / "inventory_position.json").read_text()
    )
    config = sink_config(
        fast.url,
        extra_endpoints={
            "reporting": {"type": "http", "url": f"{slow.url}/in/reporting", "concurrency": 1}
        },
        routes=[
            {
                "name": "po",
                "when": {"document_type": "purchase_order"},
                "deliver": {"endpoint": "erp"},
            },
            {
                "name": "inv",
                "when": {"document_type": "inventory_position"},
                "deliver": {"endpoint": "reporting"},
            },
        ],
    )
    hub = HubProcess(workdir, config).start()
    try:
        httpx.post(f"{slow.url}/_fail", json={"mode": "slow", "delay": 0.2})
        docs = []
        for i in range(300):  # different items, so no per-key ordering serializes them
            doc = json.loads(json.dumps(inventory))
            doc["item"]["sku"] = f"SKU-{i}"
            docs.append(json.dumps(doc))
        lines = "\n".join(docs)
        response = httpx.post(
            f"{hub.url}/v1/messages/inventory_position/batch",
            content=lines.encode(),
            headers={**hub.headers, **{"Content-Type": "application/x-ndjson"}},
            timeout=30,
        )
        assert response.status_code == 202
        po = httpx.post(
            f"{hub.url}/v1/messages/purchase_order",
            json=po_with_number(po_example, "PO-L1"),
            headers=hub.headers,
        ).json()
        wait_for(
            lambda: (
                httpx.get(f"{hub.url}/v1/messages/{po['id']}", headers=hub.headers).json()["status"]
                == "delivered"
            ),
            timeout=10,
        )
        backlog = next(
            e
            for e in httpx.get(f"{hub.url}/v1/endpoints", headers=hub.headers).json()["items"]
            if e["name"] == "reporting"
        )["backlog"]
        assert backlog > 100, "the bulk lane should still be busy when the critical PO is through"
    finally:
        hub.stop()
        slow.stop()
        fast.stop()


@BOTH_PROFILES
def test_kill_9_loses_nothing_accepted(
    workdir: Path, po_example, tmp_path: Path, profile: dict[str, Any]
) -> None:
    """Post continuously while killing the hub with SIGKILL at random moments; restart each time.

    Every message that got a 202 must reach the sink (at least once, same idempotency key).
    On PostgreSQL one kill: a restarted hub there does not release the leases it held (another
    process may hold them), so they come back after `ack_wait`, a minute, whatever the number
    of kills (test_pg_faults.py kills each process role); on the embedded default four."""
    state = tmp_path / "sink-keys.txt"
    sink = run_sink_in_thread(state_file=state)
    hub = HubProcess(workdir, {**sink_config(sink.url), **profile}).start()
    kills = 1 if profile else 4
    accepted: dict[str, str] = {}
    stop = threading.Event()
    rng = random.Random(7)

    def producer() -> None:
        n = 0
        with httpx.Client(timeout=5, headers=ADMIN_HEADERS) as client:
            while not stop.is_set():
                n += 1
                key = f"crash-{n}"
                try:
                    r = post_po(client, hub, po_with_number(po_example, f"PO-K{n % 40}"), key)
                except httpx.HTTPError:
                    time.sleep(0.02)
                    continue
                if r.status_code == 202:
                    accepted[key] = r.json()["id"]

    thread = threading.Thread(target=producer)
    thread.start()
    try:
        for _ in range(kills):
            time.sleep(rng.uniform(0.5, 1.5))
            hub.kill9()
            time.sleep(0.2)
            hub.start()
        before = len(accepted)  # and some posts after the last restart too
        wait_for(lambda: len(accepted) > max(60, before + 10), timeout=60)
    finally:
        stop.set()
        thread.join()
    try:
        assert len(accepted) > 50
        expected = set(accepted.values())
        wait_for(
            lambda: expected <= {d["message_id"] for d in stats(sink, detail=True)["deliveries"]},
            timeout=60,
        )
        for message_id in list(expected)[:20]:
            view = httpx.get(f"{hub.url}/v1/messages/{message_id}", headers=hub.headers).json()
            assert view["status"] == "delivered"
    finally:
        hub.stop()
        sink.stop()
