"""856 Ship Notice/Manifest <-> AdvanceShipNotice, pick-and-pack HL order S > O > P > I.

HL ids/parents are numbered on the way out; on the way in the structure is taken from the
HL level codes in document order (the usual S O P I O P I... sequence), not from HL02.
Tare levels (T) are not mapped: the canonical pack is one level.
"""

from __future__ import annotations

from typing import Any

from crossdock.mapping.x12.maps.common import item_ids, party

MAP_856: dict[str, Any] = {
    "code": "856",
    "document_type": "advance_ship_notice",
    "envelope": {"supplier": "sender"},
    "codes": {
        # TD504 transport method; unknown codes pass through as the canonical free-text mode.
        "mode": {"*": "pass", "U": "parcel", "LT": "ltl", "TL": "ftl", "A": "air", "R": "rail"}
        | {"S": "ocean", "X": "intermodal"},
        # TD101 packaging code (X12 103: a 3-letter form, optionally + 2-digit material) <->
        # the canonical UN/ECE Rec 21 code. Written as the bare form (PX -> PLT), read from
        # the bare form; anything else (PLT94, CTN25, ...) passes through both ways as sent.
        "package": {"*": "pass", "PLT": "PX", "CTN": "CT", "BOX": "BX", "CAS": "CS"}
        | {"BAG": "BG", "DRM": "DR", "CRT": "CR", "BDL": "BE", "REL": "RL", "PKG": "PK"},
    },
    "segments": [
        {
            "tag": "BSN",
            "required": True,
            "elements": {
                1: {"const": "00"},
                2: "asn_number",
                3: {"path": "issued_at", "type": "datetime", "time": 4},
                5: {"const": "0001"},
            },
        },
        {
            "name": "shipment",
            "tag": "HL",
            "hl": True,
            "when": {3: "S"},
            "children": [
                {
                    "name": "shipment.TD1",
                    "tag": "TD1",
                    "elements": {
                        6: {"const": "G", "if": 7},
                        7: {"path": "gross_weight.value", "type": "decimal"},
                    }
                    | {8: "gross_weight.unit"},
                },
                {
                    "name": "shipment.TD5",
                    "tag": "TD5",
                    "elements": {2: {"const": "2", "if": 3}, 3: "transport.carrier_scac"}
                    | {4: {"path": "transport.mode", "codes": "mode"}},
                },
                {
                    "name": "shipment.TD3",
                    "tag": "TD3",
                    "when": {1: "TL"},
                    "elements": {3: "transport.trailer_number", 9: "transport.seal_number"},
                },
                {
                    "name": "bill_of_lading",
                    "tag": "REF",
                    "when": {1: "BM"},
                    "elements": {2: "transport.bill_of_lading"},
                },
                {
                    "name": "pro_number",
                    "tag": "REF",
                    "when": {1: "CN"},
                    "elements": {2: "transport.pro_number"},
                },
                {
                    "name": "tracking_number",
                    "tag": "REF",
                    "when": {1: "2I"},
                    "elements": {2: "transport.tracking_number"},
                },
                {
                    "name": "shipped_at",
                    "tag": "DTM",
                    "when": {1: "011"},
                    "elements": {2: {"path": "shipped_at", "type": "datetime", "time": 3}},
                },
                {
                    "name": "estimated_delivery_at",
                    "tag": "DTM",
                    "when": {1: "017"},
                    "elements": {
                        2: {"path": "estimated_delivery_at", "type": "datetime", "time": 3}
                    },
                },
                party("supplier", ["SU", "SE", "VN"]),
                party("ship_from", ["SF"]),
                party("ship_to", ["ST"]),
                party("buyer", ["BY"]),
                party("carrier", ["CA"]),
                {
                    "name": "orders",
                    "tag": "HL",
                    "hl": True,
                    "path": "orders",
                    "list": True,
                    "when": {3: "O"},
                    "children": [
                        {
                            "tag": "PRF",
                            "elements": {1: "po_number", 4: {"path": "po_date", "type": "date"}},
                        },
                        {
                            "name": "packs",
                            "tag": "HL",
                            "hl": True,
                            "path": "packs",
                            "list": True,
                            "when": {3: "P"},
                            "children": [
                                {
                                    "name": "packs.TD1",
                                    "tag": "TD1",
                                    # TD102 (lading quantity) is required beside TD101
                                    # (C0102): one handling unit per pack level.
                                    "elements": {
                                        1: {"path": "package_type", "codes": "package"},
                                        2: {"const": "1", "if": 1},
                                        6: {"const": "G", "if": 7},
                                    }
                                    | {7: {"path": "gross_weight.value", "type": "decimal"}}
                                    | {8: "gross_weight.unit"},
                                },
                                {
                                    "name": "packs.MAN",
                                    "tag": "MAN",
                                    "when": {1: "GM"},
                                    "elements": {2: {"path": "sscc", "type": "sscc"}},
                                },
                                {
                                    "name": "items",
                                    "tag": "HL",
                                    "hl": True,
                                    "path": "items",
                                    "list": True,
                                    "when": {3: "I"},
                                    "children": [
                                        {
                                            "tag": "LIN",
                                            "elements": {1: "po_line_number"},
                                            "pairs": item_ids(2, 10, LT="lot.lot_number"),
                                        },
                                        {
                                            "tag": "SN1",
                                            "elements": {
                                                2: {"path": "quantity.value", "type": "decimal"}
                                            }
                                            | {3: "quantity.unit"},
                                        },
                                        {
                                            "name": "items.PID",
                                            "tag": "PID",
                                            "when": {1: "F"},
                                            "elements": {
                                                5: {"path": "item.description", "max": 80}
                                            },
                                        },
                                        {
                                            "name": "expiry_date",
                                            "tag": "DTM",
                                            "when": {1: "036"},
                                            "elements": {
                                                2: {"path": "lot.expiry_date", "type": "date"}
                                            },
                                        },
                                        {
                                            "name": "production_date",
                                            "tag": "DTM",
                                            "when": {1: "405"},
                                            "elements": {
                                                2: {"path": "lot.production_date", "type": "date"}
                                            },
                                        },
                                    ],
                                },
                            ],
                        },
                    ],
                },
            ],
        },
        {"tag": "CTT", "elements": {1: {"count": "#HL"}}},
    ],
}
