"""Maps for the documents the hub's own flows emit (``canonical.flow_documents``), to the
sandbox systems: a matched invoice to ERP payables, a billing trigger to the ERP, a shipment
status to the TMS.

Built only when those document types are registered, so the mapping layer does not depend on
the flows being present.
"""

from __future__ import annotations

from crossdock.canonical.registry import document_model
from crossdock.mapping.systems.common import number
from crossdock.mapping.systems.model import SystemMap
from crossdock.sandbox.maps.tms import STATUS_CODES


def flow_maps() -> list[SystemMap]:
    """The outbound maps whose canonical document type exists."""
    maps = []
    if document_model("invoice_approval") is not None:
        maps.append(
            SystemMap(
                "sandbox_erp.approved_invoice",
                {
                    "invoiceNo": "@invoice_number",
                    "vendorId": {"$first": ["@supplier.codes[0].value", "@supplier.name"]},
                    "docNo": "@po_number",
                    "invoiceDate": {"$from": "@approved_at", "$as": "date"},
                    "currency": "@approved_amount.currency",
                    "lines": {
                        "$each": "@lines",
                        "$map": {
                            "lineNo": "@po_line_number",
                            "qty": number("@quantity.value"),
                            "unitCost": number("@unit_price.amount"),
                        },
                    },
                    "total": number("@approved_amount.amount"),
                },
                document_type="invoice_approval",
                require=("invoice_number", "po_number", "supplier", "lines"),
            )
        )
    if document_model("billing_trigger") is not None:
        maps.append(
            SystemMap(
                "sandbox_erp.billing_trigger",
                {
                    "orderNo": "@order_number",
                    "deliveredAt": "@delivered_at",
                    "signedBy": "@signed_by",
                },
                document_type="billing_trigger",
                require=("order_number",),
            )
        )
    if document_model("shipment_status") is not None:
        maps.append(
            SystemMap(
                "sandbox_tms.status",
                {
                    "eventId": {"$first": ["@source_message_id", {"$ctx": "message_id"}]},
                    "statusCode": {"$from": "@milestone", "$table": STATUS_CODES},
                    "eventTime": "@occurred_at",
                    "location": {"$first": ["@location.city", "@location.name"]},
                    "signedBy": "@signed_by",
                },
                document_type="shipment_status",
                require=("milestone", "occurred_at"),
            )
        )
    return maps
