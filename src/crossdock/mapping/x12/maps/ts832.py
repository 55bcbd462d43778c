"""832 Price/Sales Catalog <-> PriceCatalog (004010, also read for 005010).

BCT01 is the catalog purpose (kept as sent), BCT02 the catalog id, BCT03 its version, BCT09
a description; DTM*007/036 in the heading bound the whole catalog, in a CTP loop one price.
Each LIN loop is one item (ids as in the other maps, PID*F the description) with one price
per CTP loop: CTP02 the price type (RES, WHL, CON, CAT, UCP, MSR, NET named, any other code
kept), CTP03 the unit price, CTP04/CTP05 the quantity it applies to. The supplier is N1*SU or
N1*VN (else the interchange sender), the buyer N1*BY.
"""

from __future__ import annotations

from typing import Any

from crossdock.mapping.x12.maps.common import item_ids, party


def _dates(prefix: str) -> list[dict[str, Any]]:
    return [
        {
            "name": f"{prefix}effective_date",
            "tag": "DTM",
            "when": {1: "007"},
            "elements": {2: {"path": "effective_date", "type": "date"}},
        },
        {
            "name": f"{prefix}expiry_date",
            "tag": "DTM",
            "when": {1: "036"},
            "elements": {2: {"path": "expiry_date", "type": "date"}},
        },
    ]


MAP_832: dict[str, Any] = {
    "code": "832",
    "document_type": "price_catalog",
    "envelope": {"supplier": "sender"},
    "defaults": {"currency": "USD"},
    "hooks": ["catalog_units"],
    "codes": {
        "price_type": {
            "RES": "resale",
            "WHL": "wholesale",
            "CON": "contract",
            "CAT": "catalog",
            "UCP": "unit_cost",
            "MSR": "msrp",
            "NET": "net",
            "*": "pass",
        },
    },
    "segments": [
        {
            "tag": "BCT",
            "required": True,
            "elements": {
                1: "catalog_purpose",
                2: "catalog_id",
                3: "version",
                9: {"path": "description", "max": 80},
            },
        },
        *_dates(""),
        {"tag": "CUR", "elements": {1: {"const": "SE"}, 2: "currency"}},
        party("supplier", ["SU", "VN"], contact=True),
        party("buyer", ["BY"]),
        {
            "tag": "LIN",
            "path": "items",
            "list": True,
            "elements": {1: "line_id"},
            "pairs": item_ids(2, 15),
            "children": [
                {
                    "name": "items.PID",
                    "tag": "PID",
                    "when": {1: "F"},
                    "elements": {5: {"path": "item.description", "max": 80}},
                },
                {
                    "tag": "CTP",
                    "path": "prices",
                    "list": True,
                    "set": {"unit_price.currency": "=currency"},
                    "elements": {
                        1: "class_of_trade",
                        2: {"path": "price_type", "codes": "price_type"},
                        3: {"path": "unit_price.amount", "type": "decimal"},
                        4: {"path": "quantity.value", "type": "decimal"},
                        5: "quantity.unit",
                    },
                    "children": _dates("prices."),
                },
            ],
        },
        {"tag": "CTT", "elements": {1: {"count": "items"}}},
    ],
}
