"""Hooks for the 832 and 852 maps: what their segments state only in a shape the data-driven
reader cannot express (a run of location/quantity pairs, a composite unit)."""

from __future__ import annotations

from typing import Any

_PAIRS = 10  # location/quantity pairs in one SDQ
_SCRATCH = "activity__za"


def activity_pairs_read(data: dict[str, Any], arg: str | None = None) -> None:
    """852: each ZA (its own quantity, and its SDQ location/quantity pairs) -> activities."""
    for item in data.get("items", ()):
        activities = item.setdefault("activities", [])
        for za in item.pop(_SCRATCH, ()):
            activity = za.get("activity")
            if za.get("quantity") is not None or za.get("unit") is not None:
                quantity = {"value": za.get("quantity"), "unit": za.get("unit")}
                activities.append({"activity": activity, "quantity": quantity})
            for sdq in za.get("sdq", ()):
                for number in range(1, _PAIRS + 1):
                    location = sdq.get(f"location{number}")
                    value = sdq.get(f"quantity{number}")
                    if location is None and value is None:
                        continue
                    quantity = {"value": value, "unit": sdq.get("unit")}
                    entry = {"activity": activity, "quantity": quantity, "location": location}
                    activities.append(entry)


def activity_pairs_write(data: dict[str, Any], arg: str | None = None) -> None:
    """852 outbound: activities -> one ZA per activity, its located quantities in SDQs of up
    to ten pairs (one SDQ per unit); a second location-less quantity opens another ZA."""
    for item in data.get("items", ()):
        groups: list[dict[str, Any]] = []
        current: dict[str, dict[str, Any]] = {}
        for entry in item.get("activities", ()):
            activity, quantity = entry["activity"], entry["quantity"]
            za = current.get(activity)
            location = entry.get("location")
            if za is None or (location is None and "quantity" in za):
                za = current[activity] = {"activity": activity, "sdq": []}
                groups.append(za)
            if location is None:
                za["quantity"], za["unit"] = quantity["value"], quantity["unit"]
                continue
            sdqs = za["sdq"]
            if not sdqs or sdqs[-1]["unit"] != quantity["unit"] or sdqs[-1]["_n"] == _PAIRS:
                sdqs.append({"unit": quantity["unit"], "_n": 0})
            sdq = sdqs[-1]
            sdq["_n"] += 1
            sdq[f"location{sdq['_n']}"] = location
            sdq[f"quantity{sdq['_n']}"] = quantity["value"]
        item[_SCRATCH] = groups


def catalog_units_read(data: dict[str, Any], arg: str | None = None) -> None:
    """832: CTP05 is a composite (unit, exponent, multiplier): keep the unit component, which
    is the leading letters and digits whatever the partner's component separator is."""
    for item in data.get("items", ()):
        for price in item.get("prices", ()):
            quantity = price.get("quantity")
            unit = quantity.get("unit") if isinstance(quantity, dict) else None
            if isinstance(unit, str) and not unit.isalnum():
                end = next((i for i, c in enumerate(unit) if not c.isalnum()), len(unit))
                quantity["unit"] = unit[:end]
