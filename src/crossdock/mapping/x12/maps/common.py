"""Building blocks shared by the transaction set maps: the N1 party loop and product ids.

These return plain data (dicts), so every map stays data a partner override can patch.
"""

from __future__ import annotations

from typing import Any

# Product/service id qualifiers (X12 235) -> item fields. Order matters on the way out: the
# first qualifier listed for a field is the one written; GTINs pick theirs by length.
ITEM_IDS: dict[str, str] = {
    "BP": "item.sku",
    "IN": "item.sku",
    "CB": "item.sku",
    "VP": "item.supplier_sku",
    "VN": "item.supplier_sku",
    "UP": "item.gtin",
    "EN": "item.gtin",
    "UK": "item.gtin",
}
GTIN_BY_LENGTH = {"item.gtin": {12: "UP", 13: "EN", 14: "UK", 8: "EN"}}

# Free text is cut to the X12 element's maximum on the way out (``max``, at a word boundary):
# N102/PER02 60, N301/N302 55, N401 30, ITD12 80. Identifiers are never cut.
_LINE: dict[str, Any] = {"path": "address.lines[]", "max": 55}


def item_ids(first: int, count: int, **extra: str) -> dict[str, Any]:
    """Qualifier/id pairs from element ``first`` on (PO106/PO107, LIN02/LIN03, ...)."""
    return {
        "first": first,
        "count": count,
        "targets": {**ITEM_IDS, **extra},
        "emit": dict(GTIN_BY_LENGTH),
    }


def party(path: str, qualifiers: str | list[str], *, contact: bool = False) -> dict[str, Any]:
    """The N1 loop (N1, N3, N4, PER) for the party at ``path`` in role ``path``.

    N103/N104 becomes ``gln`` (UL), ``duns`` (1) or, for any other qualifier, the verbatim
    ``x12`` id; only one is written back (gln first), so a party sent with several loses the
    others outbound. A missing N404 country means US, as in most North American X12.
    """
    children: list[dict[str, Any]] = [
        {
            "name": f"{path}.N3",
            "tag": "N3",
            "elements": {1: _LINE, 2: _LINE},
        },
        {
            "name": f"{path}.N4",
            "tag": "N4",
            "elements": {
                1: {"path": "address.city", "max": 30},
                2: "address.region",
                3: "address.postal_code",
                4: "address.country",
            },
        },
    ]
    if contact:
        children.append(
            {
                "name": f"{path}.PER",
                "tag": "PER",
                "elements": {1: {"const": "IC"}, 2: {"path": "contact.name", "max": 60}},
                "pairs": {
                    "first": 3,
                    "count": 3,
                    "targets": {"TE": "contact.phone", "EM": "contact.email"},
                },
            }
        )
    return {
        "tag": "N1",
        "path": path,
        "when": {1: qualifiers},
        "set": {"role": path},
        "default": {"address.country": "US"},
        "elements": {2: {"path": "name", "max": 60}},
        "pairs": {"first": 3, "count": 1, "targets": {"UL": "gln", "1": "duns"}, "other": "x12"},
        "children": children,
    }


def site(path: str, qualifiers: str | list[str]) -> dict[str, Any]:
    """An N1 loop naming a site (warehouse): N104 is the site code whatever its qualifier."""
    return {
        "tag": "N1",
        "path": path,
        "when": {1: qualifiers},
        "elements": {2: {"path": "name", "max": 60}},
        "pairs": {"first": 3, "count": 1, "targets": {"*": "code"}, "emit": {"code": "91"}},
        "default": {"address.country": "US"},
        "children": [
            {
                "name": f"{path}.N3",
                "tag": "N3",
                "elements": {1: _LINE, 2: _LINE},
            },
            {
                "name": f"{path}.N4",
                "tag": "N4",
                "elements": {
                    1: {"path": "address.city", "max": 30},
                    2: "address.region",
                    3: "address.postal_code",
                    4: "address.country",
                },
            },
        ],
    }


PAYMENT_TERMS: dict[str, Any] = {
    "tag": "ITD",
    "path": "payment_terms",
    "elements": {
        1: {"const": "01"},
        3: "discount_percent",
        5: "discount_days",
        7: "net_days",
        12: {"path": "description", "max": 80},
    },
}

DOCUMENT_CURRENCY: dict[str, Any] = {
    "tag": "CUR",
    "elements": {1: {"const": "BY"}, 2: "currency"},
}
