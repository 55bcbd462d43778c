"""940 Warehouse Shipping Order <-> FulfillmentOrder (004010).

``released_at`` rides in G62*04 (order date + time); without it the GS date/time (when the
document was generated) stands in. Without a sold-to (N1*BY) the consignee is the customer.
"""

from __future__ import annotations

from typing import Any

from crossdock.mapping.x12.maps.common import item_ids, party, site

MAP_940: dict[str, Any] = {
    "code": "940",
    "document_type": "fulfillment_order",
    "envelope": {"released_at": "group_time"},
    "hooks": ["customer_from_ship_to"],
    "segments": [
        {
            "tag": "W05",
            "required": True,
            "elements": {1: {"const": "N"}, 2: "order_number", 3: "customer_order_number"},
        },
        site("ship_from", ["WH", "SF"]),
        party("customer", ["BY", "SO"]),
        party("ship_to", ["ST"], contact=True),
        party("bill_to", ["BT"]),
        party("carrier", ["CA"]),
        {
            "name": "released_at",
            "tag": "G62",
            "when": {1: "04"},
            "elements": {
                2: {"path": "released_at", "type": "datetime", "time": 4},
                3: {"const": "Z"},
            },
        },
        {
            "name": "requested_ship_date",
            "tag": "G62",
            "when": {1: "10"},
            "elements": {2: {"path": "requested_ship_date", "type": "date"}},
        },
        {
            "name": "requested_delivery_date",
            "tag": "G62",
            "when": {1: "02"},
            "elements": {2: {"path": "requested_delivery_date", "type": "date"}},
        },
        {
            "name": "notes",
            "tag": "NTE",
            "when": {1: "WHI"},
            "elements": {2: {"path": "notes[]", "max": 80}},
        },
        # W6602 (transportation method) is mandatory; the order names no mode, only a service
        # level (W6605 routing), so ZZ (mutually defined) is sent.
        {"tag": "W66", "elements": {1: {"const": "PP"}, 2: {"const": "ZZ"}, 5: "service_level"}},
        {
            "tag": "LX",
            "path": "lines",
            "list": True,
            "number": "line_number",
            "elements": {1: "line_number"},
            "children": [
                {
                    "tag": "W01",
                    "elements": {
                        1: {"path": "quantity.value", "type": "decimal"},
                        2: "quantity.unit",
                    },
                    "pairs": item_ids(4, 2),
                },
                # G6901 holds 45 characters: a longer description is spread over up to five
                # G69s (cut at spaces, joined back with one space on the way in).
                {
                    "tag": "G69",
                    "elements": {1: {"path": "item.description", "max": 45, "split": 5}},
                },
                {
                    "name": "customer_line_reference",
                    "tag": "N9",
                    "when": {1: "LI"},
                    "elements": {2: "customer_line_reference"},
                },
                {"name": "lot", "tag": "N9", "when": {1: "LT"}, "elements": {2: "lot.lot_number"}},
                {
                    "name": "lines.NTE",
                    "tag": "NTE",
                    "when": {1: "LIN"},
                    "elements": {2: {"path": "note", "max": 80}},
                },
            ],
        },
    ],
}
