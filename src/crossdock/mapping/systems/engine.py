"""A small declarative JSON -> JSON map engine: a map is plain data, compiled once to closures.

System maps (a sandbox ERP's purchase order -> canonical, canonical -> a WMS expected receipt)
are mostly renames, nesting, code tables and unit or number conversions. Declaring them as data
keeps each map readable in one screen, lets configuration name them, and keeps the mapping
logic in one tested engine instead of in one hand-written function per document.

The template language (a template is any JSON-like value):

- ``"@a.b[0].c"``: a path in the current element (``@`` alone: the element itself);
  ``"@/a.b"``: a path from the document root; ``"@#"``: the 1-based position of the element
  being emitted by the enclosing ``$each``. A missing step gives None.
- any other string, number, bool or None: a constant (``{"$const": "@x"}`` for a literal ``@``).
- a dict without ``$`` keys: an object; keys whose value is None are left out. ``"$if": expr``
  in it drops the whole object (None) when the expression is falsy.
- ``{"$ctx": "name"}``: a value from the map context (the system's configured defaults, the
  system name, the receive time).
- ``{"$first": [e, ...]}``: the first value that is neither None nor ``""``.
- ``{"$from": e, "$as": conv | [conv, ...], "$table": {...}, "$else": e, "$default": e}``:
  read ``e`` (``$default`` when it is None), convert it in order (see ``CONVERSIONS``), then
  look it up in a code table; a code not in the table is an error unless ``$else`` is given.
- ``{"$format": "ACK-{poNumber}"}``: a string from the current element's fields.
- ``{"$each": e, "$map": template | [template, ...]}``: a list, one output per element and per
  template (an object dropped by ``$if`` is skipped, so one element may give two lines).
- ``{"$list": [e, ...]}``: a list of the values that are not None.
- ``{"$flatten": e}``: a list of lists joined into one; ``{"$count": e}``: a list's length.
- ``{"$sum": [e, ...]}`` / ``{"$sub": [a, b]}`` / ``{"$mul": [a, b]}``: exact decimal
  arithmetic (a list value inside ``$sum`` is summed element-wise).
- ``{"$eq": [a, b]}``: True when both sides are equal (after ``str()``), for ``$if``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from crossdock.mapping.systems.convert import CONVERSIONS, ConversionError, to_decimal


class MapError(ValueError):
    """The input cannot be mapped: ``path`` says where (in the input) and the message why."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}" if path else reason)
        self.path = path
        self.reason = reason


class MapSyntaxError(ValueError):
    """A map declaration is malformed: a bug found when the map is compiled, not at runtime."""


@dataclass(slots=True)
class Scope:
    """Where evaluation stands: the current element, the root, the context, the position."""

    item: Any
    root: Any
    ctx: Mapping[str, Any]
    index: int = 1
    at: str = ""


Expr = Callable[[Scope], Any]
_OPERATORS: tuple[str, ...] = (
    "$ctx",
    "$first",
    "$from",
    "$format",
    "$each",
    "$list",
    "$sum",
    "$sub",
    "$mul",
)
_OPERATORS += ("$eq", "$const", "$flatten", "$count")


def _steps(path: str) -> tuple[str | int, ...]:
    steps: list[str | int] = []
    for part in path.replace("]", "").replace("[", ".").split("."):
        if part == "":
            continue
        steps.append(int(part) if part.isdigit() else part)
    return tuple(steps)


def get_path(value: Any, steps: tuple[str | int, ...]) -> Any:
    """Follow keys and list indexes; None as soon as a step is missing."""
    for step in steps:
        if isinstance(step, int):
            if not isinstance(value, list) or step >= len(value):
                return None
            value = value[step]
        elif isinstance(value, dict):
            value = value.get(step)
        else:
            return None
    return value


def _compile_path(spec: str) -> Expr:
    if spec == "@#":
        return lambda s: s.index
    from_root = spec.startswith("@/")
    steps = _steps(spec[2:] if from_root else spec[1:])
    if from_root:
        return lambda s: get_path(s.root, steps)
    return lambda s: get_path(s.item, steps)


def compile_template(spec: Any) -> Expr:
    """Compile a template once; the returned function evaluates it against a scope."""
    if isinstance(spec, str):
        if spec.startswith("@"):
            return _compile_path(spec)
        return lambda _s: spec
    if spec is None or isinstance(spec, bool | int | float | Decimal):
        return lambda _s: spec
    if isinstance(spec, list):
        parts = [compile_template(item) for item in spec]
        return lambda s: [part(s) for part in parts]
    if not isinstance(spec, dict):
        raise MapSyntaxError(f"cannot compile {type(spec).__name__} {spec!r}")
    operators = [key for key in spec if key in _OPERATORS]
    if operators:
        return _compile_operator(operators[0], spec)
    unknown = [key for key in spec if key.startswith("$") and key != "$if"]
    if unknown:
        raise MapSyntaxError(f"unknown operator {unknown[0]!r} in {spec!r}")
    return _compile_object(spec)


def _compile_object(spec: dict[str, Any]) -> Expr:
    guard = compile_template(spec["$if"]) if "$if" in spec else None
    fields = [(key, compile_template(value)) for key, value in spec.items() if key != "$if"]

    def build(scope: Scope) -> Any:
        if guard is not None and not guard(scope):
            return None
        out = {}
        for key, expr in fields:
            value = expr(scope)
            if value is not None:
                out[key] = value
        return out

    return build


