"""A sandbox WMS (the warehouse), in the snake_case, code-heavy vocabulary of a tier-one WMS API.

It holds the inbound schedule (expected receipts, from the hub's acknowledgments and ship
notices), receives goods against it, keeps inventory per site and SKU, and picks, packs and ships
shipping orders. Every physical event is reported to the hub as its own event with an
``event_id``: receipts (with per-line variance SHORT / OVER and damaged quantities), put-away
completion (naming the receipt it stores, ``receipt_id``, with one task per line moving the good
units from the dock to a location: the goods were counted by the receipt, the put-away only
moves them), stock movements (adjustments only: receipts and shipments are reported as such, so
the ERP never counts a unit twice) and ship confirmations.

Business API:

* ``POST /wms/v1/expected-receipts`` ``{"receipt_ref", "po_ref", "asn_ref"?, "site", "supplier",
  "eta", "lines": [{"line_ref", "sku", "qty_expected", "uom"}]}`` (a resend with the same
  ``receipt_ref`` updates the schedule); ``GET /wms/v1/expected-receipts[/{ref}]``
* ``POST /wms/v1/expected-receipts/{ref}/receive`` ``{"lines": [{"line_ref", "qty_received",
  "qty_damaged"}], "put_away": true, "close": false}`` (no lines: everything still expected
  arrives; a receipt stays PARTIALLY_RECEIVED until complete or closed)
* ``POST /wms/v1/shipping-orders`` ``{"order_ref", "site", "ship_to", "requested_ship_date",
  "lines": [{"line_ref", "sku", "qty", "uom"}]}``; ``GET /wms/v1/shipping-orders[/{ref}]``
* ``POST /wms/v1/shipping-orders/{ref}/pick`` ``{"lines": [{"line_ref", "qty_picked"}]}`` (no
  lines: pick what stock allows), ``…/pack`` ``{"cartons"}``, ``…/ship``
* ``POST /wms/v1/inventory/adjustments`` ``{"site", "sku", "qty_delta", "reason_code"}``;
  ``GET /wms/v1/inventory[?site=&sku=]``; ``POST /wms/v1/inventory/snapshot``

Settings: ``opening_stock`` ``{site: {sku: qty}}``; ``auto_receive_after`` (seconds after an
expected receipt with an ``asn_ref`` arrives, the truck is unloaded in full; null = manual);
``auto_fulfil_after`` (seconds after a shipping order arrives it is picked, packed and shipped).
"""

from __future__ import annotations

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
from crossdock.sandbox.common import Service

#: Where received goods wait for put-away.
DOCK = "DOCK-01"


