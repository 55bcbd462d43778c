"""A sandbox supplier portal: several suppliers receive purchase orders and answer them, each in
its own behaviour (on time, late, silent, short-shipping, mis-pricing, rejecting a line).

The portal speaks a supplier-side JSON vocabulary (``poNumber``, ``partNumber``, ``quantity``,
money as strings). After a PO arrives, each supplier acknowledges it, ships it (an ASN with SSCC
packages) and invoices it, on its own schedule, by sending those documents to the hub. Drivers can
switch a supplier to ``"auto": false`` and step it by hand instead.

Business API:

* ``POST /portal/api/orders`` ``{"poNumber", "supplierId", "orderDate", "requestedDelivery",
  "shipTo", "currency", "purpose"?: "original"|"change"|"cancel", "lines": [{"lineNumber",
  "partNumber"?, "buyerPartNumber", "description", "quantity", "unitOfMeasure", "price"}]}``;
  the same PO again is a duplicate, a different body a change order (409 once shipped)
* ``GET /portal/api/orders[?supplierId=]``; ``GET /portal/api/orders/{supplierId}/{poNumber}``
* ``POST /portal/edi``: an X12 interchange of 850s (the supplier is the ISA receiver id)
* ``POST /portal/api/orders/{supplierId}/{poNumber}/acknowledge|ship|invoice`` with optional
  ``{"lines": [...]}`` overrides (``status``/``quantity``/``price``/``promisedDate`` for an
  acknowledgment, ``quantity`` for a shipment, ``quantity``/``unitPrice`` for an invoice)

Sent to the hub: ``acknowledgment`` ``{"ackNumber", "poNumber", "supplierId", "ackDate",
"status", "lines": [{"lineNumber", "partNumber", "status": "ACCEPTED"|"CHANGED"|"REJECTED",
"quantity", "price", "promisedDate"}]}``; ``asn`` ``{"asnNumber", "poNumber", "shipDate",
"estimatedArrival", "carrier", "packages": [{"sscc", "lines": [...]}]}``; ``invoice``
``{"invoiceNumber", "poNumber", "asnNumber", "invoiceDate", "currency", "lines": [{"lineNumber",
"partNumber", "quantity", "unitPrice", "amount"}], "total"}``.

Settings: ``suppliers`` ``{supplierId: {"behaviour": "on_time"|"late"|"silent"|"short_ship"|
"price_mismatch"|"reject_line", "auto"?, …timing overrides}}`` and ``defaults`` (``ack_after``,
``ship_after``, ``invoice_after`` seconds, ``late_by`` seconds, ``late_days``, ``short_ratio``,
``price_delta``, ``channel``: ``"json"``, or ``"x12"`` to send 855 / 856 / 810 interchanges to
the ``edi`` target, default ``<hub>/v1/edi``); a supplier not listed is on time, in JSON.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, ClassVar

from starlette.requests import Request
from starlette.responses import Response

from crossdock.sandbox.api import (
    ApiError,
    Handler,
    body_of,
    fingerprint,
    reply,
    require,
    require_lines,
)
from crossdock.sandbox.common import Service, count_by
from crossdock.sandbox.supplier_x12 import parse_850, render

BEHAVIOURS = ("on_time", "late", "silent", "short_ship", "price_mismatch", "reject_line")


def sscc(serial: int, prefix: str = "0860001", extension: str = "0") -> str:
    """An SSCC-18 (extension digit, GS1 company prefix, serial) with a valid check digit, so the
    hub's GS1 validation accepts the supplier's pallets."""
    body = f"{extension}{prefix}{serial % 10 ** (16 - len(prefix)):0{16 - len(prefix)}d}"
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


def money(value: Any) -> str:
    """An amount, to the cent."""
    return str(Decimal(str(value)).quantize(Decimal("0.01")))


def unit_price(value: Any) -> str:
    """A unit price: at least two decimals, more only when it has them (29.125 stays)."""
    price = Decimal(str(value))
    return money(price) if price == price.quantize(Decimal("0.01")) else str(price)


class SupplierPortal(Service):
    """The supplier portal: orders in, acknowledgments, ASNs and invoices out."""

    name = "supplier-portal"
    default_targets: ClassVar[dict[str, str]] = {
        "acknowledgment": "/v1/messages/purchase_order_acknowledgment",
        "asn": "/v1/messages/advance_ship_notice",
        "invoice": "/v1/messages/invoice",
        "edi": "/v1/edi",
    }

    def default_settings(self) -> dict[str, Any]:
        defaults = {"auto": True, "channel": "json", "ack_after": 0.5, "ship_after": 1.0, "invoice_after": 1.0,
                    "late_by": 30.0, "late_days": 3, "short_ratio": 0.5, "price_delta": "0.25"}  # fmt: skip
        return {"suppliers": {}, "defaults": defaults}

    def initial_data(self) -> dict[str, Any]:
        return {"seq": 0, "orders": {}}

    def progress(self) -> dict[str, Any]:
        return {"orders": count_by(self.data["orders"].values(), "supplierId", "status")}

    def routes(self) -> list[tuple[str, str, Handler]]:
        base = "/portal/api/orders/{supplier}/{po}"
        return [
            ("POST", "/portal/api/orders", self.receive_order),
            ("POST", "/portal/edi", self.receive_edi),
            ("GET", "/portal/api/orders", self.list_orders),
            ("GET", base, self.get_order),
            ("POST", base + "/acknowledge", self.step("acknowledge")),
            ("POST", base + "/ship", self.step("ship")),
            ("POST", base + "/invoice", self.step("invoice")),
        ]

    def profile(self, supplier: str) -> dict[str, Any]:
        """The supplier's behaviour: the defaults overridden by its own settings."""
        own = self.settings["suppliers"].get(supplier, {})
        profile = {**self.settings["defaults"], "behaviour": "on_time", **own}
        if profile["behaviour"] not in BEHAVIOURS:
            raise ApiError(422, f"unknown behaviour {profile['behaviour']}", list(BEHAVIOURS))
        return profile

    def _order(self, supplier: str, po: str) -> dict[str, Any]:
        order: dict[str, Any] | None = self.data["orders"].get(f"{supplier}|{po}")
        if order is None:
            raise ApiError(404, f"order {po} for {supplier} not found")
        return order

    def _number(self, prefix: str) -> str:
        self.data["seq"] += 1
        return f"{prefix}{self.data['seq']:06d}"

    async def receive_order(self, request: Request) -> Response:
        result, status = self.accept_order(await body_of(request))
        return reply(result, status)

    async def receive_edi(self, request: Request) -> Response:
        """An X12 interchange of 850s (the EDI channel); each order is accepted as by the API."""
        try:
            orders = parse_850((await request.body()).decode("utf-8", "replace"))
        except ValueError as exc:
            raise ApiError(400, str(exc)) from exc
        return reply({"orders": [self.accept_order(order)[0] for order in orders]}, 202)

    def accept_order(self, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """A new order (201), a duplicate (200) or a change / cancel order (200)."""
        require(body, "poNumber", "supplierId")
        require_lines(body, "lines", "lineNumber", "buyerPartNumber", "quantity", "price")
        key, print_ = f"{body['supplierId']}|{body['poNumber']}", fingerprint(body)
        known = self.data["orders"].get(key)
        if known is not None and known["fingerprint"] == print_:
            self.stats["duplicates"] += 1
            result = {"portalOrderId": known["portalOrderId"], "status": known["status"]}
            return {**result, "duplicate": True}, 200
        if known is not None and known["status"] in ("SHIPPED", "INVOICED"):
            raise ApiError(409, f"{body['poNumber']} is already {known['status']}")
        profile = self.profile(body["supplierId"])
        cancel = body.get("purpose") == "cancel"
        order = {
            "portalOrderId": known["portalOrderId"] if known else self._number("PO-IN-"),
            "poNumber": body["poNumber"], "supplierId": body["supplierId"], "order": body,
            "fingerprint": print_, "version": known["version"] + 1 if known else 1,
            "status": "CANCELLED" if cancel else "RECEIVED", "receivedAt": self.iso(),
            "ack": None, "asn": None, "invoice": None,
        }  # fmt: skip
        self.data["orders"][key] = order
        if profile["auto"] and profile["behaviour"] != "silent" and not cancel:
            delay = profile["ack_after"] + (
                profile["late_by"] if profile["behaviour"] == "late" else 0
            )
            self.later(delay, "acknowledge", key=key, version=order["version"])
        result = {"portalOrderId": order["portalOrderId"], "status": order["status"]}
        return result, 201 if known is None else 200

    async def list_orders(self, request: Request) -> Response:
        supplier = request.query_params.get("supplierId")
        orders = self.data["orders"].values()
        return reply([o for o in orders if supplier is None or o["supplierId"] == supplier])

    async def get_order(self, request: Request) -> Response:
        return reply(self._order(request.path_params["supplier"], request.path_params["po"]))

    def step(self, action: str) -> Handler:
        async def handler(request: Request) -> Response:
            order = self._order(request.path_params["supplier"], request.path_params["po"])
            overrides = (await body_of(request)).get("lines")
            document = getattr(self, action)(order, overrides)
            return reply(document, 201)

        return handler

    async def on_action(self, action: str, args: dict[str, Any]) -> None:
        order = self.data["orders"][args["key"]]
        if order["version"] != args["version"] or order["status"] == "CANCELLED":
            return  # superseded by a change order, or cancelled
        profile = self.profile(order["supplierId"])
        getattr(self, action)(order, None)
        late = profile["late_by"] if profile["behaviour"] == "late" else 0.0
        following = {"acknowledge": ("ship", profile["ship_after"] + late),
                     "ship": ("invoice", profile["invoice_after"])}.get(action)  # fmt: skip
        if following is not None:
            self.later(following[1], following[0], **args)

    # -- the three documents -----------------------------------------------------------------------
    def acknowledge(
        self, order: dict[str, Any], overrides: list[dict[str, Any]] | None
    ) -> dict[str, Any]:
        profile, po = self.profile(order["supplierId"]), order["order"]
        requested = po.get("requestedDelivery") or self.iso()[:10]
        promised = date.fromisoformat(requested[:10])
        if profile["behaviour"] == "late":
            promised += timedelta(days=int(profile["late_days"]))
        given = {o["lineNumber"]: o for o in overrides or []}
        lines = []
        for i, line in enumerate(po["lines"]):
            status = "REJECTED" if (profile["behaviour"] == "reject_line" and i == len(po["lines"]) - 1
                                    and len(po["lines"]) > 1) else "ACCEPTED"  # fmt: skip
            ack_line = {"lineNumber": line["lineNumber"],
                        "partNumber": line.get("partNumber") or line["buyerPartNumber"],
                        "status": status, "quantity": 0 if status == "REJECTED" else line["quantity"],
                        "price": unit_price(line["price"]), "promisedDate": promised.isoformat()}  # fmt: skip
            ack_line.update(given.get(line["lineNumber"], {}))
            lines.append(ack_line)
        statuses = {ln["status"] for ln in lines}
        overall = "ACCEPTED" if statuses == {"ACCEPTED"} else (
            "REJECTED" if statuses == {"REJECTED"} else "ACCEPTED_WITH_CHANGES")  # fmt: skip
        ack = {"ackNumber": f"ACK-{order['poNumber']}-{order['version']}", "poNumber": order["poNumber"],
               "supplierId": order["supplierId"], "ackDate": self.iso(), "status": overall,
               "lines": lines}  # fmt: skip
        order["ack"], order["status"] = ack, "ACKNOWLEDGED"
        self._send("acknowledgment", order, ack, ack["ackNumber"])
        return ack

    def ship(self, order: dict[str, Any], overrides: list[dict[str, Any]] | None) -> dict[str, Any]:
        profile, po = self.profile(order["supplierId"]), order["order"]
        ack_lines = {ln["lineNumber"]: ln for ln in (order["ack"] or {}).get("lines", [])}
        given: dict[Any, Any] = {
            o["lineNumber"]: o["quantity"] for o in overrides or [] if "quantity" in o
        }
        shipped = []
        for i, line in enumerate(po["lines"]):
            ack = ack_lines.get(
                line["lineNumber"], {"status": "ACCEPTED", "quantity": line["quantity"]}
            )
            qty = 0 if ack["status"] == "REJECTED" else ack["quantity"]
            if profile["behaviour"] == "short_ship" and i == len(po["lines"]) - 1:
                qty = math.floor(qty * float(profile["short_ratio"]))
            qty = given.get(line["lineNumber"], qty)
            if qty > 0:
                shipped.append({"lineNumber": line["lineNumber"], "quantity": qty,
                                "partNumber": line.get("partNumber") or line["buyerPartNumber"],
                                "buyerPartNumber": line["buyerPartNumber"],
                                "unitOfMeasure": line.get("unitOfMeasure", "EA")})  # fmt: skip
        asn_number = f"ASN-{order['poNumber']}"
        packages = [{"sscc": sscc(self.data["seq"] * 100 + i), "lines": [ln]}
                    for i, ln in enumerate(shipped)]  # fmt: skip
        self.data["seq"] += 1
        arrival = date.fromisoformat(self.iso()[:10]) + timedelta(days=2)
        asn = {"asnNumber": asn_number, "poNumber": order["poNumber"], "supplierId": order["supplierId"],
               "shipDate": self.iso(), "estimatedArrival": arrival.isoformat(),
               "carrier": {"name": "Supplier Fleet", "trackingNumber": f"SF{asn_number[4:]}"},
               "shipTo": po.get("shipTo"), "packages": packages}  # fmt: skip
        order["asn"], order["status"] = asn, "SHIPPED"
        self._send("asn", order, asn, asn_number)
        return asn

    def invoice(
        self, order: dict[str, Any], overrides: list[dict[str, Any]] | None
    ) -> dict[str, Any]:
        profile, po = self.profile(order["supplierId"]), order["order"]
        prices = {ln["lineNumber"]: Decimal(str(ln["price"])) for ln in po["lines"]}
        shipped = [ln for pkg in (order["asn"] or {}).get("packages", []) for ln in pkg["lines"]]
        given = {o["lineNumber"]: o for o in overrides or []}
        lines = []
        for i, ln in enumerate(shipped):
            price = prices[ln["lineNumber"]]
            if profile["behaviour"] == "price_mismatch" and i == 0:
                price += Decimal(str(profile["price_delta"]))
            qty = given.get(ln["lineNumber"], {}).get("quantity", ln["quantity"])
            price = Decimal(str(given.get(ln["lineNumber"], {}).get("unitPrice", price)))
            lines.append({"lineNumber": ln["lineNumber"], "partNumber": ln["partNumber"],
                          "quantity": qty, "unitPrice": unit_price(price), "amount": money(price * qty)})  # fmt: skip
        total = sum((Decimal(ln["amount"]) for ln in lines), Decimal("0"))
        invoice = {"invoiceNumber": f"INV-{order['poNumber']}", "poNumber": order["poNumber"],
                   "asnNumber": (order["asn"] or {}).get("asnNumber"), "supplierId": order["supplierId"],
                   "invoiceDate": self.iso()[:10], "currency": po.get("currency", "USD"),
                   "lines": lines, "total": money(total)}  # fmt: skip
        order["invoice"], order["status"] = invoice, "INVOICED"
        self._send("invoice", order, invoice, invoice["invoiceNumber"])
        return invoice

    def _send(
        self, kind: str, order: dict[str, Any], document: dict[str, Any], number: str
    ) -> None:
        """To the hub in the supplier's channel: portal JSON, or X12 855 / 856 / 810."""
        key = f"{order['supplierId']}-{number}".lower()
        headers = {"X-Supplier-Id": order["supplierId"]}
        lane = order["supplierId"]  # each supplier sends from its own queue
        if self.profile(order["supplierId"]).get("channel") == "x12":
            self.data["x12_control"] = self.data.get("x12_control", 0) + 1
            code = {"acknowledgment": "855", "asn": "856", "invoice": "810"}[kind]
            text = render(
                code, document, order["order"], order["supplierId"], self.data["x12_control"]
            )
            headers["Content-Type"] = "application/edi-x12"
            self.emit(
                "edi", text, key=key, correlation=order["poNumber"], headers=headers, lane=lane
            )
            return
        self.emit(
            kind, document, key=key, correlation=order["poNumber"], headers=headers, lane=lane
        )
