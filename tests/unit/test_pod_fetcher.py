"""The POD pull against a real SQLite store and bus, with a scripted carrier API: one POD per
shipment however often "delivered" is said, retries with backoff, give-ups as exceptions, and
unmappable answers recorded as rejected."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

import pytest

from crossdock.hub.flows.exceptions import ExceptionCategory
from crossdock.hub.intake import IntakeRequest, prepare, record
from crossdock.hub.pod import GROUP, PodFetcher, PodResponse, PodSource
from crossdock.hub.policy import RetryPolicy
from crossdock.hub.records import MessageFilter
from crossdock.hub.store_runner import StoreRunner
from crossdock.mapping.carriers.pod import map_pod
from tests.conftest import SqlStore

URL = "http://pod.test/v2/shipments/{carrier_reference}/pod"
POD = {"object": "ProofOfDelivery", "tracking_code": "PW1", "signed_by": "R. MORALES",
       "delivered_at": "2024-11-15T14:47:00Z"}  # fmt: skip


@dataclass
class ScriptedApi:
    """Answers each URL with its scripted responses in turn (the last one repeats)."""

    script: dict[str, list[PodResponse]] = field(default_factory=dict)
    calls: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    async def get(self, url: str, headers: Mapping[str, str], timeout: float) -> PodResponse:
        self.calls.append((url, dict(headers)))
        answers = self.script[url]
        return answers.pop(0) if len(answers) > 1 else answers[0]

    async def close(self) -> None:
        pass


def ok(body: Any = POD) -> PodResponse:
    return PodResponse(200, json.dumps(body).encode())


@pytest.fixture
def runner(store: SqlStore) -> Iterator[StoreRunner]:
    r = StoreRunner(store.uow, store.uow.reader)
    yield r
    r.close()


def milestone(
    store: SqlStore, milestone: str = "delivered", *, key: str, ref: str = "shp_1"
) -> str:
    """Record a Parcelwave milestone as the webhook channel would; returns its message id."""
    doc = {"shipment_id": "PW1", "milestone": milestone, "occurred_at": "2024-11-15T14:47:00Z",
           "carrier": {"role": "carrier", "name": "Parcelwave"}, "tracking_number": "PW1"}  # fmt: skip
    if ref:
        doc["carrier_reference"] = ref
    raw = json.dumps(doc).encode()
    request = IntakeRequest("shipment_milestone", raw, "application/json", "parcelwave",
                            "webhook", datetime.now(UTC), key)  # fmt: skip
    message = prepare(request, lambda _t: "critical")
    assert message.status == "accepted", message.errors
    with store.uow() as uow:
        record(uow, [message])
        uow.commit()
    return message.id


def fetcher(
    store: SqlStore, runner: StoreRunner, api: ScriptedApi, attempts: int = 3
) -> PodFetcher:
    source = PodSource(
        "parcelwave",
        URL,
        partial(map_pod, "easypost"),
        RetryPolicy(max_attempts=attempts, initial_backoff=0.0, jitter=0.0),
        headers={"Authorization": "Bearer k"},
    )
    return PodFetcher(
        {"parcelwave": source}, api, runner, store.bus, lane_for=lambda _t: "critical"
    )


def run(f: PodFetcher) -> int:
    return asyncio.run(f.run_once())


def pods(store: SqlStore) -> list[Any]:
    with store.uow.reader() as uow:
        found = uow.messages.find(MessageFilter(document_type="proof_of_delivery"), limit=100)
        return [uow.messages.get(s.id) for s in found]


def test_a_delivered_milestone_gets_one_pod_however_often_it_is_said(
    store: SqlStore, runner: StoreRunner
) -> None:
    api = ScriptedApi({URL.format(carrier_reference="shp_1"): [ok()]})
    milestone(store, "in_transit", key="e1")  # not delivered: nothing to fetch
    first = milestone(store, key="e2")
    f = fetcher(store, runner, api)
    assert run(f) == 2
    milestone(store, key="e3")  # the carrier says "delivered" again
    run(f)
    assert [url for url, _ in api.calls] == ["http://pod.test/v2/shipments/shp_1/pod"]
    assert api.calls[0][1] == {"Authorization": "Bearer k"}
    [pod] = pods(store)
    assert (pod.summary.source, pod.summary.channel, pod.idempotency_key) == (
        "parcelwave", "carrier_api", "pod:parcelwave:PW1")  # fmt: skip
    assert (pod.summary.status, pod.summary.correlation_key, pod.causation_id) == (
        "accepted", "PW1", first)  # fmt: skip
    assert json.loads(pod.canonical)["delivered_at"] == "2024-11-15T14:47:00Z"
    assert pod.raw == json.dumps(POD).encode()  # what the carrier said, verbatim
    with store.uow.reader() as uow:
        assert store.bus.backlog().get(GROUP, 0) == 0
        assert uow.exceptions.find() == []


def test_not_delivered_yet_and_outages_are_retried_until_the_pod_comes(
    store: SqlStore, runner: StoreRunner
) -> None:
    url = URL.format(carrier_reference="shp_1")
    api = ScriptedApi({url: [PodResponse(404, b"not delivered yet"), PodResponse(503),
                             PodResponse(None, error="connect error"), ok()]})  # fmt: skip
    milestone(store, key="e1")
    run(fetcher(store, runner, api, attempts=5))
    assert len(api.calls) == 4 and len(pods(store)) == 1


def test_exhausted_retries_dead_letter_and_raise_an_exception_that_retries(
    store: SqlStore, runner: StoreRunner
) -> None:
    url = URL.format(carrier_reference="shp_1")
    api = ScriptedApi({url: [PodResponse(503, b"down")]})
    evidence = milestone(store, key="e1")
    f = fetcher(store, runner, api, attempts=3)
    run(f)
    assert len(api.calls) == 3 and pods(store) == []
    [dead] = store.bus.dead_letters(GROUP)
    assert dead.message_id == evidence and "retries exhausted after 3" in (dead.last_error or "")
    with store.uow.reader() as uow:
        [raised] = uow.exceptions.find()
    assert raised.category is ExceptionCategory.ENDPOINT_UNAVAILABLE
    assert raised.evidence == [evidence] and raised.correlation_key == "PW1"
    assert "proof of delivery for PW1 from parcelwave not fetched" in raised.detail
    # The operator's retry (the exception's dead letters) fetches again, now successfully.
    api.script[url] = [ok()]
    assert store.bus.retry_dead_letters(None, [dead.pending_id]) == 1
    run(f)
    assert len(pods(store)) == 1


def test_a_refusal_gives_up_at_once(store: SqlStore, runner: StoreRunner) -> None:
    api = ScriptedApi({URL.format(carrier_reference="shp_1"): [PodResponse(401, b"bad key")]})
    milestone(store, key="e1")
    run(fetcher(store, runner, api, attempts=10))
    assert len(api.calls) == 1
    [dead] = store.bus.dead_letters(GROUP)
    assert "refused by the carrier API: HTTP 401: bad key" in (dead.last_error or "")


def test_a_milestone_without_the_url_value_gives_up_without_calling(
    store: SqlStore, runner: StoreRunner
) -> None:
    api = ScriptedApi()
    milestone(store, key="e1", ref="")  # no carrier_reference
    run(fetcher(store, runner, api))
    assert api.calls == []
    [dead] = store.bus.dead_letters(GROUP)
    assert "no carrier_reference for the POD URL" in (dead.last_error or "")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<html>oops</html>", "the POD response is not JSON"),
        (json.dumps({**POD, "tracking_code": "PW2"}).encode(), "the POD is for 'PW2', not 'PW1'"),
    ],
)
def test_an_unmappable_pod_is_recorded_rejected_with_the_reason(
    store: SqlStore, runner: StoreRunner, body: bytes, reason: str
) -> None:
    api = ScriptedApi({URL.format(carrier_reference="shp_1"): [PodResponse(200, body)]})
    milestone(store, key="e1")
    run(fetcher(store, runner, api))
    [pod] = pods(store)
    assert pod.summary.status == "rejected" and pod.idempotency_key == "rejected:pod:parcelwave:PW1"
    assert reason in pod.errors[0]["reason"] and pod.raw == body
    assert store.bus.dead_letters(GROUP) == []
