"""865 Purchase Order Change Acknowledgment <-> PurchaseOrderChangeAcknowledgment (004010).

The supplier's answer to an 860 (or its own change request, BCA01 19): BCA02 the answer for
the whole change, and per POC loop the line's ACK (IA accepted, IC changed, IR rejected ...)
with the quantity and date the supplier commits to.
"""

from __future__ import annotations

from typing import Any

from crossdock.mapping.x12.maps.common import DOCUMENT_CURRENCY, party
from crossdock.mapping.x12.maps.ts855 import MAP_855
from crossdock.mapping.x12.maps.ts860 import LINE_CHANGES, NOTES, PURPOSES, poc

_ACK: dict[str, Any] = {
    "name": "lines.ACK",
    "tag": "ACK",
    "elements": {
        1: {"path": "status", "codes": "line_status"},
        2: {"path": "quantity.value", "type": "decimal", "write": False},
        3: {"path": "quantity.unit", "write": False},
        4: {"const": "068", "if": 5},
        5: {"path": "promised_date", "type": "date"},
    },
}

MAP_865: dict[str, Any] = {
    "code": "865",
    "document_type": "purchase_order_change_acknowledgment",
    # The supplier sends the 865.
    "envelope": {"supplier": "sender", "buyer": "receiver"},
    "codes": {
        "purpose": PURPOSES,
        "line_change": LINE_CHANGES,
        # BCA02 and ACK01 say what the 855's BAK02 and ACK01 say.
        "status": MAP_855["codes"]["status"],
        "line_status": MAP_855["codes"]["line_status"],
    },
    "segments": [
        {
            "tag": "BCA",
            "required": True,
            "elements": {
                1: {"path": "purpose", "codes": "purpose"},
                2: {"path": "status", "codes": "status"},
                3: "po_number",
                5: "change_number",
                6: [
                    {"path": "acknowledged_at", "type": "date", "read": False},
                    {"path": "po_date", "type": "date"},
                ],
                9: "sales_order_number",
                10: {"path": "acknowledged_at", "type": "datetime"},
            },
        },
        DOCUMENT_CURRENCY,
        {
            "name": "acknowledged_at",
            "tag": "DTM",
            "when": {1: "097"},
            "elements": {
                2: {"path": "acknowledged_at", "type": "datetime", "time": 3},
                4: {"const": "UT"},
            },
        },
        NOTES,
        party("supplier", ["SU", "SE", "VN"], contact=True),
        party("buyer", ["BY"], contact=True),
        poc([_ACK], dated=False),
        {"tag": "CTT", "elements": {1: {"count": "lines"}}},
    ],
}
