"""214 Transportation Carrier Shipment Status -> ShipmentMilestone (and back).

One milestone per document: a 214 with several LX/AT7 status loops yields its last status
(the newest, by carrier convention). AT701 is both the canonical milestone (translated) and
the raw ``carrier_status_code``; the AT707 time code is not read: times are in the map's
zone (UTC unless a partner override says otherwise).
"""

from __future__ import annotations

from typing import Any

from crossdock.mapping.x12.maps.common import party

MAP_214: dict[str, Any] = {
    "code": "214",
    "document_type": "shipment_milestone",
    "hooks": ["carrier_from_scac"],
    "codes": {
        "milestone": {"XB": "booked", "AF": "picked_up", "CP": "picked_up", "X6": "in_transit"}
        | {"P1": "in_transit", "X1": "in_transit", "X3": "in_transit", "OO": "out_for_delivery"}
        | {"D1": "delivered", "CD": "delivered", "SD": "exception", "A7": "exception"}
        | {"A9": "exception", "AP": "exception"},
        # AT702 reason; NS (normal status) is no exception.
        "status_reason": {"*": "pass", "NS": None},
    },
    "segments": [
        {
            "tag": "B10",
            "required": True,
            "elements": {1: "tracking_number", 2: "shipment_id", 3: "carrier__scac"},
        },
        {"name": "event_id", "tag": "L11", "when": {2: "ZZ"}, "elements": {1: "event_id"}},
        party("carrier", ["CA"]),
        {
            "tag": "LX",
            "elements": {1: {"const": "1"}},
            "children": [
                # AT7*AG (estimated delivery) first, so the status rule below does not take it.
                {
                    "name": "estimated_delivery_at",
                    "tag": "AT7",
                    "when": {1: "AG"},
                    "elements": {
                        5: {"path": "estimated_delivery_at", "type": "datetime", "time": 6}
                    },
                },
                {
                    "tag": "AT7",
                    "elements": {
                        # Read both; written from the milestone (the later spec wins).
                        1: [
                            "carrier_status_code",
                            {"path": "milestone", "codes": "milestone"},
                        ],
                        2: {"path": "exception_code", "codes": "status_reason"},
                        5: {"path": "occurred_at", "type": "datetime", "time": 6},
                        7: {"const": "UT"},
                    },
                },
                {
                    "tag": "MS1",
                    "elements": {1: "location.city", 2: "location.region", 3: "location.country"},
                },
                {
                    "name": "location.name",
                    "tag": "L11",
                    "when": {2: "LO"},
                    "elements": {1: "location.name"},
                },
                {
                    "name": "location.postal",
                    "tag": "L11",
                    "when": {2: "PO"},
                    "elements": {1: "location.postal_code"},
                },
                {
                    "name": "reported_at",
                    "tag": "G62",
                    "when": {1: "RT"},
                    "elements": {2: {"path": "reported_at", "type": "datetime", "time": 4}},
                },
                {"tag": "K1", "elements": {1: "description"}},
            ],
        },
    ],
}
