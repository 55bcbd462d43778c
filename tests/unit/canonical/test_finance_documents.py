"""The rules of remittance_advice, price_catalog and product_activity, and the party key
their correlation keys are built from."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from crossdock.canonical.catalog import PriceCatalog
from crossdock.canonical.party import Party
from crossdock.canonical.product_activity import ProductActivity
from crossdock.canonical.remittance import RemittanceAdvice

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def _example(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text())
    return loaded


def _errors(model: Any, data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return [(".".join(map(str, e["loc"])), e["msg"]) for e in caught.value.errors()]


def test_party_key_prefers_the_most_stable_identifier() -> None:
    full = Party.model_validate(
        {"role": "payer", "name": "A", "gln": "0614141000012", "duns": "071539281"}
    )
    assert full.key == "0614141000012"
    assert Party.model_validate({"role": "payer", "name": "A", "duns": "071539281"}).key == (
        "071539281"
    )
    x12 = {"role": "payer", "name": "A", "x12": {"qualifier": "ZZ", "identifier": "ACME"}}
    assert Party.model_validate(x12).key == "ZZ:ACME"
    coded = {"role": "payer", "name": "A", "codes": [{"scheme": "erp", "value": "V-9"}]}
    assert Party.model_validate(coded).key == "erp:V-9"
    assert Party.model_validate({"role": "payer", "name": "A"}).key == "A"


def test_remittance_must_add_up_to_the_payment() -> None:
    data = _example("remittance_advice")
    data["invoices"][1]["paid_amount"]["amount"] = "2855.81"

    assert _errors(RemittanceAdvice, data) == [
        (
            "payment_amount.amount",
            "payment_amount 9873.63 is not the sum of the invoices' paid_amount (9873.64)",
        )
    ]


def test_remittance_amounts_are_in_the_document_currency() -> None:
    data = _example("remittance_advice")
    data["invoices"][1]["adjustments"][0]["amount"]["currency"] = "CAD"

    [(where, message)] = _errors(RemittanceAdvice, data)
    assert where == "invoices.1.adjustments.0.amount.currency" and "CAD" in message


def test_remittance_without_invoices_is_a_payment_only() -> None:
    data = _example("remittance_advice")
    data["invoices"] = []
    data["handling"] = "payment_only"

    document = RemittanceAdvice.model_validate(data)
    assert document.invoice_numbers == [] and document.correlation_key() == data["trace_number"]


def test_remittance_lists_each_open_item_once() -> None:
    data = _example("remittance_advice")
    second = dict(data["invoices"][1])
    second["paid_amount"] = {"amount": "0.00", "currency": "USD"}
    second["adjustments"] = []
    data["invoices"].append(second)

    document = RemittanceAdvice.model_validate(data)
    assert document.invoice_numbers == ["CP-INV-2024-0661840", "CP-INV-2024-0662105"]


def test_catalog_prices_are_in_the_catalog_currency_and_dates_in_order() -> None:
    data = _example("price_catalog")
    data["items"][0]["prices"][1]["unit_price"]["currency"] = "EUR"
    [(where, _)] = _errors(PriceCatalog, data)
    assert where == "items.0.prices.1.unit_price.currency"

    data = _example("price_catalog")
    data["items"][1]["prices"][0]["effective_date"] = "2025-03-01"
    [(where, message)] = _errors(PriceCatalog, data)
    assert where == "items.1.prices.0" and "expiry_date is before effective_date" in message


def test_catalog_key_is_the_suppliers_own_catalog_number() -> None:
    data = _example("price_catalog")
    del data["supplier"]["gln"]
    data["supplier"]["x12"] = {"qualifier": "ZZ", "identifier": "CASCADEPAPER"}

    assert PriceCatalog.model_validate(data).correlation_key() == "ZZ:CASCADEPAPER/CP-2025-Q1"


def test_product_activity_period_and_key() -> None:
    data = _example("product_activity")
    data["period_end"] = data["period_start"]
    assert ProductActivity.model_validate(data).correlation_key() == "0856412000011/2024-11-17"

    data["period_end"] = "2024-11-16"
    [(_, message)] = _errors(ProductActivity, data)
    assert "period_end is before period_start" in message


def test_product_activity_item_needs_an_activity() -> None:
    data = _example("product_activity")
    data["items"][1]["activities"] = []

    [(where, _)] = _errors(ProductActivity, data)
    assert where == "items.1.activities"
