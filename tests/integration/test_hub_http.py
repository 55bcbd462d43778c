"""Intake → record → route → deliver, through a real hub process and a real HTTP sink."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from crossdock.sandbox.sink import RunningSink
from tests.integration.conftest import BOTH_PROFILES, po_with_number
from tests.integration.hubproc import HubProcess, sink_config, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture
def hub(workdir: Path, sink: RunningSink, profile: dict[str, Any]) -> Iterator[HubProcess]:
    process = HubProcess(workdir, {**sink_config(sink.url), **profile}).start()
    yield process
    process.stop()


def post(hub: HubProcess, doc: Any, key: str | None, **headers: str) -> httpx.Response:
    if key:
        headers["Idempotency-Key"] = key
    return httpx.post(
        f"{hub.url}/v1/messages/purchase_order",
        json=doc,
        headers={**hub.headers, **headers},
        timeout=10,
    )


def message(hub: HubProcess, message_id: str) -> dict[str, Any]:
    response = httpx.get(f"{hub.url}/v1/messages/{message_id}", timeout=10, headers=hub.headers)
    assert response.status_code == 200
    return dict(response.json())


@BOTH_PROFILES
def test_posted_po_is_recorded_routed_and_delivered(
    hub: HubProcess, sink: RunningSink, po_example
) -> None:
    response = post(
        hub, po_with_number(po_example, "PO-1001"), "k-1", **{"X-Crossdock-Source": "erp"}
    )
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status"] == "accepted" and body["correlation_key"] == "PO-1001"
    assert response.headers["location"] == f"/v1/messages/{body['id']}"
    view = wait_for(lambda: (m := message(hub, body["id"]))["status"] == "delivered" and m)
    assert view["source"] == "erp" and view["canonical"]["po_number"] == "PO-1001"
    [delivery] = view["deliveries"]
    assert delivery["endpoint"] == "erp" and delivery["status"] == "delivered"
    assert (
        delivery["attempts"][0]["outcome"] == "ok" and delivery["attempts"][0]["status_code"] == 200
    )
    stats = httpx.get(f"{sink.url}/_stats", params={"detail": 1}).json()
    [received] = stats["deliveries"]
    assert received["idempotency_key"] == delivery["idempotency_key"]
    assert received["message_id"] == body["id"] and received["correlation_key"] == "PO-1001"


def test_same_key_same_body_is_a_duplicate_processed_once(
    hub: HubProcess, sink: RunningSink, po_example
) -> None:
    doc = po_with_number(po_example, "PO-2001")
    first = post(hub, doc, "dup-1").json()
    second = post(hub, doc, "dup-1")
    assert second.status_code == 202 and second.headers["idempotent-replayed"] == "true"
    assert second.json()["id"] == first["id"] and second.json()["duplicate"] is True
    wait_for(lambda: message(hub, first["id"])["status"] == "delivered")
    assert message(hub, first["id"])["duplicates"] == 1
    assert httpx.get(f"{sink.url}/_stats").json()["received"] == 1


def test_same_key_other_body_is_409_problem(hub: HubProcess, po_example) -> None:
    post(hub, po_with_number(po_example, "PO-3001"), "k-409")
    response = post(hub, po_with_number(po_example, "PO-3002"), "k-409")
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 409 and "Idempotency-Key" in response.json()["detail"]


def test_invalid_document_is_422_with_paths_and_still_recorded(hub: HubProcess, po_example) -> None:
    doc = po_with_number(po_example, "PO-4001")
    doc["lines"][0]["quantity"]["value"] = "-3"
    doc["currency"] = "XXQ"
    response = post(hub, doc, "bad-1")
    assert response.status_code == 422
    problem = response.json()
    paths = {e["path"] for e in problem["errors"]}
    assert "currency" in paths and any(p.startswith("lines[0].quantity") for p in paths)
    stored = message(hub, problem["message_id"])
    assert stored["status"] == "rejected" and stored["errors"] and stored["canonical"] is None


def test_wrong_content_type_too_large_and_unknown_type_are_problems_and_recorded(
    hub: HubProcess,
) -> None:
    r415 = httpx.post(
        f"{hub.url}/v1/messages/purchase_order",
        content=b"<po/>",
        headers={**hub.headers, **{"Content-Type": "application/xml"}},
    )
    assert r415.status_code == 415 and r415.headers["content-type"] == "application/problem+json"
    r413 = httpx.post(
        f"{hub.url}/v1/messages/purchase_order",
        content=b"{" + b" " * 2_000_000 + b"}",
        headers={**hub.headers, **{"Content-Type": "application/json"}},
    )
    assert r413.status_code == 413
    r404 = httpx.post(
        f"{hub.url}/v1/messages/banana",
        json={},
        headers={**hub.headers, **{"Idempotency-Key": "x"}},
    )
    assert r404.status_code == 404 and "purchase_order" in r404.json()["detail"]
    for response in (r415, r413, r404):
        assert message(hub, response.json()["message_id"])["status"] == "rejected"
    assert httpx.get(f"{hub.url}/v1/messages/nope", headers=hub.headers).status_code == 404


def test_batch_ndjson_records_each_line(hub: HubProcess, sink: RunningSink, po_example) -> None:
    import json

    lines = [json.dumps(po_with_number(po_example, f"PO-B{i}")) for i in range(20)]
    lines.insert(5, "{not json")
    response = httpx.post(
        f"{hub.url}/v1/messages/purchase_order/batch",
        content="\n".join(lines).encode(),
        headers={
            **hub.headers,
            **{"Content-Type": "application/x-ndjson", "Idempotency-Key": "batch-1"},
        },
        timeout=30,
    )
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["documents"] == 21 and body["accepted"] == 20 and body["rejected"] == 1
    assert body["results"][5]["errors"][0]["type"] == "json_invalid"
    wait_for(lambda: httpx.get(f"{sink.url}/_stats").json()["unique_keys"] == 20)
    again = httpx.post(
        f"{hub.url}/v1/messages/purchase_order/batch",
        content="\n".join(lines).encode(),
        headers={
            **hub.headers,
            **{"Content-Type": "application/x-ndjson", "Idempotency-Key": "batch-1"},
        },
    ).json()
    assert again["duplicate"] == 21


def test_replay_delivers_again_with_a_new_key(
    hub: HubProcess, sink: RunningSink, po_example
) -> None:
    first = post(hub, po_with_number(po_example, "PO-5001"), "r-1").json()
    wait_for(lambda: message(hub, first["id"])["status"] == "delivered")
    replayed = httpx.post(f"{hub.url}/v1/messages/{first['id']}/replay", headers=hub.headers)
    assert replayed.status_code == 202 and replayed.json()["replayed"] == {"route.critical": 1}
    wait_for(
        lambda: (
            len(message(hub, first["id"])["deliveries"]) == 2
            and message(hub, first["id"])["status"] == "delivered"
        )
    )
    keys = [d["idempotency_key"] for d in message(hub, first["id"])["deliveries"]]
    assert len(set(keys)) == 2
    wait_for(lambda: httpx.get(f"{sink.url}/_stats").json()["unique_keys"] == 2)


def test_cli_reads_the_same_store(hub: HubProcess, po_example) -> None:
    first = post(hub, po_with_number(po_example, "PO-6001"), "cli-1").json()
    wait_for(lambda: message(hub, first["id"])["status"] == "delivered")
    listed = hub.cli("messages", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert first["id"] in listed.stdout
    shown = hub.cli("messages", "show", first["id"], "--json")
    assert '"delivered"' in shown.stdout
    endpoints = hub.cli("endpoints", "--json")
    assert endpoints.returncode == 0 and '"erp"' in endpoints.stdout


def test_replay_over_http_by_filter_and_from_a_sequence(
    hub: HubProcess, sink: RunningSink, po_example
) -> None:
    first = post(hub, po_with_number(po_example, "PO-7001"), "seq-1").json()
    wait_for(lambda: message(hub, first["id"])["status"] == "delivered")
    by_key = httpx.post(
        f"{hub.url}/v1/replay", json={"correlation_key": "PO-7001"}, headers=hub.headers
    )
    assert by_key.status_code == 202 and by_key.json()["matched"] == 1
    from_seq = httpx.post(
        f"{hub.url}/v1/replay", json={"group": "route.critical", "from_seq": 1}, headers=hub.headers
    )
    assert from_seq.status_code == 202 and from_seq.json() == {"replayed": {"route.critical": 1}}
    wait_for(lambda: len(message(hub, first["id"])["deliveries"]) == 3)
    no_group = httpx.post(f"{hub.url}/v1/replay", json={"from_seq": 1}, headers=hub.headers)
    assert no_group.status_code == 422 and "group" in no_group.json()["detail"]
    nothing = httpx.post(f"{hub.url}/v1/replay", json={}, headers=hub.headers)
    assert nothing.status_code == 422
    unknown = httpx.post(
        f"{hub.url}/v1/replay", json={"group": "nope", "from_seq": 1}, headers=hub.headers
    )
    assert unknown.status_code == 404


def test_over_long_headers_are_a_400_problem_and_recorded(hub: HubProcess, po_example) -> None:
    response = post(hub, po_with_number(po_example, "PO-8001"), "k" * 300)
    assert response.status_code == 400
    problem = response.json()
    assert "idempotency-key is longer than 256 characters" in problem["detail"]
    stored = message(hub, problem["message_id"])
    assert stored["status"] == "rejected" and stored["idempotency_key"] is None


def test_unknown_types_do_not_grow_the_metric_labels(hub: HubProcess) -> None:
    for n in range(3):
        httpx.post(f"{hub.url}/v1/messages/junk{n}", json={}, headers=hub.headers)
    metrics = httpx.get(f"{hub.url}/metrics", headers=hub.headers).text
    assert "junk" not in metrics
    assert (
        'crossdock_intake_messages_total{document_type="unknown",outcome="rejected"} 3.0' in metrics
    )
