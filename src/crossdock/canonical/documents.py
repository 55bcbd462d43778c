"""Import every document module so each one registers itself (see ``registry.document_types``).

Add a new document module here; the registry, schema export and intake pick it up from this
list alone.
"""

from __future__ import annotations

from crossdock.canonical import (
    acknowledgment,
    catalog,
    flow_documents,
    freight,
    fulfillment,
    inventory,
    invoice,
    product_activity,
    purchase_order,
    purchase_order_change,
    receipt,
    remittance,
    routing,
    ship_notice,
    shipment,
    x12_transaction,
)

__all__ = [
    "acknowledgment",
    "catalog",
    "flow_documents",
    "freight",
    "fulfillment",
    "inventory",
    "invoice",
    "product_activity",
    "purchase_order",
    "purchase_order_change",
    "receipt",
    "remittance",
    "routing",
    "ship_notice",
    "shipment",
    "x12_transaction",
]
