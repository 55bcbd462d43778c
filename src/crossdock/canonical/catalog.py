"""The price catalog: a supplier's items and prices, by price type (X12 832; UBL ``Catalogue``).

Suppliers send a catalog whole (a new price list) or as changes; either way the hub keeps it
as one document per supplier and catalog id, so the latest of a catalog is easy to find and
an older one is never mistaken for another supplier's list with the same number.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator, model_validator

from crossdock.canonical.base import CanonicalDocument, CanonicalModel
from crossdock.canonical.item import Item
from crossdock.canonical.party import Party
from crossdock.canonical.registry import register
from crossdock.canonical.values import (
    Code,
    CurrencyCode,
    Money,
    Quantity,
    Text,
    check_money_currency,
)

#: Price type names the X12 map produces (CTP02); any other code is kept verbatim.
PRICE_TYPES = ("resale", "wholesale", "contract", "catalog", "unit_cost", "msrp", "net")


class CatalogPrice(CanonicalModel):
    """One price of an item (X12 CTP loop): its type, amount, the quantity it applies to
    (a price break, or the unit priced) and the dates it holds between."""

    price_type: Code = Field(description="resale, wholesale, contract, ... or the X12 236 code")
    class_of_trade: Code | None = Field(default=None, description="X12 CTP01, e.g. WS, RS")
    unit_price: Money
    quantity: Quantity | None = None
    effective_date: date | None = None
    expiry_date: date | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> CatalogPrice:
        if self.effective_date and self.expiry_date and self.expiry_date < self.effective_date:
            raise ValueError("expiry_date is before effective_date")
        return self


class CatalogItem(CanonicalModel):
    """One catalog entry (X12 LIN loop): the item, its description and its prices."""

    line_id: Code | None = Field(default=None, description="The sender's entry number (LIN01)")
    item: Item
    prices: list[CatalogPrice] = Field(default_factory=list)


@register
class PriceCatalog(CanonicalDocument):
    """A supplier's price/sales catalog, keyed by supplier and catalog id.

    Attributes:
        catalog_purpose: Why it was sent, as the X12 catalog purpose code (BCT01) says.
        effective_date: When the catalog as a whole takes effect; a price may say otherwise.
    """

    document_type = "price_catalog"
    schema_version = 1

    catalog_id: Code
    catalog_purpose: Code
    version: Code | None = None
    description: Text | None = None
    currency: CurrencyCode
    supplier: Party
    buyer: Party | None = None
    effective_date: date | None = None
    expiry_date: date | None = None
    items: Annotated[list[CatalogItem], Field(min_length=1)]

    @field_validator("items")
    @classmethod
    def _price_currencies(cls, items: list[CatalogItem], info: ValidationInfo) -> list[CatalogItem]:
        currency = info.data.get("currency")
        for index, entry in enumerate(items):
            for number, price in enumerate(entry.prices):
                where = (index, "prices", number, "unit_price")
                check_money_currency(cls.__name__, where, price.unit_price, currency)
        return items

    @model_validator(mode="after")
    def _dates_in_order(self) -> PriceCatalog:
        if self.effective_date and self.expiry_date and self.expiry_date < self.effective_date:
            raise ValueError("expiry_date is before effective_date")
        return self

    def correlation_key(self) -> str:
        """``<supplier>/<catalog id>``: catalog numbers are the supplier's own."""
        return f"{self.supplier.key}/{self.catalog_id}"
