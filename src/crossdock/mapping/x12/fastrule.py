"""The source of one rule's work on a segment, for the reader ``fastread`` generates.

Split from ``fastread`` (which generates the loop structure around it): here are the
element reads with their decoding, the parents created on the way, the qualifier/value
pairs, and the end-of-transaction steps (``set`` references, ``default``), each as the
interpreter (``read._apply``, ``read.read_pairs``, the end of ``read.read_segments``) does
them, minus error reporting: a value that does not decode raises.
"""

from __future__ import annotations

from typing import Any

from crossdock.mapping.x12.fastpath import assign_lines
from crossdock.mapping.x12.nodes import Elem, Pairs, Path, Rule
from crossdock.mapping.x12.read import _get, _put
from crossdock.mapping.x12.values import (
    ValueProblem,
    join_text,
    n2_to_decimal,
    x12_date_to_iso,
    x12_datetime_to_iso,
)


class Fallback(ValueProblem):
    """Raised where ``read_segments`` would record an error: read again with it."""


FALLBACK = Fallback("read with read_segments")


class Emitter:
    """Generated source (``source``) and the constants it refers to (``env``)."""

    def __init__(self, offset: str) -> None:
        self.env: dict[str, Any] = {
            "FALLBACK": FALLBACK,
            "MISSING": object(),
            "OFFSET": offset,
            "_get": _get,
            "_put": _put,
            "date": x12_date_to_iso,
            "datetime": x12_datetime_to_iso,
            "n2": n2_to_decimal,
            "join_text": join_text,
        }
        self.names: dict[int, str] = {}
        self.source: list[str] = []
        self.steps: list[str] = []

    def const(self, value: Any) -> str:
        """The name under which the generated code sees ``value`` (kept alive by ``env``)."""
        name = self.names.get(id(value))
        if name is None:
            name = self.names[id(value)] = f"k{len(self.names)}"
            self.env[name] = value
        return name

    def apply(self, rule: Rule, fresh: bool) -> list[str]:
        """``fastpath``'s per-rule reader, inlined; decoding errors raise.

        A one-key parent (``quantity`` of ``quantity.value``) is looked up once per segment
        and kept in a local; in a list item the rule has just created (``fresh``), it cannot
        exist before this rule creates it, so it is not looked up at all.
        """
        lines = []
        for path, value in rule.sets:
            lines += assign_lines(path[:-1], path[-1], self.const(value), False, "    ")
        if rule.refs or rule.defaults:
            lines.append(f"    pending.append((ctx, {self.pending(rule)}))")
        fresh = fresh and not rule.sets
        whole = {last for _, head, last, _, _ in rule.reads if not head}
        keys = [h[0] for _, h, _, _, _ in rule.reads if len(h) == 1 and h[0] not in whole]
        holders: dict[str, str] = {}
        lines += _fetch([position for position, _, _, _, _ in rule.reads])
        for i, (_, head, last, plain, elem) in enumerate(rule.reads):
            key = head[0] if len(head) == 1 and head[0] not in whole else None
            shared = key is not None and keys.count(key) > 1
            if key is not None and key not in holders:
                holders[key] = f"u{len(holders)}"
                if shared:
                    lines.append(f"    {holders[key]} = None")
            lines.append(f"    if r{i}:")
            if not plain:
                lines += ["        " + line for line in self.decode(i, elem)]
            value = f"r{i}" if plain else f"v{i}"
            if key is None:
                lines += assign_lines(head, last, value, elem.append, "        ", bool(elem.split))
                continue
            holder, indent = holders[key], "        "
            if shared:
                lines.append(f"        if {holder} is None:")
                indent += "    "
            if fresh:
                lines.append(f"{indent}{holder} = ctx[{key!r}] = {{}}")
            else:
                lines += [f"{indent}{holder} = ctx.get({key!r})", f"{indent}if {holder} is None:"]
                lines.append(f"{indent}    {holder} = ctx[{key!r}] = {{}}")
            if elem.append:
                lines.append(f"        {holder}.setdefault({last!r}, []).append({value})")
            elif elem.split:
                lines.append(f"        join_text({holder}, {last!r}, {value})")
            else:
                lines.append(f"        {holder}[{last!r}] = {value}")
        for pairs in rule.pairs:
            lines += self.pairs(pairs)
        return lines

    def pending(self, rule: Rule) -> str:
        """A function doing read_segments' end-of-transaction step for the rule's refs and
        defaults (a value from the root / a constant, unless the field is already set)."""
        name = f"pend{len(self.steps)}"
        self.steps.append(name)
        lines = [f"def {name}(ctx, root):"]
        steps = [(t, s, None) for t, s in rule.refs] + [(t, None, c) for t, c in rule.defaults]
        for target, source, constant in steps:
            if source is None:
                lines.append(f"    value = {self.const(constant)}")
            elif len(source) == 1:
                lines.append(f"    value = root.get({source[0]!r})")
            else:
                lines.append(f"    value = _get(root, {self.const(source)})")
            if len(target) == 1:
                lines.append("    parent = ctx")
            elif len(target) == 2:
                lines.append(f"    parent = ctx.get({target[0]!r})")
            else:
                lines.append(f"    parent = _get(ctx, {self.const(target[:-1])})")
            last = repr(target[-1])
            test = f"value is not None and isinstance(parent, dict) and {last} not in parent"
            lines += [f"    if {test}:", f"        parent[{last}] = value"]
        self.source += lines
        return name

    def decode(self, i: int, elem: Elem) -> list[str]:
        """``read.decode`` for one element, as source; ``v<i>`` holds the value."""
        if elem.codes_in is not None:
            lines = [f"v{i} = {self.const(elem.codes_in)}.get(r{i}.strip(), MISSING)"]
            lines.append(f"if v{i} is MISSING:")
            lines.append(f"    v{i} = r{i}.strip()" if not elem.strict else "    raise FALLBACK")
            return lines
        if elem.kind == "date":
            return [f"v{i} = date(r{i})"]
        if elem.kind == "datetime":
            at = elem.time
            time = f"els[{at - 1}] if n >= {at} else ''" if at > 0 else "''"
            return [f"v{i} = datetime(r{i}, {time}, OFFSET)"]
        if elem.kind == "n2":
            return [f"v{i} = n2(r{i})"]
        if elem.kind == "sscc":
            return [f"v{i} = r{i}[2:] if len(r{i}) == 20 and r{i}.startswith('00') else r{i}"]
        return [f"v{i} = r{i}"]  # pragma: no cover (plain kinds are not decoded)

    def pairs(self, pairs: Pairs) -> list[str]:
        """``read.read_pairs`` as source: the qualifier picks the field; first one wins."""
        start = pairs.first - 1
        split = {q: _split(path) for q, path in pairs.targets.items() if path}
        catch = f" or {self.const(_split(pairs.catch_all))}" if pairs.catch_all else ""
        if pairs.count == 1:  # no loop for N103/N104
            head = [f"if n > {start + 1}:", f"    q = els[{start}]", f"    w = els[{start + 1}]"]
        else:
            stop = start + 2 * pairs.count
            head = [f"for p in range({start}, ({stop} if n > {stop} else n) - 1, 2):"]
            head += ["    q = els[p]", "    w = els[p + 1]"]
        other = "pass"
        if pairs.other is not None:
            where = self.const(pairs.other)
            other = f"if _get(ctx, {where}) is None: _put(ctx, {where}, {{'qualifier': q, 'identifier': w}})"
        pattern = _PAIR if any(isinstance(k, tuple) for k, _ in split.values()) else _PAIR_SHORT
        body = pattern.format(targets=self.const(split), catch=catch, other=other)
        return ["    " + line for line in head + body.splitlines()]


