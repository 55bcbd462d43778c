"""855 Purchase Order Acknowledgment <-> PurchaseOrderAcknowledgment (004010)."""

from __future__ import annotations

from typing import Any

from crossdock.mapping.x12.maps.common import DOCUMENT_CURRENCY, item_ids, party

MAP_855: dict[str, Any] = {
    "code": "855",
    "document_type": "purchase_order_acknowledgment",
    # The supplier sends the 855.
    "envelope": {"supplier": "sender", "buyer": "receiver"},
    "codes": {
        # BAK02: AD/AK acknowledge without change, AC with changes, RJ/RD rejected.
        "status": {"AD": "accepted", "AK": "accepted", "AC": "accepted_with_changes"}
        | {"AE": "accepted_with_changes", "RJ": "rejected", "RD": "rejected"},
        # ACK01 line item status codes.
        "line_status": {"IA": "accepted", "IC": "changed", "IQ": "changed", "IP": "changed"}
        | {"DR": "changed", "IS": "changed", "IR": "rejected", "R2": "rejected"}
        | {"IB": "backordered", "BP": "backordered"},
    },
    "segments": [
        {
            "tag": "BAK",
            "required": True,
            "elements": {
                1: {"const": "00"},
                2: {"path": "status", "codes": "status"},
                3: "po_number",
                # BAK04 is mandatory: without a PO date the acknowledgment's date is sent.
                4: [
                    {"path": "acknowledged_at", "type": "date", "read": False},
                    {"path": "po_date", "type": "date"},
                ],
                6: "acknowledgment_number",
                8: "sales_order_number",
                9: {"path": "acknowledged_at", "type": "datetime"},
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
        # A bare heading MSG (outside any N9 loop), as some partners send, is still read.
        {
            "name": "notes_bare",
            "tag": "MSG",
            "elements": {1: {"path": "notes[]", "write": False}},
        },
        party("supplier", ["SU", "SE", "VN"], contact=True),
        party("buyer", ["BY"], contact=True),
        {
            "tag": "PO1",
            "path": "lines",
            "list": True,
            "number": "line_number",
            "set": {"unit_price.currency": "=currency"},
            # A price without CUR at all: X12's default, US dollars.
            "default": {"unit_price.currency": "USD"},
            "elements": {
                1: "line_number",
                2: {"path": "ordered_quantity.value", "type": "decimal"},
                3: "ordered_quantity.unit",
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
                    "name": "lines.ACK",
                    "tag": "ACK",
                    "elements": {
                        1: {"path": "status", "codes": "line_status"},
                        2: {"path": "promised_quantity.value", "type": "decimal"},
                        3: "promised_quantity.unit",
                        4: {"const": "068", "if": 5},
                        5: {"path": "promised_date", "type": "date"},
                    },
                },
                # Line free text: the PO1 loop's N9 loop (N9*L1, MSG), after ACK. A bare MSG
                # in the PO1 loop, as some partners send, is still read.
                {
                    "name": "lines.N9",
                    "tag": "N9",
                    "when": {1: "L1"},
                    "emit_if": "reason",
                    "elements": {2: {"const": "REASON"}},
                    "children": [
                        {
                            "name": "lines.N9.MSG",
                            "tag": "MSG",
                            "elements": {1: {"path": "reason", "max": 264}},
                        }
                    ],
                },
                {
                    "name": "lines.MSG",
                    "tag": "MSG",
                    "elements": {1: {"path": "reason", "write": False}},
                },
            ],
        },
        {"tag": "CTT", "elements": {1: {"count": "lines"}}},
    ],
}
