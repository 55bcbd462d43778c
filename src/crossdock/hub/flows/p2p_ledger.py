"""The procure-to-pay flow's book of quantities, kept in the instance's JSON data.

The flow receives documents in any order (an ASN before the acknowledgment, a receipt before
its ASN, an invoice before the goods), so it does not move through states by the order of
events: it records each document under its own number (a resent ASN or receipt replaces
itself, never counts twice) and derives quantities and the state from what it has. These
functions read and write that book; they are pure and know no engine.

A put-away (a ``stock_movement`` of type ``putaway``) is booked apart from the receipts, under
its own movement id: it moves goods a receipt already counted to their location, so it is the
line's put-away step and never adds to the received quantity.

Layout of ``data`` (quantities and prices are decimal strings, line numbers string keys)::

    lines:    {"1": {"qty", "unit", "price", "currency", "item", "date", "cancelled"}}
    ack:      {"1": {"status", "promised", "date"}}
    schedule: {"1": {"expected", "unit", "date"}}   the inbound schedule kept for the WMS
    asns:     {asn_number: {"message", "lines": {"1": qty}}}
    receipts: {receipt_number: {"message", "asn", "lines": {"1": {"counted", "accepted"}}}}
    putaways: {movement_id: {"message", "receipt", "line", "qty", "location"}}
    billed:   {"1": qty}                             approved on earlier invoices
    invoices: {invoice_number: status}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from crossdock.hub.flows.model import by_fields
from crossdock.hub.flows.three_way_match import BilledLine, OrderedLine

ZERO = Decimal(0)
#: Received goods in these conditions are counted at the dock but not accepted for payment.
NOT_ACCEPTED = frozenset({"damaged", "wrong_item"})
OPEN_STATUSES = ("accepted", "changed", "backordered")


def po_lines(po: Mapping[str, Any], previous: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The PO's lines as the book keeps them. A replacing PO (``previous`` given) cancels
    the lines it no longer lists or orders zero of, and keeps them in the book as cancelled."""
    header_date = po.get("requested_delivery_date") or po.get("requested_ship_date")
    lines: dict[str, Any] = {}
    for line in po.get("lines") or []:
        qty = Decimal(str(line["quantity"]["value"]))
        lines[str(line["line_number"])] = {
            "qty": str(qty),
            "unit": line["quantity"]["unit"],
            "price": str(line["unit_price"]["amount"]),
            "currency": line["unit_price"]["currency"],
            "item": line["item"],
            "date": line.get("requested_delivery_date") or header_date,
            "cancelled": qty == 0,
        }
    for number, old in (previous or {}).items():
        if number not in lines:
            lines[number] = {**old, "cancelled": True}
    return lines


def ack_lines(ack: Mapping[str, Any]) -> dict[str, Any]:
    """What the supplier promised per line."""
    out: dict[str, Any] = {}
    for line in ack.get("lines") or []:
        promised = line.get("promised_quantity")
        out[str(line["line_number"])] = {
            "status": line["status"],
            "promised": str(promised["value"]) if promised else None,
            "date": line.get("promised_date"),
        }
    return out


def schedule(lines: Mapping[str, Any], ack: Mapping[str, Any]) -> dict[str, Any]:
    """Expected quantity and date per line: the acknowledgment's promise where there is one,
    else the order; a cancelled or rejected line expects nothing."""
    out: dict[str, Any] = {}
    for number, line in lines.items():
        answer = ack.get(number) or {}
        expected = Decimal(line["qty"])
        if line["cancelled"] or answer.get("status") == "rejected":
            expected = ZERO
        elif answer.get("promised") is not None:
            expected = min(expected, Decimal(answer["promised"]))
        out[number] = {
            "expected": str(expected),
            "unit": line["unit"],
            "date": answer.get("date") or line.get("date"),
        }
    return out


def asn_due(plan: Mapping[str, Any], before: timedelta) -> datetime | None:
    """When the ship notice is due: `before` the earliest date goods are expected."""
    dates = [
        date.fromisoformat(str(entry["date"]))
        for entry in plan.values()
        if entry.get("date") and Decimal(entry["expected"]) > 0
    ]
    if not dates:
        return None
    return datetime.combine(min(dates), time(0), tzinfo=UTC) - before


