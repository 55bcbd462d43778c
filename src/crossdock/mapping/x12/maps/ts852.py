"""852 Product Activity Data <-> ProductActivity (004010, also read for 005010).

XQ02/XQ03 are the period, XQ04 the report number. The reporter is N1*BY or N1*RL (else the
interchange sender), the supplier N1*SU or N1*VN, the report's location N1*ST or N1*WH (its
N104 is the location code, whatever the qualifier). Each LIN loop is one item; each ZA names
an activity (QA on hand, QS sold, QR received, QP on order, QI in transit, QU returned, QT
adjusted, QO out of stock, LS lost sales, DG damaged; any other code kept as sent) with a
quantity for the report's location in ZA02/ZA03 and, in its SDQ segments, up to ten
location/quantity pairs each. The ``activity_pairs`` hook turns both into one activity per
quantity (and back, ten locations to an SDQ), so the reader and writer stay data-driven.
"""

from __future__ import annotations

from typing import Any

from crossdock.mapping.x12.maps.common import item_ids, party, site

# SDQ: unit, location qualifier, then ten location/quantity pairs (SDQ03..SDQ22).
_SDQ_PAIRS: dict[int, Any] = {
    3 + 2 * i + k: f"{'location' if k == 0 else 'quantity'}{i + 1}"
    for i in range(10)
    for k in (0, 1)
}


MAP_852: dict[str, Any] = {
    "code": "852",
    "document_type": "product_activity",
    "envelope": {"reporter": "sender"},
    "hooks": ["activity_pairs"],
    "codes": {
        "activity": {
            "QA": "on_hand",
            "QS": "sold",
            "QR": "received",
            "QP": "on_order",
            "QI": "in_transit",
            "QU": "returned",
            "QT": "adjusted",
            "QO": "out_of_stock",
            "LS": "lost_sales",
            "DG": "damaged",
            "*": "pass",
        },
    },
    "segments": [
        {
            "tag": "XQ",
            "required": True,
            "elements": {
                1: {"const": "H"},
                2: {"path": "period_start", "type": "date"},
                3: {"path": "period_end", "type": "date"},
                4: "report_number",
            },
        },
        party("reporter", ["BY", "RL"]),
        party("supplier", ["SU", "VN"]),
        site("location", ["ST", "WH"]),
        {
            "tag": "LIN",
            "path": "items",
            "list": True,
            "pairs": item_ids(2, 15),
            "children": [
                {
                    "tag": "ZA",
                    "path": "activity__za",
                    "list": True,
                    "elements": {
                        1: {"path": "activity", "codes": "activity"},
                        2: {"path": "quantity", "type": "decimal"},
                        3: "unit",
                    },
                    "children": [
                        {
                            "tag": "SDQ",
                            "path": "sdq",
                            "list": True,
                            "elements": {1: "unit", 2: {"const": "92"}, **_SDQ_PAIRS},
                        }
                    ],
                }
            ],
        },
        {"tag": "CTT", "elements": {1: {"count": "items"}}},
    ],
}
