"""214 Transportation Carrier Shipment Status -> ShipmentMilestone (and back).

One milestone per document: a 214 with several LX/AT7 status loops yields its last status
(the newest, by carrier convention). AT701 is both the canonical milestone (translated) and
the raw ``carrier_status_code``; the AT707 time code is not read: times are in the map's
zone (UTC unless a partner override says otherwise).

Outbound follows the 004010 214 structure so a strict translator accepts it: AT702 is
mandatory beside AT701 (P0102), so a status without an exception reason is sent as NS
(normal status), which reads back as no exception; G62 exists only in the heading N1 loop,
so the time the carrier reported the status travels as G62 in the carrier's (N1*CA) loop.
K101 (61) holds 30 characters: a longer description is cut at a word boundary.
"""

from __future__ import annotations

from typing import Any

_LINE: dict[str, Any] = {"path": "carrier.address.lines[]", "max": 55}

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
        # The carrier's N1 loop, spelled out (not ``party``) because its G62 carries a
        # document-level field: the time the status was reported.
        {
            "name": "carrier",
            "tag": "N1",
            "when": {1: "CA"},
            "emit_if": "carrier",
            "set": {"carrier.role": "carrier"},
            "default": {"carrier.address.country": "US"},
            "elements": {2: {"path": "carrier.name", "max": 60}},
            "pairs": {
                "first": 3,
                "count": 1,
                "targets": {"UL": "carrier.gln", "1": "carrier.duns"},
                "other": "carrier.x12",
            },
            "children": [
                {
                    "name": "carrier.N3",
                    "tag": "N3",
                    "elements": {1: _LINE, 2: _LINE},
                },
                {
                    "name": "carrier.N4",
                    "tag": "N4",
                    "elements": {
                        1: {"path": "carrier.address.city", "max": 30},
                        2: "carrier.address.region",
                        3: "carrier.address.postal_code",
                        4: "carrier.address.country",
                    },
                },
                {
                    "name": "reported_at",
                    "tag": "G62",
                    "when": {1: "RT"},
                    "elements": {
                        2: {"path": "reported_at", "type": "datetime", "time": 4},
                        # G6203 time qualifier is required beside G6204 (P0304): W, effective.
                        3: {"const": "W", "if": 4},
                    },
                },
            ],
        },
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
                        2: {"const": "NS"},
                        5: {"path": "estimated_delivery_at", "type": "datetime", "time": 6},
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
                        # NS unless there is an exception reason (AT702 is required).
                        2: [
                            {"const": "NS"},
                            {"path": "exception_code", "codes": "status_reason"},
                        ],
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
                {"tag": "K1", "elements": {1: {"path": "description", "max": 30}}},
            ],
        },
    ],
}
