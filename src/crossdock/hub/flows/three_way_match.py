"""The three-way match: purchase order, goods receipt and invoice, line by line.

Accounts payable pays an invoice line when it bills, at the ordered price, no more than was
received and no more than was ordered. Every check that fails becomes a `Mismatch` naming the
invoice and PO lines, both values, the difference and the rule with its tolerance, because
that is what the AP clerk needs to settle it with the supplier without opening three systems.

Rules, in the order they are checked per invoice line:

- ``po_line``: the line bills an order line that exists and is not cancelled;
- ``unit`` / ``currency``: it bills in the order line's unit and currency (no conversion);
- ``price``: the unit price is within the price tolerance of the order's (either way: a
  lower price is as wrong in the ERP's books as a higher one);
- ``quantity_received``: what is billed for the line so far (earlier approved invoices plus
  this one) exceeds the received quantity by no more than the quantity tolerance;
- ``quantity_ordered``: the same, against the ordered quantity.

Billing less than was received is not a mismatch: suppliers invoice partial shipments.

A tolerance allows a difference up to the larger of its absolute amount and its percentage
of the reference value (the PO price, the received or ordered quantity): a 2 % tolerance with
a 0.01 absolute floor lets a cheap item's rounding through without hiding a real price rise.

Pure module: plain values in, plain values out (the flow turns mismatches into exceptions).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from crossdock.hub.flows.exceptions import ExceptionCategory

HUNDRED = Decimal(100)


@dataclass(slots=True, frozen=True)
class Tolerance:
    """How far a billed value may stray from its reference: see the module docstring."""

    percent: Decimal = Decimal(0)
    absolute: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        if self.percent < 0 or self.absolute < 0:
            raise ValueError(f"tolerances cannot be negative: {self}")

    def allowed(self, reference: Decimal) -> Decimal:
        """The largest difference tolerated against `reference`."""
        return max(self.absolute, abs(reference) * self.percent / HUNDRED)

    def describe(self) -> str:
        return f"{_fmt(self.percent)}% or {_fmt(self.absolute)}"


@dataclass(slots=True, frozen=True)
class Tolerances:
    """Quantity and price tolerances; the defaults demand exact quantities and prices within
    a cent (rounding)."""

    quantity: Tolerance = Tolerance()
    price: Tolerance = Tolerance(absolute=Decimal("0.01"))


@dataclass(slots=True, frozen=True)
class OrderedLine:
    """A purchase order line as the match sees it (after any change orders)."""

    line_number: int
    quantity: Decimal
    unit: str
    unit_price: Decimal
    currency: str
    cancelled: bool = False


@dataclass(slots=True, frozen=True)
class BilledLine:
    """An invoice line that bills one PO line."""

    invoice_line_number: int
    po_line_number: int
    quantity: Decimal
    unit: str
    unit_price: Decimal
    currency: str


@dataclass(slots=True, frozen=True)
class Mismatch:
    """One failed rule on one invoice line. Values are strings so they store as JSON exactly."""

    category: ExceptionCategory
    rule: str
    invoice_line_number: int
    po_line_number: int
    expected: str
    actual: str
    difference: str
    tolerance: str

    @property
    def detail(self) -> str:
        return (
            f"invoice line {self.invoice_line_number} (PO line {self.po_line_number}) fails "
            f"rule {self.rule}: expected {self.expected}, invoiced {self.actual}, "
            f"difference {self.difference} (tolerance {self.tolerance})"
        )

    def as_dict(self) -> dict[str, str | int]:
        return {
            "rule": self.rule,
            "invoice_line_number": self.invoice_line_number,
            "po_line_number": self.po_line_number,
            "expected": self.expected,
            "actual": self.actual,
            "difference": self.difference,
            "tolerance": self.tolerance,
        }


@dataclass(slots=True)
class MatchResult:
    """The outcome for one invoice against one PO: matched when no rule failed.
    `billed` is what is billed per PO line after this invoice (earlier invoices included)."""

    mismatches: list[Mismatch] = field(default_factory=list)
    billed: dict[int, Decimal] = field(default_factory=dict)

    @property
    def matched(self) -> bool:
        return not self.mismatches


def _fmt(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros noise (``2.50`` stays ``2.50``)."""
    return format(value, "f")


def match(
    ordered: Mapping[int, OrderedLine],
    received: Mapping[int, Decimal],
    invoice: Sequence[BilledLine],
    *,
    billed_before: Mapping[int, Decimal] | None = None,
    tolerances: Tolerances = Tolerances(),
) -> MatchResult:
    """Match an invoice's lines for one PO against the order and what was received.

    Args:
        ordered: PO lines by line number.
        received: Received (accepted) quantity per PO line number; absent means none.
        invoice: The invoice lines that bill this PO.
        billed_before: Quantity per PO line already approved on earlier invoices.
        tolerances: Quantity and price tolerances.
    """
    result = MatchResult(billed=dict(billed_before or {}))
    for line in invoice:
        result.mismatches.extend(_check_line(ordered, received, line, result.billed, tolerances))
    return result


def _check_line(
    ordered: Mapping[int, OrderedLine],
    received: Mapping[int, Decimal],
    line: BilledLine,
    billed: dict[int, Decimal],
    tolerances: Tolerances,
) -> list[Mismatch]:
    def mismatch(
        category: ExceptionCategory,
        rule: str,
        expected: str,
        actual: str,
        difference: str = "",
        tolerance: str = "none",
    ) -> Mismatch:
        return Mismatch(
            category,
            rule,
            line.invoice_line_number,
            line.po_line_number,
            expected,
            actual,
            difference or "n/a",
            tolerance,
        )

    order = ordered.get(line.po_line_number)
    if order is None or order.cancelled:
        state = "cancelled" if order is not None else "not on the order"
        return [
            mismatch(
                ExceptionCategory.QUANTITY_MISMATCH,
                "po_line",
                f"an open PO line {line.po_line_number}",
                f"{_fmt(line.quantity)} {line.unit} on a line {state}",
                _fmt(line.quantity),
            )
        ]
    found: list[Mismatch] = []
    if line.currency != order.currency:
        found.append(
            mismatch(ExceptionCategory.PRICE_MISMATCH, "currency", order.currency, line.currency)
        )
    else:
        difference = line.unit_price - order.unit_price
        if abs(difference) > tolerances.price.allowed(order.unit_price):
            found.append(
                mismatch(
                    ExceptionCategory.PRICE_MISMATCH,
                    "price",
                    f"{_fmt(order.unit_price)} {order.currency}",
                    f"{_fmt(line.unit_price)} {line.currency}",
                    _fmt(difference),
                    tolerances.price.describe(),
                )
            )
    if line.unit != order.unit:
        found.append(mismatch(ExceptionCategory.QUANTITY_MISMATCH, "unit", order.unit, line.unit))
        return found
    total = billed.get(line.po_line_number, Decimal(0)) + line.quantity
    billed[line.po_line_number] = total
    for rule, reference in (
        ("quantity_received", received.get(line.po_line_number, Decimal(0))),
        ("quantity_ordered", order.quantity),
    ):
        over = total - reference
        if over > tolerances.quantity.allowed(reference):
            found.append(
                mismatch(
                    ExceptionCategory.QUANTITY_MISMATCH,
                    rule,
                    f"at most {_fmt(reference)} {order.unit}",
                    f"{_fmt(total)} {order.unit}",
                    _fmt(over),
                    tolerances.quantity.describe(),
                )
            )
    return found
