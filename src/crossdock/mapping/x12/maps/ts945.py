"""945 Warehouse Shipping Advice -> Shipment (and back, for round trips).

The W12 lines (ordered / shipped / short quantities per item) have no home in the canonical
``Shipment``, which lists packages only: they are read past, not mapped.
"""

from __future__ import annotations

from typing import Any

from crossdock.mapping.x12.maps.common import party

MAP_945: dict[str, Any] = {
    "code": "945",
    "document_type": "shipment",
    # The warehouse sends the 945 and is where the goods left from.
    "envelope": {"ship_from": "sender"},
    "hooks": [["first_of", "order_numbers"], ["first_of", "po_numbers"], "carrier_from_scac"],
    "codes": {
        "transport_mode": {"U": "parcel", "LT": "ltl", "M": "ltl", "TL": "ftl", "X": "intermodal"}
        | {"S": "ocean", "O": "ocean", "A": "air", "R": "rail"},
    },
    "segments": [
        {
            "tag": "W06",
            "required": True,
            "elements": {
                1: {"const": "F"},
                2: "order_numbers__first",
                3: {"path": "created_at", "type": "datetime"},
                4: "shipment_id",
                6: "po_numbers__first",
            },
        },
        party("ship_from", ["SF", "WH"]),
        party("ship_to", ["ST"]),
        party("carrier", ["CA"]),
        {
            "name": "order_numbers",
            "tag": "N9",
            "when": {1: "OQ"},
            "elements": {2: "order_numbers__rest[]"},
        },
        {
            "name": "po_numbers",
            "tag": "N9",
            "when": {1: "PO"},
            "elements": {2: "po_numbers__rest[]"},
        },
        {
            "name": "bill_of_lading",
            "tag": "N9",
            "when": {1: "BM"},
            "elements": {2: "bill_of_lading"},
        },
        {"name": "pro_number", "tag": "N9", "when": {1: "CN"}, "elements": {2: "pro_number"}},
        {
            "name": "tracking_number",
            "tag": "N9",
            "when": {1: "2I"},
            "elements": {2: "tracking_number"},
        },
        {
            "name": "created_at",
            "tag": "G62",
            "when": {1: "11"},
            "elements": {
                2: {"path": "created_at", "type": "datetime", "time": 4},
                3: {"const": "8"},
            },
        },
        {
            "name": "planned_pickup_at",
            "tag": "G62",
            "when": {1: "10"},
            "elements": {
                2: {"path": "planned_pickup_at", "type": "datetime", "time": 4},
                # G6203 is required beside the time (P0304): U, scheduled pick up time.
                3: {"const": "U", "if": 4},
            },
        },
        {
            "name": "planned_delivery_at",
            "tag": "G62",
            "when": {1: "17"},
            "elements": {
                2: {"path": "planned_delivery_at", "type": "datetime", "time": 4},
                # X, scheduled delivery time.
                3: {"const": "X", "if": 4},
            },
        },
        {
            "tag": "W27",
            "elements": {
                1: {"path": "mode", "codes": "transport_mode"},
                2: "carrier_scac",
                3: "service_level",
            },
        },
        {
            "tag": "LX",
            "path": "packages",
            "list": True,
            "elements": {1: {"count": "#LX"}},
            "children": [
                {
                    "name": "packages.MAN",
                    "tag": "MAN",
                    "when": {1: "GM"},
                    "elements": {2: {"path": "sscc", "type": "sscc"}},
                },
                # The 945 LX loop has no MEA (MEA belongs to the W12 item loop): the package's
                # gross weight goes in PAL06-08; MEA*WT*G is still read from partners.
                {
                    "name": "packages.PAL",
                    "tag": "PAL",
                    "elements": {
                        6: {"const": "G", "if": 7},
                        7: {"path": "weight.value", "type": "decimal"},
                        8: "weight.unit",
                    },
                },
                {
                    "name": "packages.tracking",
                    "tag": "N9",
                    "when": {1: "2I"},
                    "elements": {2: "tracking_number"},
                },
                {
                    "name": "packages.weight",
                    "tag": "MEA",
                    "when": {1: "WT", 2: "G"},
                    "elements": {
                        3: {"path": "weight.value", "type": "decimal", "write": False},
                        4: {"path": "weight.unit", "write": False},
                    },
                },
            ],
        },
        {
            "tag": "W03",
            "elements": {
                1: {"count": "packages"},
                2: {"path": "total_weight.value", "type": "decimal"},
                3: "total_weight.unit",
            },
        },
    ],
}
