"""Named steps a map may run after reading, for what X12 states only implicitly.

Kept to a handful on purpose: everything that can be data is data in ``maps/``. These derive
values the canonical model requires but the transaction set does not carry (an 810 has no
line amounts nor line-extension total, only quantity x price and TDS), so a map lists the
hook by name and a partner override can switch it off.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from crossdock.mapping.x12.activity_hooks import (
    activity_pairs_read,
    activity_pairs_write,
    catalog_units_read,
)

Hook = Callable[[dict[str, Any], str | None], None]
_CENT = Decimal("0.01")


_PARSED: dict[str, Decimal] = {}  # quantities and prices recur from invoice to invoice


def _decimal(value: Any) -> Decimal | None:
    found = _PARSED.get(value) if value.__class__ is str else None
    if found is not None:
        return found
    try:
        found = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None  # pydantic reports the bad number at its own field
    # Parsing finite text is exact whatever the decimal context: safe to remember.
    if value.__class__ is str and found.is_finite():
        if len(_PARSED) >= 4096:
            _PARSED.clear()
        _PARSED[value] = found
    return found


def invoice_totals(data: dict[str, Any], arg: str | None = None) -> None:
    """810: line amounts (qty x price, to the cent) and totals from lines, SAC and TXI."""
    currency = data.get("currency")
    lines_total = Decimal(0)
    for line in data.get("lines", ()):
        quantity = _decimal(line.get("quantity", {}).get("value"))
        price = _decimal(line.get("unit_price", {}).get("amount"))
        if quantity is None or price is None:
            return
        if "line_amount" not in line:
            # Rounding passed by position: the keyword form costs three times as much (C decimal).
            line_amount: Decimal | None = (quantity * price).quantize(_CENT, ROUND_HALF_UP)
            line["line_amount"] = {"amount": str(line_amount), "currency": currency}
        else:
            line_amount = _decimal(line["line_amount"].get("amount"))
        lines_total += line_amount or 0
    allowances = Decimal(0)
    charges = Decimal(0)
    for entry in data.get("allowances_charges", ()):
        amount = _decimal(entry.get("amount", {}).get("amount")) or Decimal(0)
        if entry.get("is_charge"):
            charges += amount
        else:
            allowances += amount
    totals = data.setdefault("totals", {})
    derived = {
        "line_extension_amount": lines_total,
        "allowance_total_amount": allowances,
        "charge_total_amount": charges,
        "tax_amount": Decimal(0),
    }
    for name, amount in derived.items():
        totals.setdefault(name, {"amount": str(amount), "currency": currency})
    if "payable_amount" not in totals:
        tax = _decimal(totals["tax_amount"].get("amount")) or Decimal(0)
        payable = lines_total - allowances + charges + tax
        totals["payable_amount"] = {"amount": str(payable), "currency": currency}


def carrier_from_scac(data: dict[str, Any], arg: str | None = None) -> None:
    """945/214: no N1*CA loop, but a SCAC: the carrier party is identified by it (X12 '2').

    ``carrier__scac`` is a scratch key for documents without a ``carrier_scac`` field (214).
    """
    scac = data.pop("carrier__scac", None) or data.get("carrier_scac")
    if "carrier" not in data and scac:
        data["carrier"] = {"role": "carrier", "x12": {"qualifier": "2", "identifier": scac}}


def carrier_scac_write(data: dict[str, Any], arg: str | None = None) -> None:
    """Outbound 214: the SCAC element comes from a carrier identified by SCAC (qualifier 2)."""
    x12 = (data.get("carrier") or {}).get("x12") or {}
    if "carrier_scac" not in data and x12.get("qualifier") == "2":
        data["carrier__scac"] = x12.get("identifier")


def first_of_read(data: dict[str, Any], arg: str | None) -> None:
    """A list field whose first item has its own element (BIG04, W06-02) and the rest repeat
    (REF*PO): scratch keys ``<field>__first`` / ``<field>__rest`` are joined into the list."""
    field = str(arg)
    first = data.pop(f"{field}__first", None)
    rest = data.pop(f"{field}__rest", [])
    items = ([first] if first is not None else []) + list(rest)
    if items:
        data[field] = items


def first_of_write(data: dict[str, Any], arg: str | None) -> None:
    """The inverse of ``first_of_read``: split the list onto the scratch keys."""
    field = str(arg)
    items = data.get(field) or []
    if items:
        data[f"{field}__first"] = items[0]
        data[f"{field}__rest"] = items[1:]


def customer_from_ship_to(data: dict[str, Any], arg: str | None = None) -> None:
    """940 without a sold-to (N1*BY): the customer is the consignee, as warehouses assume."""
    ship_to = data.get("ship_to")
    if "customer" not in data and isinstance(ship_to, dict):
        data["customer"] = {**ship_to, "role": "customer"}


def line_po_default(data: dict[str, Any], arg: str | None = None) -> None:
    """944: the depositor order (W17-04) is every line's PO unless a line names its own."""
    po = data.pop("po_number__header", None)
    if po is not None:
        for line in data.get("lines", ()):
            line.setdefault("po_number", po)


