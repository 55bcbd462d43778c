"""``flat_214``: an LTL carrier's flat webhook that speaks X12 214 status codes.

``{"pro", "customerRef", "scac", "sentAt", "events": [{"seq", "code", "desc", "ts", "city",
"state"}]}``, each payload carrying only the new events, times local with an offset
(``2024-11-15T09:47:00-05:00``). ``seq`` counts per shipment, so it is no event id: the key is
PRO number + code + time. The codes mean what they mean in a 214's AT701 (the same table as
``mapping/x12/maps/ts214.py``, so a carrier's EDI and its webhook agree); the shipper's
``customerRef`` is the shipment id.
"""

from __future__ import annotations

from crossdock.canonical.shipment import MilestoneCode as M
from crossdock.mapping.carriers.shape import Shape, Status

_MOVING = Status(M.IN_TRANSIT)
_EXCEPTION = Status(M.EXCEPTION)

STATUSES = {
    "XB": Status(M.BOOKED),  # shipment acknowledged
    "AF": Status(M.PICKED_UP),  # departed pickup location
    "CP": Status(M.PICKED_UP),  # completed loading at pickup location
    "X3": _MOVING,  # arrived at pickup location
    "X6": _MOVING,  # en route to delivery location
    "P1": _MOVING,  # departed terminal
    "X1": _MOVING,  # arrived at delivery location
    "OO": Status(M.OUT_FOR_DELIVERY),
    "D1": Status(M.DELIVERED),  # completed unloading at delivery location
    "CD": Status(M.DELIVERED),  # carrier departed delivery location
    "SD": _EXCEPTION,  # shipment delayed
    "A7": _EXCEPTION,  # refused by consignee
    "A9": _EXCEPTION,  # shipment damaged
    "AP": _EXCEPTION,  # delivery not completed
    "AG": Status(None, "an estimated delivery date, not a shipment status"),
}

FLAT_214 = Shape(
    format="flat_214",
    label="flat_214 status code",
    groups="",
    events="events[*]",
    fields={
        "status": ("event:code",),
        "occurred_at": ("event:ts",),
        "description": ("event:desc",),
        "exception_code": ("event:reason",),
        "tracking_number": ("group:pro",),
        "shipment_id": ("group:customerRef", "group:pro"),
        "carrier_scac": ("group:scac",),
        "reported_at": ("group:sentAt",),
        "location.city": ("event:city",),
        "location.region": ("event:state",),
        "location.postal_code": ("event:zip",),
        "location.country": ("event:country",),
    },
    statuses=STATUSES,
    time_format="iso",
)
