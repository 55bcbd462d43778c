"""EasyPost tracker webhooks, from the real samples in ../shared/corpus/carriers (read in place)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from crossdock.canonical.shipment import MilestoneCode
from crossdock.mapping.carriers import CarrierContext, PayloadError, normalizer
from tests.unit.mapping.carrier_support import corpus, view

easypost = normalizer("easypost")
CTX = CarrierContext("easypost")


def test_fedex_tracker_sample_gives_one_milestone_per_detail() -> None:
    events = easypost(corpus("easypost_event-body_tracker.updated.json"), CTX)
    d = "result.tracking_details"
    assert [view(e) for e in events] == [
        (f"{d}[0]", "booked", "2024-07-31T15:00:00+00:00", "1", "pre_transit", None),
        (f"{d}[1]", "in_transit", "2024-07-31T19:27:00+00:00", "1", "in_transit", "ORLANDO"),
        (f"{d}[2]", "in_transit", "2024-07-31T22:35:00+00:00", "1", "in_transit", "ORLANDO"),
        (f"{d}[3]", "in_transit", "2024-08-01T14:42:13+00:00", "1", "in_transit", "ORLANDO"),
        (f"{d}[4]", "in_transit", "2024-08-02T02:46:19+00:00", "1", "in_transit", "KENLY"),
        (f"{d}[5]", "in_transit", "2024-08-02T18:35:20+00:00", "1", "in_transit", "EDISON TWP"),
        (f"{d}[6]", "in_transit", "2024-08-02T18:50:00+00:00", "1", "in_transit", "EDISON"),
    ]
    assert [e.key for e in events][:2] == [
        "track:1:pre_transit:2024-07-31T15:00:00Z",
        "track:1:in_transit:2024-07-31T19:27:00Z",
    ]


def test_a_milestone_carries_everything_the_tracker_says() -> None:
    second = easypost(corpus("easypost_event-body_tracker.updated.json"), CTX)[1].milestone
    assert second is not None
    assert second.model_dump(mode="json", exclude_none=True) == {
        "shipment_id": "1",
        "milestone": "in_transit",
        "occurred_at": "2024-07-31T19:27:00Z",
        "reported_at": "2024-08-02T19:26:52Z",
        "carrier": {
            "role": "carrier",
            "name": "FedEx",
            "codes": [{"scheme": "crossdock", "value": "easypost"}],
        },
        "tracking_number": "1",
        "location": {"city": "ORLANDO", "region": "FL", "postal_code": "32809", "country": "US"},
        "estimated_delivery_at": "2024-08-05T00:00:00Z",
        "carrier_status_code": "in_transit",
        "description": "Picked up",
    }
    assert second.correlation_key() == "1"


@pytest.mark.parametrize(
    "name",
    [
        "easypost_tracking-webhook_tracker.updated.json",
        "easypost_tracking_webhook_response_tracker.updated.json",
    ],
)
def test_ups_delivered_samples(name: str) -> None:
    events = easypost(corpus(name), CTX)
    assert [e.milestone.milestone for e in events if e.milestone] == [
        MilestoneCode.BOOKED,
        MilestoneCode.IN_TRANSIT,
        MilestoneCode.IN_TRANSIT,
        MilestoneCode.IN_TRANSIT,
        MilestoneCode.OUT_FOR_DELIVERY,
        MilestoneCode.DELIVERED,
    ]
    first, last = events[0].milestone, events[-1].milestone
    assert first is not None and last is not None
    assert first.location is None  # every field of the location is null
    assert last.carrier.name == "UPS" and last.tracking_number == "EZ4000000004"
    assert last.description == "DELIVERED"
    assert last.location is not None and last.location.city == "SAN FRANCISCO"


def test_out_of_order_times_are_kept_as_reported() -> None:
    # In the guide's sample DELIVERED is dated before the scans that precede it: each
    # milestone keeps its own time and the flows decide what that means.
    events = easypost(corpus("easypost_tracking-webhook_tracker.updated.json"), CTX)
    delivered = events[-1].milestone
    assert delivered is not None
    assert delivered.occurred_at == datetime(2014, 11, 19, 10, 51, 54, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "path", "reason"),
    [
        ("easypost_batch-webhooks_batch.updated.json", "description", "'batch.updated'"),
        ("easypost_webhook_post_example_scan_form.created.json", "description", "scan_form"),
        ("easypost_event_example_tracker.updated.json", "result", "no tracking results"),
    ],
)
def test_events_that_are_not_tracking_updates_are_refused(
    name: str, path: str, reason: str
) -> None:
    with pytest.raises(PayloadError) as info:
        easypost(corpus(name), CTX)
    [issue] = info.value.issues
    assert issue.path == path and reason in issue.reason


def test_unknown_status_rejects_that_detail_only() -> None:
    payload = copy.deepcopy(corpus("easypost_event-body_tracker.updated.json"))
    payload["result"]["tracking_details"][3]["status"] = "teleported"
    events = easypost(payload, CTX)
    assert [e.milestone is not None for e in events] == [True, True, True, False, True, True, True]
    [issue] = events[3].errors
    assert issue.path == "result.tracking_details[3].status"
    assert issue.type == "carrier.unknown_status"
    assert "unknown EasyPost status 'teleported'" in issue.reason and "pre_transit" in issue.reason
    assert events[3].key == "track:1:teleported:2024-08-01T14:42:13Z"


def test_status_unknown_is_a_reasoned_rejection_not_a_guess() -> None:
    payload = copy.deepcopy(corpus("easypost_event-body_tracker.updated.json"))
    payload["result"]["tracking_details"][0]["status"] = "unknown"
    [issue] = easypost(payload, CTX)[0].errors
    assert issue.type == "carrier.no_milestone" and "no status from the carrier" in issue.reason


def test_status_detail_refines_and_failures_are_categorised() -> None:
    payload = copy.deepcopy(corpus("easypost_event-body_tracker.updated.json"))
    details = payload["result"]["tracking_details"]
    details[1]["status_detail"] = "received_at_origin_facility"
    details[4]["status_detail"] = "weather_delay"
    details[6].update(status="return_to_sender", status_detail="unknown")
    events = easypost(payload, CTX)
    picked, delayed, returned = (events[i].milestone for i in (1, 4, 6))
    assert picked is not None and picked.milestone is MilestoneCode.PICKED_UP
    assert delayed is not None and delayed.milestone is MilestoneCode.EXCEPTION
    assert delayed.exception_code == "weather_delay"
    assert delayed.carrier_status_code == "in_transit"
    assert returned is not None and returned.milestone is MilestoneCode.EXCEPTION
    assert returned.exception_code == "return_to_sender"  # the detail "unknown" says nothing


def test_a_time_without_offset_is_an_error() -> None:
    payload = copy.deepcopy(corpus("easypost_event-body_tracker.updated.json"))
    payload["result"]["tracking_details"][0]["datetime"] = "2024-07-31T15:00:00"
    [issue] = easypost(payload, CTX)[0].errors
    assert issue.path == "result.tracking_details[0].datetime"
    assert "no UTC offset" in issue.reason
