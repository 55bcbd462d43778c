"""Exact JSON numbers for canonical decimals.

pydantic-core reads a JSON number with a fraction or an exponent as a 64-bit float before it
becomes a ``Decimal``: ``1e-400`` arrives as 0 and ``1.00000000000000000001`` as 1, so a bound
checked afterwards never sees what the sender wrote. The decimal fields therefore refuse a float
in JSON mode (``decimals.DECIMAL_TYPE_ERROR``), and `validate_json` reads such a body a second time
with its fractional numbers written as JSON strings, which the decimal fields read digit for
digit (and refuse, if out of bounds). Documents that send decimals as strings or integers, as
the examples and every mapping do, are validated once; the second pass is the price of floats.
"""

from __future__ import annotations

import re
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from crossdock.canonical.decimals import DECIMAL_TYPE_ERROR

Model = TypeVar("Model", bound=BaseModel)

# JSON's strings (escapes included) and numbers: a string is matched whole, which is what keeps
# digits inside it from being taken for a number.
_TOKENS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|-?[0-9][0-9.eE+-]*')
_FRACTIONAL = re.compile(rb"[.eE]")


def _quote_fractional(match: re.Match[bytes]) -> bytes:
    token = match.group()
    if token[:1] == b'"' or _FRACTIONAL.search(token) is None:
        return token
    return b'"' + token + b'"'


def exact_numbers(raw: bytes) -> bytes:
    """``raw`` with every JSON number that has a fraction or an exponent written as a string.

    Integers stay numbers (they are read exactly); invalid JSON stays invalid.
    """
    return _TOKENS.sub(_quote_fractional, raw)


def validate_json(model: type[Model], raw: bytes | str) -> Model:
    """``model.model_validate_json(raw)``, with every decimal read from the digits it was sent
    with. Raises ``ValidationError`` like pydantic does."""
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        if not any(
            error["type"] == DECIMAL_TYPE_ERROR and type(error["input"]) is float
            for error in exc.errors()
        ):
            raise
    data = raw.encode() if isinstance(raw, str) else raw
    return model.model_validate_json(exact_numbers(data))
