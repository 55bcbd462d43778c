"""Two sandbox carriers that book shipments and report tracking by webhook, each in its own shape.

* **Parcelwave** (:class:`ParcelwaveCarrier`, a parcel carrier API modelled on EasyPost):
  ``POST /v2/shipments`` ``{"reference", "from_address", "to_address", "parcel": {"weight"},
  "service"}`` answers ``{"object": "Shipment", "id": "shp_…", "tracking_code", "tracker":
  {"id": "trk_…"}, "selected_rate"}``; ``GET /v2/shipments/{id}``, ``GET /v2/trackers/{id}``,
  ``GET /v2/shipments/{id}/pod``. Webhooks are EasyPost ``Event`` objects (``tracker.created``,
  then ``tracker.updated`` with ``previous_attributes``) whose ``result`` is the whole Tracker with
  every ``tracking_details`` entry so far; statuses pre_transit → in_transit → out_for_delivery →
  delivered (``signed_by`` set), times in UTC ``Z``.
* **Ridgeline Freight** (:class:`RidgelineCarrier`, an LTL carrier): ``POST /api/bookings``
  ``{"customerRef", "shipper", "consignee", "handlingUnits", "weightLbs", "serviceLevel"}``
  answers ``{"proNumber", "bookingId", "pickupDate"}``; ``GET /api/bookings/{pro}``,
  ``GET /api/bookings/{pro}/pod``. Webhooks are flat: ``{"pro", "customerRef", "scac", "sentAt",
  "events": [{"seq", "code", "desc", "ts", "city", "state"}]}`` with only the new events, X12 214
  status codes (AF, X6, X1, D1) and local times with an offset.

Both dedupe bookings on the shipper's reference (a TMS retrying a timed-out booking gets the same
tracking number), then move each shipment one step every ``step_seconds`` (setting; with
``auto_advance`` false only ``POST /_advance/{tracking}`` ``{"steps": n}`` moves it). The webhook
URL is the ``tracking`` target (default ``<hub>/v1/webhooks/carriers/<carrier>``), signed when
the ``webhook_secret`` setting is set: a webhook outage is the ``outbound_down_for`` fault, a
missing scan ``drop_next``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from abc import ABC, abstractmethod
from typing import Any, ClassVar

import orjson
from starlette.requests import Request
from starlette.responses import Response

from crossdock.sandbox.api import ApiError, Handler, body_of, reply, require
from crossdock.sandbox.common import Service

# (status, status_detail, message, carrier_code, city, state)
_PARCEL_STEPS = [
    ("pre_transit", "label_created", "Shipping label created", "OC", None, None),
    ("in_transit", "received_at_origin_facility", "Picked up", "PU", "ATLANTA", "GA"),
    ("in_transit", "departed_facility", "Departed Parcelwave hub", "DP", "ATLANTA", "GA"),
    ("out_for_delivery", "out_for_delivery", "On vehicle for delivery", "OD", "AUGUSTA", "GA"),
    ("delivered", "arrived_at_destination", "Delivered", "DL", "AUGUSTA", "GA"),
]
# (X12 214 status code, description, city, state)
_LTL_STEPS = [
    ("AF", "Departed pickup location", "ATLANTA", "GA"),
    ("X6", "En route to delivery location", "MACON", "GA"),
    ("X1", "Arrived at delivery location", "SAVANNAH", "GA"),
    ("D1", "Delivered, unloading completed", "SAVANNAH", "GA"),
]


class CarrierService(Service, ABC):
    """What both carriers share: bookings keyed by tracking number, a step clock, POD."""

    steps: ClassVar[int] = 0

    def default_settings(self) -> dict[str, Any]:
        return {"step_seconds": 1.0, "auto_advance": True, "signer": "R. MORALES",
                "webhook_secret": None, "signature_header": "X-Hmac-Signature"}  # fmt: skip

    def send_webhook(self, body: dict[str, Any], *, key: str, correlation: str) -> None:
        """Queue a tracking webhook; with a ``webhook_secret`` it is signed the EasyPost way
        (``hmac-sha256-hex=…`` over the exact bytes sent), so the hub can check its origin."""
        secret = self.settings.get("webhook_secret")
        if not secret:
            self.emit("tracking", body, key=key, correlation=correlation)
            return
        raw = orjson.dumps(body).decode()
        digest = hmac.new(str(secret).encode(), raw.encode(), hashlib.sha256).hexdigest()
        headers = {self.settings["signature_header"]: f"hmac-sha256-hex={digest}"}
        self.emit("tracking", raw, key=key, correlation=correlation, headers=headers)

    def initial_data(self) -> dict[str, Any]:
        return {"seq": 0, "shipments": {}, "by_reference": {}}

    def _book(self, reference: str, record: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        known = self.data["by_reference"].get(reference)
        if known is not None:
            self.stats["duplicates"] += 1
            shipment: dict[str, Any] = self.data["shipments"][known]
            return shipment, False
        self.data["seq"] += 1
        tracking = record["tracking"]
        shipment = {**record, "reference": reference, "step": -1, "events": [],
                    "booked_at": self.iso(), "delivered_at": None, "signed_by": None}  # fmt: skip
        self.data["shipments"][tracking] = shipment
        self.data["by_reference"][reference] = tracking
        self.advance(tracking)
        return shipment, True

    def _shipment(self, tracking: str) -> dict[str, Any]:
        shipment: dict[str, Any] | None = self.data["shipments"].get(tracking)
        if shipment is None:
            raise ApiError(404, f"{tracking} not found")
        return shipment

    def advance(self, tracking: str) -> bool:
        """Move a shipment one step and send its webhook; False when already delivered."""
        shipment = self._shipment(tracking)
        if shipment["step"] + 1 >= self.steps:
            return False
        shipment["step"] += 1
        if shipment["step"] == self.steps - 1:
            shipment["delivered_at"], shipment["signed_by"] = self.iso(), self.settings["signer"]
        self.notify(shipment)
        if self.settings.get("auto_advance") and shipment["step"] + 1 < self.steps:
            self.later(float(self.settings["step_seconds"]), "advance", tracking=tracking)
        return True

    @abstractmethod
    def notify(self, shipment: dict[str, Any]) -> None:
        """Send this carrier's tracking webhook for ``shipment`` in its own payload shape."""

    async def on_action(self, action: str, args: dict[str, Any]) -> None:
        if action != "advance":
            raise ValueError(f"unknown action {action}")
        self.advance(args["tracking"])

    async def advance_handler(self, request: Request) -> Response:
        body = await body_of(request)
        tracking = request.path_params["tracking"]
        moved = sum(self.advance(tracking) for _ in range(int(body.get("steps", 1))))
        return reply({"moved": moved, "step": self._shipment(tracking)["step"]})

    def pod(self, tracking: str) -> dict[str, Any]:
        shipment = self._shipment(tracking)
        if shipment["delivered_at"] is None:
            raise ApiError(404, f"{tracking} is not delivered yet")
        return shipment


