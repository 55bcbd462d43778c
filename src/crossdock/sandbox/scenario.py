"""A scenario driver for the sandbox landscape: realistic volume through the systems' own APIs,
injected faults, a bounded wait for things to settle, and a report of what each system holds
(judged by `crossdock.sandbox.agreement`).

The driver only talks HTTP: to the business APIs (the ERP releases purchase orders and sales
orders) and to the control API every sandbox system carries (``/_config``, ``/_faults``,
``/_clock``, ``/_state``). Everything else happens on its own: the hub routes the documents,
the supplier portal acknowledges, ships and invoices, the WMS receives and fulfils, the TMS books
carriers and the carriers scan their parcels. ``/_clock`` fast-forwards the systems' own timers
(a late supplier, a carrier's next scan).

Faults (``FAULTS``):

* ``supplier_late``: one supplier acknowledges and ships late (``behaviour: late``)
* ``supplier_silent``: one supplier never answers (its POs stay open, by design)
* ``short_shipment``: one supplier ships less than ordered on its last line
* ``price_mismatch``: one supplier invoices its first line above the PO price
* ``carrier_outage``: both carriers' webhook senders are down for a while, then drain
* ``wms_down``: the WMS answers 503 (and sends nothing) for a while
* ``duplicates``: the ERP, WMS and supplier portal send their next events twice
* ``out_of_order``: the WMS and the supplier portal hold events and send them newest first
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from typing import Any, Protocol

import httpx

from crossdock.sandbox.agreement import RECEIVED, SHIPPED, ScenarioReport, compare

FAULTS = (
    "supplier_late",
    "supplier_silent",
    "short_shipment",
    "price_mismatch",
    "carrier_outage",
    "wms_down",
    "duplicates",
    "out_of_order",
)
SITE = "DC-ATL"
CATALOGUE: dict[str, tuple[str, float, float]] = {
    # item: (description, unit cost, unit price)
    "HP-1": ("Pallet jack", 2.5, 3.1),
    "HP-2": ("Stretch wrap", 1.25, 1.9),
    "HP-3": ("Label roll", 0.4, 0.75),
    "HP-4": ("Carton 40x30", 0.85, 1.2),
    "HP-5": ("Safety gloves", 3.2, 4.5),
    "HP-6": ("Tape gun", 6.0, 8.25),
    "HP-7": ("Hand truck", 48.0, 61.0),
    "HP-8": ("Shelf bin", 2.75, 3.6),
}
OPENING_STOCK: dict[str, dict[str, float]] = {SITE: dict.fromkeys(CATALOGUE, 100_000)}
INBOUND_TARGETS = {
    "erp": ["purchaseOrder.released", "purchaseOrder.changed", "salesOrder.released"],
    "wms": ["receipt", "movement", "shipment", "inventory"],
    "tms": ["shipment.booked"],
    "supplier": ["acknowledgment", "asn", "invoice"],
}
_FAULTED_BEHAVIOUR = {
    "supplier_late": "late",
    "supplier_silent": "silent",
    "short_shipment": "short_ship",
    "price_mismatch": "price_mismatch",
}
_SHIP_TO = {"name": "Acme Clinic", "street": "1 Main St", "city": "Augusta", "state": "GA",
            "postalCode": "30901", "country": "US"}  # fmt: skip


def landscape_settings() -> dict[str, dict[str, Any]]:
    """Fast settings for `start_landscape`: suppliers answer in a fraction of a second, the
    WMS receives and fulfils on its own, carriers scan quickly."""
    return {
        "supplier": {"defaults": {"auto": True, "ack_after": 0.05, "ship_after": 0.05,
                                  "invoice_after": 0.05, "late_by": 14400.0, "late_days": 2,
                                  "channel": "json", "short_ratio": 0.5, "price_delta": "0.25"}},
        "wms": {"auto_receive_after": 0.05, "auto_fulfil_after": 0.05},
        "parcelwave": {"step_seconds": 0.1},
        "ridgeline": {"step_seconds": 0.1},
    }  # fmt: skip


class _HasUrls(Protocol):
    @property
    def urls(self) -> dict[str, str]: ...


def _urls(landscape: _HasUrls | Mapping[str, str]) -> dict[str, str]:
    return dict(landscape) if isinstance(landscape, Mapping) else dict(landscape.urls)


def _control(client: httpx.Client, url: str, view: str) -> dict[str, Any]:
    """A system's control view: ``_state`` (everything, once at the end) or ``_progress``
    (counters, every poll)."""
    response = client.get(f"{url}/{view}", timeout=30)
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def wire(client: httpx.Client, urls: Mapping[str, str]) -> None:
    """Point each business system's events at the hub's inbound channel."""
    for system, kinds in INBOUND_TARGETS.items():
        targets = {kind: f"/v1/inbound/{system}" for kind in kinds}
        client.post(f"{urls[system]}/_config", json={"targets": targets}).raise_for_status()


def _suppliers(count: int, faults: set[str]) -> dict[str, str]:
    """Supplier id -> behaviour: one supplier per requested supplier fault, the rest on time."""
    behaviours = [_FAULTED_BEHAVIOUR[f] for f in FAULTS if f in faults and f in _FAULTED_BEHAVIOUR]
    count = max(count, len(behaviours) + 1)
    ids = [f"S-{n:02d}" for n in range(1, count + 1)]
    return {sid: (behaviours[i] if i < len(behaviours) else "on_time") for i, sid in enumerate(ids)}


def _po(rng: random.Random, number: str, supplier: str) -> dict[str, Any]:
    items = rng.sample(sorted(CATALOGUE), rng.randint(2, 4))
    lines = [
        {"lineNo": n, "itemNo": item, "description": CATALOGUE[item][0],
         "qty": rng.choice((6, 10, 12, 24, 40)), "uom": "EA", "unitCost": CATALOGUE[item][1]}
        for n, item in enumerate(items, start=1)
    ]  # fmt: skip
    return {"docNo": number, "vendorId": supplier, "shipToSite": SITE, "currency": "USD",
            "expectedDate": "2026-12-15", "lines": lines}  # fmt: skip


def _sales_order(rng: random.Random, number: str) -> dict[str, Any]:
    items = rng.sample(sorted(CATALOGUE), rng.randint(1, 3))
    heavy = rng.random() < 0.4  # a pallet goes LTL (Ridgeline), a few cartons by parcel
    lines = [
        {"lineNo": n, "itemNo": item, "qty": rng.choice((40, 60)) if heavy else rng.randint(1, 4),
         "uom": "EA", "unitPrice": CATALOGUE[item][2]}
        for n, item in enumerate(items, start=1)
    ]  # fmt: skip
    return {"orderNo": number, "customerId": f"C-{rng.randint(1, 9)}", "shipFromSite": SITE,
            "requestedDate": "2026-12-10", "shipTo": _SHIP_TO, "lines": lines}  # fmt: skip


def _adjustment(rng: random.Random) -> dict[str, Any]:
    delta = rng.choice((-3, -2, -1, 1, 2, 5))
    reason = "CYCLE_COUNT" if delta > 0 else rng.choice(("CYCLE_COUNT", "DAMAGED"))
    return {"site": SITE, "sku": rng.choice(sorted(CATALOGUE)), "qty_delta": delta,
            "reason_code": reason}  # fmt: skip


def _inject(client: httpx.Client, urls: Mapping[str, str], faults: set[str], period: float) -> None:
    def fault(system: str, spec: dict[str, Any]) -> None:
        client.post(f"{urls[system]}/_faults", json=spec).raise_for_status()

    if "carrier_outage" in faults:
        for carrier in ("parcelwave", "ridgeline"):
            fault(carrier, {"outbound_down_for": period})
    if "wms_down" in faults:
        fault("wms", {"down_for": period})
    if "duplicates" in faults:
        for system in ("erp", "wms", "supplier"):
            fault(system, {"duplicate_next": 5})
    if "out_of_order" in faults:
        for system in ("wms", "supplier"):
            fault(system, {"reorder_next": 4})


def _open(
    counts: Mapping[str, int], done: tuple[str, ...], skip: AbstractSet[str] = frozenset()
) -> int:
    """Documents not in a ``done`` status, from ``count_by`` counters keyed ``[party|]status``."""
    total = 0
    for key, n in counts.items():
        *party, status = key.split("|")
        if status not in done and not (party and party[0] in skip):
            total += n
    return total


def _unsettled(progress: Mapping[str, dict[str, Any]], silent: set[str], billing: bool) -> str:
    """What is still in progress ("" once every system is done: outboxes empty, every
    expected business step done), from each system's ``/_progress`` counters."""
    for name, state in progress.items():
        outbox = state["outbox"]
        if outbox.get("pending") or outbox.get("held") or state["faults"].get("down"):
            return f"{name}: outbox {outbox}, down={state['faults'].get('down')}"
    erp = progress["erp"]["progress"]
    open_pos = _open(erp["purchaseOrders"], RECEIVED, silent)
    if open_pos:
        return f"{open_pos} purchase orders not received in the ERP"
    uninvoiced = _open(progress["supplier"]["progress"]["orders"], ("INVOICED",), silent)
    if uninvoiced:
        return f"{uninvoiced} supplier orders not invoiced yet"
    unshipped = _open(erp["salesOrders"], SHIPPED)
    if unshipped:
        return f"{unshipped} sales orders not shipped in the ERP"
    shipments = progress["tms"]["progress"]["shipments"]
    missing = sum(erp["salesOrders"].values()) - sum(shipments.values())
    if missing > 0:
        return f"{missing} sales orders without a TMS shipment"
    undelivered = _open(shipments, ("DELIVERED",))
    if undelivered:
        return f"{undelivered} TMS shipments not delivered"
    unbilled = _open(erp["salesOrders"], ("Invoiced",))
    if unbilled and billing:
        return f"{unbilled} delivered sales orders not billed in the ERP (proof of delivery)"
    return ""


