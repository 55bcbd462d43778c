"""The three-way match as a pure function: rules, tolerances, and properties over many cases."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crossdock.hub.flows.exceptions import ExceptionCategory
from crossdock.hub.flows.three_way_match import (
    BilledLine,
    OrderedLine,
    Tolerance,
    Tolerances,
    match,
)

D = Decimal
ORDER = {
    1: OrderedLine(1, D(120), "CS", D("24.85"), "USD"),
    2: OrderedLine(2, D(60), "CS", D("38.40"), "USD"),
}
RECEIVED = {1: D(120), 2: D(60)}


def billed(
    po_line: int = 1,
    quantity: str = "120",
    price: str = "24.85",
    *,
    unit: str = "CS",
    currency: str = "USD",
    invoice_line: int | None = None,
) -> BilledLine:
    return BilledLine(invoice_line or po_line, po_line, D(quantity), unit, D(price), currency)


def test_an_invoice_billing_what_was_ordered_and_received_matches() -> None:
    result = match(ORDER, RECEIVED, [billed(1), billed(2, "60", "38.40")])
    assert result.matched
    assert result.billed == {1: D(120), 2: D(60)}


def test_a_price_above_the_order_names_the_line_values_difference_and_rule() -> None:
    [mismatch] = match(ORDER, RECEIVED, [billed(1, price="25.85")]).mismatches
    assert mismatch.category is ExceptionCategory.PRICE_MISMATCH
    assert (mismatch.rule, mismatch.invoice_line_number, mismatch.po_line_number) == ("price", 1, 1)
    assert (mismatch.expected, mismatch.actual, mismatch.difference) == (
        "24.85 USD",
        "25.85 USD",
        "1.00",
    )
    assert mismatch.tolerance == "0% or 0.01"
    assert "rule price" in mismatch.detail and "difference 1.00" in mismatch.detail


def test_a_price_below_the_order_is_a_mismatch_too() -> None:
    [mismatch] = match(ORDER, RECEIVED, [billed(1, price="23.85")]).mismatches
    assert (mismatch.rule, mismatch.difference) == ("price", "-1.00")


def test_price_tolerance_is_the_larger_of_percent_and_absolute() -> None:
    loose = Tolerances(price=Tolerance(percent=D(5), absolute=D("0.01")))
    assert match(ORDER, RECEIVED, [billed(1, price="26.00")], tolerances=loose).matched  # 4.6 %
    assert not match(ORDER, RECEIVED, [billed(1, price="26.20")], tolerances=loose).matched
    floor = Tolerances(price=Tolerance(percent=D(1), absolute=D("0.50")))
    assert match(ORDER, RECEIVED, [billed(1, price="25.30")], tolerances=floor).matched  # 0.45


def test_billing_more_than_was_received_is_a_quantity_mismatch() -> None:
    result = match(ORDER, {1: D(100)}, [billed(1, "120")])
    [mismatch] = result.mismatches
    assert mismatch.category is ExceptionCategory.QUANTITY_MISMATCH
    assert (mismatch.rule, mismatch.expected, mismatch.actual, mismatch.difference) == (
        "quantity_received",
        "at most 100 CS",
        "120 CS",
        "20",
    )


def test_billing_more_than_was_ordered_fails_both_quantity_rules() -> None:
    rules = [m.rule for m in match(ORDER, {1: D(130)}, [billed(1, "130")]).mismatches]
    assert rules == ["quantity_ordered"]
    rules = [m.rule for m in match(ORDER, {1: D(120)}, [billed(1, "130")]).mismatches]
    assert rules == ["quantity_received", "quantity_ordered"]


def test_billing_less_than_was_received_is_a_partial_invoice_not_a_mismatch() -> None:
    assert match(ORDER, RECEIVED, [billed(1, "60")]).matched


def test_earlier_invoices_count_towards_what_is_billed() -> None:
    result = match(ORDER, RECEIVED, [billed(1, "70")], billed_before={1: D(60)})
    assert [m.rule for m in result.mismatches] == ["quantity_received", "quantity_ordered"]
    assert result.billed == {1: D(130)}


def test_quantity_tolerance_allows_a_small_over_bill() -> None:
    tolerances = Tolerances(quantity=Tolerance(percent=D(2)))
    assert match(ORDER, {1: D(118)}, [billed(1, "120")], tolerances=tolerances).matched
    assert not match(ORDER, {1: D(117)}, [billed(1, "120")], tolerances=tolerances).matched
    absolute = Tolerances(quantity=Tolerance(absolute=D(5)))
    assert match(ORDER, {1: D(115)}, [billed(1, "120")], tolerances=absolute).matched


def test_lines_not_on_the_order_or_cancelled_do_not_match() -> None:
    cancelled = {**ORDER, 2: OrderedLine(2, D(60), "CS", D("38.40"), "USD", cancelled=True)}
    mismatches = match(cancelled, RECEIVED, [billed(2, "60", "38.40"), billed(9, "1")]).mismatches
    assert [(m.rule, m.po_line_number) for m in mismatches] == [("po_line", 2), ("po_line", 9)]
    assert "cancelled" in mismatches[0].actual and "not on the order" in mismatches[1].actual


def test_another_unit_or_currency_is_never_converted() -> None:
    mismatches = match(
        ORDER, RECEIVED, [billed(1, unit="EA"), billed(2, "60", "38.40", currency="EUR")]
    ).mismatches
    assert [(m.category, m.rule) for m in mismatches] == [
        (ExceptionCategory.QUANTITY_MISMATCH, "unit"),
        (ExceptionCategory.PRICE_MISMATCH, "currency"),
    ]


def test_negative_tolerances_are_refused() -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        Tolerance(percent=D(-1))


def test_mismatches_serialize_to_plain_json_values() -> None:
    [mismatch] = match(ORDER, RECEIVED, [billed(1, price="25.85")]).mismatches
    assert mismatch.as_dict() == {
        "rule": "price",
        "invoice_line_number": 1,
        "po_line_number": 1,
        "expected": "24.85 USD",
        "actual": "25.85 USD",
        "difference": "1.00",
        "tolerance": "0% or 0.01",
    }


amounts = st.decimals(min_value=D("0.01"), max_value=D(100000), places=2)
quantities = st.integers(min_value=1, max_value=100000).map(D)
percents = st.decimals(min_value=D(0), max_value=D(50), places=1)


@given(price=amounts, quantity=quantities)
def test_billing_exactly_the_order_and_receipt_always_matches(price: D, quantity: D) -> None:
    order = {1: OrderedLine(1, quantity, "EA", price, "USD")}
    assert match(order, {1: quantity}, [BilledLine(1, 1, quantity, "EA", price, "USD")]).matched


@given(price=amounts, delta=amounts, percent=percents, absolute=amounts)
def test_a_price_difference_fails_exactly_when_it_exceeds_the_tolerance(
    price: D, delta: D, percent: D, absolute: D
) -> None:
    tolerances = Tolerances(price=Tolerance(percent, absolute))
    order = {1: OrderedLine(1, D(1), "EA", price, "USD")}
    for invoiced in (price + delta, price - delta):
        result = match(
            order, {1: D(1)}, [BilledLine(1, 1, D(1), "EA", invoiced, "USD")], tolerances=tolerances
        )
        allowed = max(absolute, price * percent / 100)
        assert result.matched == (delta <= allowed)
        for mismatch in result.mismatches:
            assert mismatch.rule == "price" and D(mismatch.difference) == invoiced - price


@given(
    ordered=quantities,
    received=st.integers(min_value=0, max_value=100000).map(D),
    parts=st.lists(st.integers(min_value=1, max_value=50000).map(D), min_size=1, max_size=5),
)
def test_split_invoices_add_up_to_the_same_verdict_as_one(
    ordered: D, received: D, parts: list[D]
) -> None:
    order = {1: OrderedLine(1, ordered, "EA", D(1), "USD")}
    whole = match(order, {1: received}, [BilledLine(1, 1, sum(parts, D(0)), "EA", D(1), "USD")])
    billed_before: dict[int, D] = {}
    verdicts = []
    for part in parts:
        step = match(
            order,
            {1: received},
            [BilledLine(1, 1, part, "EA", D(1), "USD")],
            billed_before=billed_before,
        )
        verdicts.append(step.matched)
        billed_before = step.billed
    assert billed_before == whole.billed
    assert verdicts[-1] == whole.matched  # the last part sees the same cumulative total
    total = sum(parts, D(0))
    assert whole.matched == (total <= received and total <= ordered)
