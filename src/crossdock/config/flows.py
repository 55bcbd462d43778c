"""Flow settings: which process managers run, their SLAs and the three-way match tolerances.

```yaml
flows:
  procure_to_pay:
    enabled: true
    ack_due_hours: 24               # from the PO's delivery to the supplier (see below)
    asn_due_days_before_promised: 1
    tolerances: {quantity_percent: 0, quantity_absolute: 0, price_percent: 0, price_absolute: 0.01}
    partners:
      cascade: {ack_due_hours: 48, tolerances: {price_percent: 1}}
  order_to_delivery: {enabled: true, milestone_every_hours: 12, pod_due_hours: 2}
  invoice_payment: {enabled: true}   # remittances (820) booked per invoice number
```

The acknowledgment clock starts when the hub delivered the PO to the supplier (the endpoint
accepted it; for X12, the interchange was sent): the hub's own backlog before that is not the
supplier's. `supplier_routes` names the routes that take POs to suppliers (default: every
route of `purchase_order`); a PO none of them delivered (dead-lettered, or unrouted) is never
charged to the supplier — its dead letter is the exception. With no such route at all (the
supplier gets POs some other way) the clock starts when the hub takes the PO.

A partner entry is found by the supplier's party name, GLN, X12 id or any of its codes;
what it leaves out keeps the flow's value (its tolerances replace the flow's whole, with the
flow's values as defaults of the fields it omits).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Hours = Annotated[float, Field(gt=0, le=24 * 365)]
Days = Annotated[float, Field(ge=0, le=365)]
Amount = Annotated[Decimal, Field(ge=0)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TolerancesConfig(_Section):
    """How far an invoice may stray from order and receipt: a difference passes when it is
    within the absolute amount or the percentage of the reference, whichever is larger."""

    quantity_percent: Amount = Decimal(0)
    quantity_absolute: Amount = Decimal(0)
    price_percent: Amount = Decimal(0)
    price_absolute: Amount = Decimal("0.01")


class PartnerFlowConfig(_Section):
    """One supplier's own SLAs and tolerances; None keeps the flow's setting."""

    ack_due_hours: Hours | None = None
    asn_due_days_before_promised: Days | None = None
    tolerances: TolerancesConfig | None = None


class ProcureToPayConfig(_Section):
    enabled: bool = False
    ack_due_hours: Hours = 24
    asn_due_days_before_promised: Days = 1
    tolerances: TolerancesConfig = Field(default_factory=TolerancesConfig)
    partners: dict[str, PartnerFlowConfig] = Field(default_factory=dict)
    supplier_routes: list[str] | None = None


class OrderToDeliveryConfig(_Section):
    enabled: bool = False
    milestone_every_hours: Hours = 12
    pod_due_hours: Hours = 2


class InvoicePaymentConfig(_Section):
    enabled: bool = False


class FlowsConfig(_Section):
    """The ``flows:`` section. Flows are opt-in (``enabled: true``): a hub that only routes
    documents runs no flow consumer and keeps no flow state."""

    procure_to_pay: ProcureToPayConfig = Field(default_factory=ProcureToPayConfig)
    order_to_delivery: OrderToDeliveryConfig = Field(default_factory=OrderToDeliveryConfig)
    invoice_payment: InvoicePaymentConfig = Field(default_factory=InvoicePaymentConfig)
