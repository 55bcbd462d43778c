"""X12 segments -> a plain dict shaped like the canonical document (validated afterwards).

A stack of open loops is kept; a segment is offered to the innermost loop's rules first and
then to the enclosing loops', closing the inner ones when an outer rule takes it (that is how
X12 loops end). HL loops are "sticky": only another HL closes them, because partners put
N1/REF/DTM at any hierarchy level and such a segment must not end an order or a pack.
Segments no rule claims are skipped: the spec validator, not the mapping, judges syntax.
"""

from __future__ import annotations

from typing import Any

from crossdock.mapping.x12.compile import CompiledMap
from crossdock.mapping.x12.errors import MappingError
from crossdock.mapping.x12.nodes import Elem, Level, Pairs, Path, Rule
from crossdock.mapping.x12.values import (
    UnknownCode,
    ValueProblem,
    join_text,
    n2_to_decimal,
    sscc_in,
    x12_date_to_iso,
    x12_datetime_to_iso,
)
from crossdock.x12.model import Segment

Origin = tuple[int, str, int | None]
Trace = dict[tuple[Any, ...], Origin]
_ENVELOPE = frozenset({"ST", "SE"})


def read_segments(
    compiled: CompiledMap, segments: list[Segment], trace: Trace | None = None
) -> tuple[dict[str, Any], list[MappingError]]:
    """Map ``segments`` onto a dict; ``trace`` (when given) records each field's origin."""
    root: dict[str, Any] = {}
    errors: list[MappingError] = []
    pending: list[tuple[dict[str, Any], Path, Path | None, Any]] = []
    seen: set[str] = set()
    stack: list[tuple[Level, dict[str, Any], tuple[Any, ...]]] = [(compiled.root, root, ())]
    for segment in segments:
        tag = segment.tag
        if tag in _ENVELOPE:
            continue
        top = depth = len(stack) - 1
        found: Rule | None = None
        elements = segment.elements
        while depth >= 0:
            level = stack[depth][0]
            candidates = level.dispatch.get(tag)
            if candidates is not None:
                for rule, index, values in candidates:
                    if index < 0:  # no qualifier
                        found = rule
                        break
                    if index < len(elements) and elements[index] in values:
                        if rule.when_more and not rule.matches(elements):
                            continue
                        found = rule
                        break
                if found is not None:
                    break
            if level.sticky and tag != "HL":
                break
            depth -= 1
        if found is None:
            continue
        if depth != top:
            del stack[depth + 1 :]
        _, ctx, ctx_path = stack[depth]
        if depth == 0 or found.once:
            if found.once and found.name in seen:
                reason = f"{tag} may occur once here: {compiled.document_type} holds one"
                errors.append(MappingError(reason, "", segment.position, tag))
                continue
            seen.add(found.name)
        if found.level is not None:
            ctx, ctx_path, ordinal = _open(found, ctx, ctx_path)
            stack.append((found.level, ctx, ctx_path))
            if trace is not None and not found.skip:
                trace[ctx_path] = (segment.position, tag, None)
        else:
            ordinal = 0
        fast = found.fast
        if fast is None or trace is not None:
            _apply(compiled, found, segment, ctx, ctx_path, errors, trace, pending)
        else:
            try:
                fast(ctx, segment, pending)
            except ValueProblem:  # raised before any change: let the generic path report it
                _apply(compiled, found, segment, ctx, ctx_path, errors, trace, pending)
        if found.number is not None and found.number not in ctx:
            ctx[found.number] = str(ordinal)
    for rule in compiled.root.rules:
        if rule.required and rule.name not in seen:
            first = rule.elems[0].text if rule.elems else ".".join(rule.path)
            errors.append(
                MappingError(f"required segment {rule.tag} is missing", first, None, rule.tag)
            )
    for path, value in compiled.defaults:
        if _get(root, path) is None:
            _put(root, path, value)
    for ctx, target, source, constant in pending:
        value = constant if source is None else _get(root, source)
        parent = _get(ctx, target[:-1]) if len(target) > 1 else ctx
        if value is not None and isinstance(parent, dict) and target[-1] not in parent:
            parent[target[-1]] = value
    return root, errors


def _open(
    rule: Rule, ctx: dict[str, Any], ctx_path: tuple[Any, ...]
) -> tuple[dict[str, Any], tuple[Any, ...], int]:
    """Create (or, for a non-list path, reuse) the object a loop instance fills."""
    if not rule.path:
        return ctx, ctx_path, 1
    parent = ctx
    for key in rule.path[:-1]:
        parent = parent.setdefault(key, {})
    last = rule.path[-1]
    if rule.is_list:
        items = parent.setdefault(last, [])
        new: dict[str, Any] = {}
        items.append(new)
        return new, (*ctx_path, *rule.path, len(items) - 1), len(items)
    existing = parent.get(last)
    if not isinstance(existing, dict):
        existing = parent[last] = {}
    return existing, (*ctx_path, *rule.path), 1


