"""Element value checks: X12 data types, lengths, code lists and syntax notes.

Split from the validator so the hot path there stays short: ``value_ok`` is the cheap test run
on every element (string methods implemented in C, no allocation); only when it fails does
``value_errors`` work out precisely which X12 element errors (AK403 codes) apply.
"""

from __future__ import annotations

from crossdock.x12.codes import ElementError

# Data type kinds, compiled from the dictionary's type names.
AN, ID, NUM, REAL, DATE, TIME = 0, 1, 2, 3, 4, 5
KINDS: dict[str, int] = {"AN": AN, "ID": ID, "R": REAL, "DT": DATE, "TM": TIME, "B": AN}
KINDS.update({f"N{i}": NUM for i in range(10)})
KINDS["N"] = NUM

_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def value_ok(value: str, kind: int, low: int, high: int, codes: frozenset[str] | None) -> bool:
    """True when ``value`` (non-empty) is valid; cheap enough for every element."""
    size = len(value)
    if kind == AN:
        return low <= size <= high and value.isprintable()
    if kind == ID:
        return low <= size <= high and (codes is None or value in codes) and value.isprintable()
    if kind in (NUM, REAL):
        return low <= size <= high and value.isdigit() and value.isascii()
    if kind == DATE:
        return size >= low and size <= high and _date_ok(value)
    return low <= size <= high and _time_ok(value)


def value_errors(
    value: str, kind: int, low: int, high: int, codes: frozenset[str] | None
) -> list[tuple[str, str]]:
    """Every X12 element error for a non-empty value, as (AK403 code, message)."""
    errors: list[tuple[str, str]] = []
    size = len(value)
    if kind in (NUM, REAL):
        size = _numeric_length(value, kind)
        if size < 0:
            errors.append(
                (
                    ElementError.INVALID_CHARACTER,
                    f"not a valid {'decimal' if kind == REAL else 'integer'} number",
                )
            )
            size = len(value)
    elif not value.isprintable():
        errors.append((ElementError.INVALID_CHARACTER, "contains non-printable characters"))
    if size < low:
        errors.append((ElementError.TOO_SHORT, f"length {size} below minimum {low}"))
    elif size > high:
        errors.append((ElementError.TOO_LONG, f"length {size} above maximum {high}"))
    if kind == ID and codes is not None and value not in codes:
        errors.append((ElementError.INVALID_CODE, f"code {value!r} not in the code list"))
    elif kind == DATE and low <= size <= high and not _date_ok(value):
        errors.append((ElementError.INVALID_DATE, "not a valid CCYYMMDD/YYMMDD date"))
    elif kind == TIME and low <= size <= high and not _time_ok(value):
        errors.append((ElementError.INVALID_TIME, "not a valid HHMM[SS[d..]] time"))
    return errors


def _numeric_length(value: str, kind: int) -> int:
    """X12 length of a numeric value (sign and decimal point excluded), or -1 when malformed."""
    body = value[1:] if value.startswith("-") else value
    if kind == REAL:
        whole, dot, fraction = body.partition(".")
        digits = whole + fraction
        if not digits or not digits.isdigit() or not digits.isascii() or "." in fraction:
            return -1
        del dot
        return len(digits)
    if not body or not body.isdigit() or not body.isascii():
        return -1
    return len(body)


def _date_ok(value: str) -> bool:
    if not value.isdigit() or not value.isascii():
        return False
    if len(value) == 8:
        year, month, day = int(value[:4]), int(value[4:6]), int(value[6:])
    elif len(value) == 6:
        year, month, day = 2000 + int(value[:2]), int(value[2:4]), int(value[4:])
    else:
        return False
    if not 1 <= month <= 12 or day < 1 or day > _DAYS[month - 1]:
        return False
    return not (month == 2 and day == 29 and (year % 4 or (year % 100 == 0 and year % 400)))


def _time_ok(value: str) -> bool:
    if len(value) < 4 or not value.isdigit() or not value.isascii():
        return False
    if int(value[:2]) > 23 or int(value[2:4]) > 59:
        return False
    return len(value) < 6 or int(value[4:6]) <= 59


def note_errors(
    kind: str, positions: tuple[int, ...], elements: list[str]
) -> list[tuple[int, str, str]]:
    """Violations of one syntax note, as (element position, AK403 code, message)."""
    count = len(elements)
    present = [p for p in positions if p <= count and elements[p - 1] != ""]
    if not present and kind != "R":
        return []
    note = kind + "".join(f"{p:02d}" for p in positions)
    missing = [p for p in positions if p not in present]
    if kind == "P" and missing:
        return [
            (p, ElementError.CONDITIONAL_MISSING, f"syntax note {note}: paired element missing")
            for p in missing
        ]
    if kind == "R" and not present:
        return [
            (
                positions[0],
                ElementError.CONDITIONAL_MISSING,
                f"syntax note {note}: at least one of these elements is required",
            )
        ]
    if kind == "E" and len(present) > 1:
        return [
            (
                present[1],
                ElementError.EXCLUSION_VIOLATED,
                f"syntax note {note}: only one of these elements may be present",
            )
        ]
    if kind == "C" and positions[0] in present:
        return [
            (
                p,
                ElementError.CONDITIONAL_MISSING,
                f"syntax note {note}: required when element {positions[0]:02d} is present",
            )
            for p in missing
        ]
    if kind == "L" and positions[0] in present and len(present) == 1:
        return [
            (
                positions[1],
                ElementError.CONDITIONAL_MISSING,
                f"syntax note {note}: one of the listed elements is required when element {positions[0]:02d} is present",
            )
        ]
    return []
