"""A canonical document (as ``model_dump(mode="json")``) -> X12 segments, by the same map.

Segments come out in the map's rule order, so a map lists its rules in the transaction set's
segment order. Loops repeat per list item; HL ids and parents are numbered here; qualifier
elements (``when``) and constants are written as given; ``count`` elements (CTT01) are
computed from the document or from the segments written so far.
"""

from __future__ import annotations

from typing import Any

from crossdock.mapping.x12.compile import CompiledMap
from crossdock.mapping.x12.nodes import Elem, Level, Rule
from crossdock.mapping.x12.read import _get
from crossdock.mapping.x12.values import (
    ValueProblem,
    clip,
    date_out,
    datetime_out,
    decimal_out,
    n2_out,
    split_text,
)
from crossdock.x12.model import Segment


class _State:
    __slots__ = ("compiled", "counts", "hl", "out")

    def __init__(self, compiled: CompiledMap) -> None:
        self.compiled = compiled
        self.out: list[Segment] = []
        self.counts: dict[str, int] = {}
        self.hl = 0

    def emit(self, tag: str, values: list[str]) -> None:
        while values and values[-1] == "":
            values.pop()
        self.out.append(Segment(tag, values, len(self.out) + 2))  # ST is position 1
        self.counts[tag] = self.counts.get(tag, 0) + 1


def write_document(compiled: CompiledMap, data: dict[str, Any]) -> list[Segment]:
    """The segments (between ST and SE) for ``data``; ValueProblem names a bad field."""
    state = _State(compiled)
    _write_level(compiled.root, data, state, 0)
    return state.out


def _write_level(level: Level, ctx: dict[str, Any], state: _State, parent_hl: int) -> None:
    for rule in level.rules:
        if rule.emit_if is not None and not _get(ctx, rule.emit_if):
            continue
        if rule.level is None:
            _write_segments(rule, ctx, state)
            continue
        target: Any = _get(ctx, rule.path) if rule.path else ctx
        if not target:
            continue
        items: list[dict[str, Any]] = target if rule.is_list else [target]
        for item in items:
            values, _ = _values(rule, item, state)
            own_hl = parent_hl
            if rule.hl:
                state.hl += 1
                own_hl = state.hl
                values[0] = str(own_hl)
                values[1] = str(parent_hl) if parent_hl else ""
            state.emit(rule.tag, values)
            _write_level(rule.level, item, state, own_hl)


def _write_segments(rule: Rule, ctx: dict[str, Any], state: _State) -> None:
    if rule.append is None:
        values, filled = _values(rule, ctx, state)
        if not filled:
            return
        elem = rule.split
        text = _get(ctx, elem.path) if elem is not None else None
        if elem is None or not isinstance(text, str) or len(text) <= elem.max_length:
            state.emit(rule.tag, values)
            return
        for piece in split_text(text, elem.max_length, elem.split):
            values[elem.index - 1] = piece
            state.emit(rule.tag, list(values))
        return
    slots = [e for e in rule.elems if e.append and e.write]
    if not slots:  # read-only (an inbound-only spelling of a field another rule writes)
        return
    items = _get(ctx, rule.append) or []
    for start in range(0, len(items), len(slots)):
        values, _ = _values(rule, ctx, state)
        for elem, item in zip(slots, items[start : start + len(slots)], strict=False):
            text = _encode(state.compiled, elem, item, values)
            values[elem.index - 1] = clip(text, elem.max_length) if elem.max_length else text
        state.emit(rule.tag, values)


def _values(rule: Rule, ctx: dict[str, Any], state: _State) -> tuple[list[str], bool]:
    """The rule's elements for ``ctx``, and whether any carries document data."""
    values = [""] * rule.width
    for index, _, emit in rule.when:
        values[index] = emit
    filled = False
    for elem in rule.elems:
        if elem.const is not None:
            values[elem.index - 1] = elem.const
            continue
        if elem.count is not None:
            count = _count(elem.count, ctx, state, rule.tag)
            values[elem.index - 1] = str(count)
            filled = filled or count > 0
            continue
        if elem.append or not elem.write:
            continue
        value = _get(ctx, elem.path)
        if value is None or value == "" or value == []:
            continue
        try:
            text = _encode(state.compiled, elem, value, values)
        except (ValueProblem, ValueError) as exc:
            raise ValueProblem(f"{rule.tag}{elem.index:02d} <- {elem.text}: {exc}") from exc
        values[elem.index - 1] = clip(text, elem.max_length) if elem.max_length else text
        filled = True
    for pairs in rule.pairs:
        slot = pairs.first - 1
        stop = slot + 2 * pairs.count
        for path, lengths, fallback in pairs.emit:
            if slot >= stop:
                break
            value = _get(ctx, path)
            if value is None or value == "":
                continue
            text = str(value)
            values[slot] = lengths.get(len(text), fallback)
            values[slot + 1] = text
            slot += 2
            filled = True
        other = _get(ctx, pairs.other) if pairs.other is not None else None
        if slot == pairs.first - 1 and isinstance(other, dict):
            values[slot] = str(other.get("qualifier", ""))
            values[slot + 1] = str(other.get("identifier", ""))
            filled = True
    if rule.const_if:
        for elem in rule.const_if:
            if values[elem.const_if - 1] == "":
                values[elem.index - 1] = ""
    return values, filled


def _count(what: str, ctx: dict[str, Any], state: _State, tag: str) -> int:
    """'lines': items in that list; '#HL': HL segments so far (counting this one, if an HL)."""
    if what.startswith("#"):
        return state.counts.get(what[1:], 0) + (1 if what[1:] == tag else 0)
    items = _get(ctx, tuple(what.split(".")))
    return len(items) if isinstance(items, list) else 0


def _encode(compiled: CompiledMap, elem: Elem, value: Any, values: list[str]) -> str:
    if elem.codes_out is not None:
        code = elem.codes_out.get(value)
        if code is not None:
            return code
        if elem.strict:
            raise ValueProblem(f"no X12 code for {value!r}")
        return str(value)
    kind = elem.kind
    if kind == "str" or kind == "int" or kind == "sscc":
        return str(value)
    if kind == "decimal":
        return decimal_out(value)
    if kind == "date":
        return date_out(value)
    if kind == "datetime":
        day, time = datetime_out(value, compiled.zone)
        if elem.time:
            values[elem.time - 1] = time
        return day
    if kind == "n2":
        return n2_out(value)
    raise ValueProblem(f"unknown type {kind!r}")
