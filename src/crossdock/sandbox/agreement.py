"""What a scenario run ends with: the report, and the comparison of what each sandbox system
holds once the run settled — counts per system, the ERP / WMS / TMS agreement checks and, per
hop, each document the sender has found once at the receiver (lost or doubled otherwise).

Kept apart from the driver (`crossdock.sandbox.scenario`): the driver makes things happen,
this module only reads the systems' final `/_state` and judges it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

SHIPPED = ("Shipped", "Invoiced")
RECEIVED = ("Received", "PartiallyReceived")  # a short shipment leaves the PO open


@dataclass
class ScenarioReport:
    """What the scenario did and what the systems hold once it settled (or timed out)."""

    seed: int
    faults: list[str]
    suppliers: dict[str, str]
    released: dict[str, int]
    settled: bool
    elapsed_seconds: float
    expected_open: list[str]
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    agreement: dict[str, bool] = field(default_factory=dict)
    hops: dict[str, dict[str, int]] = field(default_factory=dict)
    lost: int = 0
    doubled: int = 0
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def compare(
    report: ScenarioReport, states: Mapping[str, dict[str, Any]], behaviour: Mapping[str, str]
) -> None:
    """Fill the report's counts, the ERP/WMS/TMS agreement and the per-hop lost/doubled
    comparison (what the sending system has vs what the receiving system got)."""
    erp = states["erp"]["state"]
    wms = states["wms"]["state"]
    tms = states["tms"]["state"]
    portal = states["supplier"]["state"]
    pos, sos = erp["purchaseOrders"], erp["salesOrders"]
    report.counts = {
        "erp": {
            "purchase_orders": len(pos),
            "purchase_orders_received": sum(p["status"] == "Received" for p in pos.values()),
            "confirmations": len(erp["confirmations"]),
            "goods_receipts": len(erp["goodsReceipts"]),
            "ap_invoices": len(erp["apInvoices"]),
            "sales_orders": len(sos),
            "sales_orders_shipped": sum(s["status"] in SHIPPED for s in sos.values()),
            "customer_invoices": len(erp["customerInvoices"]),
            "inventory_adjustments": len(erp["adjustments"]),
        },
        "supplier": {
            "orders": len(portal["orders"]),
            **Counter(
                f"orders_{o.get('status', 'unknown').lower()}" for o in portal["orders"].values()
            ),
        },
        "wms": {
            "expected_receipts": len(wms["expected_receipts"]),
            "received": sum(r["status"] == "RECEIVED" for r in wms["expected_receipts"].values()),
            "shipping_orders": len(wms["shipping_orders"]),
            "shipped": sum(o["status"] == "SHIPPED" for o in wms["shipping_orders"].values()),
        },
        "tms": {
            "shipments": len(tms["shipments"]),
            "delivered": sum(s["status"] == "DELIVERED" for s in tms["shipments"].values()),
        },
    }
    for name, state in states.items():
        outbox = state["outbox"]
        report.counts.setdefault(name, {})["events_sent"] = int(outbox.get("delivered", 0))
        report.counts[name]["events_pending"] = int(outbox.get("pending", 0)) + int(
            outbox.get("held", 0)
        )
    # -- hops: each document the sender has, found once at the receiver ------------------------
    portal_pos = Counter(o["poNumber"] for o in portal["orders"].values())
    wms_by_po: defaultdict[str, float] = defaultdict(float)
    for receipt in wms["expected_receipts"].values():
        for line in receipt["lines"]:
            wms_by_po[receipt["po_ref"]] += line["qty_received"]
    erp_by_po = {p["docNo"]: sum(ln["qtyReceived"] for ln in p["lines"]) for p in pos.values()}
    hops: dict[str, dict[str, int]] = {}

    def hop(name: str, sent: set[str], got: Counter[str]) -> None:
        lost = len(sent - set(got))
        doubled = sum(1 for k in sent if got.get(k, 0) > 1)
        hops[name] = {"sent": len(sent), "received": sum(got.values()), "lost": lost,
                      "doubled": doubled}  # fmt: skip

    hop("erp->supplier purchase orders", set(pos), portal_pos)
    hop("erp->wms sales orders", set(sos), Counter(list(wms["shipping_orders"])))
    shipped = {k for k, o in wms["shipping_orders"].items() if o["status"] == "SHIPPED"}
    hop("wms->erp ship confirms", shipped,
        Counter(k for k, s in sos.items() if s["status"] in SHIPPED))  # fmt: skip
    hop("wms->tms ship confirms", shipped, Counter(list(tms["shipments"])))
    received = {p for p, q in wms_by_po.items() if q > 0}
    hop("wms->erp goods receipts", received,
        Counter(p for p, q in erp_by_po.items() if q > 0))  # fmt: skip
    report.hops = hops
    # quantities: the ERP booked exactly what the WMS received (a double booking shows here)
    qty_diff = sorted(p for p in erp_by_po if erp_by_po[p] != wms_by_po.get(p, 0))
    erp_stock = {k: v["onHand"] for k, v in erp["inventory"].items()}
    wms_stock = {k: v["on_hand"] for k, v in wms["inventory"].items()}
    stock_diff = sorted(k for k in {*erp_stock, *wms_stock} if erp_stock.get(k) != wms_stock.get(k))
    ap_per_po = Counter(i["docNo"] for i in erp["apInvoices"].values())
    delivered = {k for k, s in tms["shipments"].items() if s["status"] == "DELIVERED"}
    billed = {i["orderNo"] for i in erp["customerInvoices"].values()}
    report.agreement = {
        "quantities_received": not qty_diff,
        "inventory": not stock_diff,
        "invoices_matched": all(n == 1 for n in ap_per_po.values())
        and all(
            ap_per_po.get(p["docNo"], 0) == 1
            for p in pos.values()
            if behaviour.get(p["vendorId"]) in ("on_time", "late", "short_ship")
            and p["status"] == "Received"
        ),
        "shipments_delivered": delivered == shipped == set(sos),
        "customers_billed": billed == delivered,
    }
    report.lost = sum(h["lost"] for h in hops.values())
    report.doubled = sum(h["doubled"] for h in hops.values()) + len(qty_diff)
    if qty_diff:
        report.notes.append(f"ERP and WMS received quantities differ for {qty_diff[:10]}")
    if stock_diff:
        report.notes.append(f"ERP and WMS stock differ for {stock_diff[:10]}")
