"""Value types: GS1 check digits (property-based), money, quantities, codes, datetimes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from crossdock.canonical import Item, Money, Quantity
from crossdock.canonical.json_numbers import validate_json
from crossdock.canonical.values import (
    Gln,
    Gtin,
    Sscc,
    gs1_check_digit,
    has_valid_gs1_check_digit,
    to_gtin14,
)

GTIN = TypeAdapter(Gtin)
GLN = TypeAdapter(Gln)
SSCC = TypeAdapter(Sscc)

bodies = st.sampled_from([7, 11, 12, 13, 17]).flatmap(
    lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n)
)


def reference_check_digit(body: str) -> int:
    """The GS1 General Specifications algorithm, written the slow, obvious way."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


@given(bodies)
def test_check_digit_matches_the_gs1_reference_algorithm(body: str) -> None:
    assert gs1_check_digit(body) == reference_check_digit(body)


@given(bodies)
def test_a_code_with_its_check_digit_is_valid(body: str) -> None:
    assert has_valid_gs1_check_digit(body + str(gs1_check_digit(body)))


@given(bodies, st.data())
def test_any_single_digit_error_is_detected(body: str, data: st.DataObject) -> None:
    code = body + str(gs1_check_digit(body))
    position = data.draw(st.integers(0, len(code) - 1))
    replacement = data.draw(st.sampled_from([d for d in "0123456789" if d != code[position]]))
    corrupted = code[:position] + replacement + code[position + 1 :]
    assert not has_valid_gs1_check_digit(corrupted)


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_sscc_type_accepts_exactly_the_valid_codes(body: str) -> None:
    good = body + str(gs1_check_digit(body))
    assert SSCC.validate_python(good) == good
    bad = body + str((gs1_check_digit(body) + 1) % 10)
    with pytest.raises(ValidationError):
        SSCC.validate_python(bad)


@pytest.mark.parametrize("gtin", ["96385074", "036000291452", "4006381333931", "10860001712343"])
def test_real_gtins_of_every_length_validate(gtin: str) -> None:
    assert GTIN.validate_python(gtin) == gtin
    assert len(to_gtin14(gtin)) == 14


@pytest.mark.parametrize("bad", ["036000291453", "1234567", "4006381333931X", "", "٤٠٠٦٣٨١٣٣٣٩٣١"])
def test_bad_gtins_are_rejected(bad: str) -> None:
    with pytest.raises(ValidationError):
        GTIN.validate_python(bad)


def test_gtin_check_digit_error_names_the_expected_digit() -> None:
    with pytest.raises(ValidationError) as caught:
        Item.model_validate({"gtin": "10860001712344"})
    (error,) = caught.value.errors()
    assert error["loc"] == ("gtin",)
    assert error["type"] == "gs1_check_digit"
    assert "expected 3" in error["msg"]


def test_gln_needs_13_digits_and_a_check_digit() -> None:
    assert GLN.validate_python("0614141000012") == "0614141000012"
    for bad in ("0614141000013", "614141000012", "06141410000120"):
        with pytest.raises(ValidationError):
            GLN.validate_python(bad)


def test_money_keeps_exact_decimals_from_strings_and_json_numbers() -> None:
    from_string = Money.model_validate_json('{"amount": "0.10", "currency": "EUR"}')
    from_number = validate_json(Money, '{"amount": 0.1, "currency": "EUR"}')
    assert isinstance(from_number.amount, Decimal)
    assert from_number.amount == Decimal("0.1") == from_string.amount
    assert Money.model_validate_json(from_string.model_dump_json()) == from_string


@pytest.mark.parametrize("amount", ['"NaN"', '"Infinity"', '"12,50"', "true"])
def test_money_rejects_non_amounts(amount: str) -> None:
    with pytest.raises(ValidationError):
        Money.model_validate_json(f'{{"amount": {amount}, "currency": "USD"}}')


@pytest.mark.parametrize("currency", ["usd", "XXY", "US", "DEM", "EURO"])
def test_unknown_currencies_are_rejected_at_the_currency_field(currency: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Money(amount=Decimal(1), currency=currency)
    (error,) = caught.value.errors()
    assert error["loc"] == ("currency",)
    assert error["type"] == "currency_code"


def test_quantities_are_non_negative_with_a_known_unit() -> None:
    assert Quantity(value=Decimal("12.5"), unit="KGM").unit == "KGM"
    assert Quantity.model_validate({"value": 3, "unit": "EA"}).value == 3
    with pytest.raises(ValidationError) as negative:
        Quantity(value=Decimal(-1), unit="EA")
    assert negative.value.errors()[0]["loc"] == ("value",)
    with pytest.raises(ValidationError) as unit:
        Quantity(value=Decimal(1), unit="BANANA")
    assert unit.value.errors()[0]["loc"] == ("unit",)


def test_money_and_quantity_are_hashable_values() -> None:
    assert (
        len(
            {
                Money(amount=Decimal("1.0"), currency="USD"),
                Money(amount=Decimal("1.0"), currency="USD"),
            }
        )
        == 1
    )
