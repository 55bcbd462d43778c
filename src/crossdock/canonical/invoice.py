"""The invoice: the supplier bills the distributor (UBL ``Invoice``; X12 810).

Totals are stated by the sender and checked here against the lines, because an invoice whose
totals do not add up is the most common reason an AP clerk rejects one, and the hub should
say so at intake, naming the total that is wrong, rather than at the three-way match.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator, model_validator

from crossdock.canonical.base import CanonicalDocument, CanonicalModel
from crossdock.canonical.item import Item
from crossdock.canonical.party import Party
from crossdock.canonical.purchase_order import PaymentTerms
from crossdock.canonical.registry import register
from crossdock.canonical.values import (
    Code,
    CurrencyCode,
    LineNumber,
    Money,
    Quantity,
    Text,
    check_money_currency,
    check_unique_line_numbers,
    rule_error,
)

# A line amount may differ from quantity x unit price by rounding to the currency's minor unit.
LINE_ROUNDING_TOLERANCE = Decimal("0.01")


class InvoiceType(StrEnum):
    """Commercial invoice or credit note (X12 BIG07 DI / CR; UBL Invoice / CreditNote)."""

    COMMERCIAL = "commercial"
    CREDIT_NOTE = "credit_note"


class InvoiceLine(CanonicalModel):
    """One billed item (UBL ``InvoiceLine``; X12 IT1), pointing at the PO line it bills."""

    line_number: LineNumber
    po_number: Code | None = None
    po_line_number: LineNumber | None = None
    item: Item
    quantity: Quantity
    unit_price: Money
    line_amount: Money = Field(description="quantity x unit_price, rounded (UBL LineExtension)")


class AllowanceCharge(CanonicalModel):
    """A document-level allowance (discount) or charge (freight, fuel) (UBL; X12 SAC)."""

    is_charge: bool
    code: Code | None = Field(default=None, description="X12 SAC02 code, e.g. D240 freight")
    reason: Text
    amount: Money


class InvoiceTotals(CanonicalModel):
    """The invoice's stated totals (UBL ``LegalMonetaryTotal``; X12 TDS)."""

    line_extension_amount: Money
    allowance_total_amount: Money
    charge_total_amount: Money
    tax_amount: Money
    payable_amount: Money


def _sum(values: Sequence[Money]) -> Decimal:
    return sum((money.amount for money in values), Decimal(0))


@register
class Invoice(CanonicalDocument):
    """A supplier's invoice (or credit note) to the distributor.

    Attributes:
        po_numbers: The purchase orders billed; lines may also name their own PO line.
        totals: Must agree with the lines, allowances and charges (checked, to the cent).
    """

    document_type = "invoice"
    schema_version = 1

    invoice_number: Code
    invoice_type: InvoiceType = InvoiceType.COMMERCIAL
    issue_date: date
    due_date: date | None = None
    currency: CurrencyCode
    supplier: Party
    buyer: Party
    bill_to: Party | None = None
    remit_to: Party | None = None
    ship_to: Party | None = None
    po_numbers: list[Code] = Field(default_factory=list)
    asn_number: Code | None = None
    payment_terms: PaymentTerms | None = None
    notes: list[Text] = Field(default_factory=list)
    lines: Annotated[list[InvoiceLine], Field(min_length=1)]
    allowances_charges: list[AllowanceCharge] = Field(default_factory=list)
    totals: InvoiceTotals

    @field_validator("lines")
    @classmethod
    def _check_lines(cls, lines: list[InvoiceLine], info: ValidationInfo) -> list[InvoiceLine]:
        # Hot intake path: the helpers (which build the error) are only called once a cheap
        # test has found something to report.
        title = cls.__name__
        numbers = [line.line_number for line in lines]
        if len(set(numbers)) != len(numbers):
            check_unique_line_numbers(title, numbers)
        currency = info.data.get("currency")
        for index, line in enumerate(lines):
            if currency is not None and (
                line.unit_price.currency != currency or line.line_amount.currency != currency
            ):
                check_money_currency(title, (index, "unit_price"), line.unit_price, currency)
                check_money_currency(title, (index, "line_amount"), line.line_amount, currency)
            expected = line.quantity.value * line.unit_price.amount
            if abs(line.line_amount.amount - expected) > LINE_ROUNDING_TOLERANCE:
                raise rule_error(
                    title,
                    (index, "line_amount", "amount"),
                    f"line_amount {line.line_amount.amount} is not quantity x unit_price "
                    f"({line.quantity.value} x {line.unit_price.amount} = {expected})",
                    line.line_amount.amount,
                )
        return lines

    @field_validator("allowances_charges")
    @classmethod
    def _check_allowances(
        cls, entries: list[AllowanceCharge], info: ValidationInfo
    ) -> list[AllowanceCharge]:
        currency = info.data.get("currency")
        for index, entry in enumerate(entries):
            check_money_currency(cls.__name__, (index, "amount"), entry.amount, currency)
            if entry.amount.amount < 0:
                raise rule_error(
                    cls.__name__,
                    (index, "amount", "amount"),
                    "use is_charge to say the direction; amounts are not negative",
                    entry.amount.amount,
                )
        return entries

    @field_validator("totals")
    @classmethod
    def _check_totals(cls, totals: InvoiceTotals, info: ValidationInfo) -> InvoiceTotals:
        title = cls.__name__
        currency = info.data.get("currency")
        for name in InvoiceTotals.model_fields:
            check_money_currency(title, (name,), getattr(totals, name), currency)
        lines: list[InvoiceLine] | None = info.data.get("lines")
        entries: list[AllowanceCharge] | None = info.data.get("allowances_charges")
        if lines is None or entries is None:
            return totals  # those fields already failed; their errors say why
        expected = {
            "line_extension_amount": _sum([line.line_amount for line in lines]),
            "allowance_total_amount": _sum([e.amount for e in entries if not e.is_charge]),
            "charge_total_amount": _sum([e.amount for e in entries if e.is_charge]),
        }
        for name, amount in expected.items():
            stated = getattr(totals, name).amount
            if stated != amount:
                raise rule_error(
                    title, (name, "amount"), f"{name} {stated} should be {amount}", stated
                )
        payable = (
            totals.line_extension_amount.amount
            - totals.allowance_total_amount.amount
            + totals.charge_total_amount.amount
            + totals.tax_amount.amount
        )
        if totals.payable_amount.amount != payable:
            raise rule_error(
                title,
                ("payable_amount", "amount"),
                f"payable_amount {totals.payable_amount.amount} should be {payable} "
                "(lines - allowances + charges + tax)",
                totals.payable_amount.amount,
            )
        return totals

    @model_validator(mode="after")
    def _dates_in_order(self) -> Invoice:
        if self.due_date is not None and self.due_date < self.issue_date:
            raise ValueError("due_date is before issue_date")
        return self

    def correlation_key(self) -> str:
        """The invoice number: an invoice may bill several POs, so it is its own key; flows
        find their POs through ``po_numbers`` and the lines' ``po_number``."""
        return self.invoice_number
