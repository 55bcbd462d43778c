"""The sandbox TMS and the two carriers over real loopback HTTP: carrier choice, booking through
the carrier's own API, two differently shaped tracking webhooks, proof of delivery."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from crossdock.sandbox.carriers import ParcelwaveCarrier, RidgelineCarrier
from crossdock.sandbox.tms import TmsService
from tests.conftest import CORPUS
from tests.integration.sandbox_helpers import FAST, Recorder, recording_hub, serve, wait_for

EASYPOST_SAMPLE = CORPUS / "carriers" / "easypost_event-body_tracker.updated.json"
SLOW_STEPS = {"step_seconds": 3600.0}


@pytest.fixture(scope="module")
def hub() -> Iterator[tuple[Recorder, str]]:
    with recording_hub() as running:
        yield running


@pytest.fixture(scope="module")
def urls(hub: tuple[Recorder, str]) -> Iterator[dict[str, str]]:
    parcel = ParcelwaveCarrier(hub_url=hub[1], retry=FAST, settings=SLOW_STEPS)
    ltl = RidgelineCarrier(hub_url=hub[1], retry=FAST, settings=SLOW_STEPS)
    with serve(parcel) as parcel_url, serve(ltl) as ltl_url:
        carriers = {
            "PWVE": {"name": "parcelwave", "url": parcel_url, "kind": "parcel"},
            "RDGL": {"name": "ridgeline", "url": ltl_url, "kind": "ltl"},
        }
        settings = {"carriers": carriers, "booking_retry_seconds": 0.05}
        with serve(TmsService(hub_url=hub[1], retry=FAST, settings=settings)) as tms_url:
            yield {"tms": tms_url, "parcelwave": parcel_url, "ridgeline": ltl_url}


@pytest.fixture
def clients(urls: dict[str, str], hub: tuple[Recorder, str]) -> Iterator[dict[str, httpx.Client]]:
    hub[0].heal()
    opened = {name: httpx.Client(base_url=url, timeout=5.0) for name, url in urls.items()}
    for client in opened.values():
        client.post("/_reset").raise_for_status()
        hub[0].settle_and_clear()
    yield opened
    for client in opened.values():
        client.close()


def plan(ref: str, weight: float, **more: Any) -> dict[str, Any]:
    return {
        "shipmentRef": ref,
        "orderRefs": ["SO-1"],
        "originSite": "DC-ATL",
        "destination": {"name": "Acme", "city": "Augusta", "state": "GA", "postalCode": "30906"},
        "pieces": 2,
        "weightKg": weight,
        **more,
    }


def booked(clients: dict[str, httpx.Client], ref: str) -> dict[str, Any]:
    tms = clients["tms"]
    return wait_for(
        lambda: (s := tms.get(f"/tms/api/shipments/{ref}").json())["status"] == "BOOKED" and s
    )  # type: ignore[no-any-return]


def test_tms_books_light_freight_with_parcelwave_and_heavy_with_ridgeline(
    clients: dict[str, httpx.Client], hub: tuple[Recorder, str]
) -> None:
    tms = clients["tms"]
    assert tms.post("/tms/api/shipments", json=plan("SH-1", 5.0)).json()["carrier"] == "PWVE"
    assert tms.post("/tms/api/shipments", json=plan("SH-2", 400.0)).json()["carrier"] == "RDGL"
    assert tms.post("/tms/api/shipments", json=plan("SH-1", 5.0)).json()["duplicate"] is True
    assert (
        tms.post("/tms/api/shipments", json=plan("SH-3", 1, carrierPreference="XXX")).status_code
        == 422
    )
    assert booked(clients, "SH-1")["trackingNumber"].startswith("PW")
    assert booked(clients, "SH-2")["trackingNumber"].startswith("RL")
    events = wait_for(
        lambda: (
            len(hub[0].on("/v1/messages/shipment")) == 2 and hub[0].bodies("/v1/messages/shipment")
        )
    )
    assert {(e["shipmentRef"], e["carrierScac"]) for e in events} == {
        ("SH-1", "PWVE"),
        ("SH-2", "RDGL"),
    }
    assert all(e["eventType"] == "SHIPMENT_BOOKED" for e in events)
    parcel = clients["parcelwave"].get("/_state").json()["state"]["shipments"]
    assert [s["reference"] for s in parcel.values()] == ["SH-1"]


def test_booking_waits_for_a_carrier_that_is_down(clients: dict[str, httpx.Client]) -> None:
    clients["ridgeline"].post("/_faults", json={"down_for": 0.3}).raise_for_status()
    clients["tms"].post("/tms/api/shipments", json=plan("SH-9", 500.0)).raise_for_status()
    pending = wait_for(
        lambda: (
            (s := clients["tms"].get("/tms/api/shipments/SH-9").json())["status"]
            == "PENDING_CARRIER"
            and s
        )
    )
    assert "503" in pending["lastError"]
    assert booked(clients, "SH-9")["trackingNumber"].startswith("RL")
    assert clients["ridgeline"].get("/_state").json()["stats"]["refused_down"] >= 1


def test_parcelwave_webhooks_are_easypost_tracker_events(
    clients: dict[str, httpx.Client], hub: tuple[Recorder, str]
) -> None:
    clients["tms"].post("/tms/api/shipments", json=plan("SH-4", 2.0)).raise_for_status()
    tracking = booked(clients, "SH-4")["trackingNumber"]
    clients["parcelwave"].post(f"/_advance/{tracking}", json={"steps": 10}).raise_for_status()
    hooks = wait_for(
        lambda: (
            len(hub[0].on("/v1/webhooks/carriers/parcelwave")) == 5
            and hub[0].on("/v1/webhooks/carriers/parcelwave")
        )
    )
    events = [h.body for h in hooks]
    assert [e["description"] for e in events] == ["tracker.created"] + ["tracker.updated"] * 4
    assert [e["result"]["status"] for e in events] == [
        "pre_transit", "in_transit", "in_transit", "out_for_delivery", "delivered",
    ]  # fmt: skip
    last = events[-1]
    assert last["previous_attributes"] == {"status": "out_for_delivery"}
    assert last["result"]["signed_by"] and len(last["result"]["tracking_details"]) == 5
    assert last["result"]["tracking_details"][-1]["datetime"].endswith("Z")
    assert len({h.headers["idempotency-key"] for h in hooks}) == 5
    if EASYPOST_SAMPLE.exists():  # the same keys as the real EasyPost event, at every level
        real = json.loads(EASYPOST_SAMPLE.read_text())
        assert set(real) <= set(last)
        assert set(real["result"]) - set(last["result"]) == set()
        real_detail = real["result"]["tracking_details"][0]
        assert set(real_detail) == set(last["result"]["tracking_details"][0])
    shipment_id = (
        clients["parcelwave"].get(f"/v2/trackers/{last['result']['id']}").json()["shipment_id"]
    )
    pod = clients["parcelwave"].get(f"/v2/shipments/{shipment_id}/pod").json()
    assert pod["signed_by"] == last["result"]["signed_by"]


def test_ridgeline_webhooks_are_flat_code_lists(
    clients: dict[str, httpx.Client], hub: tuple[Recorder, str]
) -> None:
    clients["tms"].post("/tms/api/shipments", json=plan("SH-5", 300.0)).raise_for_status()
    pro = booked(clients, "SH-5")["trackingNumber"]
    ridgeline = clients["ridgeline"]
    assert ridgeline.get(f"/api/bookings/{pro}/pod").status_code == 404
    ridgeline.post(f"/_advance/{pro}", json={"steps": 3}).raise_for_status()
    hooks = wait_for(
        lambda: (
            len(hub[0].on("/v1/webhooks/carriers/ridgeline")) == 4
            and hub[0].bodies("/v1/webhooks/carriers/ridgeline")
        )
    )
    assert [h["events"][0]["code"] for h in hooks] == ["AF", "X6", "X1", "D1"]
    assert all(
        len(h["events"]) == 1 and h["pro"] == pro and h["customerRef"] == "SH-5" for h in hooks
    )
    assert hooks[0]["events"][0]["ts"].endswith("-05:00")
    assert "result" not in hooks[0] and "object" not in hooks[0]
    pod = ridgeline.get(f"/api/bookings/{pro}/pod").json()
    assert pod["signedBy"] == hooks[-1]["events"][0]["signedBy"]
    assert ridgeline.get(f"/api/bookings/{pro}").json()["lastStatus"] == "D1"


def test_carriers_advance_on_their_own_clock(clients: dict[str, httpx.Client]) -> None:
    parcel = clients["parcelwave"]
    body = {"reference": "R-1", "to_address": {"city": "X"}, "parcel": {"weight": 10}}
    shipment = parcel.post("/v2/shipments", json=body).json()
    assert parcel.post("/v2/shipments", json=body).json()["id"] == shipment["id"]  # deduped
    assert parcel.post("/_clock", json={"advance": 3600 * 5}).json()["ran"] >= 1
    wait_for(lambda: parcel.get(f"/v2/shipments/{shipment['id']}").json()["status"] == "delivered")


def test_tms_status_never_goes_backwards(clients: dict[str, httpx.Client]) -> None:
    tms = clients["tms"]
    tms.post("/tms/api/shipments", json=plan("SH-6", 2.0)).raise_for_status()
    booked(clients, "SH-6")
    url = "/tms/api/shipments/SH-6/status"
    delivered = {
        "eventId": "e3",
        "statusCode": "DELIVERED",
        "eventTime": "2026-12-02T10:00:00Z",
        "signedBy": "KIM",
    }
    assert tms.post(url, json=delivered).json()["status"] == "DELIVERED"
    late = {"eventId": "e2", "statusCode": "IN_TRANSIT", "eventTime": "2026-12-01T10:00:00Z"}
    assert tms.post(url, json=late).json()["status"] == "DELIVERED"
    assert tms.post(url, json=delivered).json()["duplicate"] is True
    assert tms.post(url, json={"statusCode": "LOST", "eventTime": "x"}).status_code == 422
    shipment = tms.get("/tms/api/shipments/SH-6").json()
    assert (shipment["deliveredAt"], shipment["signedBy"], len(shipment["events"])) == (
        "2026-12-02T10:00:00Z", "KIM", 2,
    )  # fmt: skip
    assert tms.post("/tms/api/shipments/SH-6/assign", json={"carrier": "RDGL"}).status_code == 409


def test_signed_webhooks_verify_with_the_hubs_check(
    clients: dict[str, httpx.Client], hub: tuple[Recorder, str]
) -> None:
    from crossdock.hub.webhooks import SignatureCheck

    ridgeline = clients["ridgeline"]
    settings = {"webhook_secret": "s3cret", "auto_advance": False}
    ridgeline.post("/_config", json={"settings": settings}).raise_for_status()
    try:
        body = {"customerRef": "SH-S", "consignee": {"name": "Acme"}}
        pro = ridgeline.post("/api/bookings", json=body).json()["proNumber"]
        (hook,) = wait_for(lambda: hub[0].on("/v1/webhooks/carriers/ridgeline"))
        raw = hook.raw
        check = SignatureCheck(header="X-Hmac-Signature", secret=b"s3cret")
        assert check.verify(hook.headers, raw)
        assert not SignatureCheck(header="X-Hmac-Signature", secret=b"other").verify(
            hook.headers, raw
        )
        assert hook.body["pro"] == pro
    finally:
        ridgeline.post(
            "/_config", json={"settings": {"webhook_secret": None, "auto_advance": True}}
        )
