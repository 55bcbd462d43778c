"""Product activity: what a customer or a 3PL reports of an item's stock and sales over a
period, per location (X12 852).

This is the partner's view of its own locations (a retailer's stores, a 3PL's warehouses),
not a statement of the hub's stock, so it is recorded and routed, never folded into the
hub's inventory positions. Activities are named by what they count (``on_hand``, ``sold``,
``received``, ``on_order``...); an X12 activity code the map has no name for is kept as sent,
so a report is not refused for a code the hub does not interpret.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field, model_validator

from crossdock.canonical.base import CanonicalDocument, CanonicalModel
from crossdock.canonical.item import Item
from crossdock.canonical.party import Party, Site
from crossdock.canonical.registry import register
from crossdock.canonical.values import Code, Quantity

#: Activity names the X12 map produces (ZA01); any other activity code is kept verbatim.
ACTIVITIES = (
    "on_hand",
    "sold",
    "received",
    "on_order",
    "in_transit",
    "returned",
    "adjusted",
    "out_of_stock",
    "lost_sales",
    "damaged",
)


class ActivityQuantity(CanonicalModel):
    """One quantity of one activity, at one location when the report names it (ZA / SDQ)."""

    activity: Code
    quantity: Quantity
    location: Code | None = Field(
        default=None, description="The partner's location code; None: the report's location"
    )


class ActivityItem(CanonicalModel):
    """One item's activities in the period (X12 LIN loop)."""

    item: Item
    activities: Annotated[list[ActivityQuantity], Field(min_length=1)]


@register
class ProductActivity(CanonicalDocument):
    """A product activity report, keyed by reporter and period."""

    document_type = "product_activity"
    schema_version = 1

    report_number: Code | None = None
    reporter: Party
    supplier: Party | None = None
    period_start: date
    period_end: date | None = None
    location: Site | None = None
    items: Annotated[list[ActivityItem], Field(min_length=1)]

    @model_validator(mode="after")
    def _period_in_order(self) -> ProductActivity:
        if self.period_end is not None and self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        return self

    def correlation_key(self) -> str:
        """``<reporter>/<start>[..<end>]``: one report per reporter and period."""
        period = self.period_start.isoformat()
        if self.period_end is not None and self.period_end != self.period_start:
            period += f"..{self.period_end.isoformat()}"
        return f"{self.reporter.key}/{period}"
