"""Exact decimals within NUMERIC(24, 6): amounts, quantities, percentages.

ERPs store amounts and quantities as NUMERIC with a fixed scale; 18 digits before the point and
6 after holds every real one. A value outside is refused, never rounded: ``1E-400`` stored as 0,
or ``"1E+999999999"`` accepted and then expanded by whoever calls ``int()`` on it, are both
worse than a 422. NaN and infinity are refused by pydantic's Decimal.

The checks are built into the core schema (``_Bounded``): choosing between the JSON and the
Python rules happens in pydantic-core, and what remains in Python per value is one call doing
``adjusted()`` and one ``quantize`` (measured: a third of a wrap validator with ``info``, which
decimals on the intake hot path cannot afford).
"""

from __future__ import annotations

from decimal import Context, Decimal
from typing import Annotated, Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

MAX_WHOLE_DIGITS = 18
MAX_DECIMAL_PLACES = 6
#: The error type of a decimal field given something other than a JSON string or integer.
#: For a JSON float, ``json_numbers.validate_json`` reads the body again (see there).
DECIMAL_TYPE_ERROR = "decimal_type"

_SCALE = Decimal(1).scaleb(-MAX_DECIMAL_PLACES)
_ZERO = Decimal(0)
# Wide enough that quantizing any value that passed the magnitude check is exact; only used when
# the thread's own context is too narrow (the default, 28 digits, is not).
_BOUNDS_CONTEXT = Context(prec=MAX_WHOLE_DIGITS + MAX_DECIMAL_PLACES + 2)


def check_decimal_bounds(value: Decimal) -> Decimal:
    """Refuse a decimal outside NUMERIC(24, 6) instead of storing it changed.

    ``adjusted()`` (the power of ten of the leading digit) is O(1) whatever the exponent, so a
    huge or tiny exponent is refused before any arithmetic; only then does one ``quantize``
    (cheaper than ``as_tuple``) tell whether digits lie beyond the sixth place. Trailing zeros
    there ("1.5000000") are harmless and kept.
    """
    magnitude = value.adjusted()
    if not value:  # a zero's "magnitude" is its exponent: 0E-400 is plain 0, not an error
        return value if -MAX_DECIMAL_PLACES <= magnitude < MAX_WHOLE_DIGITS else _ZERO
    if magnitude >= MAX_WHOLE_DIGITS:
        raise PydanticCustomError(
            "decimal_whole_digits",
            "should have no more than {whole_digits} digits before the decimal point",
            {"whole_digits": MAX_WHOLE_DIGITS},
        )
    if magnitude >= -MAX_DECIMAL_PLACES:
        try:
            changed = value.quantize(_SCALE) != value
        except ArithmeticError:  # a thread context narrower or stricter than the default
            changed = value.quantize(_SCALE, context=_BOUNDS_CONTEXT) != value
        if not changed:
            return value
    raise PydanticCustomError(
        "decimal_max_places",
        "should have no more than {decimal_places} decimal places",
        {"decimal_places": MAX_DECIMAL_PLACES},
    )


class _Bounded:
    """An ``Annotated`` marker: a Decimal (with optional ``ge``/``le``) within NUMERIC(24, 6).

    In JSON only strings and integers are decimals: pydantic-core reads a number with a fraction
    or an exponent as a 64-bit float first, its digits already rounded (``1e-400`` is 0.0), so
    such a number is refused here with ``DECIMAL_TYPE_ERROR`` and ``validate_json`` reads the
    body again with those numbers as strings. In Python, pydantic's own Decimal rules apply.
    """

    def __init__(self, ge: Decimal | None = None, le: Decimal | None = None) -> None:
        self._ge = ge
        self._le = le

    def __get_pydantic_core_schema__(
        self, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        bounded = core_schema.no_info_after_validator_function(
            check_decimal_bounds, core_schema.decimal_schema(ge=self._ge, le=self._le)
        )
        exact_in_json = core_schema.custom_error_schema(
            core_schema.union_schema(
                [core_schema.str_schema(strict=True), core_schema.int_schema(strict=True)]
            ),
            custom_error_type=DECIMAL_TYPE_ERROR,  # pydantic's own type, with its message
        )
        return core_schema.json_or_python_schema(
            json_schema=core_schema.chain_schema([exact_in_json, bounded]),
            python_schema=bounded,
        )

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return handler(core_schema.decimal_schema(ge=self._ge, le=self._le))


Amount = Annotated[Decimal, _Bounded()]
"""An exact decimal amount within NUMERIC(24, 6); negative allowed."""
NonNegativeDecimal = Annotated[Decimal, _Bounded(ge=_ZERO)]
"""An exact decimal within NUMERIC(24, 6), zero or more."""
Percent = Annotated[Decimal, _Bounded(ge=_ZERO, le=Decimal(100))]
"""A percentage from 0 to 100, at most 6 decimal places."""