def run_scenario(
    hub_url: str,
    landscape: _HasUrls | Mapping[str, str],
    *,
    purchase_orders: int = 50,
    suppliers: int = 4,
    orders: int = 50,
    faults: set[str] | frozenset[str] = frozenset(),
    seed: int = 7,
    fault_seconds: float = 3.0,
    timeout: float = 120.0,
    settle_hub: bool = True,
    expect_billing: bool = True,
    adjustments: int | None = None,
    hub_key: str | None = None,
) -> ScenarioReport:
    """Run one scenario against a landscape wired to the hub at ``hub_url``; see the module
    docstring. Returns once every system is done (or ``timeout`` passed: ``settled`` false);
    ``adjustments`` WMS stock adjustments (cycle counts, write-offs) are posted too, which the
    hub must carry to the ERP (default: one per 20 documents); ``expect_billing`` waits for
    the customer invoices too (the hub's order-to-delivery flow
    bills on proof of delivery; without the flows nothing bills). ``hub_key``: an operator key
    for reading the hub's delivery backlog."""
    unknown = set(faults) - set(FAULTS)
    if unknown:
        raise ValueError(f"unknown fault(s) {sorted(unknown)}; known: {list(FAULTS)}")
    rng, adjust_rng = random.Random(seed), random.Random(seed + 1)  # orders stay as they were
    urls = _urls(landscape)
    if adjustments is None:  # one WMS stock adjustment per 20 documents released
        adjustments = max(1, (purchase_orders + orders) // 20) if purchase_orders + orders else 0
    started = time.monotonic()
    with httpx.Client(timeout=30) as client:
        wire(client, urls)
        behaviour = _suppliers(suppliers, set(faults))
        client.post(
            f"{urls['supplier']}/_config",
            json={"settings": {"suppliers": {s: {"behaviour": b} for s, b in behaviour.items()}}},
        ).raise_for_status()
        # cycle counts and write-offs, posted before any fault: only the WMS sees them first
        for body in [_adjustment(adjust_rng) for _ in range(adjustments)]:
            client.post(f"{urls['wms']}/wms/v1/inventory/adjustments", json=body).raise_for_status()
        _inject(client, urls, set(faults), fault_seconds)
        ids = sorted(behaviour)
        for n in range(purchase_orders):
            body = _po(rng, f"PO-{seed}-{n:05d}", ids[n % len(ids)])
            client.post(f"{urls['erp']}/api/purchase-orders", json=body).raise_for_status()
        for n in range(orders):
            body = _sales_order(rng, f"SO-{seed}-{n:05d}")
            client.post(f"{urls['erp']}/api/sales-orders", json=body).raise_for_status()
        silent = {s for s, b in behaviour.items() if b == "silent"}
        late = {s for s, b in behaviour.items() if b == "late"}
        deadline = started + timeout
        settled, waiting = False, ""
        poll = min(2.0, 0.5 + (purchase_orders + orders) / 10_000)  # cheap, but not free
        while time.monotonic() < deadline:
            if late:  # the late supplier's acknowledgments come due an hour later on its clock
                client.post(f"{urls['supplier']}/_clock", json={"advance": 300}).raise_for_status()
            progress = {name: _control(client, url, "_progress") for name, url in urls.items()}
            waiting = _unsettled(progress, silent, expect_billing)
            if not waiting and settle_hub and not _hub_idle(client, hub_url, hub_key):
                waiting = "the hub has a delivery backlog"
            if not waiting:
                settled = True
                break
            time.sleep(poll)
        states = {name: _control(client, url, "_state") for name, url in urls.items()}
    report = ScenarioReport(
        seed=seed,
        faults=sorted(faults),
        suppliers=behaviour,
        released={
            "purchase_orders": purchase_orders,
            "sales_orders": orders,
            "stock_adjustments": adjustments,
        },
        settled=settled,
        elapsed_seconds=round(time.monotonic() - started, 2),
        expected_open=sorted(
            po["docNo"]
            for po in states["erp"]["state"]["purchaseOrders"].values()
            if po["vendorId"] in silent
        ),
    )
    if not settled:
        report.notes.append(f"not settled after {timeout:.0f} s: {waiting}")
    compare(report, states, behaviour)
    return report


def _hub_idle(client: httpx.Client, hub_url: str, hub_key: str | None) -> bool:
    """No delivery backlog at the hub."""
    headers = {"Authorization": f"Bearer {hub_key}"} if hub_key else {}
    answered = client.get(f"{hub_url}/v1/endpoints", headers=headers)
    answered.raise_for_status()
    endpoints = answered.json()["items"]
    return all(e["backlog"] == 0 for e in endpoints)
