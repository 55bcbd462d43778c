"""The sandbox ERP (camelCase, ``crossdock.sandbox.erp``) <-> canonical.

Inbound: ``purchaseOrder.released`` / ``purchaseOrder.changed`` -> ``purchase_order`` (a
cancelled PO is purpose ``cancel``, a change ``replace``; a cancelled line is sent with
quantity 0 and a note, since a canonical PO line has no status), ``salesOrder.released`` ->
``fulfillment_order``.

Outbound request bodies: a confirmation (``POST /api/purchase-orders/{docNo}/confirmations``,
so its endpoint URL uses ``{correlation_key}``: the PO number), a goods receipt, an AP invoice
(from an ``invoice`` or, once the flows match invoices, an ``invoice_approval``), a sales order
shipment (``/api/sales-orders/{orderNo}/shipments``: the WMS ship confirm's shipment id is the
order number), a billing trigger and an inventory adjustment (from a WMS ``stock_movement``:
receipts and shipments reach the ERP as such, so only adjustments move its stock here).
"""

from __future__ import annotations

from crossdock.mapping.systems.common import (
    address,
    buyer,
    money,
    number,
    quantity,
    site_party,
    uom,
    vendor,
)
from crossdock.mapping.systems.model import SystemMap

_CURRENCY = {"$first": ["@/currency", {"$ctx": "currency"}]}

PURCHASE_ORDER = SystemMap(
    "sandbox_erp.purchase_order",
    {
        "po_number": "@docNo",
        "purpose": {
            "$from": "@status",
            "$table": {"Cancelled": "cancel"},
            "$else": {
                "$from": "@eventType",
                "$table": {
                    "purchaseOrder.released": "original",
                    "purchaseOrder.changed": "replace",
                },
            },
        },
        "issued_at": {
            "$from": {"$first": ["@orderDate", {"$ctx": "received_at"}]},
            "$as": "datetime",
        },
        "currency": _CURRENCY,
        "buyer": buyer(),
        "supplier": vendor("supplier", "@vendorId", "@vendorName"),
        "ship_to": site_party("ship_to", "@shipToSite"),
        "requested_delivery_date": {"$from": "@expectedDate", "$as": "date"},
        "lines": {
            "$each": "@lines",
            "$map": {
                "line_number": "@lineNo",
                "item": {"sku": "@itemNo", "description": "@description"},
                "quantity": quantity(
                    {"$from": "@lineStatus", "$table": {"Cancelled": 0}, "$else": "@qty"},
                    uom("@uom"),
                ),
                "unit_price": money("@unitCost", _CURRENCY),
                "note": {
                    "$from": "@lineStatus",
                    "$table": {"Cancelled": "line cancelled"},
                    "$else": None,
                },
            },
        },
    },
    document_type="purchase_order",
    key={"$format": "{docNo}-v{version}"},
)

FULFILLMENT_ORDER = SystemMap(
    "sandbox_erp.fulfillment_order",
    {
        "order_number": "@orderNo",
        "customer_order_number": "@customerPo",
        "released_at": {"$ctx": "received_at"},
        "ship_from": {"code": "@shipFromSite"},
        "customer": {
            "role": "customer",
            "codes": [{"scheme": {"$ctx": "system"}, "value": "@customerId"}],
        },
        "ship_to": {
            "role": "ship_to",
            "name": "@shipTo.name",
            "codes": [{"scheme": {"$ctx": "system"}, "value": "@customerId"}],
            "address": address("@shipTo"),
        },
        "service_level": "@serviceLevel",
        "requested_ship_date": {"$from": "@requestedDate", "$as": "date"},
        "lines": {
            "$each": "@lines",
            "$map": {
                "line_number": "@lineNo",
                "item": {"sku": "@itemNo", "description": "@description"},
                "quantity": quantity("@qty", uom("@uom")),
            },
        },
    },
    document_type="fulfillment_order",
    key="@orderNo",
)

# -- canonical -> ERP request bodies ------------------------------------------------------------

