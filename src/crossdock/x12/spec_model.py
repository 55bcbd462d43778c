"""The shapes a transaction-set spec is written in, and the small text formats that fill them.

Specs are data: a segment is one line of element tokens (``"M353:purpose O324 | P0304"``),
a transaction set is an indented outline of segments and loops. Writing them as text keeps the
~60 segments and 11 transaction sets readable side by side with the X12 tables they come from,
and the parsers below turn them into frozen dataclasses once, when a spec is first asked for.

Element token grammar: ``<usage><ref>[:<code list>][^<repeat>]`` where usage is M (mandatory),
O (optional) or X (conditional, governed by the segment's syntax notes); ``ref`` is a data
element number (``353``) or a composite id (``C040``). Syntax notes follow ``|`` in their X12
form: ``P0304`` (paired), ``R0203`` (at least one), ``E0102`` (exclusion), ``C0403`` (if 04
then 03), ``L030405`` (if 03 then at least one of 04, 05).
"""

from __future__ import annotations

from dataclasses import dataclass, field

UNBOUNDED = 0  # max use / max repeat written as '>1' in the X12 tables


@dataclass(frozen=True, slots=True)
class ElementSpec:
    """One data element (or composite) slot of a segment or composite."""

    ref: str
    usage: str  # 'M', 'O' or 'X'
    codes: str | None = None  # name of a code list in ``specs.code_lists``
    repeat: int = 1


@dataclass(frozen=True, slots=True)
class SyntaxNote:
    """An X12 relational condition over element positions (1-based)."""

    kind: str  # 'P', 'R', 'E', 'C' or 'L'
    positions: tuple[int, ...]

    def __str__(self) -> str:
        return self.kind + "".join(f"{p:02d}" for p in self.positions)


@dataclass(frozen=True, slots=True)
class SegmentSpec:
    """A segment dictionary entry."""

    id: str
    name: str
    elements: tuple[ElementSpec, ...]
    notes: tuple[SyntaxNote, ...] = ()


@dataclass(frozen=True, slots=True)
class CompositeSpec:
    """A composite data structure (e.g. C040 reference identifier)."""

    id: str
    elements: tuple[ElementSpec, ...]
    notes: tuple[SyntaxNote, ...] = ()


@dataclass(frozen=True, slots=True)
class SegmentUse:
    """A segment's place in a transaction structure."""

    id: str
    usage: str  # 'M' or 'O'
    max_use: int  # UNBOUNDED for '>1'
    # The set's built-in map reads this segment (a trailing ``*`` on its STRUCTURE line).
    # Documentation only: validation treats mapped and unmapped segments alike.
    mapped: bool = False


@dataclass(frozen=True, slots=True)
class LoopSpec:
    """A loop: its first segment triggers it; ``max_repeat`` UNBOUNDED for '>1'.

    ``usage`` is the loop's own requirement in its parent ('M' or 'O'); the trigger segment's
    usage inside the loop only says the loop cannot exist without it.
    """

    id: str
    max_repeat: int
    children: tuple[SegmentUse | LoopSpec, ...]
    usage: str = "O"


@dataclass(frozen=True, slots=True)
class HierarchySpec:
    """HL rules: level codes by rank; a child's level must rank strictly below its parent's."""

    ranks: dict[str, int]
    root_levels: frozenset[str]


@dataclass(frozen=True, slots=True)
class TransactionSpec:
    """One transaction set in one base version, ready to compile into lookup tables."""

    code: str
    version: str
    name: str
    structure: LoopSpec  # the whole set, ST..SE, as the root loop
    segments: dict[str, SegmentSpec]
    composites: dict[str, CompositeSpec]
    elements: dict[str, tuple[str, int, int]]
    code_lists: dict[str, frozenset[str]]
    hierarchy: HierarchySpec | None = None
    known_segment_ids: frozenset[str] = field(default_factory=frozenset)

    def mapped_segment_ids(self) -> set[str]:
        """Every segment id the structure marks as read by the set's built-in map."""
        found: set[str] = set()
        stack: list[LoopSpec] = [self.structure]
        while stack:
            for child in stack.pop().children:
                if isinstance(child, LoopSpec):
                    stack.append(child)
                elif child.mapped:
                    found.add(child.id)
        return found

    def segment_ids(self) -> set[str]:
        """Every segment id the structure mentions."""
        found: set[str] = set()
        stack: list[LoopSpec] = [self.structure]
        while stack:
            for child in stack.pop().children:
                if isinstance(child, LoopSpec):
                    stack.append(child)
                else:
                    found.add(child.id)
        return found


