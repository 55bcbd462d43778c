"""850 Purchase Order <-> PurchaseOrder (004010; VICS-style PO1 product ids)."""

from __future__ import annotations

from typing import Any

from crossdock.mapping.x12.maps.common import (
    DOCUMENT_CURRENCY,
    PAYMENT_TERMS,
    item_ids,
    party,
)

MAP_850: dict[str, Any] = {
    "code": "850",
    "document_type": "purchase_order",
    "defaults": {"currency": "USD"},
    # The buyer sends the 850: without N1*BY/N1*SU the interchange says who they are.
    "envelope": {"buyer": "sender", "supplier": "receiver"},
    "codes": {
        "purpose": {"00": "original", "05": "replace", "01": "cancel", "06": "replace"},
        "order_type": {"SA": "standard", "NE": "standard", "BK": "blanket", "RL": "release"}
        | {"DS": "drop_ship"},
    },
    "segments": [
        {
            "tag": "BEG",
            "required": True,
            "elements": {
                1: {"path": "purpose", "codes": "purpose"},
                2: {"path": "order_type", "codes": "order_type"},
                3: "po_number",
                5: {"path": "issued_at", "type": "datetime"},
            },
        },
        DOCUMENT_CURRENCY,
        {
            "name": "contract_number",
            "tag": "REF",
            "when": {1: "CT"},
            "elements": {2: "contract_number"},
        },
        {
            "name": "incoterms",
            "tag": "FOB",
            "when": {4: "01"},
            "elements": {1: {"const": "DF"}, 5: "incoterms"},
        },
        PAYMENT_TERMS,
        {
            "name": "requested_delivery_date",
            "tag": "DTM",
            "when": {1: "002"},
            "elements": {2: {"path": "requested_delivery_date", "type": "date"}},
        },
        {
            "name": "requested_ship_date",
            "tag": "DTM",
            "when": {1: "010"},
            "elements": {2: {"path": "requested_ship_date", "type": "date"}},
        },
        # BEG05 has no time: DTM*097 (document creation) carries it, read after BEG05.
        {
            "name": "issued_at",
            "tag": "DTM",
            "when": {1: "097"},
            "elements": {
                2: {"path": "issued_at", "type": "datetime", "time": 3},
                4: {"const": "UT"},
            },
        },
        # 004010 carries header free text only inside an N9 loop: N9*L1*NOTES, then MSG.
        {
            "name": "notes_n9",
            "tag": "N9",
            "when": {1: "L1"},
            "emit_if": "notes",
            "elements": {2: {"const": "NOTES"}},
            "children": [
                {"name": "notes", "tag": "MSG", "elements": {1: {"path": "notes[]", "max": 264}}}
            ],
        },
        party("buyer", ["BY"], contact=True),
        party("supplier", ["SU", "SE", "VN"], contact=True),
        party("ship_to", ["ST"], contact=True),
        party("bill_to", ["BT"], contact=True),
        {
            "tag": "PO1",
            "path": "lines",
            "list": True,
            "number": "line_number",
            "set": {"unit_price.currency": "=currency"},
            "elements": {
                1: "line_number",
                2: {"path": "quantity.value", "type": "decimal"},
                3: "quantity.unit",
                4: {"path": "unit_price.amount", "type": "decimal"},
            },
            "pairs": item_ids(6, 10),
            "children": [
                {
                    "name": "lines.PID",
                    "tag": "PID",
                    "when": {1: "F"},
                    "elements": {5: {"path": "item.description", "max": 80}},
                },
                {
                    "name": "lines.DTM",
                    "tag": "DTM",
                    "when": {1: "002"},
                    "elements": {2: {"path": "requested_delivery_date", "type": "date"}},
                },
                {"name": "lines.MSG", "tag": "MSG", "elements": {1: {"path": "note", "max": 264}}},
            ],
        },
        {"tag": "CTT", "elements": {1: {"count": "lines"}}},
    ],
}
