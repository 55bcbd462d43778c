"""Document rules: bad input fails with an error located at the field a user has to fix."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from crossdock.canonical import PurchaseOrder
from crossdock.canonical.json_numbers import validate_json
from crossdock.canonical.registry import document_model

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
_CACHE: dict[str, dict[str, Any]] = {}


def example(name: str) -> dict[str, Any]:
    """A fresh, mutable copy of an example document."""
    if name not in _CACHE:
        _CACHE[name] = json.loads((EXAMPLES / f"{name}.json").read_text())
    return copy.deepcopy(_CACHE[name])


def errors(name: str, data: dict[str, Any]) -> list[dict[str, Any]]:
    model = document_model(name)
    assert model is not None
    with pytest.raises(ValidationError) as caught:
        model.model_validate_json(json.dumps(data))
    return [dict(e) for e in caught.value.errors()]


def locs(name: str, data: dict[str, Any]) -> list[tuple[int | str, ...]]:
    return [tuple(e["loc"]) for e in errors(name, data)]


def test_bad_gtin_check_digit_is_located_at_the_line_item() -> None:
    po = example("purchase_order")
    po["lines"][1]["item"]["gtin"] = "10860001712351"
    (error,) = errors("purchase_order", po)
    assert error["loc"] == ("lines", 1, "item", "gtin")
    assert error["type"] == "gs1_check_digit"


def test_naive_datetimes_are_rejected() -> None:
    po = example("purchase_order")
    po["issued_at"] = "2024-11-04T14:32:10"
    (error,) = errors("purchase_order", po)
    assert error["loc"] == ("issued_at",)
    assert error["type"] == "timezone_aware"


def test_unknown_currency_is_located() -> None:
    po = example("purchase_order")
    po["lines"][0]["unit_price"]["currency"] = "USN1"
    assert locs("purchase_order", po) == [("lines", 0, "unit_price", "currency")]
    po = example("purchase_order")
    po["currency"] = "ABC"
    assert locs("purchase_order", po) == [("currency",)]


def test_prices_as_json_numbers_are_fine_and_stay_exact() -> None:
    po = example("purchase_order")
    po["lines"][0]["unit_price"]["amount"] = 24.85
    document = validate_json(PurchaseOrder, json.dumps(po))
    assert str(document.lines[0].unit_price.amount) == "24.85"


def test_extra_fields_are_rejected_where_they_appear() -> None:
    po = example("purchase_order")
    po["lines"][2]["colour"] = "blue"
    (error,) = errors("purchase_order", po)
    assert error["loc"] == ("lines", 2, "colour")
    assert error["type"] == "extra_forbidden"


def test_duplicate_line_numbers_point_at_the_repeat() -> None:
    po = example("purchase_order")
    po["lines"][2]["line_number"] = 1
    (error,) = errors("purchase_order", po)
    assert error["loc"] == ("lines", 2, "line_number")
    assert "line number 1 is used twice" in error["msg"]


def test_a_document_needs_at_least_one_line() -> None:
    po = example("purchase_order")
    po["lines"] = []
    assert locs("purchase_order", po) == [("lines",)]


def test_line_currency_must_match_the_document_currency() -> None:
    po = example("purchase_order")
    po["lines"][1]["unit_price"]["currency"] = "EUR"
    (error,) = errors("purchase_order", po)
    assert error["loc"] == ("lines", 1, "unit_price", "currency")
    assert "document currency USD" in error["msg"]


def test_negative_quantity_and_price_are_rejected() -> None:
    po = example("purchase_order")
    po["lines"][0]["quantity"]["value"] = "-5"
    assert locs("purchase_order", po) == [("lines", 0, "quantity", "value")]
    po = example("purchase_order")
    po["lines"][0]["unit_price"]["amount"] = "-1.00"
    assert locs("purchase_order", po) == [("lines", 0, "unit_price", "amount")]


def test_items_and_parties_need_an_identifier() -> None:
    po = example("purchase_order")
    po["lines"][0]["item"] = {"description": "something"}
    assert locs("purchase_order", po) == [("lines", 0, "item")]
    po = example("purchase_order")
    po["bill_to"] = {"role": "bill_to"}
    assert locs("purchase_order", po) == [("bill_to",)]


def test_party_role_and_country_are_checked() -> None:
    po = example("purchase_order")
    po["buyer"]["role"] = "overlord"
    po["ship_to"]["address"]["country"] = "USA"
    assert locs("purchase_order", po) == [("buyer", "role"), ("ship_to", "address", "country")]


def test_acknowledgment_header_status_must_match_lines() -> None:
    ack = example("purchase_order_acknowledgment")
    ack["status"] = "accepted"
    (error,) = errors("purchase_order_acknowledgment", ack)
    assert "line 2 is changed" in error["msg"]


def test_rejected_ack_line_cannot_promise_quantity() -> None:
    ack = example("purchase_order_acknowledgment")
    ack["lines"][1]["status"] = "rejected"
    assert locs("purchase_order_acknowledgment", ack) == [("lines", 1)]


def test_ship_notice_rejects_bad_and_repeated_ssccs() -> None:
    asn = example("advance_ship_notice")
    asn["orders"][0]["packs"][1]["sscc"] = "008600010041287101"
    assert locs("advance_ship_notice", asn) == [("orders", 0, "packs", 1, "sscc")]
    asn = example("advance_ship_notice")
    asn["orders"][0]["packs"][2]["sscc"] = asn["orders"][0]["packs"][0]["sscc"]
    (error,) = errors("advance_ship_notice", asn)
    assert error["loc"] == ("orders", 0, "packs", 2, "sscc")
    assert "more than once" in error["msg"]


def test_receipt_condition_must_agree_with_counts() -> None:
    receipt = example("goods_receipt")
    receipt["lines"][1]["received_quantity"]["value"] = "60"
    assert locs("goods_receipt", receipt) == [("lines", 1)]


def test_inventory_position_quantities_share_one_unit() -> None:
    position = example("inventory_position")
    position["allocated"]["unit"] = "EA"
    (error,) = errors("inventory_position", position)
    assert "allocated is in EA" in error["msg"]


def test_stock_transfer_needs_both_locations() -> None:
    movement = example("stock_movement")
    movement["movement_type"] = "transfer"
    movement["from_location"] = None
    assert "from_location and to_location" in errors("stock_movement", movement)[0]["msg"]


def test_exception_milestone_needs_a_reason() -> None:
    milestone = example("shipment_milestone")
    milestone["milestone"] = "exception"
    del milestone["description"]
    assert errors("shipment_milestone", milestone)[0]["loc"] == ()


def test_invoice_line_amount_must_be_quantity_times_price() -> None:
    invoice = example("invoice")
    invoice["lines"][0]["line_amount"]["amount"] = "2892.00"
    (error,) = errors("invoice", invoice)
    assert error["loc"] == ("lines", 0, "line_amount", "amount")


@pytest.mark.parametrize(
    "total",
    ["line_extension_amount", "charge_total_amount", "allowance_total_amount", "payable_amount"],
)
def test_invoice_totals_must_add_up_and_the_error_names_the_total(total: str) -> None:
    invoice = example("invoice")
    invoice["totals"][total]["amount"] = "1.00"
    (error,) = errors("invoice", invoice)
    assert error["loc"] == ("totals", total, "amount")
    assert total in error["msg"]


def test_invoice_tax_changes_the_payable_amount() -> None:
    invoice = example("invoice")
    invoice["totals"]["tax_amount"]["amount"] = "10.00"
    assert locs("invoice", invoice) == [("totals", "payable_amount", "amount")]
    invoice["totals"]["payable_amount"]["amount"] = "7168.50"
    model = document_model("invoice")
    assert model is not None
    model.model_validate_json(json.dumps(invoice))


def test_invoice_money_in_another_currency_is_located() -> None:
    invoice = example("invoice")
    invoice["allowances_charges"][0]["amount"]["currency"] = "CAD"
    assert locs("invoice", invoice) == [("allowances_charges", 0, "amount", "currency")]
