"""The sandbox supplier portal (``crossdock.sandbox.supplier``, JSON channel) <-> canonical.

Inbound: the portal's documents carry no event type, so the format reads it from the
``X-Sandbox-Event`` header (``acknowledgment``, ``asn``, ``invoice``). Prices are strings and
carry no currency (acknowledgments): the configured currency fills it. Part numbers are the
supplier's (the portal falls back to the buyer's when it has none); ASN lines also echo the
buyer's part number, which becomes the item's SKU.

Outbound: a purchase order -> the portal's order (``POST /portal/api/orders``); ``purpose``
replace/cancel becomes a change or cancel order.
"""

from __future__ import annotations

from crossdock.mapping.systems.common import buyer, money, quantity, site_party, uom, vendor
from crossdock.mapping.systems.model import SystemMap

_CURRENCY = {"$first": ["@/currency", {"$ctx": "currency"}]}

ACKNOWLEDGMENT = SystemMap(
    "sandbox_supplier.acknowledgment",
    {
        "acknowledgment_number": "@ackNumber",
        "po_number": "@poNumber",
        "status": {
            "$from": "@status",
            "$table": {
                "ACCEPTED": "accepted",
                "ACCEPTED_WITH_CHANGES": "accepted_with_changes",
                "REJECTED": "rejected",
            },
        },
        "acknowledged_at": {"$from": "@ackDate", "$as": "datetime"},
        "currency": _CURRENCY,
        "supplier": vendor("supplier", "@supplierId"),
        "buyer": buyer(),
        "lines": {
            "$each": "@lines",
            "$map": {
                "line_number": "@lineNumber",
                "status": {"$from": "@status", "$as": "lower"},
                "item": {"supplier_sku": "@partNumber"},
                "promised_quantity": quantity("@quantity", uom("@unitOfMeasure")),
                "promised_date": {"$from": "@promisedDate", "$as": "date"},
                "unit_price": {"$if": "@price", **money("@price", _CURRENCY)},
            },
        },
    },
    document_type="purchase_order_acknowledgment",
    key="@ackNumber",
)

ASN = SystemMap(
    "sandbox_supplier.asn",
    {
        "asn_number": "@asnNumber",
        "issued_at": {"$from": "@shipDate", "$as": "datetime"},
        "shipped_at": {"$from": "@shipDate", "$as": "datetime"},
        "estimated_delivery_at": {"$from": "@estimatedArrival", "$as": "datetime"},
        "supplier": vendor("supplier", "@supplierId"),
        "ship_from": vendor("ship_from", "@supplierId"),
        "ship_to": site_party("ship_to", {"$first": ["@shipTo", {"$ctx": "default_site"}]}),
        "buyer": buyer(),
        "carrier": {"$if": "@carrier.name", "role": "carrier", "name": "@carrier.name"},
        "transport": {
            "$if": "@carrier.trackingNumber",
            "tracking_number": "@carrier.trackingNumber",
        },
        "orders": [
            {
                "po_number": "@poNumber",
                "packs": {
                    "$each": "@packages",
                    "$map": {
                        "sscc": "@sscc",
                        "items": {
                            "$each": "@lines",
                            "$map": {
                                "po_line_number": "@lineNumber",
                                "item": {"sku": "@buyerPartNumber", "supplier_sku": "@partNumber"},
                                "quantity": quantity("@quantity", uom("@unitOfMeasure")),
                            },
                        },
                    },
                },
            }
        ],
    },
    document_type="advance_ship_notice",
    key="@asnNumber",
)

_ZERO = {"amount": "0", "currency": "@currency"}
_TOTAL = {"amount": {"$from": "@total", "$as": "decimal"}, "currency": "@currency"}
INVOICE = SystemMap(
    "sandbox_supplier.invoice",
    {
        "invoice_number": "@invoiceNumber",
        "issue_date": {"$from": "@invoiceDate", "$as": "date"},
        "currency": "@currency",
        "supplier": vendor("supplier", "@supplierId"),
        "buyer": buyer(),
        "po_numbers": {"$list": ["@poNumber"]},
        "asn_number": "@asnNumber",
        "lines": {
            "$each": "@lines",
            "$map": {
                "line_number": "@lineNumber",
                "po_number": "@/poNumber",
                "po_line_number": "@lineNumber",
                "item": {"supplier_sku": "@partNumber"},
                "quantity": quantity("@quantity", uom("@unitOfMeasure")),
                "unit_price": money("@unitPrice", "@/currency"),
                "line_amount": money("@amount", "@/currency"),
            },
        },
        "totals": {
            "line_extension_amount": _TOTAL,
            "allowance_total_amount": _ZERO,
            "charge_total_amount": _ZERO,
            "tax_amount": _ZERO,
            "payable_amount": _TOTAL,
        },
    },
    document_type="invoice",
    key="@invoiceNumber",
)

# -- canonical -> portal ------------------------------------------------------------------------

ORDER = SystemMap(
    "sandbox_supplier.order",
    {
        "poNumber": "@po_number",
        "supplierId": {"$first": ["@supplier.codes[0].value", "@supplier.name"]},
        "orderDate": {"$from": "@issued_at", "$as": "date"},
        "requestedDelivery": "@requested_delivery_date",
        "shipTo": {"$first": ["@ship_to.codes[0].value", "@ship_to.name"]},
        "currency": "@currency",
        "purpose": {
            "$from": "@purpose",
            "$table": {"original": "original", "replace": "change", "cancel": "cancel"},
        },
        "lines": {
            "$each": "@lines",
            "$map": {
                "lineNumber": "@line_number",
                "partNumber": "@item.supplier_sku",
                "buyerPartNumber": {"$first": ["@item.sku", "@item.gtin", "@item.supplier_sku"]},
                "description": "@item.description",
                "quantity": {"$from": "@quantity.value", "$as": "number"},
                "unitOfMeasure": "@quantity.unit",
                "price": {"$from": "@unit_price.amount", "$as": "str"},
            },
        },
    },
    document_type="purchase_order",
    require=("po_number", "lines"),
)

INBOUND = {"acknowledgment": ACKNOWLEDGMENT, "asn": ASN, "invoice": INVOICE}
OUTBOUND = [ORDER]