class WmsService(Service):
    """The WMS: inbound schedule, receiving, inventory positions, pick / pack / ship."""

    name = "wms"
    default_targets: ClassVar[dict[str, str]] = {
        "receipt": "/v1/messages/goods_receipt",
        "movement": "/v1/messages/stock_movement",
        "shipment": "/v1/messages/shipment",
        "inventory": "/v1/messages/inventory_position",
    }

    def default_settings(self) -> dict[str, Any]:
        return {"opening_stock": {}, "auto_receive_after": None, "auto_fulfil_after": None}

    def initial_data(self) -> dict[str, Any]:
        inventory = {
            f"{site}|{sku}": {"site": site, "sku": sku, "on_hand": qty, "damaged": 0}
            for site, skus in self.settings.get("opening_stock", {}).items()
            for sku, qty in skus.items()
        }
        return {
            "event_seq": 0,
            "expected_receipts": {},
            "shipping_orders": {},
            "inventory": inventory,
        }

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [
            ("POST", "/wms/v1/expected-receipts", self.expect),
            ("GET", "/wms/v1/expected-receipts", self.list_of("expected_receipts")),
            ("GET", "/wms/v1/expected-receipts/{ref}", self.one_of("expected_receipts", "ref")),
            ("POST", "/wms/v1/expected-receipts/{ref}/receive", self.receive_handler),
            ("POST", "/wms/v1/shipping-orders", self.shipping_order),
            ("GET", "/wms/v1/shipping-orders", self.list_of("shipping_orders")),
            ("GET", "/wms/v1/shipping-orders/{ref}", self.one_of("shipping_orders", "ref")),
            ("POST", "/wms/v1/shipping-orders/{ref}/pick", self.pick_handler),
            ("POST", "/wms/v1/shipping-orders/{ref}/pack", self.pack_handler),
            ("POST", "/wms/v1/shipping-orders/{ref}/ship", self.ship_handler),
            ("POST", "/wms/v1/inventory/adjustments", self.adjust),
            ("GET", "/wms/v1/inventory", self.inventory),
            ("POST", "/wms/v1/inventory/snapshot", self.snapshot),
        ]

    def _position(self, site: str, sku: str) -> dict[str, Any]:
        row: dict[str, Any] = self.data["inventory"].setdefault(
            f"{site}|{sku}", {"site": site, "sku": sku, "on_hand": 0, "damaged": 0}
        )
        return row

    def _event(self, kind: str, event_type: str, body: dict[str, Any], correlation: str) -> str:
        self.data["event_seq"] += 1
        event_id = f"WMS-{self.data['event_seq']:08d}"
        event = {"event_id": event_id, "event_type": event_type, **body, "occurred_at": self.iso()}
        self.emit(kind, event, key=f"wms-{event_id}", correlation=correlation)
        return event_id

    # -- inbound -------------------------------------------------------------------------------
    async def expect(self, request: Request) -> Response:
        body = await body_of(request)
        require(body, "receipt_ref", "po_ref", "site")
        require_lines(body, "lines", "line_ref", "sku", "qty_expected")
        ref = body["receipt_ref"]
        known = self.data["expected_receipts"].get(ref)
        if known is not None and known.get("fingerprint") == fingerprint(body):
            self.stats["duplicates"] += 1
            return reply({"receipt_ref": ref, "status": known["status"],
                          "version": known["version"], "duplicate": True})  # fmt: skip
        if known is not None and known["status"] == "RECEIVED":
            raise ApiError(409, f"{ref} is already received")
        received = {ln["line_ref"]: ln for ln in (known or {}).get("lines", [])}
        lines = [
            {**ln, "qty_received": received.get(ln["line_ref"], {}).get("qty_received", 0),
             "qty_damaged": received.get(ln["line_ref"], {}).get("qty_damaged", 0)}
            for ln in body["lines"]
        ]  # fmt: skip
        status = "EXPECTED" if known is None else known["status"]
        version = 1 if known is None else known["version"] + 1
        self.data["expected_receipts"][ref] = {
            **body, "lines": lines, "status": status, "version": version,
            "fingerprint": fingerprint(body),
            "receipts": (known or {}).get("receipts", []),
        }  # fmt: skip
        auto = self.settings.get("auto_receive_after")
        if auto is not None and body.get("asn_ref") and status == "EXPECTED":
            self.later(float(auto), "receive", ref=ref)
        return reply({"receipt_ref": ref, "status": status, "version": version}, 201)

    async def receive_handler(self, request: Request) -> Response:
        body = await body_of(request)
        put_away, close = bool(body.get("put_away", True)), bool(body.get("close", False))
        event_id = self.receive(request.path_params["ref"], body.get("lines"), put_away, close)
        return reply({"event_id": event_id}, 201)

    def receive(
        self, ref: str, lines: list[dict[str, Any]] | None, put_away: bool, close: bool = False
    ) -> str:
        """Unload a truck against an expected receipt; report the receipt and the put-away.

        The receipt stays open (PARTIALLY_RECEIVED) until every line is in, or ``close``."""
        expected = self.record("expected_receipts", ref)
        by_ref = {ln["line_ref"]: ln for ln in expected["lines"]}
        unknown = [got.get("line_ref") for got in lines or [] if got.get("line_ref") not in by_ref]
        if unknown:  # before anything moves: a receipt is applied whole or not at all
            raise ApiError(422, f"{ref} has no line(s) {unknown}")
        if lines is None:
            lines = [
                {"line_ref": ln["line_ref"],
                 "qty_received": max(ln["qty_expected"] - ln["qty_received"], 0)}
                for ln in expected["lines"]
            ]  # fmt: skip
        out = []
        for got in lines:
            line = by_ref.get(got.get("line_ref"))
            if line is None:
                raise ApiError(422, f"{ref} has no line {got.get('line_ref')}")
            qty, damaged = got.get("qty_received", 0), got.get("qty_damaged", 0)
            line["qty_received"] += qty
            line["qty_damaged"] += damaged
            position = self._position(expected["site"], line["sku"])
            position["on_hand"] += qty - damaged
            position["damaged"] += damaged
            variance = line["qty_received"] - line["qty_expected"]
            code = "NONE" if variance == 0 else ("OVER" if variance > 0 else "SHORT")
            out.append({"line_ref": line["line_ref"], "sku": line["sku"], "uom": line.get("uom"),
                        "qty_expected": line["qty_expected"], "qty_received": qty,
                        "qty_damaged": damaged, "variance_code": code,
                        "variance_qty": variance})  # fmt: skip
        full = all(ln["qty_received"] >= ln["qty_expected"] for ln in expected["lines"])
        expected["status"] = "RECEIVED" if full or close else "PARTIALLY_RECEIVED"
        head = {"receipt_ref": ref, "po_ref": expected["po_ref"],
                "asn_ref": expected.get("asn_ref"), "site": expected["site"]}  # fmt: skip
        event_id = self._event("receipt", "RECEIPT_CONFIRMED", {**head, "lines": out}, ref)
        expected["receipts"].append(event_id)
        if put_away:  # one put-away task per received line with good units, from the dock
            stored = [{"task_id": f"PA-{event_id}-{ln['line_ref']}", "line_ref": ln["line_ref"],
                       "sku": ln["sku"], "qty": ln["qty_received"] - ln["qty_damaged"],
                       "from_location": DOCK, "location": f"A-{i + 1:02d}-01"}
                      for i, ln in enumerate(out)
                      if ln["qty_received"] - ln["qty_damaged"] > 0]  # fmt: skip
            if stored:  # names the receipt it stores, as a real put-away confirmation does
                body = {**head, "receipt_id": event_id, "lines": stored}
                self._event("receipt", "PUTAWAY_COMPLETE", body, ref)
        return event_id

    # -- outbound ------------------------------------------------------------------------------
    async def shipping_order(self, request: Request) -> Response:
        body = await body_of(request)
        require(body, "order_ref", "site")
        require_lines(body, "lines", "line_ref", "sku", "qty")
        ref = body["order_ref"]
        lines = [{**ln, "qty_picked": 0, "qty_shipped": 0} for ln in body["lines"]]
        order = {**body, "lines": lines, "status": "RELEASED", "cartons": 0}
        if not self.remember("shipping_orders", ref, body, order):
            return reply({"order_ref": ref, "status": self.data["shipping_orders"][ref]["status"],
                          "duplicate": True})  # fmt: skip
        auto = self.settings.get("auto_fulfil_after")
        if auto is not None:
            self.later(float(auto), "fulfil", ref=ref)
        return reply({"order_ref": ref, "status": "RELEASED"}, 201)

    def pick(self, ref: str, lines: list[dict[str, Any]] | None) -> dict[str, Any]:
        """Pick what was asked, or by default what the stock on hand allows (a short pick)."""
        order = self.record("shipping_orders", ref)
        if order["status"] != "RELEASED":
            raise ApiError(409, f"{ref} is {order['status']}")
        asked = {ln["line_ref"]: ln.get("qty_picked") for ln in lines or []}
        for line in order["lines"]:
            free = max(self._position(order["site"], line["sku"])["on_hand"], 0)
            wanted = asked.get(line["line_ref"], line["qty"]) if lines else line["qty"]
            line["qty_picked"] = min(wanted, line["qty"], free)
        order["status"] = "PICKED"
        return order

    async def pick_handler(self, request: Request) -> Response:
        order = self.pick(request.path_params["ref"], (await body_of(request)).get("lines"))
        return reply({"order_ref": order["order_ref"], "status": order["status"]})

    async def pack_handler(self, request: Request) -> Response:
        order = self.record("shipping_orders", request.path_params["ref"])
        if order["status"] != "PICKED":
            raise ApiError(409, f"{order['order_ref']} is {order['status']}, not PICKED")
        order["cartons"] = int((await body_of(request)).get("cartons") or 1)
        order["status"] = "PACKED"
        return reply({"order_ref": order["order_ref"], "status": "PACKED"})

    async def ship_handler(self, request: Request) -> Response:
        return reply({"event_id": self.ship(request.path_params["ref"])}, 201)

    def ship(self, ref: str) -> str:
        """Load the order, take its stock and send the ship confirmation."""
        order = self.record("shipping_orders", ref)
        if order["status"] not in ("PICKED", "PACKED"):
            raise ApiError(409, f"{ref} is {order['status']}, not picked")
        out = []
        for line in order["lines"]:
            line["qty_shipped"] = line["qty_picked"]
            self._position(order["site"], line["sku"])["on_hand"] -= line["qty_shipped"]
            out.append({"line_ref": line["line_ref"], "sku": line["sku"], "qty_ordered": line["qty"],
                        "qty_shipped": line["qty_shipped"],
                        "qty_short": line["qty"] - line["qty_shipped"]})  # fmt: skip
        order["status"] = "SHIPPED"
        units = sum(ln["qty_shipped"] for ln in out)
        body = {"order_ref": ref, "site": order["site"], "ship_to": order.get("ship_to"),
                "cartons": order["cartons"] or 1, "weight_kg": round(units * 1.2, 1),
                "lines": out}  # fmt: skip
        return self._event("shipment", "SHIP_CONFIRM", body, ref)

    # -- inventory -----------------------------------------------------------------------------
    async def adjust(self, request: Request) -> Response:
        body = await body_of(request)
        require(body, "site", "sku", "qty_delta")
        position = self._position(body["site"], body["sku"])
        position["on_hand"] += body["qty_delta"]
        event = {"site": body["site"], "sku": body["sku"], "qty_delta": body["qty_delta"],
                 "reason_code": body.get("reason_code", "ADJUST"),
                 "on_hand_after": position["on_hand"]}  # fmt: skip
        event_id = self._event("movement", "STOCK_MOVEMENT", event, f"{body['site']}|{body['sku']}")
        return reply({"event_id": event_id, "on_hand": position["on_hand"]}, 201)

    async def inventory(self, request: Request) -> Response:
        site, sku = request.query_params.get("site"), request.query_params.get("sku")
        rows = [r for r in self.data["inventory"].values()
                if (site is None or r["site"] == site) and (sku is None or r["sku"] == sku)]  # fmt: skip
        return reply(sorted(rows, key=lambda r: (r["site"], r["sku"])))

    async def snapshot(self, _: Request) -> Response:
        rows = sorted(self.data["inventory"].values(), key=lambda r: (r["site"], r["sku"]))
        event_id = self._event("inventory", "INVENTORY_SNAPSHOT", {"positions": rows}, "snapshot")
        return reply({"event_id": event_id, "positions": len(rows)}, 201)

    async def on_action(self, action: str, args: dict[str, Any]) -> None:
        if action == "receive":
            if self.data["expected_receipts"][args["ref"]]["status"] == "EXPECTED":
                self.receive(args["ref"], None, True)
        elif action == "fulfil":
            self.pick(args["ref"], None)
            self.ship(args["ref"])
        else:
            raise ValueError(f"unknown action {action}")
