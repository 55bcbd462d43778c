"""Carrier webhooks through a real hub process: four payload shapes in over HTTP, milestones
read back from the message log and delivered on by a route; duplicates, bad signatures and
unmappable payloads answered as documented."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from crossdock.hub.webhooks import SignatureCheck
from crossdock.sandbox.sink import RunningSink
from tests.integration.hubproc import HubProcess, sink_config, wait_for
from tests.unit.mapping.carrier_support import FIXTURES, corpus_path

pytestmark = pytest.mark.slow

SECRET = "whsec-integration"
SIGNER = SignatureCheck(header="X-Hmac-Signature", secret=SECRET.encode())
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def hub(workdir: Path, sink: RunningSink, monkeypatch: pytest.MonkeyPatch) -> Iterator[HubProcess]:
    # The secret reaches the hub the documented way: an environment variable, not the file.
    monkeypatch.setenv("CROSSDOCK_CARRIERS__EASYPOST__SIGNATURE__SECRET", SECRET)
    route = {
        "name": "milestones-to-tms",
        "when": {"document_type": "shipment_milestone"},
        "deliver": {"endpoint": "tms"},
    }
    config: dict[str, Any] = sink_config(sink.url, endpoint="tms", routes=[route])
    config["carriers"] = {
        "easypost": {"format": "easypost", "signature": {"header": "X-Hmac-Signature"}},
        "fedex": {"format": "track_v1", "display_name": "FedEx Ground", "scac": "FDEG"},
        "northline": {"format": "flat_events"},
        "ridgeline": {"format": "flat_214", "display_name": "Ridgeline Freight"},
    }
    process = HubProcess(workdir, config).start()
    yield process
    process.stop()


def post(hub: HubProcess, carrier: str, body: bytes, **headers: str) -> httpx.Response:
    return httpx.post(
        f"{hub.url}/v1/webhooks/carriers/{carrier}",
        content=body,
        headers={**hub.headers, **{**JSON, **headers}},
        timeout=10,
    )


def messages(hub: HubProcess, **params: str) -> list[dict[str, Any]]:
    params = {"document_type": "shipment_milestone", "limit": "1000", **params}
    reply = httpx.get(f"{hub.url}/v1/messages", params=params, timeout=10, headers=hub.headers)
    reply.raise_for_status()
    items: list[dict[str, Any]] = reply.json()["items"]
    return items


def test_four_shapes_in_milestones_out(hub: HubProcess) -> None:
    easypost = corpus_path("easypost_event-body_tracker.updated.json").read_bytes()
    signature = SIGNER.sign(easypost)
    first = post(hub, "easypost", easypost, **{"X-Hmac-Signature": signature})
    assert first.status_code == 202, first.text
    assert first.json()["accepted"] == 7 and first.json()["events"] == 7

    fedex = post(hub, "fedex", (FIXTURES / "track_v1_two_packages.json").read_bytes())
    northline = post(hub, "northline", (FIXTURES / "flat_events_shipment.json").read_bytes())
    assert (fedex.status_code, northline.status_code) == (202, 202)
    assert fedex.json()["accepted"] == 7 and northline.json()["accepted"] == 5
    ridgeline = post(hub, "ridgeline", (FIXTURES / "flat_214_ltl.json").read_bytes())
    assert ridgeline.status_code == 202 and ridgeline.json()["accepted"] == 2

    # Redelivery: same ids, nothing recorded twice.
    again = post(hub, "easypost", easypost, **{"X-Hmac-Signature": signature})
    assert again.status_code == 202 and again.headers["Idempotent-Replayed"] == "true"
    assert [m["id"] for m in again.json()["messages"]] == [
        m["id"] for m in first.json()["messages"]
    ]
    assert again.json()["duplicate"] == 7

    assert len(messages(hub, source="easypost")) == 7
    listed = messages(hub, source="fedex")
    assert {m["correlation_key"] for m in listed} == {"HP-SHP-2024-310077", "794843185282"}
    assert {m["channel"] for m in listed} == {"webhook"}
    delayed_id = northline.json()["messages"][3]["id"]
    view = httpx.get(f"{hub.url}/v1/messages/{delayed_id}", timeout=10, headers=hub.headers).json()
    assert view["idempotency_key"] == "event:NXL-EV-77120003"
    assert view["canonical"]["milestone"] == "exception"
    assert view["canonical"]["exception_code"] == "WX"
    assert view["canonical"]["occurred_at"] == "2024-11-15T03:00:00Z"

    # Every accepted milestone is routed and delivered like any other document.
    wait_for(
        lambda: {m["status"] for m in messages(hub)} == {"delivered"} and len(messages(hub)) == 21
    )


def test_refusals(hub: HubProcess) -> None:
    body = (FIXTURES / "flat_events_shipment.json").read_bytes()
    easypost = corpus_path("easypost_event-body_tracker.updated.json").read_bytes()

    forged = post(hub, "easypost", easypost, **{"X-Hmac-Signature": SIGNER.sign(b"other")})
    assert forged.status_code == 401
    assert forged.headers["content-type"] == "application/problem+json"
    assert "WWW-Authenticate" in forged.headers
    unsigned = post(hub, "easypost", easypost)
    assert unsigned.status_code == 401
    assert messages(hub, source="easypost") == []

    unknown = post(hub, "ups", body)
    assert (
        unknown.status_code == 404
        and "easypost, fedex, northline, ridgeline" in unknown.json()["detail"]
    )

    broken = post(hub, "northline", body[:-40])
    assert broken.status_code == 422
    assert broken.headers["content-type"] == "application/problem+json"
    problem = broken.json()
    [message_id] = problem["message_ids"]
    assert "not JSON" in problem["errors"][0]["reason"]
    stored = httpx.get(
        f"{hub.url}/v1/messages/{message_id}?raw=true", timeout=10, headers=hub.headers
    ).json()
    assert stored["status"] == "rejected" and stored["source"] == "northline"

    payload = json.loads(body)
    payload["events"][1]["code"] = "TELEPORTED"
    partly = post(hub, "northline", json.dumps(payload).encode())
    assert partly.status_code == 422
    problem = partly.json()
    assert (problem["accepted"], problem["rejected"]) == (4, 1)
    assert problem["errors"] == [
        {
            "path": "events[1].code",
            "reason": problem["errors"][0]["reason"],
            "type": "carrier.unknown_status",
        }
    ]
    assert "unknown flat_events code 'TELEPORTED'" in problem["errors"][0]["reason"]
    assert len(messages(hub, source="northline", status="rejected")) == 2

    too_big = post(hub, "northline", b" " * 2_000_000)
    assert too_big.status_code == 413
