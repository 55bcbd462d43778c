"""Validated value objects (Money, Quantity) reused across documents, found by their input.

Every line of an order or invoice carries a few ``Money`` / ``Quantity`` dicts, and building
each one (a Decimal parsed from text, a currency or unit looked up, a model instance) was
about a third of the document's validation. These models are frozen and depend on nothing
but their own input, so an instance validated from one input is exactly what validating an
equal input again produces. Before the document is validated, ``substitute`` swaps each
such dict for the instance validated earlier from a dict with the same fields and values
(pydantic looks fields up by name, so key order is irrelevant); pydantic accepts a model
instance for a field of that model as it is (``revalidate_instances='never'``), and every
other check -- the document's own validators, currencies against the document currency --
still runs. A dict not known yet, or not valid on its own, stays a dict and the document's
validation judges it, reporting any error at its usual location.

Only frozen models whose fields are all scalars qualify: an instance shared by documents
must not be changeable through one of them.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError

Substitute = Callable[[dict[str, Any]], None]
LIMIT = 1 << 16  # inputs remembered per model; forgotten all at once when full
_MISSING = object()


class _Leaf:
    """One value model's instances, keyed by field values in field order (nested dicts:
    looking up two strings is cheaper than building a tuple key per value)."""

    __slots__ = ("cache", "fields", "model", "size")

    def __init__(self, model: type[BaseModel]) -> None:
        self.model = model
        self.fields = tuple(model.model_fields)
        self.cache: dict[Any, Any] = {}
        self.size = 0

    def fill(self, raw: dict[str, Any]) -> BaseModel | None:
        """The instance for ``raw`` from its second sighting on; None (keep the dict) before
        that or when ``raw`` is not valid. Many values (a document's total) are never seen
        again, and validating one alone costs more than leaving it to the document."""
        values = [raw.get(name, _MISSING) for name in self.fields]
        if any(value.__class__ is not str for value in values):
            return None  # a default to fill, or a value equal to others (1 == 1.0 == True)
        if self.size >= LIMIT:
            self.cache.clear()
            self.size = 0
        node = self.cache
        for value in values[:-1]:
            node = node.setdefault(value, {})
        if values[-1] not in node:
            node[values[-1]] = None
            self.size += 1
            return None
        try:
            found: BaseModel = self.model.__pydantic_validator__.validate_python(raw)
        except ValidationError:
            return None  # stays "seen once": the document reports it, each time it comes
        node[values[-1]] = found
        return found


_LEAVES: dict[type[BaseModel], _Leaf] = {}


def build_substitute(model: type[BaseModel]) -> Substitute | None:
    """A function replacing qualifying dicts in a ``model`` input; None when there are none."""
    env: dict[str, Any] = {"M": _MISSING}
    body = _walk(model, "d", env, 0)
    if not body:
        return None
    lines = ["def substitute(d):", "    try:", *("        " + line for line in body)]
    lines += ["    except TypeError:", "        pass  # an unhashable value: validation judges it"]
    exec(compile("\n".join(lines) + "\n", f"<leaves {model.__name__}>", "exec"), env)
    found: Substitute = env["substitute"]
    return found


def _walk(model: type[BaseModel], var: str, env: dict[str, Any], depth: int) -> list[str]:
    """Source visiting ``var`` (an input dict for ``model``); empty when nothing qualifies."""
    if depth > 6:  # a recursive model: stop looking, validation does the rest
        return []
    lines: list[str] = []
    item = f"x{depth}"
    for name, field in model.model_fields.items():
        if field.alias is not None or field.validation_alias is not None:
            continue  # the input key would not be the field name
        target, many = _target(field.annotation)
        if target is None or (many and _is_leaf(target)):
            continue  # (no list of value objects in the canonical model yet)
        if _is_leaf(target):
            lines += [f"{item} = {var}.get({name!r})"]
            lines += _lookup(_LEAVES.setdefault(target, _Leaf(target)), item, env)
            lines += ["    if v is not None:", f"        {var}[{name!r}] = v"]
            continue
        child = f"y{depth}" if many else item
        nested = _walk(target, child, env, depth + 1)
        if not nested:
            continue
        lines.append(f"{item} = {var}.get({name!r})")
        if many:
            lines += [f"if {item}.__class__ is list:", f"    for {child} in {item}:"]
            lines += [f"        if {child}.__class__ is dict:"]
            lines += ["            " + line for line in nested]
        else:
            lines.append(f"if {item}.__class__ is dict:")
            lines += ["    " + line for line in nested]
    return lines


def _lookup(leaf: _Leaf, item: str, env: dict[str, Any]) -> list[str]:
    """Source setting ``v`` to the instance for dict ``item`` (None: keep the dict)."""
    name = f"leaf{len(env)}"
    env[name] = leaf
    first, *rest = leaf.fields
    lines = [f"if {item}.__class__ is dict and len({item}) == {len(leaf.fields)}:"]
    lines.append(f"    v = {name}.cache.get({item}.get({first!r}, M))")
    for field in rest:
        lines += ["    if v is not None:", f"        v = v.get({item}.get({field!r}, M))"]
    lines += ["    if v is None:", f"        v = {name}.fill({item})"]
    return lines


def _target(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """(model, is a list) for ``Model``, ``Model | None``, ``list[Model]``; else (None, _)."""
    many = False
    if typing.get_origin(annotation) is list:
        (annotation,) = typing.get_args(annotation) or (None,)
        many = True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        others = [a for a in typing.get_args(annotation) if a is not type(None)]
        annotation = others[0] if len(others) == 1 else None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, many
    return None, many


def _is_leaf(model: type[BaseModel]) -> bool:
    """Frozen, and no field holds a model or a container (nothing inside can be changed)."""
    if not model.model_config.get("frozen") or not model.model_fields:
        return False
    for field in model.model_fields.values():
        if _target(field.annotation)[0] is not None or typing.get_origin(field.annotation):
            return False
    return True
