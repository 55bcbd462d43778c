"""The procure-to-pay flow's checks on shipped and received goods, and the approval it issues.

Three checks, each raised once (`flag` remembers it in the instance's data), because a
document resent, or arriving in another order, must not open the same exception twice:

- the ship notices against the order (short_shipment, once per PO line): the supplier
  shipped less than it was asked for (the order, or its acknowledgment's promise) and said
  nothing of the rest. Judged once the line has landed (every notice carrying it received),
  so a second truck announced before the first is unloaded is not a false alarm, and once
  the acknowledgment is in (or overdue), so a promise cut that arrives late is not one either.
  A line the supplier acknowledged as backordered is not judged: the rest is coming;
- a receipt against its ship notice (short_shipment, once per notice and line);
- the receipts against the inbound schedule (over_receipt, once per line).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from crossdock.hub.flows import p2p_ledger as ledger
from crossdock.hub.flows.exceptions import ExceptionCategory, RaisedException
from crossdock.hub.flows.model import MessageEvent
from crossdock.hub.flows.p2p_policy import PartnerTerms
from crossdock.hub.flows.three_way_match import BilledLine


def flag(data: dict[str, Any], token: str) -> bool:
    """True the first time `token` is flagged: each discrepancy is raised once."""
    flagged = data.setdefault("flagged", [])
    if token in flagged:
        return False
    flagged.append(token)
    return True


def short_against_notices(data: dict[str, Any]) -> list[RaisedException]:
    """Each ship notice line that its receipts have counted, received short of what the notice
    announced. A line no receipt has counted yet is not judged: receiving one truck may take
    several receipts. (A line counted over two receipts is judged at the first: the operator
    resolves that exception when the second one comes.)"""
    raised = []
    for number, asn in (data.get("asns") or {}).items():
        receipts = [r for r in (data.get("receipts") or {}).values() if r.get("asn") == number]
        if not receipts:
            continue
        got = ledger.total(receipts, "counted")
        for line, shipped in asn["lines"].items():
            if line not in got:
                continue
            short = Decimal(shipped) - got.get(line, ledger.ZERO)
            if short > 0 and flag(data, f"short:{number}:{line}"):
                raised.append(
                    RaisedException(
                        ExceptionCategory.SHORT_SHIPMENT,
                        f"PO line {line}: ship notice {number} announced {shipped}, received "
                        f"{got.get(line, ledger.ZERO)} (short {short})",
                        evidence=[asn["message"], *(r["message"] for r in receipts)],
                        data={
                            "asn_number": number,
                            "po_line_number": int(line),
                            "shipped": shipped,
                            "received": str(got.get(line, ledger.ZERO)),
                            "difference": str(short),
                        },
                    )
                )
    return raised


def short_against_order(data: dict[str, Any]) -> list[RaisedException]:
    """Each PO line its ship notices shipped short of what is expected (see the module
    docstring for when a line is judged)."""
    if not data.get("lines") or not (data.get("ack") or data.get("ack_late")):
        return []
    raised = []
    shipped = ledger.shipped(data)
    for line, entry in (data.get("schedule") or {}).items():
        expected = Decimal(entry["expected"])
        sent = shipped.get(line, ledger.ZERO)
        if sent >= expected or ledger.backordered(data, line) or not ledger.landed(data, line):
            continue
        if not flag(data, f"shipped-short:{line}"):
            continue
        notices = {n: a for n, a in data["asns"].items() if line in a["lines"]}
        promised = (data.get("ack") or {}).get(line, {}).get("promised")
        ordered = data["lines"][line]["qty"]
        evidence = [
            *data.get("orders", []),
            data.get("ack_message"),
            *(a["message"] for a in notices.values()),
        ]
        raised.append(
            RaisedException(
                ExceptionCategory.SHORT_SHIPMENT,
                f"PO line {line}: ordered {ordered}, expected {expected} {entry['unit']}, ship "
                f"notice(s) {', '.join(notices)} shipped {sent} (short {expected - sent})",
                evidence=[m for m in evidence if m],
                data={
                    "po_line_number": int(line),
                    "ordered": ordered,
                    "acknowledged": promised,
                    "expected": str(expected),
                    "shipped": str(sent),
                    "difference": str(expected - sent),
                    "asn_numbers": list(notices),
                },
            )
        )
    return raised


def over_receipts(data: dict[str, Any], terms: PartnerTerms) -> list[RaisedException]:
    """Lines received beyond what is expected, past the quantity tolerance."""
    assert terms.tolerances is not None
    raised = []
    got = ledger.received(data, "counted")
    for line, entry in (data.get("schedule") or {}).items():
        expected = Decimal(entry["expected"])
        over = got.get(line, ledger.ZERO) - expected
        allowed = terms.tolerances.quantity.allowed(expected)
        if over > allowed and flag(data, f"over:{line}"):
            raised.append(
                RaisedException(
                    ExceptionCategory.OVER_RECEIPT,
                    f"PO line {line}: received {got[line]} {entry['unit']}, expected {expected} "
                    f"(over {over}, tolerance {terms.tolerances.quantity.describe()})",
                    evidence=[r["message"] for r in data["receipts"].values()],
                    data={
                        "po_line_number": int(line),
                        "expected": str(expected),
                        "received": str(got[line]),
                        "difference": str(over),
                    },
                )
            )
    return raised


def approval(
    invoice: Mapping[str, Any],
    po_number: str,
    lines: Sequence[BilledLine],
    got: Mapping[int, Decimal],
    event: MessageEvent,
) -> dict[str, Any]:
    """The `invoice_approval` releasing `lines` of `invoice` (those billing `po_number`)."""
    currency = invoice["currency"]
    approved: list[dict[str, Any]] = []
    total = Decimal(0)
    for line in lines:
        amount = line.quantity * line.unit_price
        total += amount
        approved.append(
            {
                "invoice_line_number": line.invoice_line_number,
                "po_line_number": line.po_line_number,
                "quantity": {"value": str(line.quantity), "unit": line.unit},
                "unit_price": {"amount": str(line.unit_price), "currency": currency},
                "amount": {"amount": str(amount), "currency": currency},
                "received_quantity": {
                    "value": str(got.get(line.po_line_number, 0)),
                    "unit": line.unit,
                },
            }
        )
    return {
        "invoice_number": invoice["invoice_number"],
        "po_number": po_number,
        "approved_at": event.at.isoformat(),
        "supplier": invoice.get("supplier"),
        "approved_amount": {"amount": str(total), "currency": currency},
        "lines": approved,
    }
