"""Field paths into decoded JSON, so a carrier shape is declared as data rather than code.

A path is dotted keys with optional selectors: ``result.tracking_details[*]`` (every element),
``values[0]`` (one element), ``packageIdentifiers[type=SHIPPER_REFERENCE]`` (the elements whose
``type`` equals the value). The empty path is the value itself. Every match comes with its
concrete path (``result.tracking_details[3]``), so a mapping error names the exact place.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

_PART = re.compile(r"^(?P<name>[^\[\]]*)(?P<subs>(?:\[[^\]]*\])*)$")
_SUB = re.compile(r"\[([^\]]*)\]")

Step = tuple[str, str]  # ("key", name) | ("all", "") | ("index", "3") | ("where", "type=X")


class PathSyntaxError(ValueError):
    """A declared path is malformed: a bug in a shape declaration, found when it is compiled."""


@lru_cache(maxsize=256)
def compile_path(path: str) -> tuple[Step, ...]:
    """Parse a path once; shapes are static, so the cache holds every one of them."""
    steps: list[Step] = []
    for part in path.split(".") if path else []:
        match = _PART.match(part)
        if match is None:
            raise PathSyntaxError(f"bad path segment {part!r} in {path!r}")
        if match["name"]:
            steps.append(("key", match["name"]))
        for sub in _SUB.findall(match["subs"]):
            if sub == "*":
                steps.append(("all", ""))
            elif sub.isdigit():
                steps.append(("index", sub))
            elif "=" in sub:
                steps.append(("where", sub))
            else:
                raise PathSyntaxError(f"bad selector [{sub}] in {path!r}")
    return tuple(steps)


def join(base: str, step: Step, at: str | int = "") -> str:
    """The concrete path of a match, written the way users read paths."""
    kind, name = step
    if kind == "key":
        return f"{base}.{name}" if base else name
    return f"{base}[{at}]"


def resolve(value: object, path: str, base: str = "") -> Iterator[tuple[str, object]]:
    """Every (concrete path, value) that ``path`` selects in ``value``; missing keys yield none."""
    yield from _walk(value, compile_path(path), base)


def _walk(value: object, steps: tuple[Step, ...], at: str) -> Iterator[tuple[str, object]]:
    if not steps:
        yield at, value
        return
    step, rest = steps[0], steps[1:]
    kind, name = step
    if kind == "key":
        if isinstance(value, dict) and name in value:
            yield from _walk(value[name], rest, join(at, step))
        return
    if not isinstance(value, list):
        return
    if kind == "index":
        index = int(name)
        if index < len(value):
            yield from _walk(value[index], rest, join(at, step, index))
        return
    field, _, wanted = name.partition("=")
    for index, item in enumerate(value):
        if kind == "all" or (isinstance(item, dict) and str(item.get(field)) == wanted):
            yield from _walk(item, rest, join(at, step, index))


def first(value: object, paths: tuple[str, ...], base: str = "") -> tuple[str, object] | None:
    """The first path among alternatives that selects something other than null or ``""``."""
    for path in paths:
        for where, found in resolve(value, path, base):
            if found is not None and found != "":
                return where, found
    return None
