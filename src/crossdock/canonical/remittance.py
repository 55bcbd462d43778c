"""The remittance advice: a payer says what it paid and for which invoices (X12 820; UBL
``RemittanceAdvice``).

Accounts receivable applies cash by invoice number, so each remitted invoice carries what was
paid against it, the discount taken and the adjustments (short pays, deductions) with their
reason codes. The payment total must equal the sum of the amounts paid per invoice: a
remittance that does not add up cannot be applied, and the hub says so at intake, naming the
amount, instead of leaving it to a clerk.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import Field, ValidationInfo, field_validator, model_validator

from crossdock.canonical.base import CanonicalDocument, CanonicalModel
from crossdock.canonical.party import Party
from crossdock.canonical.registry import register
from crossdock.canonical.values import Code, CurrencyCode, Money, check_money_currency, rule_error

#: Payment method names the X12 map produces (BPR04); any other code is kept verbatim.
PAYMENT_METHODS = ("ach", "check", "wire", "cash", "bank_option", "none")
#: Open item kinds the X12 map names (RMR01 IV/OI, CM, DM); any other qualifier is kept.
ITEM_KINDS = ("invoice", "credit_memo", "debit_memo")
#: Handling names (BPR01: C, D, I, P, U); any other code is kept verbatim.
HANDLING = ("payment_and_remittance", "payment_only", "remittance_only", "prenotification", "split")


class PaymentDirection(StrEnum):
    """Whether the payment credits the payee's account or debits it (X12 BPR03 C / D)."""

    CREDIT = "credit"
    DEBIT = "debit"


class RemittanceAdjustment(CanonicalModel):
    """An amount deducted from or added to what was paid on one invoice (X12 ADX)."""

    amount: Money = Field(description="As sent: negative for a deduction (a short pay)")
    reason_code: Code = Field(description="X12 426 adjustment reason, e.g. 01 pricing error")


class RemittedInvoice(CanonicalModel):
    """One open item the payment is applied to (X12 RMR loop): an invoice, or a credit or
    debit memo as ``kind`` says (a credit memo's paid amount is negative: it reduces the
    payment), so that the amounts paid add up to the payment."""

    kind: Code = "invoice"
    invoice_number: Code = Field(description="The open item's number (RMR02)")
    po_number: Code | None = None
    invoice_date: date | None = None
    paid_amount: Money
    invoice_amount: Money | None = Field(default=None, description="Invoice total before discount")
    discount_amount: Money | None = None
    adjustments: list[RemittanceAdjustment] = Field(default_factory=list)


@register
class RemittanceAdvice(CanonicalDocument):
    """A payment and the invoices it pays, keyed by the payment's trace number.

    Attributes:
        trace_number: The reassociation key (X12 TRN02; the check or ACH trace number) that
            ties the remittance to the money in the bank.
        payment_method: ``ach``, ``check``, ``wire``, ``cash``, ``bank_option`` or ``none``
            (remittance data only), or the sender's X12 code when it is none of those.
        invoices: What was paid per invoice; ``invoice_numbers`` lists them for lookups.
    """

    document_type = "remittance_advice"
    schema_version = 1

    trace_number: Code
    handling: Code | None = None
    direction: PaymentDirection = PaymentDirection.CREDIT
    payment_method: Code
    payment_amount: Money
    payment_date: date | None = None
    currency: CurrencyCode
    payer: Party
    payee: Party
    invoices: list[RemittedInvoice] = Field(default_factory=list)

    @field_validator("payment_amount")
    @classmethod
    def _payment_currency(cls, amount: Money, info: ValidationInfo) -> Money:
        check_money_currency(cls.__name__, (), amount, info.data.get("currency"))
        return amount

    @field_validator("invoices")
    @classmethod
    def _invoice_currencies(
        cls, invoices: list[RemittedInvoice], info: ValidationInfo
    ) -> list[RemittedInvoice]:
        currency = info.data.get("currency")
        for index, invoice in enumerate(invoices):
            for name in ("paid_amount", "invoice_amount", "discount_amount"):
                money: Money | None = getattr(invoice, name)
                check_money_currency(cls.__name__, (index, name), money, currency)
            for number, adjustment in enumerate(invoice.adjustments):
                where = (index, "adjustments", number, "amount")
                check_money_currency(cls.__name__, where, adjustment.amount, currency)
        return invoices

    @model_validator(mode="after")
    def _adds_up(self) -> RemittanceAdvice:
        if not self.invoices:
            return self
        paid = sum((invoice.paid_amount.amount for invoice in self.invoices), Decimal(0))
        if paid != self.payment_amount.amount:
            raise rule_error(
                type(self).__name__,
                ("payment_amount", "amount"),
                f"payment_amount {self.payment_amount.amount} is not the sum of the invoices' "
                f"paid_amount ({paid})",
                self.payment_amount.amount,
            )
        return self

    @property
    def invoice_numbers(self) -> list[str]:
        """The numbers of the open items this payment is applied to (invoices and memos), in
        the order sent, without repeats."""
        return list(dict.fromkeys(invoice.invoice_number for invoice in self.invoices))

    def correlation_key(self) -> str:
        """The trace number: one payment is one remittance, whatever invoices it pays."""
        return self.trace_number
