"""204 Motor Carrier Load Tender <-> LoadTender (outbound: the distributor tenders loads).

B204 is the load id, B202 the carrier's SCAC (the ``carrier_from_scac`` hook makes it the
carrier party), B2A01 the purpose. Each S5 stop carries its reason, the L11*PO orders, the
appointment window (G62 37/38 at a pick-up, 53/54 at a delivery: the ``stop_windows`` hook
picks by the stop's reason), the AT8 weight, its N1 party and OID orders. B206 (method of
payment) is mandatory: PP (prepaid) unless the tender says otherwise.
"""

from __future__ import annotations

from typing import Any

from crossdock.mapping.x12.maps.common import party
from crossdock.mapping.x12.maps.transport import TRANSPORT_CODES, ignored, orders, stop_party


def _window(name: str, qualifier: str, path: str, time_code: str) -> dict[str, Any]:
    return {
        "name": name,
        "tag": "G62",
        "when": {1: qualifier},
        "elements": {
            2: {"path": path, "type": "datetime", "time": 4},
            3: {"const": time_code, "if": 4},
        },
    }


MAP_204: dict[str, Any] = {
    "code": "204",
    "document_type": "load_tender",
    "hooks": ["carrier_from_scac", "stop_windows"],
    "codes": {
        **TRANSPORT_CODES,
        "purpose": {"00": "original", "04": "change", "01": "cancellation"},
    },
    "segments": [
        {
            "tag": "B2",
            "required": True,
            "elements": {
                2: "carrier_scac",
                4: "shipment_id",
                6: [{"const": "PP"}, "payment_method"],
            },
        },
        {
            "tag": "B2A",
            "required": True,
            "elements": {1: {"path": "purpose", "codes": "purpose"}, 2: {"const": "LT"}},
        },
        {"name": "po_numbers", "tag": "L11", "when": {2: "PO"}, "elements": {1: "po_numbers[]"}},
        {"name": "notes", "tag": "NTE", "elements": {2: {"path": "notes[]", "max": 80}}},
        party("bill_to", ["BT"]),
        {"tag": "N7", "path": "equipment", "elements": {2: "number", 11: "type_code"}},
        {
            "tag": "S5",
            "path": "stops",
            "list": True,
            "elements": {1: "sequence", 2: {"path": "reason", "codes": "stop_reason"}},
            "children": [
                {
                    "name": "stops.po_numbers",
                    "tag": "L11",
                    "when": {2: "PO"},
                    "elements": {1: "po_numbers[]"},
                },
                _window("stops.pickup_earliest", "37", "pickup__earliest_at", "I"),
                _window("stops.pickup_latest", "38", "pickup__latest_at", "K"),
                _window("stops.delivery_earliest", "53", "delivery__earliest_at", "G"),
                _window("stops.delivery_latest", "54", "delivery__latest_at", "L"),
                {
                    "name": "stops.weight",
                    "tag": "AT8",
                    "default": {"weight.unit": "LB"},
                    "elements": {
                        1: {"const": "G"},
                        2: {"path": "weight.unit", "codes": "weight_unit"},
                        3: {"path": "weight.value", "type": "decimal"},
                    },
                },
                stop_party("stops"),
                ignored("stops.L5", "L5", ignored("stops.L5.AT8", "AT8")),
                orders("stops.orders", ignored("stops.orders.L5", "L5")),
                ignored("stops.N7", "N7"),
            ],
        },
        {
            "tag": "L3",
            "default": {"total_weight.unit": "LB"},
            "elements": {
                1: {"path": "total_weight.value", "type": "decimal"},
                2: {"const": "G", "if": 1},
                12: {"path": "total_weight.unit", "codes": "weight_unit"},
            },
        },
    ],
}
