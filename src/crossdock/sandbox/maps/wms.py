"""The sandbox WMS (snake_case + codes, ``crossdock.sandbox.wms``) <-> canonical.

Inbound, by ``event_type``:

- ``RECEIPT_CONFIRMED`` -> ``goods_receipt`` numbered by the WMS event id. Each WMS line gives
  a good line (received minus damaged; condition from ``variance_code``) and, when units were
  damaged, a second ``damaged`` line for the same PO line, so the ERP can book both without
  counting a unit twice. The WMS variance is cumulative per receipt line while the quantity is
  this truck's, so it is kept as the line note, not as ``expected_quantity`` (which the
  canonical model would check against this truck alone).
- ``PUTAWAY_COMPLETE`` -> one ``stock_movement`` of type ``putaway`` per task (line): the
  good units of a receipt line moved from the dock to their location, naming the receipt
  (``reference``) and the PO line. A put-away is not a receipt: mapped as one it booked the
  goods a second time (a false over-receipt in the procure-to-pay flow) and needed a route
  filter to keep it from the ERP. As a movement it changes no on-hand anywhere, and the
  procure-to-pay flow records it as the line's put-away step.
- ``STOCK_MOVEMENT`` -> ``stock_movement`` (the sign of ``qty_delta`` is the direction).
- ``SHIP_CONFIRM`` -> ``shipment`` with picked quantities per order line; the shipment id is the
  order number (one shipment per shipping order), the carrier is the TMS's to choose.
- ``INVENTORY_SNAPSHOT`` -> one ``inventory_position`` per site and item.

The events carry no supplier (receipts) and no unit (put-away, ship confirm, movements): the
configured defaults fill them (``common.DEFAULTS``).

Outbound request bodies: an expected receipt (from an ``advance_ship_notice``) and a shipping
order (from a ``fulfillment_order``).
"""

from __future__ import annotations

from crossdock.mapping.systems.common import (
    number,
    quantity,
    sandbox_address,
    site_party,
    uom,
)
from crossdock.mapping.systems.model import SystemMap

_AT = {"$from": "@/occurred_at", "$as": "datetime"}
_SUPPLIER = {
    "role": "supplier",
    "name": {"$first": ["@supplier", {"$ctx": "unknown_supplier"}]},
}
_RECEIPT_LINE = {
    "line_number": "@#",
    "po_number": "@/po_ref",
    "po_line_number": {"$from": "@line_ref", "$as": "int"},
    "item": {"sku": "@sku"},
}

RECEIPT = SystemMap(
    "sandbox_wms.receipt",
    {
        "receipt_number": "@event_id",
        "asn_number": "@asn_ref",
        "received_at": _AT,
        "site": {"code": "@site"},
        "supplier": _SUPPLIER,
        "notes": {"$list": [{"$format": "WMS receipt {receipt_ref}"}]},
        "lines": {
            "$each": "@lines",
            "$map": [
                {
                    **_RECEIPT_LINE,
                    "received_quantity": quantity(
                        {"$sub": ["@qty_received", "@qty_damaged"]}, uom("@uom")
                    ),
                    "condition": {
                        "$from": "@variance_code",
                        "$table": {"NONE": "good", "SHORT": "short", "OVER": "over"},
                        "$default": "NONE",
                    },
                    "note": {"$format": "variance {variance_code} {variance_qty} (cumulative)"},
                },
                {
                    "$if": "@qty_damaged",
                    **_RECEIPT_LINE,
                    "received_quantity": quantity("@qty_damaged", uom("@uom")),
                    "condition": "damaged",
                },
            ],
        },
    },
    document_type="goods_receipt",
    key="@event_id",
)

PUTAWAY = SystemMap(
    "sandbox_wms.putaway",
    {
        "movement_id": "@task_id",
        "movement_type": "putaway",
        "occurred_at": _AT,
        "site": {"code": "@/site"},
        "item": {"sku": "@sku"},
        "quantity": quantity("@qty", uom("@uom")),
        "from_location": "@from_location",
        "to_location": "@location",
        "to_status": "available",
        "reference": "@/receipt_id",
        "po_number": "@/po_ref",
        "po_line_number": {"$from": "@line_ref", "$as": "int"},
        "source_system": {"$ctx": "system"},
    },
    document_type="stock_movement",
    each="@lines",
    key="@task_id",
)

MOVEMENT = SystemMap(
    "sandbox_wms.stock_movement",
    {
        "movement_id": "@event_id",
        "movement_type": {
            "$from": "@qty_delta",
            "$as": "sign",
            "$table": {"+": "adjustment_in", "-": "adjustment_out"},
        },
        "occurred_at": _AT,
        "site": {"code": "@site"},
        "item": {"sku": "@sku"},
        "quantity": quantity({"$from": "@qty_delta", "$as": "abs"}, uom("@uom")),
        "reason_code": "@reason_code",
        "source_system": {"$ctx": "system"},
        "note": {"$format": "on hand after: {on_hand_after}"},
    },
    document_type="stock_movement",
    key="@event_id",
)