CONFIRMATION = SystemMap(
    "sandbox_erp.confirmation",
    {
        "confirmationNo": {"$first": ["@acknowledgment_number", {"$ctx": "message_id"}]},
        "lines": {
            "$each": "@lines",
            "$map": {
                "lineNo": "@line_number",
                "status": {
                    "$from": "@status",
                    "$table": {
                        "accepted": "accepted",
                        "changed": "changed",
                        "backordered": "changed",
                        "rejected": "rejected",
                    },
                },
                "qty": number("@promised_quantity.value"),
                "unitCost": number("@unit_price.amount"),
                "promisedDate": "@promised_date",
            },
        },
    },
    document_type="purchase_order_acknowledgment",
    require=("po_number", "lines"),
)

GOODS_RECEIPT = SystemMap(
    "sandbox_erp.goods_receipt",
    {
        "receiptNo": "@receipt_number",
        "docNo": "@lines[0].po_number",
        "site": "@site.code",
        "receivedAt": "@received_at",
        "lines": {
            "$each": "@lines",
            "$map": {
                "lineNo": "@po_line_number",
                "itemNo": {"$first": ["@item.sku", "@item.supplier_sku"]},
                "qtyReceived": number("@received_quantity.value"),
                "qtyDamaged": {
                    "$from": "@condition",
                    "$table": {"damaged": number("@received_quantity.value")},
                    "$else": 0,
                },
            },
        },
    },
    document_type="goods_receipt",
    require=("receipt_number", "site.code", "lines"),
)

_AP_TOTAL = {"$from": "@totals.line_extension_amount.amount", "$as": "number"}
AP_INVOICE = SystemMap(
    "sandbox_erp.ap_invoice",
    {
        "invoiceNo": "@invoice_number",
        "vendorId": {"$first": ["@supplier.codes[0].value", "@supplier.name"]},
        "docNo": {"$first": ["@po_numbers[0]", "@lines[0].po_number"]},
        "invoiceDate": "@issue_date",
        "currency": "@currency",
        "lines": {
            "$each": "@lines",
            "$map": {
                "lineNo": {"$first": ["@po_line_number", "@line_number"]},
                "qty": number("@quantity.value"),
                "unitCost": number("@unit_price.amount"),
            },
        },
        "total": _AP_TOTAL,
    },
    document_type="invoice",
    require=("invoice_number", "lines"),
)

SO_SHIPMENT = SystemMap(
    "sandbox_erp.sales_order_shipment",
    {
        "shipmentNo": "@shipment_id",
        "shippedAt": "@created_at",
        "carrier": {"$first": ["@carrier_scac", "@carrier.name"]},
        "trackingNo": "@tracking_number",
        "lines": {
            "$each": "@lines",
            "$map": {"lineNo": "@line_number", "qtyShipped": number("@shipped_quantity.value")},
        },
    },
    document_type="shipment",
    require=("shipment_id", "lines"),
)

_DIRECTION = {"receipt": 1, "adjustment_in": 1, "shipment": -1, "adjustment_out": -1}
INVENTORY_ADJUSTMENT = SystemMap(
    "sandbox_erp.inventory_adjustment",
    {
        "movementId": "@movement_id",
        "site": "@site.code",
        "itemNo": {"$first": ["@item.sku", "@item.gtin", "@item.supplier_sku"]},
        "qtyDelta": {
            "$mul": [
                "@quantity.value",
                {"$from": "@movement_type", "$table": _DIRECTION, "$else": 0},
            ]
        },
        "reasonCode": {"$first": ["@reason_code", "@movement_type"]},
    },
    document_type="stock_movement",
    require=("movement_id", "site.code"),
)

OUTBOUND = [CONFIRMATION, GOODS_RECEIPT, AP_INVOICE, SO_SHIPMENT, INVENTORY_ADJUSTMENT]

# -- positions pulled by the inventory reconciliation (``GET /api/inventory``) ------------------
# The ERP books on-hand only: it holds nothing back, so `available` is stated as on-hand and the
# reconciliation compares on-hand unless told to compare available too.
INVENTORY_POSITIONS = SystemMap(
    "sandbox_erp.inventory_positions",
    {
        "site": {"code": "@site"},
        "item": {"sku": "@itemNo"},
        "as_of": {"$from": {"$ctx": "received_at"}, "$as": "datetime"},
        "source_system": {"$ctx": "system"},
        "on_hand": quantity("@onHand", uom("@uom")),
        "allocated": quantity({"$const": 0}, uom("@uom")),
        "available": quantity("@onHand", uom("@uom")),
    },
    document_type="inventory_position",
    each="@",
    key={"$format": "{site}|{itemNo}"},
)
