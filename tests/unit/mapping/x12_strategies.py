"""Hypothesis strategies for the parts of canonical documents (see ``x12_documents``).

Each strategy produces valid documents (the models' own rules hold) whose every field is
mapped, so "canonical -> X12 -> canonical" must give the same document back. Where a map
is knowingly lossy (one N1 id per party, no party codes, no base_unit, ...) the strategy
leaves that field out; the module docstrings of the maps say why.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from hypothesis import strategies as st

from crossdock.canonical import gs1_check_digit

# No X12 delimiters ('*', '~', '>' in the test envelope), no edge whitespace (pydantic strips).
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 -.,/#&()'"
text = st.text(_ALPHABET, min_size=1, max_size=40).map(str.strip).filter(bool)
code = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", min_size=2, max_size=20)
units = st.sampled_from(["EA", "CS", "CA", "PK", "BX", "LB", "KG"])
currencies = st.sampled_from(["USD", "CAD", "EUR", "GBP"])
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
).map(lambda moment: moment.replace(microsecond=0))
amounts = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False)
quantities = st.decimals(min_value=0, max_value=100_000, places=3, allow_nan=False)


def _gs1(length: int) -> st.SearchStrategy[str]:
    body = st.text("0123456789", min_size=length - 1, max_size=length - 1)
    return body.map(lambda digits: digits + str(gs1_check_digit(digits)))


gtins = st.sampled_from([8, 12, 13, 14]).flatmap(_gs1)
glns = _gs1(13)
ssccs = _gs1(18)


def drop_none(value: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in value.items() if v is not None}


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


def quantity() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({"value": quantities, "unit": units})


# N401 (city, X12 element 19) is 2 to 30 characters: a one-letter place name cannot be sent,
# and the map cuts a longer one (so it would not come back whole). Postal codes are 3 to 10
# characters the world over (N403 takes 3 to 15); the canonical model does not bound them yet.
cities = text.filter(lambda city: 2 <= len(city) <= 30)
postal_codes = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -", min_size=3, max_size=10).filter(
    lambda postal: postal == postal.strip()
)


def address() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "lines": st.lists(text, min_size=1, max_size=4),
            "city": cities,
            "region": optional(st.sampled_from(["GA", "TX", "ON", "NY"])),
            "postal_code": optional(postal_codes),
            "country": st.sampled_from(["US", "CA", "MX", "DE"]),
        }
    ).map(drop_none)


def contact() -> st.SearchStrategy[dict[str, Any]]:
    phone = (
        st.text("0123456789 +-", min_size=3, max_size=20)
        .map(str.strip)
        .filter(lambda p: len(p) >= 3)
    )
    email = st.tuples(code, code).map(lambda parts: f"{parts[0]}@{parts[1]}.example")
    return (
        st.fixed_dictionaries(
            {"name": optional(text), "phone": optional(phone), "email": optional(email)}
        )
        .map(drop_none)
        .filter(bool)
    )


def party(role: str, *, with_contact: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    """A party with at most one identifier (an N1 carries one N103/N104 pair)."""
    ident = st.one_of(
        st.none(),
        glns.map(lambda g: {"gln": g}),
        st.text("0123456789", min_size=9, max_size=9).map(lambda d: {"duns": d}),
        st.fixed_dictionaries(
            {"qualifier": st.sampled_from(["92", "91", "ZZ", "9"]), "identifier": code}
        ).map(lambda x: {"x12": x}),
    )
    base = st.fixed_dictionaries(
        {
            "name": optional(text),
            "address": optional(address()),
            "contact": optional(contact()) if with_contact else st.none(),
        }
    )
    return (
        st.tuples(base, ident)
        .map(lambda pair: {"role": role, **drop_none(pair[0]), **(pair[1] or {})})
        .filter(lambda p: len(p) > 1 and ("name" in p or "gln" in p or "duns" in p or "x12" in p))
    )


def item(max_ids: int = 3) -> st.SearchStrategy[dict[str, Any]]:
    ids = st.fixed_dictionaries(
        {"sku": optional(code), "supplier_sku": optional(code), "gtin": optional(gtins)}
    ).map(drop_none)
    ids = ids.filter(lambda found: 1 <= len(found) <= max_ids)
    return st.tuples(ids, optional(text)).map(
        lambda pair: {**pair[0], **({"description": pair[1]} if pair[1] else {})}
    )


def payment_terms() -> st.SearchStrategy[dict[str, Any]]:
    """Terms; a discount percent always comes with its days (ITD03 needs ITD05, L03040513:
    "2% off" without a window is not a term, which the canonical model should reject too)."""
    small = st.integers(min_value=0, max_value=365)
    return (
        st.fixed_dictionaries(
            {
                "description": optional(text),
                "net_days": optional(small),
                "discount_percent": optional(st.decimals(min_value=0, max_value=100, places=2)),
                "discount_days": optional(small),
            }
        )
        .map(drop_none)
        .filter(bool)
        .filter(lambda terms: "discount_percent" not in terms or "discount_days" in terms)
    )


def numbered(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**line, "line_number": index * 10 + 1} for index, line in enumerate(lines)]
