"""Carriers' POD API responses -> canonical proofs of delivery, and the milestone field the
Parcelwave (EasyPost-shaped) POD URL needs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from crossdock.mapping.carriers import CarrierContext, PayloadError, normalizer
from crossdock.mapping.carriers.pod import PodContext, map_pod, pod_format_for

CARRIER = {
    "role": "carrier",
    "name": "Parcelwave",
    "codes": [{"scheme": "crossdock", "value": "pw"}],
}
EASYPOST = {"object": "ProofOfDelivery", "tracking_code": "PW0000000001", "signed_by": "R. MORALES",
            "delivered_at": "2024-11-15T14:47:00Z",
            "signature_url": "https://pod.parcelwave.example/shp_1.png"}  # fmt: skip
RIDGELINE = {"pro": "RL00000001", "signedBy": "R. MORALES", "deliveredAt": "2024-11-15T09:47:00-05:00",
             "pieces": 3, "condition": "GOOD"}  # fmt: skip


def reasons(exc: pytest.ExceptionInfo[PayloadError]) -> list[tuple[str, str]]:
    return [(i.path, i.reason) for i in exc.value.issues]


def test_an_easypost_pod_keeps_the_milestone_shipment_and_carrier() -> None:
    pod = map_pod("easypost", EASYPOST, PodContext("PW0000000001", CARRIER, "PW0000000001"))
    assert pod.model_dump(mode="json", exclude_none=True) == {
        "shipment_id": "PW0000000001",
        "delivered_at": "2024-11-15T14:47:00Z",
        "carrier": CARRIER,
        "signed_by": "R. MORALES",
        "tracking_number": "PW0000000001",
        "document_url": "https://pod.parcelwave.example/shp_1.png",
        "remarks": [],
    }
    assert pod.correlation_key() == "PW0000000001"


def test_a_flat_214_pod_keeps_local_time_pieces_and_condition() -> None:
    pod = map_pod("flat_214", RIDGELINE, PodContext("TMS-SHP-9", CARRIER, "RL00000001"))
    assert pod.shipment_id == "TMS-SHP-9" and pod.tracking_number == "RL00000001"
    assert pod.delivered_at == datetime(2024, 11, 15, 14, 47, tzinfo=UTC)
    assert pod.delivered_at.utcoffset() is not None and pod.delivered_at.isoformat().endswith(
        "-05:00"
    )
    assert (pod.packages_delivered, pod.remarks, pod.signed_by) == (
        3,
        ["condition: GOOD"],
        "R. MORALES",
    )


def test_the_tracking_number_comes_from_the_milestone_when_the_pod_has_none() -> None:
    body = {k: v for k, v in RIDGELINE.items() if k != "pro"}
    pod = map_pod("flat_214", body, PodContext("S-1", CARRIER, "RL00000001"))
    assert pod.tracking_number == "RL00000001"


@pytest.mark.parametrize(
    ("fmt", "body", "expected"),
    [
        ("easypost", {**EASYPOST, "object": "Tracker"},
         [("object", "expected ProofOfDelivery, got 'Tracker'")]),
        ("easypost", {**EASYPOST, "tracking_code": "PW9"},
         [("tracking_code", "the POD is for 'PW9', not 'PW0000000001'")]),
        ("easypost", {k: v for k, v in EASYPOST.items() if k != "delivered_at"},
         [("delivered_at", "missing: the POD has no delivery time")]),
        ("flat_214", {**RIDGELINE, "pro": "RL00000001", "deliveredAt": "2024-11-15T09:47:00"},
         [("deliveredAt", "time '2024-11-15T09:47:00' has no UTC offset; its zone cannot be guessed")]),
        ("flat_214", {**RIDGELINE, "pro": "RL00000001", "pieces": "three"},
         [("pieces", "expected a count of pieces, got 'three'")]),
        ("flat_214", ["not", "an", "object"], [("$", "expected a JSON object for flat_214 PODs")]),
    ],
)  # fmt: skip
def test_bad_responses_name_every_problem(
    fmt: str, body: Any, expected: list[tuple[str, str]]
) -> None:
    tracking = "PW0000000001" if fmt == "easypost" else "RL00000001"
    with pytest.raises(PayloadError) as info:
        map_pod(fmt, body, PodContext("S-1", CARRIER, tracking))
    assert reasons(info) == expected


def test_the_pod_shape_defaults_to_the_webhook_format() -> None:
    assert pod_format_for("easypost") == "easypost"
    assert pod_format_for("flat_214") == "flat_214"
    assert pod_format_for("track_v1") is None
    assert pod_format_for("track_v1", "flat_214") == "flat_214"


def test_an_easypost_milestone_keeps_the_shipment_id_the_pod_url_needs() -> None:
    tracker = {"object": "Tracker", "id": "trk_1", "tracking_code": "PW0000000001",
               "shipment_id": "shp_abc", "carrier": "Parcelwave", "status": "delivered",
               "tracking_details": [{"status": "delivered", "datetime": "2024-11-15T14:47:00Z",
                                     "message": "Delivered"}]}  # fmt: skip
    event = {"object": "Event", "description": "tracker.updated", "result": tracker}
    [normalized] = normalizer("easypost")(event, CarrierContext("parcelwave"))
    assert normalized.milestone is not None
    assert normalized.milestone.carrier_reference == "shp_abc"
    assert normalized.milestone.shipment_id == "PW0000000001"