def _compile_operator(name: str, spec: dict[str, Any]) -> Expr:
    arg = spec[name]
    if name == "$const":
        return lambda _s: arg
    if name == "$ctx":
        return lambda s: s.ctx.get(arg)
    if name == "$first":
        options = [compile_template(option) for option in arg]
        return lambda s: next((v for o in options if (v := o(s)) is not None and v != ""), None)
    if name == "$format":
        return _compile_format(str(arg))
    if name == "$each":
        return _compile_each(spec)
    if name in ("$flatten", "$count"):
        return _compile_list_op(name, compile_template(arg))
    if name == "$list":
        items = [compile_template(item) for item in arg]
        return lambda s: [v for item in items if (v := item(s)) is not None]
    if name in ("$sum", "$sub", "$mul", "$eq"):
        return _compile_arithmetic(name, [compile_template(item) for item in arg])
    return _compile_from(spec)


def _compile_format(pattern: str) -> Expr:
    def render(scope: Scope) -> str:
        fields = scope.item if isinstance(scope.item, dict) else {}
        try:
            return pattern.format_map(fields)
        except (KeyError, IndexError, ValueError) as exc:
            raise MapError(scope.at, f"cannot format {pattern!r}: missing {exc}") from None

    return render


def _compile_each(spec: dict[str, Any]) -> Expr:
    source = compile_template(spec["$each"])
    raw = spec.get("$map", "@")
    templates = [compile_template(t) for t in (raw if isinstance(raw, list) else [raw])]

    def each(scope: Scope) -> Any:
        items = source(scope)
        if items is None:
            return None
        if not isinstance(items, list):
            raise MapError(scope.at, f"expected a list, got {type(items).__name__}")
        out: list[Any] = []
        for position, item in enumerate(items):
            for template in templates:
                inner = Scope(item, scope.root, scope.ctx, len(out) + 1, f"{scope.at}[{position}]")
                value = template(inner)
                if value is not None:
                    out.append(value)
        return out

    return each


def _compile_list_op(name: str, source: Expr) -> Expr:
    def run(scope: Scope) -> Any:
        value = source(scope)
        if value is None:
            return None
        if not isinstance(value, list):
            raise MapError(scope.at, f"{name} expected a list, got {type(value).__name__}")
        if name == "$count":
            return len(value)
        return [v for part in value for v in (part if isinstance(part, list) else [part])]

    return run


def _compile_arithmetic(name: str, args: list[Expr]) -> Expr:
    def number(value: Any, at: str) -> Decimal:
        try:
            return to_decimal(value)
        except ConversionError as exc:
            raise MapError(at, str(exc)) from None

    def run(scope: Scope) -> Any:
        values = [arg(scope) for arg in args]
        if name == "$eq":
            return len(values) == 2 and str(values[0]) == str(values[1])
        flat = [v for value in values for v in (value if isinstance(value, list) else [value])]
        if any(v is None for v in flat):
            return None
        numbers = [number(v, scope.at) for v in flat]
        if name == "$sum":
            return sum(numbers, Decimal(0))
        if len(numbers) != 2:
            raise MapError(scope.at, f"{name} needs two values")
        return numbers[0] - numbers[1] if name == "$sub" else numbers[0] * numbers[1]

    return run


def _compile_from(spec: dict[str, Any]) -> Expr:
    allowed = {"$from", "$as", "$table", "$else", "$default"}
    if set(spec) - allowed:
        raise MapSyntaxError(f"unknown keys {sorted(set(spec) - allowed)} in {spec!r}")
    source = compile_template(spec["$from"])
    default = compile_template(spec.get("$default"))
    names = spec.get("$as", [])
    names = [names] if isinstance(names, str) else list(names)
    for conv in names:
        if conv not in CONVERSIONS:
            raise MapSyntaxError(f"unknown conversion {conv!r} (known: {sorted(CONVERSIONS)})")
    conversions = [CONVERSIONS[conv] for conv in names]
    table: Mapping[str, Any] | None = spec.get("$table")
    compiled_table = {str(k): compile_template(v) for k, v in (table or {}).items()}
    fallback = compile_template(spec["$else"]) if "$else" in spec else None

    def run(scope: Scope) -> Any:
        value = source(scope)
        if value is None:
            value = default(scope)
        if value is None:
            return None
        try:
            for conversion in conversions:
                value = conversion(value)
        except (ConversionError, InvalidOperation, ValueError, TypeError) as exc:
            raise MapError(scope.at, f"{spec['$from']}: {exc}") from None
        if table is None:
            return value
        found = compiled_table.get(str(value))
        if found is not None:
            return found(scope)
        if fallback is not None:
            return fallback(scope)
        known = ", ".join(sorted(compiled_table))
        raise MapError(scope.at, f"{spec['$from']}: no code {value!r} in the table ({known})")

    return run


def evaluate(expr: Expr, document: Any, ctx: Mapping[str, Any], at: str = "") -> Any:
    """Run a compiled template on a document (root and current element at once)."""
    return expr(Scope(document, document, ctx, 1, at))
