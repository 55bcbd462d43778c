"""The sandbox TMS (``crossdock.sandbox.tms``) <-> canonical.

Inbound: ``SHIPMENT_BOOKED`` -> ``shipment`` with the carrier, its SCAC and tracking number
(for the LTL carrier the tracking number is the PRO number). The mode follows the carrier the
TMS chose (Parcelwave parcel, Ridgeline LTL), else the configured default.

Outbound request bodies: a shipment to plan and book (from a ``shipment``, typically the WMS
ship confirm), and a status update (``POST /tms/api/shipments/{ref}/status``, so the endpoint
URL uses ``{correlation_key}``) from a ``shipment_milestone`` (keyed by shipment id) or, when
the flows emit them, a ``shipment_status`` (keyed by order number, which is the shipment id of a
WMS-confirmed shipment).
"""

from __future__ import annotations

from crossdock.mapping.systems.common import address, sandbox_address
from crossdock.mapping.systems.model import SystemMap

BOOKED = SystemMap(
    "sandbox_tms.shipment_booked",
    {
        "shipment_id": "@shipmentRef",
        "created_at": {
            "$from": {"$first": ["@bookedAt", {"$ctx": "received_at"}]},
            "$as": "datetime",
        },
        "carrier": {"role": "carrier", "name": {"$first": ["@carrierName", "@carrierScac"]}},
        "carrier_scac": "@carrierScac",
        "mode": {
            "$from": "@carrierScac",
            "$table": {"PWVE": "parcel", "RDGL": "ltl"},
            "$else": {"$ctx": "mode"},
        },
        "service_level": "@serviceLevel",
        "tracking_number": "@trackingNumber",
        "pro_number": {
            "$from": "@carrierScac",
            "$table": {"RDGL": "@trackingNumber"},
            "$else": None,
        },
        "ship_from": {
            "role": "ship_from",
            "name": "@originSite",
            "codes": [{"scheme": "crossdock:site", "value": "@originSite"}],
        },
        "ship_to": {
            "role": "ship_to",
            "name": {"$first": ["@destination.name", "@shipmentRef"]},
            "address": address("@destination"),
        },
        "order_numbers": {"$first": ["@orderRefs", []]},
        "total_weight": {
            "$if": "@weightKg",
            "value": {"$from": "@weightKg", "$as": "decimal"},
            "unit": "KGM",
        },
        "packages": [{"tracking_number": "@trackingNumber"}],
    },
    document_type="shipment",
    key={"$format": "{shipmentRef}-booked-{trackingNumber}"},
)

SHIPMENT = SystemMap(
    "sandbox_tms.shipment",
    {
        "shipmentRef": "@shipment_id",
        "orderRefs": {"$first": ["@order_numbers", []]},
        "originSite": {"$first": ["@ship_from.codes[0].value", "@ship_from.name"]},
        "destination": sandbox_address("@ship_to"),
        "pieces": {"$count": "@packages"},
        "weightKg": {"$from": "@total_weight", "$as": "kg"},
        "serviceLevel": "@service_level",
        "carrierPreference": "@carrier_scac",
    },
    document_type="shipment",
    require=("shipment_id", "ship_to"),
)

_STATUS_CODES = {
    "booked": "BOOKED",
    "picked_up": "IN_TRANSIT",
    "in_transit": "IN_TRANSIT",
    "out_for_delivery": "OUT_FOR_DELIVERY",
    "delivered": "DELIVERED",
    "exception": "EXCEPTION",
}

MILESTONE_STATUS = SystemMap(
    "sandbox_tms.milestone_status",
    {
        "eventId": {"$first": ["@event_id", {"$ctx": "message_id"}]},
        "statusCode": {"$from": "@milestone", "$table": _STATUS_CODES},
        "eventTime": "@occurred_at",
        "location": {"$first": ["@location.city", "@location.name"]},
        "description": "@description",
    },
    document_type="shipment_milestone",
    require=("milestone", "occurred_at"),
)

OUTBOUND = [SHIPMENT, MILESTONE_STATUS]
INBOUND = {"SHIPMENT_BOOKED": BOOKED}
STATUS_CODES = _STATUS_CODES