SHIP_CONFIRM = SystemMap(
    "sandbox_wms.ship_confirm",
    {
        "shipment_id": "@order_ref",
        "created_at": _AT,
        "carrier": {"role": "carrier", "name": {"$ctx": "carrier_name"}},
        "mode": {"$ctx": "mode"},
        "ship_from": {**site_party("ship_from", "@site"), "name": "@site"},
        "ship_to": {
            "role": "ship_to",
            "name": {"$first": ["@ship_to.name", "@order_ref"]},
            "address": {
                "$if": "@ship_to.city",
                "lines": {"$list": [{"$first": ["@ship_to.street", "@ship_to.city"]}]},
                "city": "@ship_to.city",
                "region": "@ship_to.state",
                "postal_code": {"$from": "@ship_to.postalCode", "$as": "str"},
                "country": {"$first": ["@ship_to.country", {"$ctx": "country"}]},
            },
        },
        "order_numbers": {"$list": ["@order_ref"]},
        "total_weight": {
            "$if": "@weight_kg",
            "value": {"$from": "@weight_kg", "$as": "decimal"},
            "unit": "KGM",
        },
        "packages": [{"tracking_number": {"$format": "{order_ref}/{cartons}"}}],
        "lines": {
            "$each": "@lines",
            "$map": {
                "order_number": "@/order_ref",
                "line_number": {"$from": "@line_ref", "$as": "int"},
                "item": {"sku": "@sku"},
                "ordered_quantity": quantity("@qty_ordered", uom("@uom")),
                "shipped_quantity": quantity("@qty_shipped", uom("@uom")),
            },
        },
    },
    document_type="shipment",
    key="@event_id",
)

SNAPSHOT = SystemMap(
    "sandbox_wms.inventory_snapshot",
    {
        "site": {"code": "@site"},
        "item": {"sku": "@sku"},
        "as_of": _AT,
        "source_system": {"$ctx": "system"},
        "on_hand": quantity("@on_hand"),
        "allocated": quantity({"$const": 0}),
        "available": quantity("@on_hand"),
    },
    document_type="inventory_position",
    each="@positions",
    key={"$format": "{site}|{sku}"},
)

# -- canonical -> WMS request bodies ------------------------------------------------------------

_PACK_ITEMS = {"$flatten": {"$each": "@orders[0].packs", "$map": "@items"}}
EXPECTED_RECEIPT = SystemMap(
    "sandbox_wms.expected_receipt",
    {
        "receipt_ref": "@asn_number",
        "po_ref": "@orders[0].po_number",
        "asn_ref": "@asn_number",
        "site": {"$first": ["@ship_to.codes[0].value", "@ship_to.name"]},
        "supplier": {"$first": ["@supplier.codes[0].value", "@supplier.name"]},
        "eta": {"$from": {"$first": ["@estimated_delivery_at", "@shipped_at"]}, "$as": "date"},
        "lines": {
            "$each": _PACK_ITEMS,
            "$map": {
                "line_ref": {"$from": "@po_line_number", "$as": "str"},
                "sku": {"$first": ["@item.sku", "@item.gtin", "@item.supplier_sku"]},
                "qty_expected": number("@quantity.value"),
                "uom": "@quantity.unit",
            },
        },
    },
    document_type="advance_ship_notice",
    require=("asn_number", "orders"),
)

SHIPPING_ORDER = SystemMap(
    "sandbox_wms.shipping_order",
    {
        "order_ref": "@order_number",
        "site": "@ship_from.code",
        "ship_to": sandbox_address("@ship_to"),
        "requested_ship_date": "@requested_ship_date",
        "lines": {
            "$each": "@lines",
            "$map": {
                "line_ref": {"$from": "@line_number", "$as": "str"},
                "sku": {"$first": ["@item.sku", "@item.gtin", "@item.supplier_sku"]},
                "qty": number("@quantity.value"),
                "uom": "@quantity.unit",
            },
        },
    },
    document_type="fulfillment_order",
    require=("order_number", "lines"),
)

INBOUND = {
    "RECEIPT_CONFIRMED": RECEIPT,
    "PUTAWAY_COMPLETE": PUTAWAY,
    "STOCK_MOVEMENT": MOVEMENT,
    "SHIP_CONFIRM": SHIP_CONFIRM,
    "INVENTORY_SNAPSHOT": SNAPSHOT,
}
OUTBOUND = [EXPECTED_RECEIPT, SHIPPING_ORDER]

# -- positions pulled by the inventory reconciliation (``GET /wms/v1/inventory``) ---------------
# The same rows as a snapshot event, as a bare list and without an event time: the pull time
# (context ``received_at``) is when the position held. Damaged units are on hand, not available.
INVENTORY_POSITIONS = SystemMap(
    "sandbox_wms.inventory_positions",
    {
        "site": {"code": "@site"},
        "item": {"sku": "@sku"},
        "as_of": {"$from": {"$ctx": "received_at"}, "$as": "datetime"},
        "source_system": {"$ctx": "system"},
        "on_hand": quantity("@on_hand", uom("@uom")),
        "allocated": quantity({"$const": 0}, uom("@uom")),
        "available": quantity(
            {"$sub": ["@on_hand", {"$first": ["@damaged", {"$const": 0}]}]}, uom("@uom")
        ),
    },
    document_type="inventory_position",
    each="@",
    key={"$format": "{site}|{sku}"},
)
