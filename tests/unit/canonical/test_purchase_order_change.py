"""The PO change documents' own rules: what a change line must carry, what an answer may say."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from crossdock.canonical.purchase_order_change import (
    PurchaseOrderChange,
    PurchaseOrderChangeAcknowledgment,
)

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def _example(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text())
    return copy.deepcopy(loaded)


@pytest.mark.parametrize(
    ("change", "missing"),
    [
        ("add", "quantity, unit_price"),
        ("quantity_decrease", "quantity"),
        ("price_change", "unit_price"),
        ("date_change", "requested_delivery_date"),
    ],
)
def test_a_change_line_carries_its_new_values(change: str, missing: str) -> None:
    doc = _example("purchase_order_change")
    doc["lines"] = [{"line_number": 1, "change": change, "item": {"sku": "HP-100231"}}]

    with pytest.raises(ValidationError, match=f"a {change} line needs {missing}"):
        PurchaseOrderChange.model_validate(doc)


def test_a_cancel_needs_no_lines_but_a_change_says_something() -> None:
    doc = _example("purchase_order_change")
    doc["lines"] = []
    with pytest.raises(ValidationError, match="at least one line"):
        PurchaseOrderChange.model_validate(doc)

    doc["purpose"] = "cancel"
    assert PurchaseOrderChange.model_validate(doc).correlation_key() == "HP-PO-2024-018734"
    doc.update(purpose="change", requested_delivery_date="2024-11-20")
    assert PurchaseOrderChange.model_validate(doc).lines == []


def test_a_price_in_another_currency_is_refused() -> None:
    doc = _example("purchase_order_change")
    doc["lines"][3]["unit_price"]["currency"] = "EUR"

    with pytest.raises(ValidationError, match="differs from the document currency USD"):
        PurchaseOrderChange.model_validate(doc)


def test_an_accepted_answer_cannot_reject_a_line() -> None:
    doc = _example("purchase_order_change_acknowledgment")
    doc["status"] = "accepted"

    with pytest.raises(ValidationError, match="line 1 is rejected"):
        PurchaseOrderChangeAcknowledgment.model_validate(doc)
