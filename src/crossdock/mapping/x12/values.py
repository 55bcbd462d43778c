"""Element value conversions between X12 text and the canonical model's JSON-shaped values.

Inbound conversions return strings pydantic parses itself (it is faster at Decimal/int than
Python code here), and only reshape what pydantic cannot read: X12 dates (CCYYMMDD), date +
time pairs, implied-decimal amounts (N2) and SSCCs sent with their AI 00 prefix.
Outbound conversions take ``model_dump(mode="json")`` values (ISO strings, Decimal strings).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any


class ValueProblem(ValueError):
    """An element value that cannot be converted; the engine turns it into a MappingError."""


class UnknownCode(ValueProblem):
    """A code the map's code table has no entry for: the map needs its meaning and has none.

    The validator may have accepted the code (a valid code outside a list the hub carries
    only in part is a warning there); the map cannot, so this is where it becomes an error.
    """

    def __init__(self, code: str, known: list[str]) -> None:
        super().__init__(
            f"unknown code {code!r}: the map has no meaning for it (known: {', '.join(known)})"
        )
        self.code = code


def parse_timezone(text: str) -> timezone:
    """'+00:00', '-05:00' or 'UTC' -> a fixed offset (X12 dates carry no zone: the map says)."""
    if text.upper() in ("UTC", "Z"):
        return UTC
    try:
        sign = -1 if text[0] == "-" else 1
        hours, minutes = text[1:].split(":")
        return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))
    except (ValueError, IndexError) as exc:
        raise ValueError(f"timezone {text!r} is not like '+01:00'") from exc


def x12_date_to_iso(value: str) -> str:
    """CCYYMMDD (or YYMMDD, read as 20YY) -> YYYY-MM-DD; the calendar check is pydantic's."""
    if len(value) == 6 and value.isdigit():
        value = "20" + value
    if len(value) != 8 or not value.isdigit():
        raise ValueProblem(f"date {value!r} is not CCYYMMDD")
    return f"{value[:4]}-{value[4:6]}-{value[6:]}"


def x12_time_to_iso(value: str) -> str:
    """HHMM, HHMMSS or HHMMSSD.. -> HH:MM:SS (fractions dropped: no canonical need for them)."""
    if len(value) not in (4, 6, 7, 8) or not value.isdigit():
        raise ValueProblem(f"time {value!r} is not HHMM or HHMMSS")
    seconds = value[4:6] or "00"
    return f"{value[:2]}:{value[2:4]}:{seconds}"


def x12_datetime_to_iso(date_value: str, time_value: str, offset: str) -> str:
    """A date element and an optional time element -> an aware ISO datetime at ``offset``."""
    time_part = x12_time_to_iso(time_value) if time_value else "00:00:00"
    return f"{x12_date_to_iso(date_value)}T{time_part}{offset}"


def n2_to_decimal(value: str) -> str:
    """An N2 amount (implied two decimals, e.g. TDS01 '255438' = 2554.38) -> '2554.38'."""
    digits = value[1:] if value[:1] == "-" else value
    if not digits.isdigit():
        raise ValueProblem(f"{value!r} is not an N2 number (digits with two implied decimals)")
    return str(Decimal(value).scaleb(-2))


def sscc_in(value: str) -> str:
    """Drop the GS1 AI '00' prefix partners often keep in MAN02 (20 digits -> 18)."""
    if len(value) == 20 and value.startswith("00"):
        return value[2:]
    return value


def decimal_out(value: object) -> str:
    """A canonical Decimal (as dumped) -> X12 R text, never in exponent form."""
    text = str(value)
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    return text


def n2_out(value: object) -> str:
    """A Decimal amount -> N2 text (cents, rounded half-even like the 810 partners compute)."""
    try:
        cents = (Decimal(str(value)) * 100).to_integral_value()
    except InvalidOperation as exc:
        raise ValueProblem(f"{value!r} is not a number") from exc
    return str(int(cents))


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at a word boundary when there is one.

    For free text (descriptions, notes, remarks) whose X12 element is shorter than the
    canonical field may be: a strict partner translator rejects an over-long element, so the
    tail is dropped rather than sending an invalid segment. Text within the limit is untouched.
    """
    if len(text) <= limit:
        return text
    cut = text[:limit]
    if text[limit] != " " and " " in cut.strip():
        cut = cut[: cut.rstrip().rfind(" ")]
    return cut.rstrip() or text[:limit]


def split_text(text: str, limit: int, count: int) -> list[str]:
    """``text`` as at most ``count`` pieces of at most ``limit`` characters, cut at spaces.

    Read back joined with one space, so text cut at single spaces comes back whole; a word
    longer than ``limit`` is cut hard (it comes back with a space inside) and what does not
    fit in ``count`` pieces is dropped from the last one (``clip``).
    """
    pieces: list[str] = []
    rest = text
    while len(rest) > limit and len(pieces) < count - 1:
        piece = clip(rest, limit)
        pieces.append(piece)
        rest = rest[len(piece) :]
        rest = rest[1:] if rest[:1] == " " else rest
    pieces.append(clip(rest, limit))
    return [piece for piece in pieces if piece]


def join_text(holder: dict[str, Any], key: str, value: str) -> None:
    """Inbound side of ``split_text``: append a repeat's piece to the field's text so far."""
    found = holder.get(key)
    holder[key] = f"{found} {value}" if found else value


def date_out(value: object) -> str:
    """YYYY-MM-DD -> CCYYMMDD."""
    return str(value)[:10].replace("-", "")


def datetime_out(value: object, zone: timezone) -> tuple[str, str]:
    """An ISO datetime -> (CCYYMMDD, HHMM or HHMMSS) at the map's zone; seconds only if set."""
    moment = datetime.fromisoformat(str(value)).astimezone(zone)
    time_format = "%H%M%S" if moment.second else "%H%M"
    return moment.strftime("%Y%m%d"), moment.strftime(time_format)


def offset_text(zone: timezone) -> str:
    """The '+HH:MM' suffix ISO datetimes get for ``zone``."""
    delta = zone.utcoffset(None)
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