def parse_element_tokens(text: str) -> tuple[tuple[ElementSpec, ...], tuple[SyntaxNote, ...]]:
    """Parse ``"M353:list O324^3 | P0304"`` into element specs and syntax notes."""
    body, _, note_text = text.partition("|")
    elements: list[ElementSpec] = []
    for token in body.split():
        usage, rest = token[0], token[1:]
        if usage not in "MOX":
            raise ValueError(f"bad usage in element token {token!r}")
        repeat = 1
        if "^" in rest:
            rest, _, count = rest.partition("^")
            repeat = int(count)
        ref, _, codes = rest.partition(":")
        elements.append(ElementSpec(ref, usage, codes or None, repeat))
    notes = tuple(parse_note(n) for n in note_text.split())
    return tuple(elements), notes


def parse_note(text: str) -> SyntaxNote:
    """``'P0304'`` -> SyntaxNote('P', (3, 4))."""
    kind, digits = text[0], text[1:]
    if kind not in "PRECL" or len(digits) % 2 or not digits.isdigit():
        raise ValueError(f"bad syntax note {text!r}")
    return SyntaxNote(kind, tuple(int(digits[i : i + 2]) for i in range(0, len(digits), 2)))


def parse_segments(table: dict[str, tuple[str, str]]) -> dict[str, SegmentSpec]:
    """Build the segment dictionary from ``{id: (name, element tokens)}``."""
    out: dict[str, SegmentSpec] = {}
    for seg_id, (name, tokens) in table.items():
        elements, notes = parse_element_tokens(tokens)
        out[seg_id] = SegmentSpec(seg_id, name, elements, notes)
    return out


def parse_composites(table: dict[str, str]) -> dict[str, CompositeSpec]:
    """Build composites from ``{id: element tokens}``."""
    out: dict[str, CompositeSpec] = {}
    for comp_id, tokens in table.items():
        elements, notes = parse_element_tokens(tokens)
        out[comp_id] = CompositeSpec(comp_id, elements, notes)
    return out


def _max(text: str) -> int:
    return UNBOUNDED if text.startswith(">") else int(text)


def parse_structure(text: str, set_code: str) -> LoopSpec:
    """Parse an indented outline into the root loop.

    Each line is ``SEG M 1`` / ``SEG O >1`` or a loop header ``[LOOPID 200]`` (optional loop)
    or ``[LOOPID 200 M]`` (mandatory loop) whose members follow, indented two more spaces; the
    first member triggers the loop. A trailing ``*`` on a segment line (``BEG M 1 *``) marks a
    segment the set's built-in map reads (``SegmentUse.mapped``).
    """
    root: list[SegmentUse | LoopSpec] = []
    # stack of (indent, loop id, max repeat, usage, children)
    stack: list[_Open] = [(-1, set_code, 1, "M", root)]
    for raw in text.splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip())
        while indent <= stack[-1][0]:
            _close(stack)
        line = raw.strip()
        if line.startswith("["):
            loop_id, max_repeat, *loop_usage = line.strip("[]").split()
            stack.append((indent, loop_id, _max(max_repeat), "".join(loop_usage) or "O", []))
        else:
            seg_id, usage, max_use, *mark = line.split()
            if mark not in ([], ["*"]):
                raise ValueError(f"bad structure line {line!r} in {set_code}")
            stack[-1][4].append(SegmentUse(seg_id, usage, _max(max_use), bool(mark)))
    while len(stack) > 1:
        _close(stack)
    return LoopSpec(set_code, 1, tuple(root))


_Open = tuple[int, str, int, str, list[SegmentUse | LoopSpec]]


def _close(stack: list[_Open]) -> None:
    _, loop_id, max_repeat, usage, children = stack.pop()
    if not children or not isinstance(children[0], SegmentUse):
        raise ValueError(f"loop {loop_id} must start with a segment")
    stack[-1][4].append(LoopSpec(loop_id, max_repeat, tuple(children), usage))
