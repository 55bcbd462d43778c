"""Value conversions a system map names in ``$as``: numbers, dates, units, case.

Systems disagree on small things (money as strings or floats, dates with or without a time,
kilograms or pounds); each conversion is one named, total function so a map says which one it
needs and an input it cannot convert is a precise mapping error, never a guess.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any


class ConversionError(ValueError):
    """A value cannot be converted (a text where a number belongs, an unreadable date)."""


def to_decimal(value: Any) -> Decimal:
    """Exact decimal from a JSON number or numeric string (floats go through ``str``)."""
    if isinstance(value, bool):
        raise ConversionError(f"{value!r} is not a number")
    if isinstance(value, Decimal):
        result = value
    else:
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation:
            raise ConversionError(f"{_excerpt(value)} is not a number") from None
    if not result.is_finite():
        raise ConversionError(f"{value!r} is not a finite number")
    if result and not -_MAX_MAGNITUDE <= result.adjusted() <= _MAX_MAGNITUDE:
        # Refused before any arithmetic: int(Decimal("1E+999999999")) would build a
        # billion-digit integer. The canonical bounds (NUMERIC(24, 6)) are far inside this.
        raise ConversionError(f"{_excerpt(value)} is out of range")
    return result


#: Largest power of ten a system's number may have, either way.
_MAX_MAGNITUDE = 40


def _excerpt(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def to_number(value: Any) -> int | float:
    """A JSON number for systems that want numbers: an int when integral, else a float."""
    number = to_decimal(value)
    return int(number) if number == number.to_integral_value() else float(number)


def to_int(value: Any) -> int:
    number = to_decimal(value)
    if number != number.to_integral_value():
        raise ConversionError(f"{value!r} is not a whole number")
    return int(number)


def to_datetime(value: Any) -> str:
    """An ISO 8601 instant with an offset: a bare date is midnight UTC, a naive time is UTC."""
    text = str(value).strip()
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ConversionError(f"{value!r} is not an ISO date or time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()


def to_date(value: Any) -> str:
    """The calendar date of an ISO date or date-time (as written, no time zone shift)."""
    text = str(value).strip()
    try:
        return date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        raise ConversionError(f"{value!r} is not an ISO date") from None


def to_money(value: Any) -> str:
    """An amount as a string with two decimals (supplier portals send money as strings)."""
    return str(to_decimal(value).quantize(Decimal("0.01")))


_TO_KG = {"KGM": Decimal(1), "KG": Decimal(1), "LBR": Decimal("0.45359237"),
          "LB": Decimal("0.45359237"), "LBS": Decimal("0.45359237"), "GRM": Decimal("0.001")}  # fmt: skip


def to_kg(value: Any) -> float:
    """A canonical weight ``{"value", "unit"}`` (or a bare number, taken as kg) in kilograms."""
    if isinstance(value, dict):
        unit = str(value.get("unit", "KGM")).upper()
        if unit not in _TO_KG:
            raise ConversionError(f"cannot convert weight unit {unit!r} to kg")
        return round(float(to_decimal(value.get("value")) * _TO_KG[unit]), 3)
    return float(to_decimal(value))


def sign(value: Any) -> str:
    """``+`` for zero or more, ``-`` below zero: pick a direction in a code table."""
    return "-" if to_decimal(value) < 0 else "+"


CONVERSIONS: dict[str, Callable[[Any], Any]] = {
    "str": lambda v: str(v),
    "int": to_int,
    "decimal": to_decimal,
    "number": to_number,
    "money": to_money,
    "date": to_date,
    "datetime": to_datetime,
    "upper": lambda v: str(v).upper(),
    "lower": lambda v: str(v).lower(),
    "abs": lambda v: abs(to_decimal(v)),
    "sign": sign,
    "kg": to_kg,
    "kg_to_lb": lambda v: round(float(to_decimal(v) / Decimal("0.45359237")), 1),
}
