"""``track_v1``: a track-API-style push, nested like FedEx Track API v1 responses.

``output.completeTrackResults[].trackResults[].scanEvents[]``: one payload may cover several
tracking numbers, each with its scan history. Times are ISO 8601 with the scan's local
offset (``2024-11-13T16:12:00-05:00``), kept as given. Scan events have no id: the key is
tracking number + event type + time. The shipper's reference travels as a package
identifier of type ``SHIPPER_REFERENCE`` and becomes the shipment id when present.
"""

from __future__ import annotations

from crossdock.canonical.shipment import MilestoneCode as M
from crossdock.mapping.carriers.shape import Shape, Status

_BOOKED = Status(M.BOOKED)
_PICKED_UP = Status(M.PICKED_UP)
_MOVING = Status(M.IN_TRANSIT)
_OUT = Status(M.OUT_FOR_DELIVERY)
_EXCEPTION = Status(M.EXCEPTION)

# eventType codes as FedEx tracking reports them.
STATUSES = {
    "OC": _BOOKED,  # shipment information sent to the carrier
    "PU": _PICKED_UP,
    "PX": _PICKED_UP,  # picked up (see details)
    "AR": _MOVING,  # arrived at a carrier location
    "AF": _MOVING,  # at a local facility
    "AA": _MOVING,  # at airport
    "DP": _MOVING,  # departed a carrier location
    "IT": _MOVING,
    "OF": _MOVING,  # at origin facility
    "FD": _MOVING,  # at destination facility
    "LO": _MOVING,  # left origin
    "EA": _MOVING,  # enroute to airport
    "PF": _MOVING,  # plane in flight
    "PL": _MOVING,  # plane landed
    "TR": _MOVING,  # transfer
    "SF": _MOVING,  # at sort facility
    "CC": _MOVING,  # cleared customs
    "CP": _MOVING,  # clearance in progress
    "OD": _OUT,  # on vehicle for delivery
    "ED": _OUT,  # enroute to delivery
    "DL": Status(M.DELIVERED),
    "DE": _EXCEPTION,  # delivery exception
    "SE": _EXCEPTION,  # shipment exception
    "CD": _EXCEPTION,  # clearance delay
    "DY": _EXCEPTION,  # delay
    "DD": _EXCEPTION,  # delivery delay
    "CA": _EXCEPTION,  # shipment cancelled
    "RS": _EXCEPTION,  # return to shipper
    "HL": _EXCEPTION,  # held at location for the recipient
    "HP": _EXCEPTION,  # ready for recipient pickup
}

TRACK_V1 = Shape(
    format="track_v1",
    label="track_v1 eventType",
    groups="output.completeTrackResults[*].trackResults[*]",
    events="scanEvents[*]",
    fields={
        "status": ("event:eventType",),
        "occurred_at": ("event:date",),
        "description": ("event:exceptionDescription", "event:eventDescription"),
        "exception_code": ("event:exceptionCode",),
        "tracking_number": ("group:trackingNumberInfo.trackingNumber",),
        "shipment_id": (
            "group:additionalTrackingInfo.packageIdentifiers[type=SHIPPER_REFERENCE].values[0]",
            "group:trackingNumberInfo.trackingNumber",
        ),
        "estimated_delivery_at": (
            "group:estimatedDeliveryTimeWindow.window.ends",
            "group:standardTransitTimeWindow.window.ends",
        ),
        "location.city": ("event:scanLocation.city",),
        "location.region": ("event:scanLocation.stateOrProvinceCode",),
        "location.postal_code": ("event:scanLocation.postalCode",),
        "location.country": ("event:scanLocation.countryCode",),
    },
    statuses=STATUSES,
    time_format="iso",
)
