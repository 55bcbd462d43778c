"""Cell text → JSON value of a canonical field, and back (dates, numbers, code tables).

Every parser raises `ValueError` with a sentence a partner can act on; the caller adds the
row and the column.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from crossdock.mapping.csv.model import CsvColumn, CsvMap, NumberFormat

_INTEGER = re.compile(r"^[+-]?\d+$")


def number_format(column: CsvColumn, csv_map: CsvMap) -> NumberFormat:
    return column.number or csv_map.number


def parse_decimal(text: str, fmt: NumberFormat) -> Decimal:
    """'1.234,5' with decimal ',' and thousands '.' → Decimal('1234.5'); implied decimals
    shift a plain digit string ('12345' with 2 → 123.45)."""
    cleaned = text.replace(" ", "")
    if fmt.thousands:
        cleaned = cleaned.replace(fmt.thousands, "")
    if fmt.decimal != ".":
        if "." in cleaned:
            raise ValueError(f"{text!r} is not a number written with decimal {fmt.decimal!r}")
        cleaned = cleaned.replace(fmt.decimal, ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"{text!r} is not a number")
    if fmt.implied_decimals:
        if "." in cleaned:
            raise ValueError(
                f"{text!r} has a decimal point; the map implies {fmt.implied_decimals}"
            )
        value = value.scaleb(-fmt.implied_decimals)
    return value


def parse_cell(text: str, column: CsvColumn, csv_map: CsvMap) -> str | int:
    """The JSON value for one non-empty cell (decimals as strings: canonical JSON keeps them
    exact)."""
    if column.values is not None:
        table = csv_map.value_tables[column.values]
        if text not in table:
            known = ", ".join(sorted(table)[:10])
            raise ValueError(f"code {text!r} is not in value table {column.values!r} ({known})")
        text = table[text]
    kind = column.type
    if kind == "text":
        return text
    if kind == "integer":
        value = parse_decimal(text, number_format(column, csv_map))
        if value != value.to_integral_value():
            raise ValueError(f"{text!r} is not a whole number")
        return int(value)
    if kind == "decimal":
        return format(parse_decimal(text, number_format(column, csv_map)), "f")
    if kind == "date":
        fmt = column.format or csv_map.date_format
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            raise ValueError(f"{text!r} is not a date in the format {fmt!r}") from None
    fmt = column.format or csv_map.datetime_format
    try:
        moment = datetime.strptime(text, fmt)
    except ValueError:
        raise ValueError(f"{text!r} is not a date and time in the format {fmt!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(csv_map.timezone))
    return moment.isoformat()


def format_cell(value: object, column: CsvColumn, csv_map: CsvMap) -> str:
    """A canonical JSON value written the way the partner's file writes it (outbound)."""
    if value is None:
        return ""
    kind = column.type
    if kind in ("decimal", "integer") and not isinstance(value, bool):
        text = _format_number(Decimal(str(value)), number_format(column, csv_map))
    elif kind == "date" and isinstance(value, str):
        text = date.fromisoformat(value[:10]).strftime(column.format or csv_map.date_format)
    elif kind == "datetime" and isinstance(value, str):
        moment = datetime.fromisoformat(value)
        if "%z" not in (column.format or csv_map.datetime_format) and moment.tzinfo:
            moment = moment.astimezone(ZoneInfo(csv_map.timezone))
        text = moment.strftime(column.format or csv_map.datetime_format)
    else:
        text = str(value)
    if column.values is not None:  # the first file code standing for this value
        for code, meaning in csv_map.value_tables[column.values].items():
            if meaning == text:
                return code
    return text


def _format_number(value: Decimal, fmt: NumberFormat) -> str:
    if fmt.implied_decimals:
        return str(int(value.scaleb(fmt.implied_decimals).to_integral_value()))
    text = format(value, "f")
    if fmt.decimal != ".":
        text = text.replace(".", fmt.decimal)
    return text
