"""The purchase order the benchmarks send, as a template with a marker for a unique PO number.

The body is ``examples/purchase_order.json`` when it exists (the canonical example), else a
realistic fallback of the same shape. Its ``po_number`` becomes ``<run>-<marker>`` so that the
load generators (wrk's Lua script, ``bench.loadgen``) can splice in a counter per request and
every message gets its own correlation key.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.procs import REPO

EXAMPLE = REPO / "examples" / "purchase_order.json"
MARKER = "@@N@@"
PO_NUMBER_FIELDS = ("po_number", "number", "order_number", "purchase_order_number")


def _gln(body: str) -> str:
    odd = sum(int(ch) for ch in body[-1::-2])
    even = sum(int(ch) for ch in body[-2::-2])
    return body + str((10 - (odd * 3 + even) % 10) % 10)


def _party(role: str, name: str, gln_body: str, city: str, line: str) -> dict[str, Any]:
    return {
        "role": role,
        "name": name,
        "gln": _gln(gln_body),
        "address": {
            "lines": [line],
            "city": city,
            "region": "OH",
            "postal_code": "43004",
            "country": "US",
        },
    }


def fallback_purchase_order() -> dict[str, Any]:
    """A five-line PO shaped like the canonical model (used until the example exists)."""
    lines = [
        {
            "line_number": n,
            "item": {
                "sku": f"SKU-{1000 + n}",
                "supplier_sku": f"ACME-{77 + n}",
                "gtin": _gln(f"0001234500{n:03d}"),
                "description": f"Widget size {n}",
            },
            "quantity": {"value": str(10 * n), "unit": "EA"},
            "unit_price": {"amount": f"{3 + n}.25", "currency": "USD"},
            "requested_delivery_date": "2025-07-15",
        }
        for n in range(1, 6)
    ]
    return {
        "po_number": "PO-1",
        "issued_at": "2025-07-01T09:30:00+00:00",
        "currency": "USD",
        "buyer": _party("buyer", "Northwind Distribution", "061414100000", "Columbus", "1 Main St"),
        "supplier": _party("supplier", "Acme Supply Co", "061414100001", "Dayton", "9 Mill Rd"),
        "ship_to": _party("ship_to", "Northwind DC 1", "061414100002", "Columbus", "5 Dock Rd"),
        "requested_delivery_date": "2025-07-15",
        "payment_terms": {
            "description": "2% 10 net 30",
            "net_days": 30,
            "discount_percent": "2",
            "discount_days": 10,
        },
        "incoterms": "FCA",
        "notes": ["Deliver to dock 4, 7am-3pm"],
        "lines": lines,
    }


def load_purchase_order() -> tuple[dict[str, Any], str]:
    """The PO document and where it came from (``examples/...`` or ``fallback``)."""
    if EXAMPLE.exists():
        doc = json.loads(EXAMPLE.read_text())
        # The example may wrap the document (e.g. {"document": {...}}); unwrap one level.
        if isinstance(doc, dict) and "lines" not in doc:
            inner = [v for v in doc.values() if isinstance(v, dict) and "lines" in v]
            if inner:
                doc = inner[0]
        return doc, str(EXAMPLE.relative_to(REPO))
    return fallback_purchase_order(), "fallback"


def po_template(run_id: str) -> tuple[str, str]:
    """One-line JSON of the PO with ``<run_id>-@@N@@`` as its PO number, and its source."""
    doc, origin = load_purchase_order()
    field = next((f for f in PO_NUMBER_FIELDS if f in doc), None)
    if field is None:
        raise ValueError(f"no PO number field ({', '.join(PO_NUMBER_FIELDS)}) in {origin}")
    doc[field] = f"BENCH-{run_id}-{MARKER}"
    text = json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
    if text.count(MARKER) != 1:
        raise ValueError("the PO template must contain the marker exactly once")
    return text, origin


def render(template: str, n: str | int) -> bytes:
    """The template with its marker replaced by ``n``."""
    return template.replace(MARKER, str(n), 1).encode()


def write_template(path: Path, run_id: str) -> str:
    """Write the template for wrk's Lua script; returns where the PO came from."""
    text, origin = po_template(run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return origin


if __name__ == "__main__":  # python -m bench.payloads OUT [RUN_ID]: a template for manual wrk
    import sys

    print(write_template(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "manual"))
