"""A sandbox TMS (transportation management), in the PascalCase-status vocabulary of a TMS API.

It plans shipments, picks a carrier by a simple rule (the requested carrier, else Ridgeline LTL
above 68 kg and Parcelwave below), books them with that carrier over the carrier's own HTTP API,
and tells the hub ``SHIPMENT_BOOKED`` with the tracking number. Carrier milestones come back to
it from the hub (the hub maps each carrier's webhook), so at the end of a scenario the TMS knows
which shipments were delivered. When the carrier cannot be reached the shipment waits in
``PENDING_CARRIER`` and the booking is retried, as a real TMS does.

Business API:

* ``POST /tms/api/shipments`` ``{"shipmentRef", "orderRefs": [...], "originSite",
  "destination": {"name", "street", "city", "state", "postalCode", "country"}, "pieces",
  "weightKg", "serviceLevel", "carrierPreference"?: "PWVE"|"RDGL"}``;
  ``GET /tms/api/shipments[/{ref}]``
* ``POST /tms/api/shipments/{ref}/assign`` ``{"carrier": "RDGL"}``: (re)book with that carrier
* ``POST /tms/api/shipments/{ref}/status`` ``{"eventId", "statusCode": "IN_TRANSIT"|
  "OUT_FOR_DELIVERY"|"DELIVERED"|"EXCEPTION", "eventTime", "location"?, "signedBy"?}``; a late
  event never moves a shipment back (a scan after delivery is recorded, the status stays)

Settings: ``carriers`` ``{scac: {"name", "url", "kind": "parcel"|"ltl"}}`` (the landscape fills
the URLs), ``booking_retry_seconds``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import httpx
from starlette.requests import Request
from starlette.responses import Response

from crossdock.sandbox.api import ApiError, Handler, body_of, reply, require
from crossdock.sandbox.common import Service, count_by

_RANK = {"PLANNED": 0, "PENDING_CARRIER": 1, "BOOKED": 2, "IN_TRANSIT": 3, "EXCEPTION": 3,
         "OUT_FOR_DELIVERY": 4, "DELIVERED": 5}  # fmt: skip
_LTL_ABOVE_KG = 68.0


class TmsService(Service):
    """The TMS: shipment planning, carrier assignment and booking, status tracking."""

    name = "tms"
    default_targets: ClassVar[dict[str, str]] = {"shipment.booked": "/v1/messages/shipment"}

    def default_settings(self) -> dict[str, Any]:
        return {
            "carriers": {
                "PWVE": {"name": "parcelwave", "url": "http://127.0.0.1:9203", "kind": "parcel"},
                "RDGL": {"name": "ridgeline", "url": "http://127.0.0.1:9204", "kind": "ltl"},
            },
            "booking_retry_seconds": 1.0,
        }

    def initial_data(self) -> dict[str, Any]:
        return {"shipments": {}}

    def progress(self) -> dict[str, Any]:
        return {"shipments": count_by(self.data["shipments"].values(), "status")}

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [
            ("POST", "/tms/api/shipments", self.plan),
            ("GET", "/tms/api/shipments", self.list_shipments),
            ("GET", "/tms/api/shipments/{ref}", self.get_shipment),
            ("POST", "/tms/api/shipments/{ref}/assign", self.assign),
            ("POST", "/tms/api/shipments/{ref}/status", self.status),
        ]

    def _get(self, ref: str) -> dict[str, Any]:
        shipment: dict[str, Any] | None = self.data["shipments"].get(ref)
        if shipment is None:
            raise ApiError(404, f"shipment {ref} not found")
        return shipment

    async def plan(self, request: Request) -> Response:
        body = await body_of(request)
        require(body, "shipmentRef", "originSite", "destination")
        preference = body.get("carrierPreference")
        carriers = self.settings["carriers"]
        if preference is not None and preference not in carriers:
            raise ApiError(422, f"unknown carrier {preference}", [f"known: {sorted(carriers)}"])
        weight = float(body.get("weightKg") or 1.0)
        carrier = preference or ("RDGL" if weight > _LTL_ABOVE_KG else "PWVE")
        shipment = {**body, "weightKg": weight, "carrier": carrier, "status": "PLANNED",
                    "trackingNumber": None, "bookings": 0, "lastError": None, "events": [],
                    "deliveredAt": None}  # fmt: skip
        if not self.remember("shipments", body["shipmentRef"], body, shipment):
            known = self._get(body["shipmentRef"])
            return reply({"shipmentRef": known["shipmentRef"], "status": known["status"],
                          "duplicate": True})  # fmt: skip
        self.later(0, "book", ref=body["shipmentRef"])
        return reply(
            {"shipmentRef": body["shipmentRef"], "status": "PLANNED", "carrier": carrier}, 201
        )

    async def list_shipments(self, _: Request) -> Response:
        return reply(list(self.data["shipments"].values()))

    async def get_shipment(self, request: Request) -> Response:
        return reply(self._get(request.path_params["ref"]))

    async def assign(self, request: Request) -> Response:
        shipment = self._get(request.path_params["ref"])
        carrier = (await body_of(request)).get("carrier")
        if carrier not in self.settings["carriers"]:
            raise ApiError(422, f"unknown carrier {carrier}")
        if _RANK[shipment["status"]] > _RANK["BOOKED"]:
            raise ApiError(409, f"{shipment['shipmentRef']} is already {shipment['status']}")
        shipment.update(carrier=carrier, status="PLANNED", trackingNumber=None)
        self.later(0, "book", ref=shipment["shipmentRef"])
        return reply({"shipmentRef": shipment["shipmentRef"], "carrier": carrier})

    async def status(self, request: Request) -> Response:
        shipment = self._get(request.path_params["ref"])
        body = await body_of(request)
        require(body, "statusCode", "eventTime")
        code = body["statusCode"]
        if code not in _RANK:
            raise ApiError(422, f"unknown statusCode {code}", [f"known: {sorted(_RANK)}"])
        event_id = body.get("eventId") or f"{code}@{body['eventTime']}"
        if any(e["eventId"] == event_id for e in shipment["events"]):
            self.stats["duplicates"] += 1
            return reply({"shipmentRef": shipment["shipmentRef"], "status": shipment["status"],
                          "duplicate": True})  # fmt: skip
        shipment["events"].append({**body, "eventId": event_id, "receivedAt": self.iso()})
        if _RANK[code] > _RANK[shipment["status"]] or (
            code == "EXCEPTION" and shipment["status"] != "DELIVERED"
        ):
            shipment["status"] = code
        if code == "DELIVERED":
            shipment["deliveredAt"] = body["eventTime"]
            shipment["signedBy"] = body.get("signedBy")
        return reply({"shipmentRef": shipment["shipmentRef"], "status": shipment["status"]})

    async def on_action(self, action: str, args: dict[str, Any]) -> None:
        if action != "book":
            raise ValueError(f"unknown action {action}")
        await self.book(args["ref"])

    async def book(self, ref: str) -> None:
        """Book with the assigned carrier; on failure wait in PENDING_CARRIER and retry."""
        shipment = self._get(ref)
        if shipment["status"] not in ("PLANNED", "PENDING_CARRIER"):
            return
        scac = shipment["carrier"]
        carrier = self.settings["carriers"][scac]
        assert self.http is not None
        try:
            tracking = await self._call_carrier(self.http, carrier, shipment)
        except (httpx.HTTPError, KeyError, ValueError) as exc:
            shipment["status"], shipment["lastError"] = "PENDING_CARRIER", f"{scac}: {exc!r}"
            self.later(float(self.settings["booking_retry_seconds"]), "book", ref=ref)
            return
        shipment.update(status="BOOKED", trackingNumber=tracking, lastError=None)
        shipment["bookings"] += 1
        event = {"eventType": "SHIPMENT_BOOKED", "shipmentRef": ref,
                 "orderRefs": shipment.get("orderRefs", []), "carrierScac": scac,
                 "carrierName": carrier["name"], "trackingNumber": tracking,
                 "serviceLevel": shipment.get("serviceLevel"), "bookedAt": self.iso(),
                 "originSite": shipment["originSite"], "destination": shipment["destination"],
                 "pieces": shipment.get("pieces"), "weightKg": shipment["weightKg"]}  # fmt: skip
        key = f"tms-{ref}-booked-{shipment['bookings']}"
        self.emit("shipment.booked", event, key=key, correlation=ref)

    async def _call_carrier(
        self, http: httpx.AsyncClient, carrier: dict[str, Any], shipment: dict[str, Any]
    ) -> str:
        """The carrier's own booking call; returns its tracking (PRO) number."""
        dest, ref = shipment["destination"], shipment["shipmentRef"]
        if carrier["kind"] == "parcel":
            payload = {"reference": ref, "service": shipment.get("serviceLevel") or "Ground",
                       "from_address": {"company": shipment["originSite"]},
                       "to_address": {"name": dest.get("name"), "street1": dest.get("street"),
                                      "city": dest.get("city"), "state": dest.get("state"),
                                      "zip": dest.get("postalCode"), "country": dest.get("country")},
                       "parcel": {"weight": round(shipment["weightKg"] * 35.274, 1)}}  # fmt: skip
            response = await http.post(f"{carrier['url']}/v2/shipments", json=payload)
            response.raise_for_status()
            return str(response.json()["tracking_code"])
        payload = {"customerRef": ref, "shipper": {"name": shipment["originSite"]},
                   "consignee": dest, "handlingUnits": shipment.get("pieces") or 1,
                   "weightLbs": round(shipment["weightKg"] * 2.2046, 1),
                   "serviceLevel": shipment.get("serviceLevel") or "STANDARD"}  # fmt: skip
        response = await http.post(f"{carrier['url']}/api/bookings", json=payload)
        response.raise_for_status()
        return str(response.json()["proNumber"])
