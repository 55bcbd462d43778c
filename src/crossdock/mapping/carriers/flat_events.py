"""``flat_events``: a regional carrier's flat webhook, one shipment and its events.

``{"shipmentId", "reference", "carrier", "sentAt", "eta", "events": [{"id", "code",
"timestamp", "reasonCode", "remark", "location": {...}}]}`` with times in epoch
milliseconds (UTC by definition). Events carry the carrier's own id, which is their key.
The shipper's ``reference`` is the shipment id when sent, else the carrier's shipment id.
"""

from __future__ import annotations

from crossdock.canonical.shipment import MilestoneCode as M
from crossdock.mapping.carriers.shape import Shape, Status

_MOVING = Status(M.IN_TRANSIT)
_EXCEPTION = Status(M.EXCEPTION)

STATUSES = {
    "CREATED": Status(M.BOOKED),
    "BOOKED": Status(M.BOOKED),
    "COLLECTED": Status(M.PICKED_UP),
    "HUB_IN": _MOVING,
    "HUB_OUT": _MOVING,
    "LINEHAUL": _MOVING,
    "OUT_FOR_DELIVERY": Status(M.OUT_FOR_DELIVERY),
    "DELIVERED": Status(M.DELIVERED),
    "DELIVERY_FAILED": _EXCEPTION,
    "DELAYED": _EXCEPTION,
    "DAMAGED": _EXCEPTION,
    "RETURNED": _EXCEPTION,
    "ADDRESS_ISSUE": _EXCEPTION,
    "INFO": Status(None, "a free-text notice, not a shipment status"),
}

FLAT_EVENTS = Shape(
    format="flat_events",
    label="flat_events code",
    groups="",
    events="events[*]",
    fields={
        "status": ("event:code",),
        "occurred_at": ("event:timestamp",),
        "event_id": ("event:id",),
        "description": ("event:remark",),
        "exception_code": ("event:reasonCode",),
        "tracking_number": ("group:shipmentId",),
        "shipment_id": ("group:reference", "group:shipmentId"),
        "carrier_name": ("group:carrier",),
        "reported_at": ("group:sentAt",),
        "estimated_delivery_at": ("group:eta",),
        "location.name": ("event:location.name",),
        "location.city": ("event:location.city",),
        "location.region": ("event:location.region",),
        "location.postal_code": ("event:location.postalCode",),
        "location.country": ("event:location.countryCode",),
    },
    statuses=STATUSES,
    time_format="epoch_ms",
)
