"""846 Inventory Inquiry/Advice -> InventoryPosition (and back, for round trips).

The canonical position is one item at one site, so an 846 with several LIN loops is one
position per LIN: this map takes the single-item case and reports more as an error (see the
report: a multi-item snapshot document, or a splitting step, is needed). QTY qualifiers:
17 on hand, 33 available, QA allocated ("reserved"), 63 on order, 72 in transit; a partner
using others overrides the rule's ``when``. ``allocated`` is derived when not sent.
"""

from __future__ import annotations

from typing import Any

from crossdock.mapping.x12.maps.common import item_ids, site


def _quantity(path: str, qualifiers: list[str]) -> dict[str, Any]:
    return {
        "tag": "QTY",
        "path": path,
        "when": {1: qualifiers},
        "elements": {2: {"path": "value", "type": "decimal"}, 3: "unit"},
        "children": [
            {"name": f"{path}.UIT", "tag": "UIT", "elements": {1: {"path": "unit", "write": False}}}
        ],
    }


MAP_846: dict[str, Any] = {
    "code": "846",
    "document_type": "inventory_position",
    "envelope": {"source_system": "sender_id"},
    "hooks": ["inventory_derive"],
    "segments": [
        {
            "tag": "BIA",
            "required": True,
            "elements": {
                1: {"const": "00"},
                2: {"const": "MM"},
                3: {"const": "1"},
                4: {"path": "as_of", "type": "datetime", "time": 5},
            },
        },
        # 846 heading order: BIA, CUR, REF, PER, MEA, DTM.
        {
            "name": "source_system",
            "tag": "REF",
            "when": {1: "ZZ"},
            "elements": {2: "source_system"},
        },
        {
            "name": "as_of",
            "tag": "DTM",
            "when": {1: "007"},
            "elements": {2: {"path": "as_of", "type": "datetime", "time": 3}, 4: {"const": "UT"}},
        },
        site("site", ["WH"]),
        {
            "tag": "LIN",
            "required": True,
            "once": True,
            "pairs": item_ids(2, 10),
            "children": [
                {
                    "tag": "PID",
                    "when": {1: "F"},
                    "elements": {5: {"path": "item.description", "max": 80}},
                },
                _quantity("on_hand", ["17"]),
                _quantity("allocated", ["QA"]),
                _quantity("available", ["33"]),
                _quantity("on_order", ["63"]),
                _quantity("in_transit", ["72"]),
            ],
        },
    ],
}
