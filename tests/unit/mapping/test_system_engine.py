"""The declarative JSON map engine: each operator on a tiny input, and malformed maps failing
when they are compiled rather than on a live message."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from crossdock.mapping.systems.engine import MapError, MapSyntaxError, compile_template, evaluate

DOC: dict[str, Any] = {
    "no": "A-1",
    "cur": "EUR",
    "when": "2026-11-27",
    "lines": [
        {"n": 1, "qty": "2.5", "bad": 0, "code": "Y"},
        {"n": 2, "qty": 4, "bad": 1, "code": "N"},
    ],
    "packs": [{"items": [1, 2]}, {"items": [3]}],
}


def run(template: Any, doc: Any = DOC, **ctx: Any) -> Any:
    return evaluate(compile_template(template), doc, ctx)


def test_paths_constants_and_context() -> None:
    out = run({"id": "@no", "first": "@lines[1].n", "kind": "order", "missing": "@nope",
               "who": {"$ctx": "buyer"}, "at": {"$const": "@literal"}}, buyer="Me")  # fmt: skip
    assert out == {"id": "A-1", "first": 2, "kind": "order", "who": "Me", "at": "@literal"}


def test_each_with_root_paths_positions_and_a_conditional_second_template() -> None:
    template = {
        "$each": "@lines",
        "$map": [
            {"pos": "@#", "line": "@n", "doc": "@/no"},
            {"$if": "@bad", "pos": "@#", "line": "@n", "damaged": True},
        ],
    }
    assert run(template) == [
        {"pos": 1, "line": 1, "doc": "A-1"},
        {"pos": 2, "line": 2, "doc": "A-1"},
        {"pos": 3, "line": 2, "damaged": True},
    ]


def test_first_format_list_flatten_and_count() -> None:
    assert run({"$first": ["@nope", "", "@cur"]}) == "EUR"
    assert run({"$format": "{no}-{cur}"}) == "A-1-EUR"
    assert run({"$list": ["@no", "@nope"]}) == ["A-1"]
    assert run({"$flatten": {"$each": "@packs", "$map": "@items"}}) == [1, 2, 3]
    assert run({"$count": "@lines"}) == 2


def test_conversions_tables_and_arithmetic() -> None:
    assert run({"$from": "@lines[0].qty", "$as": "decimal"}) == Decimal("2.5")
    assert run({"$from": "@when", "$as": "datetime"}) == "2026-11-27T00:00:00+00:00"
    assert run({"$from": "@lines[1].qty", "$as": ["number", "sign"], "$table": {"+": "in"}}) == "in"
    assert run({"$from": "@lines[0].code", "$table": {"Y": "yes"}, "$else": "@cur"}) == "yes"
    assert run({"$from": "@lines[1].code", "$table": {"Y": "yes"}, "$else": "@cur"}) == "EUR"
    assert run({"$from": "@nope", "$default": "x", "$as": "upper"}) == "X"
    assert run({"$sum": [{"$each": "@lines", "$map": "@qty"}]}) == Decimal("6.5")
    assert run({"$sub": ["@lines[1].qty", "@lines[0].qty"]}) == Decimal("1.5")
    assert run({"$mul": ["@lines[0].qty", 2]}) == Decimal("5.0")
    assert run({"$eq": ["@lines[1].n", "2"]}) is True
    assert run({"$from": {"cur": "@cur", "value": 2}, "$as": "kg"}) == 2.0


def test_bad_input_is_a_map_error_with_the_place() -> None:
    with pytest.raises(MapError, match=r"\[1\]: @code: no code 'N'"):
        run({"$each": "@lines", "$map": {"$from": "@code", "$table": {"Y": 1}}})
    with pytest.raises(MapError, match="is not a number"):
        run({"$from": "@cur", "$as": "decimal"})
    with pytest.raises(MapError, match="expected a list"):
        run({"$each": "@no"})


@pytest.mark.parametrize(
    "template",
    [{"$bogus": 1}, {"$from": "@x", "$as": "furlongs"}, {"$from": "@x", "$tabel": {}}, {1, 2}],
)
def test_a_malformed_map_fails_when_compiled(template: Any) -> None:
    with pytest.raises(MapSyntaxError):
        compile_template(template)