class ParcelwaveCarrier(CarrierService):
    """A parcel carrier with an EasyPost-shaped API and ``tracker.updated`` webhooks."""

    name = "parcelwave"
    default_targets: ClassVar[dict[str, str]] = {"tracking": "/v1/webhooks/carriers/parcelwave"}
    steps = len(_PARCEL_STEPS)

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [
            ("POST", "/v2/shipments", self.create),
            ("GET", "/v2/shipments/{id}", self.get_shipment),
            ("GET", "/v2/trackers/{id}", self.get_tracker),
            ("GET", "/v2/shipments/{id}/pod", self.get_pod),
            ("POST", "/_advance/{tracking}", self.advance_handler),
        ]

    def _by_id(self, field: str, value: str) -> dict[str, Any]:
        for shipment in self.data["shipments"].values():
            if shipment[field] == value:
                found: dict[str, Any] = shipment
                return found
        raise ApiError(404, f"{value} not found")

    async def create(self, request: Request) -> Response:
        body = await body_of(request)
        require(body, "reference", "to_address", "parcel")
        if not isinstance(body["parcel"], dict):
            raise ApiError(422, "invalid parcel", ["parcel: an object with a weight in ounces"])
        suffix = secrets.token_hex(6)
        record = {"id": f"shp_{suffix}", "tracker_id": f"trk_{suffix}",
                  "tracking": f"PW{self.data['seq'] + 1:010d}", "service": body.get("service", "Ground"),
                  "weight": float(body["parcel"].get("weight", 16.0)),
                  "to_address": body["to_address"]}  # fmt: skip
        shipment, new = self._book(str(body["reference"]), record)
        return reply(self._shipment_view(shipment), 201 if new else 200)

    def _shipment_view(self, s: dict[str, Any]) -> dict[str, Any]:
        return {"object": "Shipment", "id": s["id"], "reference": s["reference"],
                "tracking_code": s["tracking"], "status": _PARCEL_STEPS[s["step"]][0],
                "tracker": {"object": "Tracker", "id": s["tracker_id"]},
                "selected_rate": {"carrier": "Parcelwave", "service": s["service"],
                                  "rate": "14.85", "currency": "USD"}}  # fmt: skip

    async def get_shipment(self, request: Request) -> Response:
        return reply(self._shipment_view(self._by_id("id", request.path_params["id"])))

    async def get_tracker(self, request: Request) -> Response:
        return reply(self._tracker(self._by_id("tracker_id", request.path_params["id"])))

    async def get_pod(self, request: Request) -> Response:
        s = self.pod(self._by_id("id", request.path_params["id"])["tracking"])
        return reply({"object": "ProofOfDelivery", "tracking_code": s["tracking"],
                      "signed_by": s["signed_by"], "delivered_at": s["delivered_at"],
                      "signature_url": f"https://pod.parcelwave.example/{s['id']}.png"})  # fmt: skip

    def _tracker(self, s: dict[str, Any]) -> dict[str, Any]:
        status, detail = _PARCEL_STEPS[s["step"]][:2]
        return {
            "id": s["tracker_id"], "object": "Tracker", "mode": "production",
            "tracking_code": s["tracking"], "status": status, "status_detail": detail,
            "created_at": s["booked_at"], "updated_at": s["events"][-1]["datetime"],
            "signed_by": s["signed_by"], "weight": s["weight"], "est_delivery_date": None,
            "shipment_id": s["id"], "carrier": "Parcelwave", "tracking_details": s["events"],
            "carrier_detail": {"object": "CarrierDetail", "service": s["service"]},
            "finalized": status == "delivered", "is_return": False,
            "public_url": f"https://track.parcelwave.example/{s['tracking']}",
        }  # fmt: skip

    def notify(self, shipment: dict[str, Any]) -> None:
        step = shipment["step"]
        status, detail, message, code, city, state = _PARCEL_STEPS[step]
        shipment["events"].append({
            "object": "TrackingDetail", "message": message, "description": message,
            "status": status, "status_detail": detail, "datetime": self.iso(),
            "source": "Parcelwave", "carrier_code": code,
            "tracking_location": {"object": "TrackingLocation", "city": city, "state": state,
                                  "country": "US", "zip": None},
        })  # fmt: skip
        event_id = f"evt_{shipment['tracker_id'][4:]}{step:02d}"
        previous = {"status": _PARCEL_STEPS[step - 1][0]} if step else {}
        event = {
            "object": "Event", "id": event_id, "mode": "production",
            "description": "tracker.updated" if step else "tracker.created",
            "previous_attributes": previous, "created_at": self.iso(), "updated_at": self.iso(),
            "pending_urls": [self.target_url("tracking")], "completed_urls": [],
            "user_id": "user_sandbox", "status": "pending", "result": self._tracker(shipment),
        }  # fmt: skip
        self.send_webhook(event, key=event_id, correlation=shipment["reference"])


