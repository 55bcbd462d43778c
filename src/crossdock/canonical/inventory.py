"""Inventory documents: single movements of stock and snapshots of a position.

Both are keyed by site and item so that, on the bus, the movements and positions of one item
at one site stay in order relative to each other (a position must not overtake a movement).

Schema versions (`crossdock.canonical.versions`): ``stock_movement`` version 2 added the
``putaway`` movement type and the order line a movement names (``po_number``,
``po_line_number``). They first went into version 1 without a bump, so a consumer written for
version 1 (whose movement types were closed) could be handed a type it did not know. Version 2
says so: `upcast_v1_to_v2` reads every stored version 1 movement (including those recorded with
the unbumped fields, which are valid version 2 as they are), and `downcast_v2_to_v1` gives a
consumer pinned to version 1 a movement it understands: a put-away reads as the ``transfer``
it is physically (dock to storage, on-hand unchanged; ``reason_code`` ``PUTAWAY``, and
``RECEIVING`` as the from-location when the WMS named none), the order line is left out.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, Field, model_validator

from crossdock.canonical.base import CanonicalDocument
from crossdock.canonical.item import Item, Lot
from crossdock.canonical.party import Site
from crossdock.canonical.registry import register
from crossdock.canonical.values import Code, LineNumber, Quantity, Text
from crossdock.canonical.versions import downcaster, upcaster


class MovementType(StrEnum):
    """What moved the stock (X12 947 adjustment reasons and EPCIS business steps, simplified)."""

    RECEIPT = "receipt"
    SHIPMENT = "shipment"
    TRANSFER = "transfer"
    #: Received goods moved from the dock to their storage location (EPCIS ``storing``). Its
    #: own type, not a transfer, so that consumers can tell the last step of receiving from
    #: stock moving between bins, and so nobody mistakes it for a second receipt.
    PUTAWAY = "putaway"
    ADJUSTMENT_IN = "adjustment_in"
    ADJUSTMENT_OUT = "adjustment_out"
    STATUS_CHANGE = "status_change"


# Movement types that add to (+1) or take from (-1) the site's on-hand; others move within it.
_ON_HAND_SIGN: dict[MovementType, int] = {
    MovementType.RECEIPT: 1,
    MovementType.ADJUSTMENT_IN: 1,
    MovementType.SHIPMENT: -1,
    MovementType.ADJUSTMENT_OUT: -1,
    MovementType.TRANSFER: 0,
    MovementType.PUTAWAY: 0,
    MovementType.STATUS_CHANGE: 0,
}


class StockStatus(StrEnum):
    """The usability of stock (GS1 EPCIS dispositions, simplified)."""

    AVAILABLE = "available"
    QUARANTINE = "quarantine"
    DAMAGED = "damaged"
    EXPIRED = "expired"


def _site_item_key(site: Site, item: Item) -> str:
    return f"{site.code}/{item.key}"


@register
class StockMovement(CanonicalDocument):
    """One movement of one item at one site, as the WMS records it.

    The quantity is always non-negative; ``movement_type`` says the direction, so nobody has to
    guess whether a WMS sends issues as negative numbers. A movement caused by receiving (a
    receipt or a put-away) may name the purchase order line it was received against, so the
    procure-to-pay flow can follow the goods to their location; ``reference`` then names the
    goods receipt.
    """

    document_type = "stock_movement"
    schema_version = 2

    movement_id: Code
    movement_type: MovementType
    occurred_at: AwareDatetime
    site: Site
    item: Item
    quantity: Quantity
    lot: Lot | None = None
    from_location: Code | None = None
    to_location: Code | None = None
    from_status: StockStatus | None = None
    to_status: StockStatus | None = None
    reason_code: Code | None = None
    reference: Code | None = Field(
        default=None, description="The document that caused it: receipt, order, count number"
    )
    po_number: Code | None = Field(
        default=None, description="The purchase order the goods were received against"
    )
    po_line_number: LineNumber | None = Field(
        default=None, description="The line of `po_number` the goods were received against"
    )
    source_system: Code
    note: Text | None = None

    @model_validator(mode="after")
    def _movement_complete(self) -> StockMovement:
        if self.movement_type is MovementType.TRANSFER and (
            self.from_location is None or self.to_location is None
        ):
            raise ValueError("a transfer needs both from_location and to_location")
        if self.movement_type is MovementType.STATUS_CHANGE and (
            self.from_status is None or self.to_status is None
        ):
            raise ValueError("a status_change needs both from_status and to_status")
        if self.movement_type is MovementType.PUTAWAY and self.to_location is None:
            raise ValueError("a putaway needs the to_location the goods were stored in")
        if self.po_line_number is not None and self.po_number is None:
            raise ValueError("po_line_number needs the po_number it belongs to")
        return self

    def correlation_key(self) -> str:
        """``<site code>/<item key>``: keeps one item's stock events at one site in order."""
        return _site_item_key(self.site, self.item)

    @property
    def on_hand_delta(self) -> Decimal:
        """The signed change to the site's on-hand, in ``quantity.unit`` (zero for internal moves).

        A plain Decimal, not a Quantity, because quantities are never negative.
        """
        return self.quantity.value * _ON_HAND_SIGN[self.movement_type]


@upcaster("stock_movement", 1)
def upcast_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 movements are valid version 2 movements: every field kept as it is (those
    recorded as version 1 with a put-away or an order line already are version 2 data)."""
    return data


#: What a put-away's from-location reads as for a version 1 consumer when the WMS named none.
PUTAWAY_FROM_V1 = "RECEIVING"


@downcaster("stock_movement", 2)
def downcast_v2_to_v1(data: dict[str, Any]) -> dict[str, Any]:
    """A version 2 movement as version 1 knew movements (no put-away, no order line)."""
    data.pop("po_number", None)
    data.pop("po_line_number", None)
    if data.get("movement_type") == MovementType.PUTAWAY.value:
        data["movement_type"] = MovementType.TRANSFER.value
        data.setdefault("from_location", PUTAWAY_FROM_V1)
        data.setdefault("reason_code", "PUTAWAY")
    return data


@register
class InventoryPosition(CanonicalDocument):
    """A system's statement of one item's stock at one site, as of a moment.

    ``available`` is taken as the source states it rather than computed, because systems
    differ in what they hold back (quarantine, safety stock, in-transit).
    """

    document_type = "inventory_position"
    schema_version = 1

    site: Site
    item: Item
    as_of: AwareDatetime
    source_system: Code
    on_hand: Quantity
    allocated: Quantity
    available: Quantity
    on_order: Quantity | None = None
    in_transit: Quantity | None = None

    @model_validator(mode="after")
    def _one_unit(self) -> InventoryPosition:
        unit = self.on_hand.unit
        for name in ("allocated", "available", "on_order", "in_transit"):
            quantity: Quantity | None = getattr(self, name)
            if quantity is not None and quantity.unit != unit:
                raise ValueError(f"{name} is in {quantity.unit} but on_hand is in {unit}")
        return self

    def correlation_key(self) -> str:
        """``<site code>/<item key>``, the same key as the item's stock movements."""
        return _site_item_key(self.site, self.item)
