"""A whole-transaction reader generated per map: the no-error hot path of ``read_segments``.

``read.read_segments`` interprets the map for every segment: it walks the stack of open loops
outwards, looks the tag up level by level, compares qualifiers, then calls the rule's reader.
On the intake budget (validation + mapping + pydantic in well under 100 us per transaction)
that interpretation was the largest cost. The stack of open loops is always the path from
the root to the innermost open loop, so that loop alone is the reader's *state*; for each
state and tag the rules the generic search would try, in its order, become one generated
function with the qualifier tests, the loop opening and the element reads inlined, which
returns the dispatch table of the next state.

Only valid input is handled here. Whatever ``read_segments`` would report (a value that does
not decode, a repeated once-only segment, a missing required segment) raises ``ValueProblem``
and the mapper reads the transaction again with ``read_segments``, which locates the error;
so on valid input the two must build the same dict, key order included
(``tests/unit/mapping/test_x12_fastread.py`` holds them to it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crossdock.mapping.x12.compile import CompiledMap
from crossdock.mapping.x12.fastrule import Emitter
from crossdock.mapping.x12.nodes import Level, Rule
from crossdock.x12.model import Segment

Reader = Callable[[list[Segment]], dict[str, Any]]
_ENVELOPE = frozenset({"ST", "SE"})  # read_segments skips them whatever the map says


def build_reader(compiled: CompiledMap) -> Reader:
    """The generated reader of ``compiled``: segments -> the dict ``read_segments`` builds."""
    return _Generator(compiled).build()


class _Generator(Emitter):
    """The reader's source: one dispatch table per state, handlers shared where they agree."""

    def __init__(self, compiled: CompiledMap) -> None:
        super().__init__(compiled.offset)
        self.compiled = compiled
        self.handlers: dict[tuple[Any, ...], str] = {}
        self.chains: list[tuple[Level, ...]] = []
        self.state: dict[int, int] = {}  # id(level) -> state number (its row<n> table)
        self.home: dict[int, Level] = {}  # id(rule) -> the level that holds it
        self._collect(compiled.root, ())

    def _collect(self, level: Level, chain: tuple[Level, ...]) -> None:
        chain = (*chain, level)
        self.state[id(level)] = len(self.chains)
        self.chains.append(chain)
        for rule in (*level.rules, *level.skips):
            self.home[id(rule)] = level
            if rule.level is not None:
                self._collect(rule.level, chain)

    def build(self) -> Reader:
        rows: list[dict[str, str]] = []
        for chain in self.chains:
            tags = {tag for level in chain for tag in level.dispatch} - _ENVELOPE
            row: dict[str, str] = {}
            for tag in sorted(tags):
                candidates = _candidates(chain, tag)
                if candidates:
                    row[tag] = self._handler(len(chain) - 1, candidates)
            rows.append(row)
        for number in range(len(rows)):
            self.env[f"row{number}"] = {}
        self.source += _reader_lines(self, self.compiled)
        text = "\n".join(self.source) + "\n"
        exec(compile(text, f"<x12 reader {self.compiled.code}>", "exec"), self.env)
        for number, row in enumerate(rows):
            self.env[f"row{number}"].update({tag: self.env[name] for tag, name in row.items()})
        reader: Reader = self.env["read"]
        return reader

    def _handler(self, depth: int, candidates: list[tuple[Rule, int]]) -> str:
        """One function per (state depth, candidate rules): shared by states that agree."""
        key = (depth, *((id(rule), at) for rule, at in candidates))
        name = self.handlers.get(key)
        if name is not None:
            return name
        name = self.handlers[key] = f"h{len(self.handlers)}"
        lines = [f"def {name}(els, ctxs, pending, seen):", "    n = len(els)"]
        firsts = {rule.when[0][0] for rule, _ in candidates if rule.when}
        shared = firsts.pop() if len(firsts) == 1 else -1  # N101, HL03...: fetched once
        if shared >= 0:
            lines.append(f"    qual = els[{shared}] if n > {shared} else None")
        for rule, at in candidates:
            tests = [
                f"qual in {self.const(values)}"
                if i == shared
                else f"n > {i} and els[{i}] in {self.const(values)}"
                for i, values, _ in rule.when
            ]
            if tests:
                lines.append(f"    if {' and '.join(tests)}:")
                lines += ["    " + line for line in self._body(rule, at, depth)]
            else:  # no qualifier: the search stops here
                lines += self._body(rule, at, depth)
                break
        else:
            lines.append("    return None")
        self.source += lines
        return name

    def _body(self, rule: Rule, at: int, depth: int) -> list[str]:
        """read_segments' steps for ``rule`` found at depth ``at`` while ``depth`` is open."""
        lines = []
        if depth > at:
            lines.append(f"    del ctxs[{at + 1}:]")
        lines.append("    ctx = ctxs[-1]")
        name = repr(rule.name)
        if rule.once:
            lines += [f"    if {name} in seen:", "        raise FALLBACK"]
        if rule.once or (at == 0 and rule.required):
            lines.append(f"    seen.add({name})")
        ordinal = "'0'"
        if rule.level is not None:
            ordinal = "'1'"
            if rule.path:
                lines.append("    p = ctx")
                lines += [f"    p = p.setdefault({key!r}, {{}})" for key in rule.path[:-1]]
                last = repr(rule.path[-1])
                if rule.is_list:
                    lines += [f"    items = p.setdefault({last}, [])", "    ctx = {}"]
                    lines.append("    items.append(ctx)")
                    ordinal = "str(len(items))"
                else:
                    lines += [f"    ctx = p.get({last})", "    if not isinstance(ctx, dict):"]
                    lines.append(f"        ctx = p[{last}] = {{}}")
            lines.append("    ctxs.append(ctx)")
        lines += self.apply(rule, rule.level is not None and rule.is_list and bool(rule.path))
        if rule.number is not None:
            lines += [
                f"    if {rule.number!r} not in ctx:",
                f"        ctx[{rule.number!r}] = {ordinal}",
            ]
        level = rule.level if rule.level is not None else self.home[id(rule)]
        lines.append(f"    return row{self.state[id(level)]}")
        return lines