def asn_lines(asn: Mapping[str, Any], po_number: str) -> dict[str, str]:
    """Shipped quantity per PO line of `po_number` in one ship notice."""
    shipped: dict[str, Decimal] = {}
    for order in asn.get("orders") or []:
        if order.get("po_number") != po_number:
            continue
        for pack in order.get("packs") or []:
            for item in pack.get("items") or []:
                number = str(item["po_line_number"])
                value = Decimal(str(item["quantity"]["value"]))
                shipped[number] = shipped.get(number, ZERO) + value
    return {k: str(v) for k, v in shipped.items()}


def receipt_lines(receipt: Mapping[str, Any], po_number: str) -> dict[str, Any]:
    """Counted and accepted quantity per PO line of `po_number` in one goods receipt, and
    the quantity per condition (damaged, short, over, wrong item) as evidence."""
    out: dict[str, Any] = {}
    for line in receipt.get("lines") or []:
        if line.get("po_number") != po_number:
            continue
        entry = out.setdefault(
            str(line["po_line_number"]), {"counted": "0", "accepted": "0", "conditions": {}}
        )
        value = Decimal(str(line["received_quantity"]["value"]))
        condition = line.get("condition") or "good"
        if condition != "wrong_item":
            entry["counted"] = str(Decimal(entry["counted"]) + value)
        if condition not in NOT_ACCEPTED:
            entry["accepted"] = str(Decimal(entry["accepted"]) + value)
        conditions = entry["conditions"]
        conditions[condition] = str(Decimal(conditions.get(condition, "0")) + value)
    return out


def total(entries: Iterable[Mapping[str, Any]], field: str | None = None) -> dict[str, Decimal]:
    """Sum per line over documents' ``lines`` (optionally one field of each line entry)."""
    sums: dict[str, Decimal] = {}
    for entry in entries:
        for number, value in (entry.get("lines") or {}).items():
            amount = Decimal(value[field] if field else value)
            sums[number] = sums.get(number, ZERO) + amount
    return sums


def received(data: Mapping[str, Any], field: str = "accepted") -> dict[str, Decimal]:
    return total((data.get("receipts") or {}).values(), field)


def shipped(data: Mapping[str, Any]) -> dict[str, Decimal]:
    """Quantity per line over every ship notice booked."""
    return total((data.get("asns") or {}).values())


def putaway_entry(movement: Mapping[str, Any], message_id: str) -> dict[str, Any]:
    """A put-away movement as the book keeps it: the receipt and PO line it stores."""
    return {
        "message": message_id,
        "receipt": movement.get("reference"),
        "line": str(movement["po_line_number"]),
        "qty": str(movement["quantity"]["value"]),
        "location": movement.get("to_location"),
    }


def put_away(data: Mapping[str, Any]) -> dict[str, Decimal]:
    """Quantity put away per line (whatever order the receipts and put-aways came in)."""
    sums: dict[str, Decimal] = {}
    for entry in (data.get("putaways") or {}).values():
        sums[entry["line"]] = sums.get(entry["line"], ZERO) + Decimal(entry["qty"])
    return sums


def invoice_keys(document: Mapping[str, Any]) -> list[str]:
    """An invoice advances every PO it names, in its header or on its lines."""
    named = [*(document.get("po_numbers") or []), *by_fields("lines", "po_number")(document)]
    return [str(n) for n in named]


def putaway_keys(movement: Mapping[str, Any]) -> list[str]:
    """A stock movement advances the PO it names only when it is a put-away: other movements
    (adjustments, transfers) are inventory's business, not the order's."""
    if movement.get("movement_type") != "putaway" or movement.get("po_line_number") is None:
        return []
    return [str(movement["po_number"])] if movement.get("po_number") else []


def backordered(data: Mapping[str, Any], number: str) -> bool:
    """True when the supplier acknowledged the line as backordered: the rest comes later."""
    return bool((data.get("ack") or {}).get(number, {}).get("status") == "backordered")


