"""A sandbox ERP (the distributor's books), in the camelCase vocabulary of a mid-market ERP API.

It owns purchase orders, sales orders, inventory on hand per site and accounts payable. It tells
the hub when a document is released (``purchaseOrder.released``, ``purchaseOrder.changed``,
``salesOrder.released``) and receives what the hub maps for it: supplier confirmations, goods
receipts, invoices approved for payment, shipment confirmations, billing triggers and inventory
adjustments. Each inbound document is deduplicated on its own business number, as real ERPs do.

Business API:

* ``POST /api/purchase-orders`` ``{"docNo", "vendorId", "orderDate", "expectedDate",
  "shipToSite", "currency", "lines": [{"lineNo", "itemNo", "description", "qty", "uom",
  "unitCost"}]}``; ``GET /api/purchase-orders[/{docNo}]``
* ``PATCH /api/purchase-orders/{docNo}`` ``{"expectedDate"?, "lines": [{"lineNo", "qty"?,
  "cancel"?}]}``; ``POST /api/purchase-orders/{docNo}/cancel``
* ``POST /api/purchase-orders/{docNo}/confirmations`` ``{"confirmationNo", "lines": [{"lineNo",
  "status": "accepted"|"changed"|"rejected", "qty", "unitCost", "promisedDate"}]}``
* ``POST /api/goods-receipts`` ``{"receiptNo", "docNo", "site", "receivedAt", "lines":
  [{"lineNo", "itemNo", "qtyReceived", "qtyDamaged"}]}``
* ``POST /api/ap/invoices`` ``{"invoiceNo", "vendorId", "docNo", "invoiceDate", "currency",
  "lines": [{"lineNo", "qty", "unitCost"}], "total"}``; ``GET /api/ap/invoices``
* ``POST /api/sales-orders`` ``{"orderNo", "customerId", "shipFromSite", "requestedDate",
  "shipTo": {...}, "lines": [{"lineNo", "itemNo", "qty", "uom", "unitPrice"}]}``;
  ``GET /api/sales-orders[/{orderNo}]``
* ``POST /api/sales-orders/{orderNo}/shipments`` ``{"shipmentNo", "shippedAt", "carrier",
  "trackingNo", "lines": [{"lineNo", "qtyShipped"}]}``
* ``POST /api/billing-triggers`` ``{"orderNo", "deliveredAt", "signedBy"}``: customer invoice
* ``POST /api/inventory/adjustments`` ``{"movementId", "site", "itemNo", "qtyDelta",
  "reasonCode"}``; ``GET /api/inventory[?site=]``

Settings: ``opening_stock`` ``{site: {itemNo: qty}}``.
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from starlette.requests import Request
from starlette.responses import Response

from crossdock.sandbox.api import ApiError, Handler, body_of, reply, require, require_lines
from crossdock.sandbox.common import Service, count_by

_PO_LINE = ("lineNo", "itemNo", "qty", "uom", "unitCost")


class ErpService(Service):
    """The ERP: purchase orders, sales orders, inventory, payables and receivables."""

    name = "erp"
    default_targets: ClassVar[dict[str, str]] = {
        "purchaseOrder.released": "/v1/messages/purchase_order",
        "purchaseOrder.changed": "/v1/messages/purchase_order",
        "salesOrder.released": "/v1/messages/fulfillment_order",
    }

    def default_settings(self) -> dict[str, Any]:
        return {"opening_stock": {}}

    def initial_data(self) -> dict[str, Any]:
        inventory = {
            f"{site}|{item}": {"site": site, "itemNo": item, "onHand": qty}
            for site, items in self.settings.get("opening_stock", {}).items()
            for item, qty in items.items()
        }
        buckets = ("purchaseOrders", "salesOrders", "confirmations", "goodsReceipts")
        more = ("apInvoices", "customerInvoices", "shipments", "adjustments")
        return {"inventory": inventory, **{b: {} for b in (*buckets, *more)}}

    def progress(self) -> dict[str, Any]:
        return {
            "purchaseOrders": count_by(self.data["purchaseOrders"].values(), "vendorId", "status"),
            "salesOrders": count_by(self.data["salesOrders"].values(), "status"),
        }

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [
            ("POST", "/api/purchase-orders", self.create_po),
            ("GET", "/api/purchase-orders", self.list_of("purchaseOrders")),
            ("GET", "/api/purchase-orders/{key}", self.one_of("purchaseOrders")),
            ("PATCH", "/api/purchase-orders/{key}", self.change_po),
            ("POST", "/api/purchase-orders/{key}/cancel", self.cancel_po),
            ("POST", "/api/purchase-orders/{key}/confirmations", self.confirm_po),
            ("POST", "/api/goods-receipts", self.goods_receipt),
            ("POST", "/api/ap/invoices", self.ap_invoice),
            ("GET", "/api/ap/invoices", self.list_of("apInvoices")),
            ("POST", "/api/sales-orders", self.create_so),
            ("GET", "/api/sales-orders", self.list_of("salesOrders")),
            ("GET", "/api/sales-orders/{key}", self.one_of("salesOrders")),
            ("POST", "/api/sales-orders/{key}/shipments", self.so_shipment),
            ("POST", "/api/billing-triggers", self.billing_trigger),
            ("POST", "/api/inventory/adjustments", self.adjustment),
            ("GET", "/api/inventory", self.inventory),
        ]

    # -- helpers -------------------------------------------------------------------------------
    def _po_line(self, po: dict[str, Any], line_no: Any) -> dict[str, Any]:
        for line in po["lines"]:
            if line["lineNo"] == line_no:
                line_: dict[str, Any] = line
                return line_
        raise ApiError(422, f"{po['docNo']} has no line {line_no}")

    @staticmethod
    def _check_lines(record: dict[str, Any], lines: list[dict[str, Any]]) -> None:
        """422 before anything changes when a document names a line the order does not have."""
        known = {line["lineNo"] for line in record["lines"]}
        unknown = [ln["lineNo"] for ln in lines if ln["lineNo"] not in known]
        if unknown:
            number = record.get("docNo") or record.get("orderNo")
            raise ApiError(422, f"{number} has no line(s) {unknown}")

    def _stock(self, site: str, item: str, delta: float) -> None:
        row = self.data["inventory"].setdefault(
            f"{site}|{item}", {"site": site, "itemNo": item, "onHand": 0}
        )
        row["onHand"] = row["onHand"] + delta

    def _release(self, po: dict[str, Any], event: str) -> None:
        body = {k: v for k, v in copy.deepcopy(po).items() if k != "fingerprint"}
        body["eventType"] = event
        key = f"erp-po-{po['docNo']}-v{po['version']}"
        self.emit(event, body, key=key, correlation=po["docNo"])

    # -- purchase orders -------------------------------------------------------------------------
    async def create_po(self, request: Request) -> Response:
        body = await body_of(request)
        require(body, "docNo", "vendorId", "shipToSite")
        require_lines(body, "lines", *_PO_LINE)
        lines = [
            {**line, "qtyConfirmed": None, "lineStatus": "Open", "qtyReceived": 0,
             "qtyDamaged": 0, "qtyInvoiced": 0}
            for line in body["lines"]
        ]  # fmt: skip
        po = {
            "currency": "USD",
            "orderDate": self.iso()[:10],
            **body,
            "lines": lines,
            "status": "Released",
            "version": 1,
            "confirmations": [],
            "receipts": [],
            "invoices": [],
        }
        if self.remember("purchaseOrders", body["docNo"], body, po):
            self._release(po, "purchaseOrder.released")
            return reply({"docNo": body["docNo"], "status": "Released"}, 201)
        return reply({"docNo": body["docNo"], "status": "Released", "duplicate": True})

    async def change_po(self, request: Request) -> Response:
        po = self.record("purchaseOrders", request.path_params["key"])
        body = await body_of(request)
        if po["status"] in ("Cancelled", "Closed"):
            raise ApiError(409, f"{po['docNo']} is {po['status']}")
        for change in body.get("lines", []):
            line = self._po_line(po, change.get("lineNo"))
            if change.get("cancel"):
                line["lineStatus"] = "Cancelled"
            elif "qty" in change:
                line["qty"] = change["qty"]
        if "expectedDate" in body:
            po["expectedDate"] = body["expectedDate"]
        po["version"] += 1
        self._release(po, "purchaseOrder.changed")
        return reply({"docNo": po["docNo"], "version": po["version"]})

    async def cancel_po(self, request: Request) -> Response:
        po = self.record("purchaseOrders", request.path_params["key"])
        if po["status"] != "Cancelled":
            po["status"] = "Cancelled"
            po["version"] += 1
            self._release(po, "purchaseOrder.changed")
        return reply({"docNo": po["docNo"], "status": "Cancelled"})

    async def confirm_po(self, request: Request) -> Response:
        po = self.record("purchaseOrders", request.path_params["key"])
        body = await body_of(request)
        require(body, "confirmationNo")
        require_lines(body, "lines", "lineNo", "status")
        self._check_lines(po, body["lines"])
        if not self.remember("confirmations", body["confirmationNo"], body, dict(body)):
            return reply({"confirmationNo": body["confirmationNo"], "duplicate": True})
        for conf in body["lines"]:
            line = self._po_line(po, conf["lineNo"])
            status = str(conf["status"]).lower()
            line["lineStatus"] = {"accepted": "Confirmed", "changed": "Changed"}.get(
                status, "Rejected"
            )
            line["qtyConfirmed"] = 0 if status == "rejected" else conf.get("qty", line["qty"])
            if conf.get("unitCost") is not None:
                line["confirmedCost"] = conf["unitCost"]
            if conf.get("promisedDate"):
                line["promisedDate"] = conf["promisedDate"]
        po["confirmations"].append(body["confirmationNo"])
        if po["status"] == "Released":
            po["status"] = "Confirmed"
        return reply({"docNo": po["docNo"], "status": po["status"]}, 201)

    async def goods_receipt(self, request: Request) -> Response:
        body = await body_of(request)
        require(body, "receiptNo", "docNo", "site")
        require_lines(body, "lines", "lineNo", "qtyReceived")
        po = self.data["purchaseOrders"].get(body["docNo"])
        if po is None:
            raise ApiError(422, f"purchase order {body['docNo']} unknown")
        self._check_lines(po, body["lines"])
        if not self.remember("goodsReceipts", body["receiptNo"], body, dict(body)):
            return reply({"receiptNo": body["receiptNo"], "duplicate": True})
        for rcv in body["lines"]:
            line = self._po_line(po, rcv["lineNo"])
            good = rcv["qtyReceived"] - rcv.get("qtyDamaged", 0)
            line["qtyReceived"] += rcv["qtyReceived"]
            line["qtyDamaged"] += rcv.get("qtyDamaged", 0)
            self._stock(body["site"], rcv.get("itemNo", line["itemNo"]), good)
        po["receipts"].append(body["receiptNo"])
        open_lines = [ln for ln in po["lines"] if ln["lineStatus"] not in ("Cancelled", "Rejected")]
        done = all(ln["qtyReceived"] >= (ln["qtyConfirmed"] or ln["qty"]) for ln in open_lines)
        po["status"] = "Received" if done else "PartiallyReceived"
        return reply({"receiptNo": body["receiptNo"], "poStatus": po["status"]}, 201)

    async def ap_invoice(self, request: Request) -> Response:
        body = await body_of(request)
        require(body, "invoiceNo", "vendorId", "docNo")
        lines = require_lines(body, "lines", "lineNo", "qty", "unitCost")
        po = self.data["purchaseOrders"].get(body["docNo"])
        if po is None:
            raise ApiError(422, f"purchase order {body['docNo']} unknown")
        self._check_lines(po, lines)
        total = round(sum(float(ln["qty"]) * float(ln["unitCost"]) for ln in lines), 2)
        if body.get("total") is not None and abs(float(body["total"]) - total) > 0.005:
            raise ApiError(422, f"total {body['total']} is not the sum of the lines ({total})")
        invoice = {**body, "total": total, "status": "ApprovedForPayment"}
        if not self.remember("apInvoices", body["invoiceNo"], body, invoice):
            return reply({"invoiceNo": body["invoiceNo"], "duplicate": True})
        for ln in lines:
            self._po_line(po, ln["lineNo"])["qtyInvoiced"] += ln["qty"]
        po["invoices"].append(body["invoiceNo"])
        return reply({"invoiceNo": body["invoiceNo"], "status": "ApprovedForPayment"}, 201)

    # -- sales orders ----------------------------------------------------------------------------
    async def create_so(self, request: Request) -> Response:
        body = await body_of(request)
        require(body, "orderNo", "customerId", "shipFromSite")
        require_lines(body, "lines", "lineNo", "itemNo", "qty", "unitPrice")
        order = {
            **body,
            "lines": [{**ln, "qtyShipped": 0} for ln in body["lines"]],
            "status": "Released",
            "shipments": [],
            "customerInvoice": None,
        }
        if not self.remember("salesOrders", body["orderNo"], body, order):
            return reply({"orderNo": body["orderNo"], "status": "Released", "duplicate": True})
        event = {**body, "eventType": "salesOrder.released"}
        self.emit("salesOrder.released", event, key=f"erp-so-{body['orderNo']}-v1",
                  correlation=body["orderNo"])  # fmt: skip
        return reply({"orderNo": body["orderNo"], "status": "Released"}, 201)

    async def so_shipment(self, request: Request) -> Response:
        order = self.record("salesOrders", request.path_params["key"])
        body = await body_of(request)
        require(body, "shipmentNo")
        require_lines(body, "lines", "lineNo", "qtyShipped")
        self._check_lines(order, body["lines"])
        if not self.remember("shipments", body["shipmentNo"], body, dict(body)):
            return reply({"shipmentNo": body["shipmentNo"], "duplicate": True})
        by_no = {ln["lineNo"]: ln for ln in order["lines"]}
        for shipped in body["lines"]:
            line = by_no.get(shipped["lineNo"])
            if line is None:
                raise ApiError(422, f"{order['orderNo']} has no line {shipped['lineNo']}")
            line["qtyShipped"] += shipped["qtyShipped"]
            self._stock(order["shipFromSite"], line["itemNo"], -shipped["qtyShipped"])
        order["shipments"].append(body["shipmentNo"])
        order["status"] = "Shipped"
        return reply({"orderNo": order["orderNo"], "status": "Shipped"}, 201)

    async def billing_trigger(self, request: Request) -> Response:
        body = await body_of(request)
        require(body, "orderNo")
        order = self.record("salesOrders", body["orderNo"])
        number = f"CI-{order['orderNo']}"
        amount = sum(float(ln["qtyShipped"]) * float(ln["unitPrice"]) for ln in order["lines"])
        invoice = {"invoiceNo": number, "orderNo": order["orderNo"], "amount": round(amount, 2),
                   "deliveredAt": body.get("deliveredAt"), "signedBy": body.get("signedBy")}  # fmt: skip
        if not self.remember("customerInvoices", number, {"orderNo": order["orderNo"]}, invoice):
            return reply({"invoiceNo": number, "duplicate": True})
        order["status"], order["customerInvoice"] = "Invoiced", number
        return reply({"invoiceNo": number, "amount": invoice["amount"]}, 201)

    async def adjustment(self, request: Request) -> Response:
        body = await body_of(request)
        require(body, "movementId", "site", "itemNo", "qtyDelta")
        if self.remember("adjustments", body["movementId"], body, dict(body)):
            self._stock(body["site"], body["itemNo"], body["qtyDelta"])
            return reply({"movementId": body["movementId"]}, 201)
        return reply({"movementId": body["movementId"], "duplicate": True})

    async def inventory(self, request: Request) -> Response:
        site = request.query_params.get("site")
        rows = [r for r in self.data["inventory"].values() if site is None or r["site"] == site]
        return reply(sorted(rows, key=lambda r: (r["site"], r["itemNo"])))
