"""Building blocks of the transport maps (204, 210, 990, 753, 754): stops, orders, and the
segments a loop must claim so they do not end it.

The reader closes a loop when an enclosing level has a rule for the segment (that is how X12
loops end); a 210 repeats N9, N1 and G62 inside its LX and S5 loops, and the heading's N9*CN
rule would otherwise take a line's N9*CN and close the line. ``ignored`` claims such a
segment where it stands, reads nothing and is never written.
"""

from __future__ import annotations

from typing import Any

from crossdock.mapping.x12.maps.common import party

# X12 188 weight unit code; US motor freight weighs in pounds unless it says otherwise.
WEIGHT_UNIT: dict[str, str] = {"L": "LB", "K": "KG"}
# X12 163 stop reason code.
STOP_REASON: dict[str, str] = {
    "LD": "load",
    "UL": "unload",
    "PL": "part_load",
    "PU": "part_unload",
    "CL": "complete_load",
    "CU": "complete_unload",
}
# N101 of a stop's party -> its role (the first code listed for a role is written).
STOP_ROLE: dict[str, str] = {
    "SH": "ship_from",
    "SF": "ship_from",
    "PW": "ship_from",
    "CN": "consignee",
    "ST": "ship_to",
    "DA": "ship_to",
    "WH": "warehouse",
    "SU": "supplier",
    "BT": "bill_to",
}
TRANSPORT_CODES: dict[str, dict[str, str]] = {
    "weight_unit": WEIGHT_UNIT,
    "stop_reason": STOP_REASON,
    "stop_role": STOP_ROLE,
}


def ignored(name: str, tag: str, *children: dict[str, Any]) -> dict[str, Any]:
    """Claim ``tag`` at this level (and its loop's ``children``) without reading it."""
    rule: dict[str, Any] = {"name": name, "tag": tag, "emit_if": "__never_written"}
    if children:
        rule["children"] = list(children)
    return rule


def stop_party(prefix: str) -> dict[str, Any]:
    """The stop's N1 loop, whatever its N101: the role comes from the code."""
    rule = party("party", [])
    rule.pop("when")
    rule.pop("set")
    rule["name"] = f"{prefix}.party"
    rule["elements"] = {1: {"path": "role", "codes": "stop_role"}, **rule["elements"]}
    for child in rule["children"]:
        child["name"] = f"{prefix}.{child['name']}"
    return rule


def orders(name: str, *children: dict[str, Any]) -> dict[str, Any]:
    """The OID order loop into ``orders``: PO, packaging, quantity and weight."""
    return {
        "name": name,
        "tag": "OID",
        "path": "orders",
        "list": True,
        "default": {"weight.unit": "LB"},
        "elements": {
            1: "reference",
            2: "po_number",
            4: "packaging_code",
            5: {"path": "quantity", "type": "decimal"},
            6: {"path": "weight.unit", "codes": "weight_unit"},
            7: {"path": "weight.value", "type": "decimal"},
        },
        "children": [ignored(f"{name}.G62", "G62"), *children],
    }
