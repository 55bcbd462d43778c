"""810 Invoice <-> Invoice (004010).

The 810 carries neither line amounts nor the line-extension/allowance/charge totals: the
``invoice_totals`` hook derives them (quantity x price to the cent; SAC sums), and TDS01
(N2, implied cents) is the payable amount. BIG04 holds the first PO, REF*PO the others.
"""

from __future__ import annotations

from typing import Any

from crossdock.mapping.x12.maps.common import DOCUMENT_CURRENCY, item_ids, party

MAP_810: dict[str, Any] = {
    "code": "810",
    "document_type": "invoice",
    "envelope": {"supplier": "sender", "buyer": "receiver"},
    "defaults": {"currency": "USD"},
    "hooks": [["first_of", "po_numbers"], "invoice_totals"],
    "codes": {
        "invoice_type": {"DI": "commercial", "DR": "commercial", "CR": "credit_note"},
        "allowance_charge": {"A": False, "C": True},
        # SAC02 (1300): ZZZZ is "mutually defined", i.e. no code; other codes pass through.
        "sac_code": {"*": "pass", "ZZZZ": None},
    },
    "segments": [
        {
            "tag": "BIG",
            "required": True,
            "elements": {
                1: {"path": "issue_date", "type": "date"},
                2: "invoice_number",
                4: "po_numbers__first",
                7: {"path": "invoice_type", "codes": "invoice_type"},
            },
        },
        {
            "name": "notes",
            "tag": "NTE",
            "when": {1: "GEN"},
            "elements": {2: {"path": "notes[]", "max": 80}},
        },
        DOCUMENT_CURRENCY,
        {
            "name": "po_numbers",
            "tag": "REF",
            "when": {1: "PO"},
            "elements": {2: "po_numbers__rest[]"},
        },
        {"name": "asn_number", "tag": "REF", "when": {1: "MA"}, "elements": {2: "asn_number"}},
        party("supplier", ["SU", "SE", "VN"], contact=True),
        party("buyer", ["BY"], contact=True),
        party("bill_to", ["BT"]),
        party("remit_to", ["RI", "RE"]),
        party("ship_to", ["ST"]),
        {
            "tag": "ITD",
            "path": "payment_terms",
            "elements": {
                1: {"const": "01"},
                3: "discount_percent",
                5: "discount_days",
                7: "net_days",
            }
            | {12: {"path": "description", "max": 80}},
        },
        {
            "name": "due_date",
            "tag": "DTM",
            "when": {1: "814"},
            "elements": {2: {"path": "due_date", "type": "date"}},
        },
        {
            "tag": "IT1",
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
            "pairs": item_ids(6, 10, PO="po_number", PL="po_line_number"),
            "children": [
                {
                    "name": "lines.PID",
                    "tag": "PID",
                    "when": {1: "F"},
                    "elements": {5: {"path": "item.description", "max": 80}},
                },
            ],
        },
        {
            "tag": "TDS",
            "required": True,
            "set": {"totals.payable_amount.currency": "=currency"},
            "elements": {1: {"path": "totals.payable_amount.amount", "type": "n2"}},
        },
        {
            "tag": "TXI",
            "set": {"totals.tax_amount.currency": "=currency"},
            "elements": {
                1: {"const": "TX"},
                2: {"path": "totals.tax_amount.amount", "type": "decimal"},
            },
        },
        {
            "tag": "SAC",
            "path": "allowances_charges",
            "list": True,
            "set": {"amount.currency": "=currency"},
            "elements": {
                1: {"path": "is_charge", "codes": "allowance_charge"},
                # Many partners send no SAC15: the code (D240 freight) is then the reason.
                # SAC02 or SAC03 is required (R0203): without a code, ZZZZ (mutually
                # defined), which reads back as no code.
                2: [
                    {"const": "ZZZZ"},
                    {"path": "code", "codes": "sac_code"},
                    {"path": "reason", "write": False},
                ],
                5: {"path": "amount.amount", "type": "n2"},
                15: {"path": "reason", "max": 80},
            },
        },
        {"tag": "CTT", "elements": {1: {"count": "lines"}}},
    ],
}
