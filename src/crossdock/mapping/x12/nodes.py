"""The compiled form of a map: slotted nodes the reader and writer walk.

Built by ``compile.CompiledMap`` from map data; nothing here validates (compile does), so the
per-segment code only reads attributes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Path = tuple[str, ...]


class Elem:
    """One element <-> one canonical field (or a write-only constant or count)."""

    __slots__ = (
        "append",
        "codes_in",
        "codes_out",
        "const",
        "const_if",
        "count",
        "index",
        "kind",
        "max_length",
        "path",
        "read",
        "split",
        "strict",
        "text",
        "time",
        "write",
    )

    def __init__(self, index: int, path: Path, append: bool, kind: str) -> None:
        self.index = index
        self.path = path
        self.append = append
        self.kind = kind
        self.text = ".".join(path)
        self.time: int = 0
        self.codes_in: dict[str, Any] | None = None
        self.codes_out: dict[Any, str] | None = None
        self.strict = True
        self.write = True
        self.read = True
        self.const: str | None = None
        self.const_if = 0
        self.count: str | None = None
        # Outbound only: free text longer than the X12 element allows is cut (see values.clip).
        self.max_length = 0
        # Outbound: longer text is spread over up to ``split`` repeats of the segment (G69);
        # inbound, repeats are joined back with a space (see values.split_text).
        self.split = 0


class Pairs:
    """Qualifier/value element pairs (PO106/PO107..., N103/N104): qualifier picks the field."""

    __slots__ = ("catch_all", "count", "emit", "first", "other", "targets")

    def __init__(self, first: int, count: int, targets: dict[str, Path], other: Path | None):
        self.first = first
        self.count = count
        self.targets = targets
        self.catch_all = targets.get("*")
        self.other = other
        self.emit: list[tuple[Path, dict[int, str], str]] = []


class Rule:
    """One segment (or the segment that opens a loop) and what it means in the document."""

    __slots__ = (
        "append",
        "const_if",
        "defaults",
        "elems",
        "emit_if",
        "fast",
        "hl",
        "is_list",
        "level",
        "name",
        "number",
        "once",
        "pairs",
        "path",
        "reads",
        "refs",
        "required",
        "sets",
        "skip",
        "split",
        "tag",
        "when",
        "when_more",
        "width",
    )

    def __init__(self, name: str, tag: str) -> None:
        self.name = name
        self.tag = tag
        self.when: tuple[tuple[int, frozenset[str], str], ...] = ()
        self.when_more = False  # more than one qualifier element to check
        self.required = False
        self.once = False
        self.elems: tuple[Elem, ...] = ()
        self.const_if: tuple[Elem, ...] = ()  # constants written only beside a value
        # Written only when this path has a value (a wrapper such as N9*L1 around MSG notes).
        self.emit_if: Path | None = None
        # Generated straight-line reader (see ``fastpath``), None until installed.
        self.fast: Callable[[dict[str, Any], Any, list[Any]], None] | None = None
        # (position, parent keys, last key, no conversion needed, elem), by position.
        self.reads: tuple[tuple[int, Path, str, bool, Elem], ...] = ()
        self.append: Path | None = None
        self.split: Elem | None = None  # the element spread over repeated segments
        self.pairs: tuple[Pairs, ...] = ()
        self.sets: tuple[tuple[Path, Any], ...] = ()
        self.refs: tuple[tuple[Path, Path], ...] = ()
        self.defaults: tuple[tuple[Path, Any], ...] = ()
        self.path: Path = ()
        self.is_list = False
        self.level: Level | None = None
        self.hl = False
        self.number: str | None = None
        self.width = 0
        # A stand-in for a segment or loop of the standard that the map does not read (see
        # ``shield``): claims the segment so no outer rule misreads it, and reads nothing.
        self.skip = False

    def matches(self, elements: list[str]) -> bool:
        """True when the segment's qualifier elements select this rule (N1*ST vs N1*BY)."""
        for index, values, _ in self.when:
            if index >= len(elements) or elements[index] not in values:
                return False
        return True


class Level:
    """The rules of the transaction root or of one loop, indexed by tag for the reader."""

    __slots__ = ("dispatch", "rules", "skips", "sticky")

    def __init__(self, rules: tuple[Rule, ...], sticky: bool) -> None:
        self.rules = rules
        self.sticky = sticky
        # Stand-ins for the standard's segments and loops the map does not read (``shield``):
        # in ``dispatch`` for the reader, never in ``rules``, so the writer does not see them.
        self.skips: tuple[Rule, ...] = ()
        # tag -> (rule, first qualifier position or -1, accepted values), in rule order.
        dispatch: dict[str, list[tuple[Rule, int, frozenset[str]]]] = {}
        for rule in rules:
            index, values = (rule.when[0][0], rule.when[0][1]) if rule.when else (-1, frozenset())
            dispatch.setdefault(rule.tag, []).append((rule, index, values))
        self.dispatch = {tag: tuple(found) for tag, found in dispatch.items()}

    def add_skips(self, skips: tuple[Rule, ...]) -> None:
        """Let the reader claim (and ignore) these tags at this level."""
        self.skips = skips
        for rule in skips:
            self.dispatch.setdefault(rule.tag, ((rule, -1, frozenset()),))
