"""Every registered document type has a realistic example that validates and round-trips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crossdock.canonical import CanonicalDocument
from crossdock.canonical.registry import document_model, document_types

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
TYPES = sorted(document_types())

EXPECTED_KEYS = {
    "purchase_order": "HP-PO-2024-018734",
    "purchase_order_acknowledgment": "HP-PO-2024-018734",
    "purchase_order_change": "HP-PO-2024-018734",
    "purchase_order_change_acknowledgment": "HP-PO-2024-018734",
    "advance_ship_notice": "CP-ASN-24111100187",
    "goods_receipt": "CP-ASN-24111100187",
    "stock_movement": "DC-ATL/HP-100877",
    "inventory_position": "DC-ATL/HP-100877",
    "fulfillment_order": "HP-SO-2024-552190",
    "shipment": "HP-SHP-2024-310077",
    "shipment_milestone": "HP-SHP-2024-310077",
    "proof_of_delivery": "HP-SHP-2024-310077",
    "invoice": "CP-INV-2024-0661840",
    "invoice_approval": "CP-INV-2024-0661840",
    "billing_trigger": "HP-SO-2024-552190",
    "shipment_status": "HP-SO-2024-552190",
    "x12_transaction": "ZZ/GRANITERIDGE:000000210:210:0001",
    "load_tender": "HP-SHP-2024-310077",
    "load_tender_response": "HP-SHP-2024-310077",
    "freight_invoice": "BRFX-INV-4120558731",
    "routing_request": "HP-RR-2024-00912",
    "routing_instructions": "HP-RR-2024-00912",
    "remittance_advice": "HP-EFT-20241202-0042",
    "price_catalog": "0860001000016/CP-2025-Q1",
    "product_activity": "0856412000011/2024-11-17..2024-11-23",
}


def load(name: str) -> CanonicalDocument:
    model = document_model(name)
    assert model is not None
    return model.model_validate_json((EXAMPLES / f"{name}.json").read_bytes())


def test_the_registry_knows_every_document_type() -> None:
    assert set(TYPES) == set(EXPECTED_KEYS)


def test_every_example_file_is_a_registered_type() -> None:
    names = {path.name.removesuffix(".json") for path in EXAMPLES.glob("*.json")}
    assert names == set(TYPES)


@pytest.mark.parametrize("name", TYPES)
def test_example_validates_with_its_correlation_key(name: str) -> None:
    document = load(name)
    assert type(document).document_type == name
    # version 2 where a type grew since (its upcasters sit next to the model)
    assert type(document).schema_version == (2 if name == "stock_movement" else 1)
    assert document.correlation_key() == EXPECTED_KEYS[name]


@pytest.mark.parametrize("name", TYPES)
def test_example_round_trips_through_json(name: str) -> None:
    document = load(name)
    again = type(document).model_validate_json(document.model_dump_json())
    assert again == document
    assert again.model_dump_json() == document.model_dump_json()


@pytest.mark.parametrize("name", TYPES)
def test_example_round_trips_through_python_dicts(name: str) -> None:
    document = load(name)
    assert type(document).model_validate(document.model_dump()) == document
    assert type(document).model_validate(json.loads(document.model_dump_json())) == document


def test_document_model_returns_none_for_unknown_types() -> None:
    assert document_model("order_of_the_phoenix") is None
