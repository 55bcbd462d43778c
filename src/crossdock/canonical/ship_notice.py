"""The advance ship notice: what left the supplier, packed how (UBL ``DespatchAdvice``; X12 856).

The hierarchy follows the 856 "pick and pack" structure (shipment -> order -> pack -> item),
so each labelled pallet or carton (SSCC) can be received with one scan and matched back to
the PO lines it fulfils.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AwareDatetime, Field, field_validator

from crossdock.canonical.base import CanonicalDocument, CanonicalModel
from crossdock.canonical.item import Item, Lot
from crossdock.canonical.party import Party
from crossdock.canonical.registry import register
from crossdock.canonical.values import (
    Code,
    LineNumber,
    Quantity,
    Sscc,
    Text,
    rule_error,
)


class PackItem(CanonicalModel):
    """A quantity of one item (of one lot) in a pack, tied to its PO line (X12 LIN/SN1)."""

    po_line_number: LineNumber
    item: Item
    quantity: Quantity
    lot: Lot | None = None


class Pack(CanonicalModel):
    """One labelled handling unit: a pallet or a carton (X12 HL "P"/"T" with MAN*GM SSCC)."""

    sscc: Sscc
    package_type: Code | None = Field(
        default=None, description="UN/ECE Rec 21 package code, e.g. PX pallet, CT carton"
    )
    gross_weight: Quantity | None = None
    items: Annotated[list[PackItem], Field(min_length=1)]


class ShippedOrder(CanonicalModel):
    """The part of the shipment that fulfils one purchase order (X12 HL "O" with PRF)."""

    po_number: Code
    po_date: date | None = None
    packs: Annotated[list[Pack], Field(min_length=1)]


class TransportDetails(CanonicalModel):
    """How the goods travel (X12 TD1/TD5/REF*BM/REF*CN)."""

    carrier_scac: Annotated[str, Field(pattern=r"^[A-Z]{2,4}$")] | None = None
    mode: Code | None = Field(default=None, description="e.g. parcel, ltl, ftl")
    bill_of_lading: Code | None = None
    pro_number: Code | None = None
    tracking_number: Code | None = None
    trailer_number: Code | None = None
    seal_number: Code | None = None


@register
class AdvanceShipNotice(CanonicalDocument):
    """A supplier's notice of one shipment, possibly covering several purchase orders.

    Attributes:
        asn_number: The shipper's shipment identification (BSN02); the correlation key.
        orders: One entry per PO shipped against; SSCCs are unique across the whole shipment.
    """

    document_type = "advance_ship_notice"
    schema_version = 1

    asn_number: Code
    issued_at: AwareDatetime
    shipped_at: AwareDatetime
    estimated_delivery_at: AwareDatetime | None = None
    supplier: Party
    ship_from: Party
    ship_to: Party
    buyer: Party | None = None
    carrier: Party | None = None
    transport: TransportDetails | None = None
    gross_weight: Quantity | None = None
    notes: list[Text] = Field(default_factory=list)
    orders: Annotated[list[ShippedOrder], Field(min_length=1)]

    @field_validator("orders")
    @classmethod
    def _check_orders(cls, orders: list[ShippedOrder]) -> list[ShippedOrder]:
        # One SSCC is one physical label: seen twice means the notice double-counts goods.
        seen: set[str] = set()
        for o_index, order in enumerate(orders):
            for p_index, pack in enumerate(order.packs):
                if pack.sscc in seen:
                    raise rule_error(
                        cls.__name__,
                        (o_index, "packs", p_index, "sscc"),
                        f"SSCC {pack.sscc} appears more than once in the shipment",
                        pack.sscc,
                    )
                seen.add(pack.sscc)
        return orders

    def correlation_key(self) -> str:
        """The ASN number: the shipment's messages (receipt, discrepancies) share it."""
        return self.asn_number

    @property
    def po_numbers(self) -> list[str]:
        """The purchase orders this shipment ships against, in document order."""
        return [order.po_number for order in self.orders]

    @property
    def ssccs(self) -> list[str]:
        """Every pack label in the shipment, in document order."""
        return [pack.sscc for order in self.orders for pack in order.packs]