def line_po_header(data: dict[str, Any], arg: str | None = None) -> None:
    """944 outbound: the first line's PO goes to W17-04 (lines still say their own)."""
    lines = data.get("lines") or []
    if lines and lines[0].get("po_number"):
        data["po_number__header"] = lines[0]["po_number"]


def inventory_derive(data: dict[str, Any], arg: str | None = None) -> None:
    """846 often states two of on-hand / allocated / available: derive the third (not < 0)."""
    on_hand = data.get("on_hand")
    if not isinstance(on_hand, dict):
        return
    total = _decimal(on_hand.get("value"))
    for missing, known in (("allocated", "available"), ("available", "allocated")):
        other = data.get(known)
        if missing in data or not isinstance(other, dict):
            continue
        part = _decimal(other.get("value"))
        if total is not None and part is not None:
            value = max(total - part, Decimal(0))
            data[missing] = {"value": str(value), "unit": on_hand.get("unit")}


_PICKUP_REASONS = frozenset({"load", "part_load", "complete_load"})
_WINDOW_KEYS = ("earliest_at", "latest_at")


def stop_windows_read(data: dict[str, Any], arg: str | None = None) -> None:
    """204: a stop's window arrives as G62 37/38 (pick-up) or 53/54 (delivery); the canonical
    stop has one window, its reason says which kind (scratch keys ``pickup__``/``delivery__``)."""
    for stop in data.get("stops", ()):
        for key in _WINDOW_KEYS:
            value = stop.pop(f"pickup__{key}", None) or stop.pop(f"delivery__{key}", None)
            stop.pop(f"delivery__{key}", None)
            if value is not None and key not in stop:
                stop[key] = value


def stop_windows_write(data: dict[str, Any], arg: str | None = None) -> None:
    """The inverse: the window goes out with the qualifiers of the stop's kind."""
    for stop in data.get("stops", ()):
        kind = "pickup" if stop.get("reason") in _PICKUP_REASONS else "delivery"
        for key in _WINDOW_KEYS:
            if key in stop:
                stop[f"{kind}__{key}"] = stop[key]


def _noop(data: dict[str, Any], arg: str | None) -> None:
    return None


# name -> (after reading, before writing)
HOOKS: dict[str, tuple[Hook, Hook]] = {
    "invoice_totals": (invoice_totals, _noop),
    "carrier_from_scac": (carrier_from_scac, carrier_scac_write),
    "first_of": (first_of_read, first_of_write),
    "customer_from_ship_to": (customer_from_ship_to, _noop),
    "line_po": (line_po_default, line_po_header),
    "inventory_derive": (inventory_derive, _noop),
    "stop_windows": (stop_windows_read, stop_windows_write),
    "activity_pairs": (activity_pairs_read, activity_pairs_write),
    "catalog_units": (catalog_units_read, _noop),
}
