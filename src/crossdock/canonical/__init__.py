"""crossdock's canonical documents: the one shape every partner format is mapped to and from.

This package imports only the standard library and pydantic. The names below are the public
API; ``registry.document_types()`` lists every document type by name.
"""

from __future__ import annotations

from crossdock.canonical.acknowledgment import (
    AcknowledgmentLine,
    AcknowledgmentStatus,
    LineStatus,
    PurchaseOrderAcknowledgment,
)
from crossdock.canonical.base import CanonicalDocument, CanonicalModel
from crossdock.canonical.fulfillment import FulfillmentOrder, FulfillmentOrderLine
from crossdock.canonical.inventory import (
    InventoryPosition,
    MovementType,
    StockMovement,
    StockStatus,
)
from crossdock.canonical.invoice import (
    AllowanceCharge,
    Invoice,
    InvoiceLine,
    InvoiceTotals,
    InvoiceType,
)
from crossdock.canonical.item import Item, Lot
from crossdock.canonical.party import (
    Address,
    Contact,
    Party,
    PartyCode,
    PartyRole,
    Site,
    X12PartyId,
)
from crossdock.canonical.purchase_order import (
    PaymentTerms,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderPurpose,
    PurchaseOrderType,
)
from crossdock.canonical.receipt import GoodsReceipt, ReceiptCondition, ReceiptLine
from crossdock.canonical.registry import document_model, document_types, register
from crossdock.canonical.ship_notice import (
    AdvanceShipNotice,
    Pack,
    PackItem,
    ShippedOrder,
    TransportDetails,
)
from crossdock.canonical.shipment import (
    MilestoneCode,
    Place,
    ProofOfDelivery,
    Shipment,
    ShipmentMilestone,
    ShipmentPackage,
    TransportMode,
)
from crossdock.canonical.values import (
    Gln,
    Gtin,
    Money,
    Quantity,
    Sscc,
    gs1_check_digit,
    has_valid_gs1_check_digit,
)

__all__ = [
    "AcknowledgmentLine",
    "AcknowledgmentStatus",
    "Address",
    "AdvanceShipNotice",
    "AllowanceCharge",
    "CanonicalDocument",
    "CanonicalModel",
    "Contact",
    "FulfillmentOrder",
    "FulfillmentOrderLine",
    "Gln",
    "GoodsReceipt",
    "Gtin",
    "InventoryPosition",
    "Invoice",
    "InvoiceLine",
    "InvoiceTotals",
    "InvoiceType",
    "Item",
    "LineStatus",
    "Lot",
    "MilestoneCode",
    "Money",
    "MovementType",
    "Pack",
    "PackItem",
    "Party",
    "PartyCode",
    "PartyRole",
    "PaymentTerms",
    "Place",
    "ProofOfDelivery",
    "PurchaseOrder",
    "PurchaseOrderAcknowledgment",
    "PurchaseOrderLine",
    "PurchaseOrderPurpose",
    "PurchaseOrderType",
    "Quantity",
    "ReceiptCondition",
    "ReceiptLine",
    "Shipment",
    "ShipmentMilestone",
    "ShipmentPackage",
    "ShippedOrder",
    "Site",
    "Sscc",
    "StockMovement",
    "StockStatus",
    "TransportDetails",
    "TransportMode",
    "X12PartyId",
    "document_model",
    "document_types",
    "gs1_check_digit",
    "has_valid_gs1_check_digit",
    "register",
]
