"""Golden tests of the sandbox system maps, both directions.

Inbound: each event the sandbox systems send (``tests/fixtures/systems/*.json``, captured from
the sandbox's own code by ``capture.py``) maps to the canonical documents in ``expected/``.
Outbound: canonical documents (those same mapped events, and the repository's examples) render
to the bodies in ``outbound/``. ``CROSSDOCK_REGEN_GOLDEN=1`` rewrites the golden files; review
the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from crossdock.mapping.systems import (
    MapError,
    format_names,
    outbound_maps,
    render_outbound,
    system_format,
    to_canonical,
)

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures" / "systems"
EXAMPLES = ROOT / "examples"
REGEN = os.environ.get("CROSSDOCK_REGEN_GOLDEN") == "1"
FORMAT_OF = {"erp": "sandbox_erp", "wms": "sandbox_wms", "tms": "sandbox_tms"}
FORMAT_OF["supplier"] = "sandbox_supplier"
RECEIVED_AT = "2026-11-27T10:00:00+00:00"
EVENTS = sorted(p.stem for p in FIXTURES.glob("*.json"))


def load_event(name: str) -> tuple[str, dict[str, Any], dict[str, str]]:
    data = json.loads((FIXTURES / f"{name}.json").read_text())
    return name.split("_", 1)[0], data["body"], data["headers"]


def map_event(name: str) -> list[Any]:
    system, body, headers = load_event(name)
    fmt = system_format(FORMAT_OF[system])
    event = fmt.event_of(body, headers)
    assert event is not None and event in fmt.events, name
    ctx = {**fmt.defaults, "system": system, "received_at": RECEIVED_AT}
    return to_canonical(fmt.events[event], body, ctx)


def golden(path: Path, produced: Any) -> None:
    if REGEN or not path.exists():
        path.write_text(json.dumps(produced, indent=2, sort_keys=True) + "\n")
    assert produced == json.loads(path.read_text())


@pytest.mark.parametrize("name", EVENTS)
def test_each_sandbox_event_maps_to_its_golden_canonical_documents(name: str) -> None:
    results = map_event(name)
    assert results and all(r.document is not None for r in results), [r.problems for r in results]
    produced = [
        {"key": r.key, "document_type": r.document_type,
         "document": r.document.model_dump(mode="json", exclude_none=True)}
        for r in results
    ]  # fmt: skip
    golden(FIXTURES / "expected" / f"{name}.json", produced)


def canonical_inputs() -> dict[str, list[tuple[str, bytes]]]:
    """Canonical documents by type: the mapped sandbox events, then the examples."""
    found: dict[str, list[tuple[str, bytes]]] = {}
    for name in EVENTS:
        for r in map_event(name):
            body = r.document.model_dump_json(exclude_none=True).encode()
            found.setdefault(r.document_type, []).append((name, body))
    for example in sorted(EXAMPLES.glob("*.json")):
        found.setdefault(example.stem, []).append((f"example_{example.stem}", example.read_bytes()))
    return found


OUTBOUND_CASES = [
    ("sandbox_supplier.order", "erp_purchaseOrder_released"),
    ("sandbox_supplier.order", "erp_purchaseOrder_changed"),
    ("sandbox_supplier.order", "example_purchase_order"),
    ("sandbox_erp.confirmation", "supplier_acknowledgment"),
    ("sandbox_erp.confirmation", "example_purchase_order_acknowledgment"),
    ("sandbox_wms.expected_receipt", "supplier_asn"),
    ("sandbox_erp.goods_receipt", "wms_RECEIPT_CONFIRMED"),
    ("sandbox_erp.ap_invoice", "supplier_invoice"),
    ("sandbox_erp.ap_invoice", "example_invoice"),
    ("sandbox_wms.shipping_order", "erp_salesOrder_released"),
    ("sandbox_wms.shipping_order", "example_fulfillment_order"),
    ("sandbox_erp.sales_order_shipment", "wms_SHIP_CONFIRM"),
    ("sandbox_tms.shipment", "wms_SHIP_CONFIRM"),
    ("sandbox_tms.shipment", "example_shipment"),
    ("sandbox_tms.milestone_status", "example_shipment_milestone"),
    ("sandbox_erp.inventory_adjustment", "wms_STOCK_MOVEMENT"),
    ("sandbox_erp.inventory_adjustment", "wms_PUTAWAY_COMPLETE"),  # moves nothing: delta 0
    ("sandbox_erp.approved_invoice", "example_invoice_approval"),
    ("sandbox_erp.billing_trigger", "example_billing_trigger"),
    ("sandbox_tms.status", "example_shipment_status"),
]


@pytest.mark.parametrize(("map_name", "source"), OUTBOUND_CASES)
def test_each_outbound_map_renders_its_golden_body(map_name: str, source: str) -> None:
    maps = outbound_maps()
    if map_name not in maps:
        pytest.skip(f"{map_name}: its canonical document type is not registered")
    kind = maps[map_name].document_type
    inputs = dict(canonical_inputs().get(kind, []))
    if source not in inputs:
        pytest.skip(f"no {source} input for {kind}")
    context = {"message_id": "01TESTMESSAGE", "document_type": kind}
    body = json.loads(render_outbound(map_name, inputs[source], context))
    golden(FIXTURES / "outbound" / f"{map_name}__{source}.json", body)


def test_every_outbound_map_has_a_golden_case() -> None:
    assert set(outbound_maps()) <= {name for name, _ in OUTBOUND_CASES}


def test_every_format_maps_the_events_its_system_sends() -> None:
    assert set(format_names()) == {"sandbox_erp", "sandbox_wms", "sandbox_tms", "sandbox_supplier"}
    assert set(system_format("sandbox_erp").events) == {
        "purchaseOrder.released", "purchaseOrder.changed", "salesOrder.released"}  # fmt: skip
    assert set(system_format("sandbox_wms").events) == {
        "RECEIPT_CONFIRMED", "PUTAWAY_COMPLETE", "STOCK_MOVEMENT", "SHIP_CONFIRM",
        "INVENTORY_SNAPSHOT"}  # fmt: skip
    assert set(system_format("sandbox_supplier").events) == {"acknowledgment", "asn", "invoice"}


def test_a_damaged_unit_is_a_line_of_its_own_so_the_erp_counts_it_once() -> None:
    (receipt,) = map_event("wms_RECEIPT_CONFIRMED")
    assert receipt.document is not None
    lines = [(ln.po_line_number, ln.condition.value, ln.received_quantity.value)
             for ln in receipt.document.lines]  # type: ignore[attr-defined]  # fmt: skip
    assert lines == [(1, "good", 8), (1, "damaged", 2), (2, "short", 3)]


def test_a_cancelled_po_line_goes_out_with_quantity_zero_and_a_note() -> None:
    (change,) = map_event("erp_purchaseOrder_changed")
    document = change.document
    assert document is not None and document.purpose.value == "replace"  # type: ignore[attr-defined]
    line = document.lines[1]  # type: ignore[attr-defined]
    assert (line.quantity.value, line.note) == (0, "line cancelled")


def test_an_event_missing_what_canonical_requires_names_the_field() -> None:
    _, body, _ = load_event("erp_purchaseOrder_released")
    fmt = system_format("sandbox_erp")
    ctx = {**fmt.defaults, "system": "erp", "received_at": RECEIVED_AT}
    del body["lines"][0]["itemNo"]
    (result,) = to_canonical(fmt.events["purchaseOrder.released"], body, ctx)
    assert result.document is None and result.key == "PO-7-v1"
    assert [p.path for p in result.problems] == ["canonical.lines[0].item"]
    body["lines"][1]["qty"] = "lots"
    (result,) = to_canonical(fmt.events["purchaseOrder.released"], body, ctx)
    (problem,) = result.problems
    assert problem.path == "[1]" and "'lots' is not a number" in problem.reason


def test_an_unknown_code_is_an_error_not_a_guess() -> None:
    _, body, _ = load_event("supplier_acknowledgment")
    body["status"] = "MAYBE"
    fmt = system_format("sandbox_supplier")
    ctx = {**fmt.defaults, "system": "supplier", "received_at": RECEIVED_AT}
    (result,) = to_canonical(fmt.events["acknowledgment"], body, ctx)
    assert result.document is None
    assert "no code 'MAYBE' in the table" in result.problems[0].reason


def test_an_outbound_map_refuses_a_document_missing_what_the_system_needs() -> None:
    with pytest.raises(MapError, match="needs lines"):
        render_outbound("sandbox_erp.sales_order_shipment", b'{"shipment_id": "S"}', {})
    with pytest.raises(MapError, match="renders purchase_order, not invoice"):
        render_outbound("sandbox_supplier.order", b"{}", {"document_type": "invoice"})