def landed(data: Mapping[str, Any], number: str) -> bool:
    """True when every ship notice carrying the line has been received and a receipt counted
    the line: what the supplier announced for it is in, nothing more is on its way."""
    receipts = (data.get("receipts") or {}).values()
    answered = {r.get("asn") for r in receipts}
    carrying = [n for n, a in (data.get("asns") or {}).items() if number in a["lines"]]
    counted = any(number in (r.get("lines") or {}) for r in receipts)
    return bool(carrying) and counted and all(n in answered for n in carrying)


def in_transit(data: Mapping[str, Any]) -> dict[str, Decimal]:
    """Quantity on ship notices no receipt has answered yet, per line."""
    answered = {r.get("asn") for r in (data.get("receipts") or {}).values()}
    waiting = [a for n, a in (data.get("asns") or {}).items() if n not in answered]
    return total(waiting)


def ordered_lines(data: Mapping[str, Any]) -> dict[int, OrderedLine]:
    """The order as the three-way match sees it: the ordered quantity, less what the
    supplier rejected or cut in its acknowledgment (the ERP was told and agreed)."""
    plan = data.get("schedule") or {}
    return {
        int(number): OrderedLine(
            line_number=int(number),
            quantity=Decimal(plan.get(number, {}).get("expected", line["qty"])),
            unit=line["unit"],
            unit_price=Decimal(line["price"]),
            currency=line["currency"],
            cancelled=bool(line["cancelled"]),
        )
        for number, line in (data.get("lines") or {}).items()
    }


def billed_lines(invoice: Mapping[str, Any], po_number: str) -> list[BilledLine]:
    """The invoice lines that bill `po_number`: those naming it, or naming no PO when the
    invoice bills this PO alone. A line without a PO line number bills its own number."""
    alone = list(invoice.get("po_numbers") or []) in ([], [po_number])
    out = []
    for line in invoice.get("lines") or []:
        named = line.get("po_number")
        if named != po_number and not (named is None and alone):
            continue
        out.append(
            BilledLine(
                invoice_line_number=int(line["line_number"]),
                po_line_number=int(line.get("po_line_number") or line["line_number"]),
                quantity=Decimal(str(line["quantity"]["value"])),
                unit=line["quantity"]["unit"],
                unit_price=Decimal(str(line["unit_price"]["amount"])),
                currency=line["unit_price"]["currency"],
            )
        )
    return out


def invoice_waits(data: Mapping[str, Any], lines: Iterable[BilledLine]) -> bool:
    """True while goods the invoice bills may still arrive: a billed line received less
    than it bills, and either nothing of it was received yet or a ship notice carrying it
    has not been received. A receipt answering every notice settles it (short is short).
    Lines not (or no longer) on the order never wait: the match reports them."""
    got = received(data, "counted")
    coming = in_transit(data)
    open_lines = {n for n, line in (data.get("lines") or {}).items() if not line["cancelled"]}
    for line in lines:
        number = str(line.po_line_number)
        if number not in open_lines:
            continue  # nothing will arrive for it: the match says so
        have = got.get(number)
        if (have is None or have < line.quantity) and (have is None or coming.get(number)):
            return True
    return False


def fully_billed(data: Mapping[str, Any]) -> bool:
    """True when nothing is left to invoice: every line expecting goods is billed in full,
    or was received (nothing more in transit) and billed for all that came. A line shipped
    short is then considered received (its short_shipment exception carries the balance to
    the buyer), except a backordered one: the supplier said the rest is coming, so the flow
    stays open for it until it is billed in full or a changed order cancels it."""
    billed = {k: Decimal(v) for k, v in (data.get("billed") or {}).items()}
    got = received(data, "counted")
    coming = in_transit(data)
    for number, entry in (data.get("schedule") or {}).items():
        expected = Decimal(entry["expected"])
        have = billed.get(number, ZERO)
        if expected == 0 or have >= expected:
            continue
        if backordered(data, number):
            return False
        if number in got and not coming.get(number) and have >= got[number]:
            continue
        return False
    return True
