"""860 Purchase Order Change Request <-> PurchaseOrderChange (004010).

The hub sends an 860 to a supplier when the ERP changes a PO, and reads one from a customer
changing theirs. Each POC loop is one changed line: POC02 says what changes, POC03/POC05 the
new quantity, POC06 the new price, the loop's DTM*002 the new date. A POC02 code the table
below does not know is a mapping error naming it: the flow needs the change's meaning.
"""

from __future__ import annotations

from typing import Any

from crossdock.mapping.x12.maps.common import DOCUMENT_CURRENCY, item_ids, party

# POC02 change or response type (X12 670) -> LineChange; the first code per value is written.
LINE_CHANGES: dict[str, str] = {
    "AI": "add",
    "DI": "cancel",
    "QI": "quantity_increase",
    "QD": "quantity_decrease",
    "PC": "price_change",
    "PQ": "price_and_quantity_change",
    "RS": "date_change",
    "RQ": "quantity_and_date_change",
    "PR": "price_and_date_change",
    "CA": "change",
    "RZ": "replace",
    "NC": "no_change",
}

# BCH01 / BCA01 purpose: 04 change, 01 cancel, 05 replace (00 original, as some partners
# send on a first change, and 19 seller initiated change read as a change).
PURPOSES: dict[str, str] = {"04": "change", "01": "cancel", "05": "replace"} | {
    "00": "change",
    "19": "change",
}


def poc(extra_children: list[dict[str, Any]], *, dated: bool) -> dict[str, Any]:
    """The POC loop: the line, its description, its new date (``dated``: the 860; the 865
    dates its answer in ACK05), its free text; ``extra_children`` (the 865's ACK) go after
    the date."""
    date: list[dict[str, Any]] = [
        {
            "name": "lines.DTM",
            "tag": "DTM",
            "when": {1: "002"},
            "elements": {2: {"path": "requested_delivery_date", "type": "date"}},
        }
    ]
    return {
        "tag": "POC",
        "path": "lines",
        "list": True,
        "number": "line_number",
        "set": {"unit_price.currency": "=currency"},
        "default": {"unit_price.currency": "USD"},
        "elements": {
            1: "line_number",
            # POC02 is mandatory: an 865 line answering without naming its change says CA.
            2: [{"const": "CA"}, {"path": "change", "codes": "line_change"}],
            3: {"path": "quantity.value", "type": "decimal"},
            5: "quantity.unit",
            6: {"path": "unit_price.amount", "type": "decimal"},
        },
        "pairs": item_ids(8, 10),
        "children": [
            {
                "name": "lines.PID",
                "tag": "PID",
                "when": {1: "F"},
                "elements": {5: {"path": "item.description", "max": 80}},
            },
            *(date if dated else []),
            # A bare MSG in the POC loop, as some partners send, is still read.
            {
                "name": "lines.MSG",
                "tag": "MSG",
                "elements": {1: {"path": "reason", "write": False}},
            },
            *extra_children,
            # Line free text is written in the loop's N9 loop (N9*L1, MSG).
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
        ],
    }


NOTES: dict[str, Any] = {
    "name": "notes_n9",
    "tag": "N9",
    "when": {1: "L1"},
    "emit_if": "notes",
    "elements": {2: {"const": "NOTES"}},
    "children": [{"name": "notes", "tag": "MSG", "elements": {1: {"path": "notes[]", "max": 264}}}],
}

MAP_860: dict[str, Any] = {
    "code": "860",
    "document_type": "purchase_order_change",
    # The buyer sends the 860.
    "envelope": {"buyer": "sender", "supplier": "receiver"},
    "codes": {"purpose": PURPOSES, "line_change": LINE_CHANGES},
    "segments": [
        {
            "tag": "BCH",
            "required": True,
            "elements": {
                1: {"path": "purpose", "codes": "purpose"},
                2: {"const": "SA"},
                3: "po_number",
                5: "change_number",
                # BCH06 (the PO date) is mandatory: without one the change's date is sent.
                6: [
                    {"path": "changed_at", "type": "date", "read": False},
                    {"path": "po_date", "type": "date"},
                ],
                9: "sales_order_number",
                11: {"path": "changed_at", "type": "datetime"},
            },
        },
        DOCUMENT_CURRENCY,
        {
            "name": "requested_delivery_date",
            "tag": "DTM",
            "when": {1: "002"},
            "elements": {2: {"path": "requested_delivery_date", "type": "date"}},
        },
        # BCH11 has no time: DTM*097 (document creation) carries it, read after BCH11.
        {
            "name": "changed_at",
            "tag": "DTM",
            "when": {1: "097"},
            "elements": {
                2: {"path": "changed_at", "type": "datetime", "time": 3},
                4: {"const": "UT"},
            },
        },
        NOTES,
        party("buyer", ["BY"], contact=True),
        party("supplier", ["SU", "SE", "VN"], contact=True),
        poc([], dated=True),
        {"tag": "CTT", "elements": {1: {"count": "lines"}}},
    ],
}
