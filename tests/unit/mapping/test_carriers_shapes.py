"""The track_v1 and flat_events shapes (our own fixtures), and the declared-path engine."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from crossdock.canonical.shipment import MilestoneCode
from crossdock.mapping.carriers import FORMATS, SHAPES, CarrierContext, PayloadError, normalizer
from crossdock.mapping.carriers.paths import PathSyntaxError, compile_path, first, resolve
from crossdock.mapping.carriers.shape import parse_time
from tests.unit.mapping.carrier_support import fixture, view

track_v1 = normalizer("track_v1")
flat_events = normalizer("flat_events")
FEDEX = CarrierContext("fedex", display_name="FedEx Ground", scac="FDEG")
NORTHLINE = CarrierContext("northline")


def test_track_v1_maps_every_scan_of_every_package() -> None:
    events = track_v1(fixture("track_v1_two_packages.json"), FEDEX)
    r0 = "output.completeTrackResults[0].trackResults[0].scanEvents"
    r1 = "output.completeTrackResults[1].trackResults[0].scanEvents"
    shp = "HP-SHP-2024-310077"
    assert [view(e) for e in events] == [
        (f"{r0}[0]", "delivered", "2024-11-15T09:47:00-05:00", shp, "DL", "AUGUSTA"),
        (f"{r0}[1]", "out_for_delivery", "2024-11-15T06:42:00-05:00", shp, "OD", "AUGUSTA"),
        (f"{r0}[2]", "in_transit", "2024-11-14T22:15:00-05:00", shp, "AR", "AUGUSTA"),
        (f"{r0}[3]", "in_transit", "2024-11-13T18:03:00-06:00", shp, "DP", "MEMPHIS"),
        (f"{r0}[4]", "picked_up", "2024-11-13T16:12:00-05:00", shp, "PU", "CHARLOTTE"),
        (f"{r0}[5]", "booked", "2024-11-12T11:05:31-05:00", shp, "OC", None),
        # no shipper reference on the second package: its tracking number is the key
        (f"{r1}[0]", "exception", "2024-11-15T10:58:00-05:00", "794843185282", "DE", "AUGUSTA"),
    ]
    assert events[3].key == "track:794843185271:DP:2024-11-14T00:03:00Z"


def test_track_v1_milestone_in_full() -> None:
    events = track_v1(fixture("track_v1_two_packages.json"), FEDEX)
    delivered, exception = events[0].milestone, events[-1].milestone
    assert delivered is not None and exception is not None
    assert delivered.model_dump(mode="json", exclude_none=True) == {
        "shipment_id": "HP-SHP-2024-310077",
        "milestone": "delivered",
        "occurred_at": "2024-11-15T09:47:00-05:00",
        "carrier": {
            "role": "carrier",
            "name": "FedEx Ground",
            "x12": {"qualifier": "2", "identifier": "FDEG"},
            "codes": [{"scheme": "crossdock", "value": "fedex"}],
        },
        "tracking_number": "794843185271",
        "location": {"city": "AUGUSTA", "region": "GA", "postal_code": "30906", "country": "US"},
        "estimated_delivery_at": "2024-11-15T18:00:00-05:00",
        "carrier_status_code": "DL",
        "description": "Delivered",
    }
    assert exception.exception_code == "08"
    assert exception.description == "Recipient not in - business closed"
    assert exception.estimated_delivery_at is None


def test_flat_events_keeps_carrier_ids_and_epoch_times() -> None:
    events = flat_events(fixture("flat_events_shipment.json"), NORTHLINE)
    shp = "HP-SHP-2024-310081"
    assert [view(e) for e in events] == [
        (
            "events[0]",
            "out_for_delivery",
            "2024-11-15T11:45:00+00:00",
            shp,
            "OUT_FOR_DELIVERY",
            "Raleigh",
        ),
        ("events[1]", "picked_up", "2024-11-14T15:00:00+00:00", shp, "COLLECTED", "Charlotte"),
        ("events[2]", "in_transit", "2024-11-14T22:00:00+00:00", shp, "HUB_IN", "Greensboro"),
        ("events[3]", "exception", "2024-11-15T03:00:00+00:00", shp, "DELAYED", "Greensboro"),
        ("events[4]", "delivered", "2024-11-15T15:17:00+00:00", shp, "DELIVERED", "Raleigh"),
    ]
    assert [e.key for e in events][:2] == ["event:NXL-EV-77120004", "event:NXL-EV-77120001"]
    delayed = events[3].milestone
    assert delayed is not None
    assert (delayed.exception_code, delayed.description) == ("WX", "Linehaul held by weather")
    assert delayed.event_id == "NXL-EV-77120003" and delayed.tracking_number == "NXL0048812934"
    assert delayed.carrier.name == "Northline Express"
    assert (
        delayed.reported_at is not None
        and delayed.reported_at.isoformat() == "2024-11-15T15:30:00+00:00"
    )
    assert delayed.location is not None and delayed.location.name == "Greensboro hub"


def test_flat_events_without_reference_correlates_by_carrier_shipment_id() -> None:
    payload = fixture("flat_events_shipment.json")
    del payload["reference"]
    assert {e.milestone.shipment_id for e in flat_events(payload, NORTHLINE) if e.milestone} == {
        "NXL0048812934"
    }


@pytest.mark.parametrize(
    ("fmt", "name", "locate", "bad", "path"),
    [
        (
            "track_v1",
            "track_v1_two_packages.json",
            lambda p: p["output"]["completeTrackResults"][0]["trackResults"][0]["scanEvents"][2],
            {"eventType": "ZZ"},
            "output.completeTrackResults[0].trackResults[0].scanEvents[2].eventType",
        ),
        (
            "flat_events",
            "flat_events_shipment.json",
            lambda p: p["events"][2],
            {"code": "TELEPORTED"},
            "events[2].code",
        ),
    ],
)
def test_unknown_codes_are_errors_naming_the_place(
    fmt: str, name: str, locate: Any, bad: dict[str, str], path: str
) -> None:
    payload = fixture(name)
    locate(payload).update(bad)
    events = normalizer(fmt)(payload, CarrierContext(fmt))
    rejected = [e for e in events if e.milestone is None]
    assert len(rejected) == 1 and len(events) > 1
    [issue] = rejected[0].errors
    assert issue.path == path and issue.type == "carrier.unknown_status"
    assert f"{next(iter(bad.values()))!r}" in issue.reason and "known:" in issue.reason


def test_a_known_code_without_milestone_is_rejected_with_its_reason() -> None:
    payload = fixture("flat_events_shipment.json")
    payload["events"][0]["code"] = "INFO"
    [issue] = flat_events(payload, NORTHLINE)[0].errors
    assert issue.type == "carrier.no_milestone" and "free-text notice" in issue.reason


def test_missing_time_and_bad_country_are_event_errors() -> None:
    payload = fixture("flat_events_shipment.json")
    del payload["events"][1]["timestamp"]
    payload["events"][2]["location"]["countryCode"] = "USA"
    events = flat_events(payload, NORTHLINE)
    assert events[1].errors[0].reason == "the event has no time"
    assert events[1].key == "event:NXL-EV-77120001"  # the carrier's id still names it
    [invalid] = events[2].errors
    assert invalid.path == "events[2]" and invalid.reason.startswith("location.country:")


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ([], "no tracking events"),
        ("text", "expected a JSON object"),
        ({"shipmentId": "X", "events": []}, "no tracking events"),
    ],
)
def test_payloads_of_another_shape_raise(payload: object, fragment: str) -> None:
    with pytest.raises(PayloadError, match=fragment):
        flat_events(payload, NORTHLINE)


def test_track_v1_result_with_only_an_error_has_no_events() -> None:
    payload = {"output": {"completeTrackResults": [{"trackResults": [{"error": {"code": "X"}}]}]}}
    with pytest.raises(PayloadError, match="no tracking events"):
        track_v1(payload, FEDEX)


def test_every_format_is_declared_and_every_path_compiles() -> None:
    assert set(FORMATS) == set(SHAPES)
    for shape in SHAPES.values():
        compile_path(shape.groups)
        compile_path(shape.events)
        for specs in shape.fields.values():
            for spec in specs:
                scope, _, path = spec.partition(":")
                assert scope in {"event", "group", "root"}, spec
                compile_path(path)
        assert all(code == code.strip() for code in shape.statuses)
        # every milestone kind is reachable from each carrier's vocabulary
        milestones = {s.milestone for s in shape.statuses.values()}
        assert set(MilestoneCode) <= milestones | set(shape.detail_overrides.values())


def test_paths_select_with_wildcards_indexes_and_filters() -> None:
    doc = {"a": [{"t": "X", "v": [1, 2]}, {"t": "Y", "v": [3]}], "n": None}
    assert list(resolve(doc, "a[*].v[0]")) == [("a[0].v[0]", 1), ("a[1].v[0]", 3)]
    assert list(resolve(doc, "a[t=Y].v[*]")) == [("a[1].v[0]", 3)]
    assert list(resolve(doc, "a[5].v")) == []
    assert first(doc, ("n", "a[0].t")) == ("a[0].t", "X")
    with pytest.raises(PathSyntaxError):
        compile_path("a[x]")


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        ("2024-11-13T16:12:00-05:00", "iso", "2024-11-13T16:12:00-05:00"),
        ("2024-07-31T15:00:00Z", "iso", "2024-07-31T15:00:00+00:00"),
        (1731596400000, "epoch_ms", "2024-11-14T15:00:00+00:00"),
        (1731596400, "epoch_s", "2024-11-14T15:00:00+00:00"),
    ],
)
def test_times(value: object, kind: Any, expected: str) -> None:
    assert parse_time(value, kind).isoformat() == expected


@pytest.mark.parametrize(
    ("value", "kind"), [("2024-11-13 16:12", "iso"), (True, "epoch_ms"), ("1731596400", "epoch_s")]
)
def test_bad_times(value: object, kind: Any) -> None:
    with pytest.raises(ValueError):
        parse_time(value, kind)


def test_the_input_is_not_modified() -> None:
    payload = fixture("track_v1_two_packages.json")
    before = copy.deepcopy(payload)
    track_v1(payload, FEDEX)
    assert payload == before


def test_flat_214_reads_an_ltl_carriers_x12_codes() -> None:
    flat_214 = normalizer("flat_214")
    events = flat_214(
        fixture("flat_214_ltl.json"), CarrierContext("ridgeline", "Ridgeline Freight")
    )
    shp = "HP-SHP-2024-310090"
    assert [view(e) for e in events] == [
        ("events[0]", "in_transit", "2024-11-15T13:20:00-05:00", shp, "X1", "SAVANNAH"),
        ("events[1]", "delivered", "2024-11-15T14:02:00-05:00", shp, "D1", "SAVANNAH"),
    ]
    # seq counts per shipment, so it is no event id: PRO + code + time is the key
    assert events[1].key == "track:RL00000007:D1:2024-11-15T19:02:00Z"
    delivered = events[1].milestone
    assert delivered is not None and delivered.event_id is None
    assert delivered.carrier.name == "Ridgeline Freight"
    assert delivered.carrier.x12 is not None and delivered.carrier.x12.identifier == "RDGL"
    assert delivered.tracking_number == "RL00000007"
    assert delivered.reported_at is not None
    assert delivered.reported_at.isoformat() == "2024-11-15T14:05:12-05:00"


def test_flat_214_agrees_with_the_x12_214_map() -> None:
    from crossdock.mapping.x12.maps.ts214 import MAP_214

    x12 = MAP_214["codes"]["milestone"]
    webhook = SHAPES["flat_214"].statuses
    assert {code: str(s.milestone) for code, s in webhook.items() if code in x12} == x12
