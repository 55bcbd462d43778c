"""210 Motor Carrier Freight Details and Invoice <-> FreightInvoice (inbound: carriers bill).

B3 holds the invoice (B302), the shipper's shipment id (B303), the amount due (B307, N2),
the SCAC (B311: the ``carrier_from_scac`` hook makes it the carrier party); C3 the currency
(USD when absent); N9 BM/CN/PO the bill of lading, PRO and orders; G62 86/35 the pick-up and
delivery dates. Each LX line reads its description (L5, repeats joined), weight and pieces
(L0; pounds unless L011 says K) and charges (L1: L104 amount, L108 charge code, L102/L103
rate). L3 is mandatory: written from the total charges, or the amount due without them.
"""

from __future__ import annotations

from typing import Any

from crossdock.mapping.x12.maps.common import party
from crossdock.mapping.x12.maps.transport import TRANSPORT_CODES, ignored, stop_party


def _date(name: str, qualifier: str) -> dict[str, Any]:
    return {
        "name": name,
        "tag": "G62",
        "when": {1: qualifier},
        "elements": {2: {"path": name, "type": "date"}},
    }


def _reference(name: str, qualifier: str) -> dict[str, Any]:
    return {"name": name, "tag": "N9", "when": {1: qualifier}, "elements": {2: name}}


MAP_210: dict[str, Any] = {
    "code": "210",
    "document_type": "freight_invoice",
    "hooks": ["carrier_from_scac"],
    "defaults": {"currency": "USD"},
    "codes": dict(TRANSPORT_CODES),
    "segments": [
        {
            "tag": "B3",
            "required": True,
            "set": {"amount_due.currency": "=currency"},
            "elements": {
                2: "invoice_number",
                3: "shipment_id",
                4: [{"const": "PP"}, "payment_method"],
                6: {"path": "invoice_date", "type": "date"},
                7: {"path": "amount_due.amount", "type": "n2"},
                11: "carrier_scac",
            },
        },
        {"tag": "C3", "elements": {1: "currency"}},
        _reference("bill_of_lading", "BM"),
        _reference("pro_number", "CN"),
        {"name": "po_numbers", "tag": "N9", "when": {1: "PO"}, "elements": {2: "po_numbers[]"}},
        _date("shipped_on", "86"),
        _date("delivered_on", "35"),
        party("ship_from", ["SH", "SF"]),
        party("consignee", ["CN", "ST"]),
        party("bill_to", ["BT"]),
        {
            "tag": "S5",
            "path": "stops",
            "list": True,
            "elements": {1: "sequence", 2: {"path": "reason", "codes": "stop_reason"}},
            "children": [
                ignored("stops.N9", "N9"),
                ignored("stops.G62", "G62"),
                stop_party("stops"),
            ],
        },
        {
            "tag": "LX",
            "path": "lines",
            "list": True,
            "number": "line_number",
            "elements": {1: "line_number"},
            "children": [
                ignored("lines.N9", "N9"),
                {
                    "name": "lines.L5",
                    "tag": "L5",
                    "elements": {2: {"path": "description", "max": 50, "split": 30}},
                },
                {
                    "name": "lines.L0",
                    "tag": "L0",
                    "default": {"weight.unit": "LB"},
                    "elements": {
                        4: {"path": "weight.value", "type": "decimal"},
                        5: {"const": "G", "if": 4},
                        8: {"path": "quantity", "type": "decimal"},
                        9: "packaging_code",
                        11: {"path": "weight.unit", "codes": "weight_unit"},
                    },
                },
                {
                    "name": "lines.charges",
                    "tag": "L1",
                    "path": "charges",
                    "list": True,
                    "set": {"amount.currency": "=currency"},
                    "elements": {
                        2: {"path": "rate", "type": "decimal"},
                        3: "rate_qualifier",
                        4: {"path": "amount.amount", "type": "n2"},
                        8: "code",
                        12: {"path": "description", "max": 25},
                    },
                },
                ignored("lines.G62", "G62"),
                ignored("lines.N1", "N1"),
            ],
        },
        {
            "tag": "L3",
            "required": True,
            "set": {"total_charges.currency": "=currency"},
            "default": {"total_weight.unit": "LB"},
            "elements": {
                1: {"path": "total_weight.value", "type": "decimal"},
                2: {"const": "G", "if": 1},
                5: [
                    {"path": "amount_due.amount", "type": "n2", "read": False},
                    {"path": "total_charges.amount", "type": "n2"},
                ],
                12: {"path": "total_weight.unit", "codes": "weight_unit"},
            },
        },
    ],
}
