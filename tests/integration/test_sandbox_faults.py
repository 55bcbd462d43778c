"""Fault injection and the outbound queue, over real loopback HTTP: down, slow, duplicate,
reorder, webhook outage, lost event, silence, and a hub that is down or rejects."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from crossdock.sandbox.erp import ErpService
from tests.integration.sandbox_helpers import FAST, Recorder, recording_hub, serve, wait_for


@pytest.fixture(scope="module")
def hub() -> Iterator[tuple[Recorder, str]]:
    with recording_hub() as running:
        yield running


@pytest.fixture(scope="module")
def erp_url(hub: tuple[Recorder, str]) -> Iterator[str]:
    with serve(ErpService(hub_url=hub[1], retry=FAST)) as url:
        yield url


@pytest.fixture
def erp(erp_url: str, hub: tuple[Recorder, str]) -> Iterator[httpx.Client]:
    hub[0].heal()
    with httpx.Client(base_url=erp_url, timeout=5.0) as client:
        client.post("/_reset").raise_for_status()
        hub[0].settle_and_clear()
        yield client


def release(erp: httpx.Client, *numbers: int) -> None:
    for n in numbers:
        body = {"docNo": f"PO-{n}", "vendorId": "V", "shipToSite": "DC",
                "lines": [{"lineNo": 1, "itemNo": "I", "qty": 1, "uom": "EA", "unitCost": 1}]}  # fmt: skip
        erp.post("/api/purchase-orders", json=body).raise_for_status()


def doc_numbers(recorder: Recorder, count: int) -> list[str]:
    wait_for(lambda: len(recorder.received) >= count)
    time.sleep(0.1)  # nothing more should arrive
    return [b["docNo"] for b in recorder.bodies()]


def test_down_for_answers_503_then_recovers(erp: httpx.Client) -> None:
    assert erp.post("/_faults", json={"down_for": 0.3}).json()["down"] is True
    refused = erp.get("/api/purchase-orders")
    assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
    assert erp.get("/_state").status_code == 200  # the control API never goes down
    assert erp.get("/_health").json() == {"service": "erp", "up": False}
    wait_for(lambda: erp.get("/api/purchase-orders").status_code == 200)
    assert erp.get("/_state").json()["stats"]["refused_down"] >= 1


def test_down_until_switched_back_with_a_chosen_status(erp: httpx.Client) -> None:
    erp.post("/_faults", json={"down": True, "status": 500}).raise_for_status()
    assert erp.get("/api/inventory").status_code == 500
    erp.post("/_faults", json={"down": False}).raise_for_status()
    assert erp.get("/api/inventory").status_code == 200


def test_slow_delays_answers(erp: httpx.Client) -> None:
    erp.post("/_faults", json={"slow": 0.25, "slow_for": 5}).raise_for_status()
    started = time.perf_counter()
    erp.get("/api/inventory").raise_for_status()
    assert time.perf_counter() - started >= 0.25
    erp.post("/_faults", json={"clear": True}).raise_for_status()
    started = time.perf_counter()
    erp.get("/api/inventory").raise_for_status()
    assert time.perf_counter() - started < 0.25


def test_duplicate_next_sends_the_same_event_twice(
    erp: httpx.Client, hub: tuple[Recorder, str]
) -> None:
    erp.post("/_faults", json={"duplicate_next": 1}).raise_for_status()
    release(erp, 1, 2)
    assert doc_numbers(hub[0], 3) == ["PO-1", "PO-1", "PO-2"]
    assert hub[0].keys() == ["erp-po-PO-1-v1", "erp-po-PO-1-v1", "erp-po-PO-2-v1"]
    erp.post("/_faults", json={"duplicate_next": 1, "duplicate_new_key": True}).raise_for_status()
    release(erp, 3)
    wait_for(lambda: len(hub[0].received) == 5)
    assert hub[0].keys()[3:] == ["erp-po-PO-3-v1", "erp-po-PO-3-v1.dup1"]
    # The outbox counts a duplicate once its send returns, which can be after the hub got it.
    wait_for(lambda: erp.get("/_outbox").json()["summary"]["duplicates_sent"] == 2)


def test_reorder_next_sends_held_events_newest_first(
    erp: httpx.Client, hub: tuple[Recorder, str]
) -> None:
    erp.post("/_faults", json={"reorder_next": 3}).raise_for_status()
    release(erp, 1, 2)
    time.sleep(0.1)
    assert hub[0].received == [] and erp.get("/_outbox").json()["summary"]["held"] == 2
    release(erp, 3, 4)
    assert doc_numbers(hub[0], 4) == ["PO-3", "PO-2", "PO-1", "PO-4"]


def test_flush_releases_held_events_early(erp: httpx.Client, hub: tuple[Recorder, str]) -> None:
    erp.post("/_faults", json={"reorder_next": 5}).raise_for_status()
    release(erp, 1, 2)
    assert erp.post("/_outbox/flush").json()["held"] == 0
    assert doc_numbers(hub[0], 2) == ["PO-2", "PO-1"]


def test_outbound_outage_queues_events_then_drains_in_order(
    erp: httpx.Client, hub: tuple[Recorder, str]
) -> None:
    erp.post("/_faults", json={"outbound_down_for": 0.4}).raise_for_status()
    release(erp, 1, 2, 3)
    time.sleep(0.1)
    assert hub[0].received == []
    assert len(erp.get("/_outbox", params={"status": "pending"}).json()["events"]) == 3
    assert erp.get("/api/purchase-orders").status_code == 200  # the API itself is up
    assert doc_numbers(hub[0], 3) == ["PO-1", "PO-2", "PO-3"]


def test_drop_next_loses_one_event_and_silent_loses_all(
    erp: httpx.Client, hub: tuple[Recorder, str]
) -> None:
    erp.post("/_faults", json={"drop_next": 1}).raise_for_status()
    release(erp, 1, 2)
    assert doc_numbers(hub[0], 1) == ["PO-2"]
    erp.post("/_faults", json={"silent": True}).raise_for_status()
    release(erp, 3)
    erp.post("/_faults", json={"silent": False}).raise_for_status()
    release(erp, 4)
    assert doc_numbers(hub[0], 2) == ["PO-2", "PO-4"]
    statuses = [e["status"] for e in erp.get("/_outbox").json()["events"]]
    assert statuses == ["dropped", "delivered", "suppressed", "delivered"]


def test_a_hub_that_is_down_gets_every_event_later_in_order(
    erp: httpx.Client, hub: tuple[Recorder, str]
) -> None:
    hub[0].fail(503, count=4)
    release(erp, 1, 2)
    wait_for(lambda: hub[0].failed >= 4)
    assert doc_numbers(hub[0], 2) == ["PO-1", "PO-2"]
    summary = erp.get("/_outbox").json()["summary"]
    assert summary["delivered"] == 2 and summary["failures"] >= 4 and summary["pending"] == 0
    first = erp.get("/_outbox").json()["events"][0]
    assert first["attempts"] >= 2 and first["response_status"] == 202


def test_a_rejection_is_kept_and_not_retried(erp: httpx.Client, hub: tuple[Recorder, str]) -> None:
    hub[0].fail(422, count=1)
    release(erp, 1, 2)
    assert doc_numbers(hub[0], 1) == ["PO-2"]
    rejected = erp.get("/_outbox", params={"status": "rejected"}).json()["events"]
    assert [(e["key"], e["attempts"], e["response_status"]) for e in rejected] == [
        ("erp-po-PO-1-v1", 1, 422)
    ]


def test_bad_fault_specs_are_refused(erp: httpx.Client) -> None:
    assert erp.post("/_faults", json={"explode": True}).status_code == 400
    assert erp.post("/_faults", json={"down_for": "soon"}).status_code == 400
    assert erp.post("/_faults", json=[1]).status_code == 400
    assert erp.post("/_config", json={"colour": "red"}).status_code == 400
    assert erp.get("/_faults").json()["down"] is False


def test_targets_can_be_pointed_elsewhere(erp: httpx.Client, hub: tuple[Recorder, str]) -> None:
    config = erp.post("/_config", json={"targets": {"purchaseOrder.released": "/erp/po"}}).json()
    assert config["targets"]["purchaseOrder.released"] == f"{hub[1]}/erp/po"
    try:
        release(erp, 1)
        assert wait_for(lambda: hub[0].on("/erp/po"))
    finally:
        erp.post("/_config", json={"targets": {"purchaseOrder.released": ""}})