def _fetch(positions: list[int]) -> list[str]:
    """``r<i> = els[<position>]`` ('' past the end), testing the length once when it can."""
    if not positions:
        return []
    lines = [f"    if n > {max(positions)}:"]
    lines += [f"        r{i} = els[{position}]" for i, position in enumerate(positions)]
    lines.append("    else:")
    lines += [f"        r{i} = els[{p}] if n > {p} else ''" for i, p in enumerate(positions)]
    return lines


# One qualifier/value pair: ``f`` is (parent: None, a key or a key path; the field's key).
_PAIR = """\
    if q and w:
        f = {targets}.get(q){catch}
        if f is None:
            {other}
        else:
            k, last = f
            if k is None:
                h = ctx
            elif k.__class__ is tuple:
                h = ctx
                for key in k:
                    x = h.get(key)
                    if x is None:
                        x = h[key] = {{}}
                    h = x
            else:
                h = ctx.get(k)
                if h is None:
                    h = ctx[k] = {{}}
            if last not in h:
                h[last] = w"""


# The same when no target is deeper than one parent key (``item.sku``): the usual case.
_PAIR_SHORT = """\
    if q and w:
        f = {targets}.get(q){catch}
        if f is None:
            {other}
        else:
            k, last = f
            if k is None:
                h = ctx
            else:
                h = ctx.get(k)
                if h is None:
                    h = ctx[k] = {{}}
            if last not in h:
                h[last] = w"""


def _split(path: Path) -> tuple[str | tuple[str, ...] | None, str]:
    """A pair target as (its parent: None, one key or a key path; its own key)."""
    head = path[:-1]
    return (None if not head else head[0] if len(head) == 1 else head), path[-1]
