"""Procure-to-pay documents for the flow tests, built from the examples with dates near T0."""

from __future__ import annotations

import copy
import itertools
from decimal import Decimal
from typing import Any

from crossdock.canonical.values import gs1_check_digit
from tests.unit.flows.helpers import example

PO = "HP-PO-2024-018734"
_serial = itertools.count(1)


def purchase_order(purpose: str = "original", **changes: Any) -> dict[str, Any]:
    po = copy.deepcopy(example("purchase_order"))
    po.update(
        purpose=purpose,
        issued_at="2026-11-27T08:00:00+00:00",
        requested_ship_date="2026-12-02",
        requested_delivery_date="2026-12-04",
    )
    po["lines"][1]["requested_delivery_date"] = "2026-12-03"
    po.update(changes)
    return po


def acknowledgment(**changes: Any) -> dict[str, Any]:
    """The example: line 2 changed from 80 to 60 cases, promised 2026-12-02."""
    ack = copy.deepcopy(example("purchase_order_acknowledgment"))
    ack["acknowledged_at"] = "2026-11-27T12:00:00+00:00"
    for line in ack["lines"]:
        line["promised_date"] = "2026-12-02"
    ack.update(changes)
    return ack


def accepted() -> dict[str, Any]:
    ack = acknowledgment(status="accepted")
    ack["lines"][1].update(status="accepted", promised_quantity={"value": "80", "unit": "CS"})
    del ack["lines"][1]["reason"]
    return ack


def sscc() -> str:
    body = f"0086000100{next(_serial):07d}"
    return body + str(gs1_check_digit(body))


def ship_notice(number: str, lines: dict[int, int], po_number: str = PO) -> dict[str, Any]:
    asn = copy.deepcopy(example("advance_ship_notice"))
    items = {i["po_line_number"]: i["item"] for p in asn["orders"][0]["packs"] for i in p["items"]}
    asn["asn_number"] = number
    asn["orders"] = [
        {
            "po_number": po_number,
            "packs": [
                {
                    "sscc": sscc(),
                    "items": [
                        {
                            "po_line_number": line,
                            "item": items[line],
                            "quantity": {"value": str(qty), "unit": "CS"},
                        }
                    ],
                }
                for line, qty in lines.items()
            ],
        }
    ]
    return asn


def receipt(
    number: str,
    asn: str | None,
    lines: dict[int, int | tuple[int, str]],
    po_number: str = PO,
    extra: tuple[tuple[int, int, str], ...] = (),
) -> dict[str, Any]:
    """A goods receipt: po line -> quantity, or (quantity, condition); `extra` adds more
    lines (po line, quantity, condition) for a PO line received in several conditions."""
    doc = copy.deepcopy(example("goods_receipt"))
    items = {line["po_line_number"]: line["item"] for line in doc["lines"]}
    doc.update(receipt_number=number, asn_number=asn)
    if asn is None:
        del doc["asn_number"]
    doc["lines"] = []
    specs = [
        (line, *(spec if isinstance(spec, tuple) else (spec, "good")))
        for line, spec in lines.items()
    ]
    for index, (line, qty, condition) in enumerate([*specs, *extra], start=1):
        doc["lines"].append(
            {
                "line_number": index,
                "po_number": po_number,
                "po_line_number": line,
                "item": items[line],
                "received_quantity": {"value": str(qty), "unit": "CS"},
                "condition": condition,
            }
        )
    return doc


def invoice(number: str, lines: dict[int, tuple[int, str]], po_number: str = PO) -> dict[str, Any]:
    """An invoice: po line -> (quantity, unit price), totals that add up."""
    doc = copy.deepcopy(example("invoice"))
    items = {line["po_line_number"]: line["item"] for line in doc["lines"]}
    doc.update(invoice_number=number, po_numbers=[po_number], allowances_charges=[])
    doc["lines"] = []
    total = Decimal(0)
    for index, (line, (qty, price)) in enumerate(lines.items(), start=1):
        amount = Decimal(qty) * Decimal(price)
        total += amount
        doc["lines"].append(
            {
                "line_number": index,
                "po_number": po_number,
                "po_line_number": line,
                "item": items[line],
                "quantity": {"value": str(qty), "unit": "CS"},
                "unit_price": {"amount": price, "currency": "USD"},
                "line_amount": {"amount": str(amount), "currency": "USD"},
            }
        )
    money = {"amount": str(total), "currency": "USD"}
    zero = {"amount": "0", "currency": "USD"}
    doc["totals"] = {
        "line_extension_amount": money,
        "allowance_total_amount": zero,
        "charge_total_amount": zero,
        "tax_amount": zero,
        "payable_amount": money,
    }
    return doc


FULL_INVOICE = {1: (120, "24.85"), 2: (60, "38.40"), 3: (60, "29.125")}
FULL_ASN = {1: 120, 2: 60, 3: 60}


def shipped() -> list[tuple[str, dict[str, Any]]]:
    """The steps most procure-to-pay tests start from: the PO, its acknowledgment and one
    ship notice (ASN-1) carrying every acknowledged quantity."""
    return [
        ("purchase_order", purchase_order()),
        ("purchase_order_acknowledgment", acknowledgment()),
        ("advance_ship_notice", ship_notice("ASN-1", FULL_ASN)),
    ]


def putaway(movement_id: str, receipt_number: str | None, line: int, qty: int) -> dict[str, Any]:
    """A WMS put-away of one received PO line: a `putaway` stock movement dock -> bin."""
    items = {ln["po_line_number"]: ln["item"] for ln in example("goods_receipt")["lines"]}
    doc: dict[str, Any] = {
        "movement_id": movement_id,
        "movement_type": "putaway",
        "occurred_at": "2026-12-02T14:00:00+00:00",
        "site": {"code": "DC-ATL"},
        "item": items[line],
        "quantity": {"value": str(qty), "unit": "CS"},
        "from_location": "DOCK-07",
        "to_location": f"A-{line:02d}-01",
        "to_status": "available",
        "po_number": PO,
        "po_line_number": line,
        "source_system": "wms",
    }
    if receipt_number is not None:
        doc["reference"] = receipt_number
    return doc
