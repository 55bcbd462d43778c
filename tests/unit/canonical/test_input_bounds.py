"""Control characters and out-of-bounds numbers are refused at the field, never stored changed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from crossdock.canonical import Money, Quantity
from crossdock.canonical.json_numbers import exact_numbers, validate_json
from crossdock.canonical.registry import document_model
from crossdock.hub.intake import error_path

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
CONTROL = ("\x00", "\x1f", "\x7f", "\x85")
INJECTION = "\r\nX-Injected: 1"


def string_leaves(node: Any, loc: tuple[int | str, ...] = ()) -> Iterator[tuple[int | str, ...]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from string_leaves(value, (*loc, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from string_leaves(value, (*loc, index))
    elif isinstance(node, str):
        yield loc


def with_value(doc: Any, loc: tuple[int | str, ...], value: str) -> Any:
    copy = json.loads(json.dumps(doc))
    node = copy
    for part in loc[:-1]:
        node = node[part]
    node[loc[-1]] = value
    return copy


def value_at(doc: Any, loc: tuple[int | str, ...]) -> Any:
    for part in loc:
        doc = doc[part]
    return doc


def refusal_paths(document_type: str, doc: Any) -> list[str]:
    model = document_model(document_type)
    assert model is not None
    with pytest.raises(ValidationError) as caught:
        validate_json(model, json.dumps(doc))
    return [error_path(error["loc"]) for error in caught.value.errors()]


EXAMPLE_TYPES = sorted(path.stem for path in EXAMPLES.glob("*.json"))


@pytest.mark.parametrize("document_type", EXAMPLE_TYPES)
def test_a_control_character_in_any_string_is_refused_at_its_path(document_type: str) -> None:
    doc = json.loads((EXAMPLES / f"{document_type}.json").read_text())
    leaves = list(string_leaves(doc))
    assert leaves
    for loc in leaves:
        original = value_at(doc, loc)
        for bad in CONTROL:
            # Inside the value: at either end, the whitespace among them (\x85, and \x1f for a
            # decimal string) is stripped like a space, and nothing of it is stored.
            head, tail = (original[:1], original[1:]) if len(original) > 1 else (original,) * 2
            bent = with_value(doc, loc, head + bad + tail)
            assert error_path(loc) in refusal_paths(document_type, bent), (loc, bad)


BUSINESS_KEYS = [
    ("purchase_order", ("po_number",)),
    ("purchase_order", ("lines", 0, "item", "sku")),
    ("purchase_order", ("buyer", "codes", 0, "value")),
    ("purchase_order", ("supplier", "x12", "identifier")),
    ("purchase_order_acknowledgment", ("po_number",)),
    ("advance_ship_notice", ("asn_number",)),
    ("advance_ship_notice", ("transport", "tracking_number")),
    ("invoice", ("invoice_number",)),
    ("shipment", ("shipment_id",)),
    ("shipment_milestone", ("shipment_id",)),
    ("goods_receipt", ("receipt_number",)),
    ("fulfillment_order", ("order_number",)),
    ("stock_movement", ("movement_id",)),
]


@pytest.mark.parametrize(("document_type", "loc"), BUSINESS_KEYS)
@pytest.mark.parametrize("bad", [*CONTROL, INJECTION])
def test_a_business_key_refuses_control_characters_and_header_injection(
    document_type: str, loc: tuple[int | str, ...], bad: str
) -> None:
    doc = json.loads((EXAMPLES / f"{document_type}.json").read_text())
    bent = with_value(doc, loc, "K-1" + bad + "-2")
    assert refusal_paths(document_type, bent) == [error_path(loc)]


def test_free_text_keeps_tabs_and_line_breaks() -> None:
    doc = json.loads((EXAMPLES / "purchase_order.json").read_text())
    doc["notes"] = ["line one\r\nline two\tend"]
    model = document_model("purchase_order")
    assert model is not None
    assert validate_json(model, json.dumps(doc)).notes == ["line one\r\nline two\tend"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("number", "error"),
    [
        ("1e-400", "decimal_max_places"),
        ('"1e-400"', "decimal_max_places"),
        ("0.0000001", "decimal_max_places"),
        ("1.00000000000000000001", "decimal_max_places"),
        ("1E+999999999", "decimal_whole_digits"),
        ('"1E+999999999"', "decimal_whole_digits"),
        ('"-1e-999999999"', "decimal_max_places"),
        ("1" + "0" * 18, "decimal_whole_digits"),
        ('"' + "9" * 5001 + '"', "decimal_whole_digits"),
        ('"0.' + "1" * 5001 + '"', "decimal_max_places"),
        ('"NaN"', "finite_number"),
        ('"-Infinity"', "finite_number"),
    ],
)
def test_out_of_bounds_amounts_are_refused_at_the_field(number: str, error: str) -> None:
    raw = f'{{"amount": {number}, "currency": "USD"}}'
    with pytest.raises(ValidationError) as caught:
        validate_json(Money, raw)
    [found] = caught.value.errors()
    assert (found["loc"], found["type"]) == (("amount",), error)


def test_a_huge_exponent_is_refused_quickly() -> None:
    """The magnitude is read before any arithmetic: no billion-digit expansion."""
    import time

    started = time.perf_counter()
    for _ in range(1000):
        with pytest.raises(ValidationError):
            validate_json(Quantity, '{"value": "9E+999999999", "unit": "EA"}')
    assert time.perf_counter() - started < 2.0


def test_a_zero_beyond_the_scale_is_plain_zero() -> None:
    assert validate_json(Money, '{"amount": "0E-400", "currency": "USD"}').amount == 0
    assert str(validate_json(Money, '{"amount": "0E-400", "currency": "USD"}').amount) == "0"


# Every value inside NUMERIC(24, 6): at most 18 digits before the point and 6 after.
in_bounds = st.decimals(
    min_value=Decimal("-999999999999999999.999999"),
    max_value=Decimal("999999999999999999.999999"),
    places=6,
    allow_nan=False,
    allow_infinity=False,
)


@settings(max_examples=300, deadline=None)
@given(value=in_bounds, as_number=st.booleans())
def test_an_accepted_amount_round_trips_exactly(value: Decimal, as_number: bool) -> None:
    text = str(value)
    raw = '{"amount": %s, "currency": "EUR"}' % (text if as_number else json.dumps(text))
    money = validate_json(Money, raw)
    assert money.amount == value
    again = validate_json(Money, money.model_dump_json())
    assert again.amount == value and str(again.amount) == str(money.amount)


@settings(max_examples=300, deadline=None)
@given(
    digits=st.integers(min_value=1, max_value=10**30),
    exponent=st.integers(min_value=-500, max_value=500),
    as_number=st.booleans(),
)
def test_a_quantity_is_accepted_exactly_or_refused_never_changed(
    digits: int, exponent: int, as_number: bool
) -> None:
    value = Decimal(digits).scaleb(exponent)
    text = f"{digits}E{exponent}"
    raw = '{"value": %s, "unit": "EA"}' % (text if as_number else json.dumps(text))
    fits = value.adjusted() < 18 and value == value.quantize(Decimal("0.000001"))
    try:
        quantity = validate_json(Quantity, raw)
    except ValidationError as exc:
        assert not fits, exc
        [error] = exc.errors()
        assert error["loc"] == ("value",)
        assert error["type"] in ("decimal_whole_digits", "decimal_max_places")
    else:
        assert fits and quantity.value == value


def test_only_fractional_numbers_outside_strings_are_quoted() -> None:
    raw = b'{"a": 1.5, "b": "x 2.5 \\" 3e4", "c": [12345678901234567890, -1e-400], "d": 7}'
    assert exact_numbers(raw) == (
        b'{"a": "1.5", "b": "x 2.5 \\" 3e4", "c": [12345678901234567890, "-1e-400"], "d": 7}'
    )