def _candidates(chain: tuple[Level, ...], tag: str) -> list[tuple[Rule, int]]:
    """The rules read_segments tries for ``tag`` with ``chain`` open, in its order, by depth."""
    found: list[tuple[Rule, int]] = []
    for at in range(len(chain) - 1, -1, -1):
        level = chain[at]
        for rule, index, _ in level.dispatch.get(tag, ()):
            found.append((rule, at))
            if index < 0:
                return found
        if level.sticky and tag != "HL":
            break
    return found


def _reader_lines(gen: _Generator, compiled: CompiledMap) -> list[str]:
    """The per-transaction loop, then read_segments' closing steps (required, defaults, refs)."""
    lines = ["def read(segments):", "    root = {}", "    ctxs = [root]", "    pending = []"]
    lines += ["    seen = set()", "    row = row0", "    for segment in segments:"]
    lines += ["        h = row.get(segment.tag)", "        if h is not None:"]
    lines += ["            nxt = h(segment.elements, ctxs, pending, seen)"]
    lines += ["            if nxt is not None:", "                row = nxt"]
    required = tuple(rule.name for rule in compiled.root.rules if rule.required)
    if required:
        lines += [f"    for name in {gen.const(required)}:", "        if name not in seen:"]
        lines.append("            raise FALLBACK")
    for path, value in compiled.defaults:
        lines.append(f"    if _get(root, {gen.const(path)}) is None:")
        lines.append(f"        _put(root, {gen.const(path)}, {gen.const(value)})")
    lines += ["    for ctx, step in pending:", "        step(ctx, root)", "    return root"]
    return lines
