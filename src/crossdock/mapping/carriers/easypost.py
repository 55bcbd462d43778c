"""EasyPost ``tracker.updated`` / ``tracker.created`` Event webhooks.

EasyPost relays many carriers (the tracker's ``carrier``) and resends the whole history in
``result.tracking_details`` with every update, so the same detail arrives many times: its key
(tracking code + status + time; details have no id) makes each repeat a duplicate. A tracker
carries no shipper reference, so the milestone's shipment id is the tracking code.

Statuses are EasyPost's normalized vocabulary; ``status_detail`` refines a few of them. A
parcel waiting at a pickup point (``available_for_pickup``) is an exception: the consignee
must act, and customer service should know before the carrier returns it.
"""

from __future__ import annotations

from crossdock.canonical.shipment import MilestoneCode as M
from crossdock.mapping.carriers.shape import Shape, Status

STATUSES = {
    "pre_transit": Status(M.BOOKED),
    "in_transit": Status(M.IN_TRANSIT),
    "out_for_delivery": Status(M.OUT_FOR_DELIVERY),
    "delivered": Status(M.DELIVERED),
    "available_for_pickup": Status(M.EXCEPTION),
    "return_to_sender": Status(M.EXCEPTION),
    "failure": Status(M.EXCEPTION),
    "cancelled": Status(M.EXCEPTION),
    "error": Status(M.EXCEPTION),
    "unknown": Status(None, "EasyPost has no status from the carrier for this event"),
}

# status_detail values that say more than the status: the origin scan is the pickup, and
# a delay or damage reported "in transit" is still something a person must look at.
DETAIL_OVERRIDES = {
    "received_at_origin_facility": M.PICKED_UP,
    "damaged": M.EXCEPTION,
    "lost": M.EXCEPTION,
    "delayed": M.EXCEPTION,
    "weather_delay": M.EXCEPTION,
    "delivery_exception": M.EXCEPTION,
    "transit_exception": M.EXCEPTION,
    "missorted": M.EXCEPTION,
    "refused": M.EXCEPTION,
    "return": M.EXCEPTION,
}

EASYPOST = Shape(
    format="easypost",
    label="EasyPost status",
    require={
        "object": frozenset({"Event"}),
        "description": frozenset({"tracker.updated", "tracker.created"}),
    },
    groups="result",
    events="tracking_details[*]",
    fields={
        "status": ("event:status",),
        "status_detail": ("event:status_detail",),
        "occurred_at": ("event:datetime",),
        "description": ("event:message", "event:description"),
        "tracking_number": ("group:tracking_code",),
        "shipment_id": ("group:tracking_code",),
        # EasyPost's own shipment id (shp_…): its API serves the proof of delivery by it.
        "carrier_reference": ("group:shipment_id",),
        "carrier_name": ("group:carrier", "event:source"),
        "reported_at": ("root:created_at",),
        "estimated_delivery_at": ("group:est_delivery_date",),
        "location.city": ("event:tracking_location.city",),
        "location.region": ("event:tracking_location.state",),
        "location.postal_code": ("event:tracking_location.zip",),
        "location.country": ("event:tracking_location.country",),
    },
    statuses=STATUSES,
    detail_overrides=DETAIL_OVERRIDES,
    vague_details=frozenset({"unknown", "status_update"}),
    time_format="iso",
)
