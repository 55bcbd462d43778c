"""Template pieces the sandbox maps share: parties, quantities, money and the context defaults.

The defaults are what a sandbox event does not say but the canonical model requires (who the
buyer is, the currency of a price without one, the unit of a line without one). Each system's
configuration may override them (``systems.<name>.defaults``); they are documented here once.
"""

from __future__ import annotations

from typing import Any

DEFAULTS: dict[str, Any] = {
    # The distributor itself: the buyer on POs, acknowledgments and invoices.
    "buyer_name": "Crossdock Distribution",
    # Prices without a currency (supplier acknowledgments, ERP lines) are in this one.
    "currency": "USD",
    # Lines without a unit of measure (WMS put-away, ship confirm, movements) count in this one.
    "uom": "EA",
    # Whose numbers vendor ids are: the ERP's vendor master is the landscape's master data, so
    # the ERP's vendorId and the portal's supplierId land in the same scheme.
    "vendor_scheme": "erp",
    # A WMS receipt does not name its supplier; the canonical receipt needs a party.
    "unknown_supplier": "unknown supplier (not in the WMS event)",
    # The carrier of a shipment the WMS confirms before the TMS books it.
    "carrier_name": "to be assigned by the TMS",
    "mode": "parcel",
    # Addresses without a country (sandbox addresses often have none).
    "country": "US",
}

SITE_SCHEME = "crossdock:site"


def uom(path: str) -> dict[str, Any]:
    """A unit of measure read at ``path`` (upper-cased), else the configured default."""
    return {"$first": [{"$from": path, "$as": "upper"}, {"$ctx": "uom"}]}


def quantity(value: Any, unit: Any = None) -> dict[str, Any]:
    """A canonical quantity: ``value`` is a path or template, unit the default's."""
    return {"value": {"$from": value, "$as": "decimal"}, "unit": unit or {"$ctx": "uom"}}


def money(amount: str, currency: Any = None) -> dict[str, Any]:
    """Canonical money from an amount path; currency default: the context's."""
    return {
        "amount": {"$from": amount, "$as": "decimal"},
        "currency": currency or {"$ctx": "currency"},
    }


def vendor(role: str, path: str, name: Any = None) -> dict[str, Any]:
    """A supplier party known by its vendor number in the landscape's vendor scheme."""
    return {
        "role": role,
        "name": name,
        "codes": {"$list": [{"$if": path, "scheme": {"$ctx": "vendor_scheme"}, "value": path}]},
    }


def site_party(role: str, path: Any) -> dict[str, Any]:
    """A party that is one of the distributor's sites, by site code."""
    return {"role": role, "codes": [{"scheme": SITE_SCHEME, "value": path}]}


def buyer() -> dict[str, Any]:
    return {"role": "buyer", "name": {"$ctx": "buyer_name"}}


def address(base: str) -> dict[str, Any]:
    """A sandbox address ``{name, street, city, state, postalCode, country}`` at ``base``."""
    return {
        "$if": f"{base}.city",
        "lines": {"$list": [{"$first": [f"{base}.street", f"{base}.city"]}]},
        "city": f"{base}.city",
        "region": f"{base}.state",
        "postal_code": {"$from": f"{base}.postalCode", "$as": "str"},
        "country": {"$first": [f"{base}.country", {"$ctx": "country"}]},
    }


def sandbox_address(party: str) -> dict[str, Any]:
    """A canonical party's address as the sandbox systems write one (outbound)."""
    return {
        "name": f"{party}.name",
        "street": f"{party}.address.lines[0]",
        "city": f"{party}.address.city",
        "state": f"{party}.address.region",
        "postalCode": f"{party}.address.postal_code",
        "country": f"{party}.address.country",
    }


def number(path: str) -> dict[str, Any]:
    """A canonical decimal (a JSON string) as a JSON number, for systems that want numbers."""
    return {"$from": path, "$as": "number"}