class RidgelineCarrier(CarrierService):
    """An LTL carrier with PRO numbers and flat, code-based status webhooks."""

    name = "ridgeline"
    default_targets: ClassVar[dict[str, str]] = {"tracking": "/v1/webhooks/carriers/ridgeline"}
    steps = len(_LTL_STEPS)

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [
            ("POST", "/api/bookings", self.create),
            ("GET", "/api/bookings/{pro}", self.get_booking),
            ("GET", "/api/bookings/{pro}/pod", self.get_pod),
            ("POST", "/_advance/{tracking}", self.advance_handler),
        ]

    async def create(self, request: Request) -> Response:
        body = await body_of(request)
        require(body, "customerRef", "consignee")
        record = {"tracking": f"RL{self.data['seq'] + 1:08d}", "booking_id": f"BK-{secrets.token_hex(4)}",
                  "units": int(body.get("handlingUnits", 1)), "consignee": body["consignee"]}  # fmt: skip
        shipment, new = self._book(str(body["customerRef"]), record)
        return reply(self._booking(shipment), 201 if new else 200)

    def _booking(self, s: dict[str, Any]) -> dict[str, Any]:
        return {"proNumber": s["tracking"], "bookingId": s["booking_id"],
                "customerRef": s["reference"], "pickupDate": s["booked_at"][:10],
                "lastStatus": s["events"][-1]["code"] if s["events"] else None}  # fmt: skip

    async def get_booking(self, request: Request) -> Response:
        return reply(self._booking(self._shipment(request.path_params["pro"])))

    async def get_pod(self, request: Request) -> Response:
        s = self.pod(request.path_params["pro"])
        return reply({"pro": s["tracking"], "signedBy": s["signed_by"],
                      "deliveredAt": self._local(s["delivered_at"]), "pieces": s["units"],
                      "condition": "GOOD"})  # fmt: skip

    @staticmethod
    def _local(iso_z: str) -> str:
        """Ridgeline reports Eastern time with an offset (fixed -05:00 here) instead of UTC."""
        from datetime import datetime, timedelta, timezone

        moment = datetime.fromisoformat(iso_z.replace("Z", "+00:00"))
        return moment.astimezone(timezone(timedelta(hours=-5))).isoformat(timespec="seconds")

    def notify(self, shipment: dict[str, Any]) -> None:
        step = shipment["step"]
        code, desc, city, state = _LTL_STEPS[step]
        event: dict[str, Any] = {"seq": step + 1, "code": code, "desc": desc,
                                 "ts": self._local(self.iso()), "city": city, "state": state}  # fmt: skip
        if code == "D1":
            event["signedBy"] = shipment["signed_by"]
        shipment["events"].append(event)
        body = {"pro": shipment["tracking"], "customerRef": shipment["reference"], "scac": "RDGL",
                "sentAt": self._local(self.iso()), "events": [event]}  # fmt: skip
        key = f"rdgl-{shipment['tracking']}-{step + 1}"
        self.send_webhook(body, key=key, correlation=shipment["reference"])