def _apply(
    compiled: CompiledMap,
    rule: Rule,
    segment: Segment,
    ctx: dict[str, Any],
    ctx_path: tuple[Any, ...],
    errors: list[MappingError],
    trace: Trace | None,
    pending: list[tuple[dict[str, Any], Path, Path | None, Any]],
) -> None:
    elements = segment.elements
    count = len(elements)
    if rule.sets or rule.refs or rule.defaults:
        for path, value in rule.sets:
            _put(ctx, path, value)
        for target, source in rule.refs:
            pending.append((ctx, target, source, None))
        for target, constant in rule.defaults:
            pending.append((ctx, target, None, constant))
    for position, head, last, plain, elem in rule.reads:
        if position >= count:
            break
        raw = elements[position]
        if not raw:
            continue
        if plain:
            value = raw
        else:
            try:
                value = decode(compiled, elem, raw, elements)
            except ValueProblem as problem:
                field = ".".join(str(p) for p in (*ctx_path, *elem.path))
                reason, code = str(problem), None
                if isinstance(problem, UnknownCode):  # name the element: 'BEG01 unknown code'
                    reason, code = f"{segment.tag}{elem.index:02d} {reason}", problem.code
                errors.append(
                    MappingError(
                        reason, field, segment.position, segment.tag, elem.index, code=code
                    )
                )
                continue
        holder = ctx
        for key in head:
            nxt = holder.get(key)
            if nxt is None:
                nxt = holder[key] = {}
            holder = nxt
        if elem.append:
            items = holder.setdefault(last, [])
            items.append(value)
            if trace is not None:
                where = (*ctx_path, *elem.path, len(items) - 1)
                trace[where] = (segment.position, segment.tag, elem.index)
        elif elem.split:
            join_text(holder, last, value)
            if trace is not None:
                trace[(*ctx_path, *elem.path)] = (segment.position, segment.tag, elem.index)
        else:
            holder[last] = value
            if trace is not None:
                trace[(*ctx_path, *elem.path)] = (segment.position, segment.tag, elem.index)
    for pairs in rule.pairs:
        read_pairs(pairs, ctx, ctx_path, segment, trace)


def read_pairs(
    pairs: Pairs,
    ctx: dict[str, Any],
    ctx_path: tuple[Any, ...],
    segment: Segment,
    trace: Trace | None,
) -> None:
    """Qualifier/value pairs onto ``ctx``: the qualifier picks the field; first one wins."""
    elements = segment.elements
    count = len(elements)
    start = pairs.first - 1
    stop = min(start + 2 * pairs.count, count)
    for position in range(start, stop - 1, 2):
        qualifier, value = elements[position], elements[position + 1]
        if not qualifier or not value:
            continue
        found_path = pairs.targets.get(qualifier) or pairs.catch_all
        if found_path is None:
            other = pairs.other
            if other is not None and _get(ctx, other) is None:
                _put(ctx, other, {"qualifier": qualifier, "identifier": value})
                if trace is not None:
                    trace[(*ctx_path, *other)] = (segment.position, segment.tag, position + 2)
            continue
        holder = ctx
        for key in found_path[:-1]:
            nxt = holder.get(key)
            if nxt is None:
                nxt = holder[key] = {}
            holder = nxt
        if found_path[-1] not in holder:  # the first id sent for a field wins
            holder[found_path[-1]] = value
            if trace is not None:
                trace[(*ctx_path, *found_path)] = (segment.position, segment.tag, position + 2)


def decode(compiled: CompiledMap, elem: Elem, raw: str, elements: list[str]) -> Any:
    """One non-plain element value (code table, date, N2, SSCC) as the model reads it."""
    if elem.codes_in is not None:
        code = raw.strip()
        if code in elem.codes_in:
            return elem.codes_in[code]
        if elem.strict:
            raise UnknownCode(code, sorted(elem.codes_in))
        return code
    kind = elem.kind
    if kind == "date":
        return x12_date_to_iso(raw)
    if kind == "datetime":
        time = elements[elem.time - 1] if 0 < elem.time <= len(elements) else ""
        return x12_datetime_to_iso(raw, time, compiled.offset)
    if kind == "n2":
        return n2_to_decimal(raw)
    if kind == "sscc":
        return sscc_in(raw)
    return raw


def _put(ctx: dict[str, Any], path: Path, value: Any, append: bool = False) -> tuple[int, ...]:
    """Set ``value`` at ``path`` creating dicts on the way; returns the list index appended."""
    for key in path[:-1]:
        nxt = ctx.get(key)
        if not isinstance(nxt, dict):
            nxt = ctx[key] = {}
        ctx = nxt
    if append:
        items = ctx.setdefault(path[-1], [])
        items.append(value)
        return (len(items) - 1,)
    ctx[path[-1]] = value
    return ()


def _get(ctx: Any, path: Path) -> Any:
    for key in path:
        if not isinstance(ctx, dict):
            return None
        ctx = ctx.get(key)
    return ctx
