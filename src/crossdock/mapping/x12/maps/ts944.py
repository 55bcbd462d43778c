"""944 Warehouse Stock Transfer Receipt Advice -> GoodsReceipt (and back, for round trips).

W17-04 (depositor order number) is every line's PO unless a line's N9*PO says otherwise.
Receiving exceptions (W13: damaged, over, short) are not mapped yet: lines read as 'good'.
"""

from __future__ import annotations

from typing import Any

from crossdock.mapping.x12.maps.common import item_ids, party, site

MAP_944: dict[str, Any] = {
    "code": "944",
    "document_type": "goods_receipt",
    "hooks": ["line_po"],
    "segments": [
        {
            "tag": "W17",
            "required": True,
            "elements": {
                1: {"const": "F"},
                2: {"path": "received_at", "type": "datetime"},
                3: "receipt_number",
                4: "po_number__header",
                5: "asn_number",
            },
        },
        site("site", ["WH"]),
        party("supplier", ["SU", "SF", "VN"]),
        party("carrier", ["CA"]),
        {
            "name": "received_at",
            "tag": "G62",
            "when": {1: "09"},
            "elements": {
                2: {"path": "received_at", "type": "datetime", "time": 4},
                3: {"const": "8"},
            },
        },
        {
            "name": "notes",
            "tag": "NTE",
            "when": {1: "GEN"},
            "elements": {2: {"path": "notes[]", "max": 80}},
        },
        {
            "tag": "LX",
            "path": "lines",
            "list": True,
            "number": "line_number",
            "elements": {1: "line_number"},
            "children": [
                # The pallet's SSCC: LX-level MAN, before the W07 item loop (005010 944).
                {
                    "name": "lines.MAN",
                    "tag": "MAN",
                    "when": {1: "GM"},
                    "elements": {2: {"path": "sscc", "type": "sscc"}},
                },
                {
                    "tag": "W07",
                    "elements": {
                        1: {"path": "received_quantity.value", "type": "decimal"},
                        2: "received_quantity.unit",
                        8: "lot.lot_number",
                    },
                    "pairs": item_ids(4, 2),
                },
                # Up to five G69s of 45 characters each (see the 940 map).
                {
                    "tag": "G69",
                    "elements": {1: {"path": "item.description", "max": 45, "split": 5}},
                },
                {"name": "lines.po", "tag": "N9", "when": {1: "PO"}, "elements": {2: "po_number"}},
                {
                    "name": "lines.po_line",
                    "tag": "N9",
                    "when": {1: "LI"},
                    "elements": {2: "po_line_number"},
                },
                {
                    "name": "lines.putaway",
                    "tag": "N9",
                    "when": {1: "LU"},
                    "elements": {2: "putaway_location"},
                },
                {
                    "name": "lines.expiry",
                    "tag": "G62",
                    "when": {1: "36"},
                    "elements": {2: {"path": "lot.expiry_date", "type": "date"}},
                },
                # The 944 has no line-level NTE: a line note goes out as N9*L1 free text
                # (N903, 45 characters, cut at a word boundary). NTE*LIN is still read.
                {
                    "name": "lines.note",
                    "tag": "N9",
                    "when": {1: "L1"},
                    "elements": {3: {"path": "note", "max": 45}},
                },
                {
                    "name": "lines.NTE",
                    "tag": "NTE",
                    "when": {1: "LIN"},
                    "elements": {2: {"path": "note", "write": False}},
                },
            ],
        },
        {"tag": "W14", "elements": {1: {"count": "lines"}}},
    ],
}
