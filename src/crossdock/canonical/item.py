"""What is traded: an item and, where traceability matters, its lot (batch) and expiry.

Partners name the same product differently (the buyer's SKU, the supplier's part number, the
GTIN on the case), so an item carries each name it was sent with; at least one is required.
"""

from __future__ import annotations

from datetime import date

from pydantic import model_validator

from crossdock.canonical.base import CanonicalModel
from crossdock.canonical.values import Code, Gtin, Text, UnitOfMeasure


class Item(CanonicalModel):
    """A trade item (UBL ``Item``; X12 PO1 product ids: BP buyer's, VP vendor's, UP/EN GTIN).

    Attributes:
        sku: The distributor's own item code (buyer's part number on a PO).
        supplier_sku: The supplier's part number.
        gtin: The GS1 GTIN of the traded unit, check digit validated.
        description: Human description, as sent.
        base_unit: The unit the item is stocked and counted in, when the sender says.
    """

    sku: Code | None = None
    supplier_sku: Code | None = None
    gtin: Gtin | None = None
    description: Text | None = None
    base_unit: UnitOfMeasure | None = None

    @model_validator(mode="after")
    def _identified(self) -> Item:
        # Matching a line to stock or to a PO line needs at least one identifier.
        if self.sku is None and self.supplier_sku is None and self.gtin is None:
            raise ValueError("an item needs at least one of sku, supplier_sku or gtin")
        return self

    @property
    def key(self) -> str:
        """The most specific stable identifier: own SKU, else GTIN, else supplier part number."""
        return self.sku or self.gtin or self.supplier_sku or ""


class Lot(CanonicalModel):
    """A batch/lot of an item (GS1 AI 10) with its dates (AI 11 production, AI 17 expiry)."""

    lot_number: Code
    expiry_date: date | None = None
    production_date: date | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> Lot:
        if self.expiry_date and self.production_date and self.expiry_date < self.production_date:
            raise ValueError("expiry_date is before production_date")
        return self
