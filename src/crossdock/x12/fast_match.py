"""One regular expression per transaction set: the validator's fast path for elements.

Checking ~150 elements per transaction one Python call at a time costs more than the hub's
whole budget (~60 us per transaction). So a compiled spec also gets a single pattern over the
whole transaction (``RS`` before each segment, ``SEP`` between tag and elements) that picks
each segment's element pattern by its tag (a trie, so dispatch is a few character tests) and
checks types, lengths, code lists (as tries) and syntax notes (as lookaheads) in C.

The pattern is deliberately conservative: a match proves no element has a finding; no match
sends the transaction to the precise checks in ``validator``, which decide what, if anything,
is wrong. It may reject valid input (that only costs speed) but must never accept invalid
input; ``tests/unit/x12/test_validator_fastpath.py`` checks that on mutated corpus documents.
(The loop structure stays with the validator's walker: a regex over a long optional sequence
tries every skipped position in turn, which measured slower than the walker's dict lookups.)
"""

from __future__ import annotations

import re

from crossdock.x12.value_checks import AN, DATE, ID, NUM, REAL, TIME

SEP = "\x1f"  # between a segment's tag and its elements, and between elements
RS = "\x1e"  # before every segment
# Printable ASCII plus printable Latin-1 (not NBSP/soft hyphen); anything else takes the slow path.
_TEXT = r"[ -~\xa1-\xac\xae-\xff]"
_CODE = r"[ -~]"
_ALNUM = r"[0-9A-Za-z]"
_DAY_MONTH = (
    r"(?:(?:0[1-9]|1[0-2])(?:0[1-9]|1[0-9]|2[0-8])"
    r"|(?:0[13-9]|1[0-2])(?:29|30)|(?:0[13578]|1[02])31)"
)
# Boundaries are negative lookaheads of one class, and optional parts are written "(?:X|)"
# rather than "(?:X)?": sre runs those as a single class test and a plain branch, where
# "(?=[..]|$)" is a branch inside an assertion and "(...)?" a counted repeat; about a
# quarter of the match time on the bench mix. (Not "$": it also matches before a final
# newline, a position no match can use anyway.)
_END = r"(?![^\x1f\x1e])"  # at an element boundary or the end of the text
_SEGMENT_END = r"(?![^\x1e])"  # at a segment boundary or the end of the text
_FIELD = r"[^\x1f\x1e]"

# (mandatory, value pattern or None when only the slow path can judge a value)
Slot = tuple[bool, str | None]


def element_pattern(
    kind: int,
    low: int,
    high: int,
    codes: frozenset[str] | None = None,
    *,
    composite: bool = False,
) -> str | None:
    """A conservative pattern for one non-empty value, or None when only the slow path will do."""
    if codes is not None:
        return code_trie(sorted(c for c in codes if low <= len(c) <= high))
    # Repeats are possessive ("+"): a value is always followed by a boundary its class cannot
    # match, so giving characters back could never succeed, only cost time.
    if kind == AN:
        return f"{_TEXT}{{{low},{high}}}+"
    if kind == ID:
        return f"{_ALNUM if composite else _CODE}{{{low},{high}}}+"
    if kind == NUM:
        return f"-?[0-9]{{{low},{high}}}+"
    if kind == REAL:
        if low > 1:
            return f"-?[0-9]{{{low},{high}}}+"
        return f"-?(?:[0-9]{{1,{high}}}+|(?=[0-9.]{{2,{high + 1}}}{_END})[0-9]*+\\.[0-9]++)"
    if kind == DATE:
        options = []
        if low <= 8 <= high:
            options.append(f"[0-9]{{4}}{_DAY_MONTH}")
        if low <= 6 <= high:
            options.append(f"[0-9]{{2}}{_DAY_MONTH}")
        return "(?:" + "|".join(options) + ")" if options else None
    if kind == TIME:
        return (
            f"(?=[0-9]{{{low},{high}}}{_END})"
            r"(?:[01][0-9]|2[0-3])[0-5][0-9](?:[0-5][0-9][0-9]{0,2}|)"
        )
    return None


def code_trie(codes: list[str]) -> str:
    """An alternation of ``codes`` factored by first character, ending at an element boundary."""
    if not codes:
        return "(?!)"
    return f"(?:{_trie(codes)}){_END}"


def _trie(codes: list[str]) -> str:
    groups: dict[str, list[str]] = {}
    for code in codes:
        groups.setdefault(code[:1], []).append(code[1:])
    options = []
    for first, rests in groups.items():
        tails = [r for r in rests if r]
        inner = _trie(tails) if tails else ""
        if "" in rests and tails:
            options.append(f"{re.escape(first)}(?:{inner}|)")
        elif tails:
            options.append(f"{re.escape(first)}(?:{inner})")
        else:
            options.append(re.escape(first))
    return "|".join(options)


def segment_body(slots: list[Slot], notes: tuple[tuple[str, tuple[int, ...]], ...]) -> str:
    """The element part of one segment: syntax notes, then each element in turn.

    Elements up to the last mandatory one must be present (possibly empty when optional);
    later ones may be omitted from the end, as X12 drops trailing empty elements. Paired and
    conditional notes over two neighbouring optional elements (PO106/PO107, PO405/PO406 and
    the like: most notes in practice) become one two-element unit listing the allowed
    present/empty combinations; other notes become lookaheads, which cost more to evaluate.
    """
    allowed: dict[int, set[tuple[bool, bool]]] = {}
    other_notes: list[tuple[str, tuple[int, ...]]] = []
    for kind, positions in notes:
        forbidden = _pair_forbids(kind, positions)
        start = min(positions) - 1 if forbidden else -1
        if (
            forbidden
            and start + 1 < len(slots)
            and not slots[start][0]
            and not slots[start + 1][0]
            and start - 1 not in allowed
            and start + 1 not in allowed
        ):
            combos = allowed.setdefault(start, set(_COMBOS))
            combos -= forbidden
            continue
        other_notes.append((kind, positions))
    # Every element ends at a boundary, so no element can match a prefix of its value.
    units: list[tuple[bool, str]] = []
    starts: list[int] = []  # element index each unit starts at
    index = 0
    while index < len(slots):
        mandatory, pattern = slots[index]
        starts.append(index)
        if index in allowed:
            units.append((False, _pair(pattern, slots[index + 1][1], allowed[index])))
            index += 2
            continue
        if pattern is None:
            units.append((mandatory, "(?!)" if mandatory else _END))
        else:
            units.append(
                (mandatory, f"(?:{pattern}){_END}" if mandatory else f"(?:{pattern}|){_END}")
            )
        index += 1
    # Other notes are lookaheads anchored at the unit of their lowest element: a segment that
    # ends before it satisfies the note anyway (all absent), so the check is skipped, and the
    # scan covers only the distance between the note's elements. R notes need one present
    # element, so they stay at the start of the segment.
    lookaheads: list[str] = []
    for kind, positions in other_notes:
        if kind == "R":
            lookaheads.append(_note(kind, positions))
            continue
        at = max(u for u, start in enumerate(starts) if start <= min(positions) - 1)
        relative = tuple(p - starts[at] for p in positions)
        mandatory, body = units[at]
        units[at] = (mandatory, _note(kind, relative) + body)
    last_mandatory = max((i for i, (m, _) in enumerate(units) if m), default=0)
    split = min(last_mandatory + 1, len(units))
    tail = ""
    for _, later in reversed(units[split:]):
        tail = f"(?:{SEP}{later}{tail}|)"
    tail += _SEGMENT_END  # and no elements beyond the last defined one
    return "".join(lookaheads) + SEP.join(unit for _, unit in units[:split]) + tail


_COMBOS = ((True, True), (True, False), (False, True), (False, False))


def _pair_forbids(kind: str, positions: tuple[int, ...]) -> set[tuple[bool, bool]]:
    """Presence combinations a note forbids for neighbouring elements (empty: not a pair note)."""
    if len(positions) != 2 or abs(positions[0] - positions[1]) != 1 or kind not in "PC":
        return set()
    if kind == "P":
        return {(True, False), (False, True)}
    # C: if the first listed is present, the second is required
    return {(True, False)} if positions[0] < positions[1] else {(False, True)}


def _pair(first: str | None, second: str | None, combos: set[tuple[bool, bool]]) -> str:
    """Two neighbouring elements as one unit, allowing only ``combos`` of present/empty."""
    end_of_segment = _SEGMENT_END
    options: list[str] = []
    for here, there in _COMBOS:
        if (here, there) not in combos or (here and first is None) or (there and second is None):
            continue
        head = f"(?:{first}){_END}" if here else _END
        if there:
            options.append(f"{head}{SEP}(?:{second}){_END}")
        else:  # the second may also be left off the end of the segment
            options.append(f"{head}(?:{SEP}{_END}|{end_of_segment})")
    return "(?:" + "|".join(options) + ")" if options else "(?!)"


def _present(position: int) -> str:
    """Lookahead body: element ``position`` of the segment starting here is non-empty."""
    return f"(?>(?:{_FIELD}*+{SEP}){{{position - 1}}}){_FIELD}"


def _note(kind: str, positions: tuple[int, ...]) -> str:
    here = [f"(?={_present(p)})" for p in positions]
    absent = [f"(?!{_present(p)})" for p in positions]
    if kind == "P":
        return f"(?:{''.join(here)}|{''.join(absent)})"
    if kind == "R":
        return "(?=" + "|".join(_present(p) for p in positions) + ")"
    if kind == "E":
        pairs = [
            f"(?!(?={_present(a)})(?={_present(b)}))"
            for i, a in enumerate(positions)
            for b in positions[i + 1 :]
        ]
        return "".join(pairs)
    if kind == "C":
        return f"(?:{absent[0]}|{''.join(here[1:])})"
    # L: if the first is present, at least one of the others
    return f"(?:{absent[0]}|(?=" + "|".join(_present(p) for p in positions[1:]) + "))"


def content_pattern(bodies: dict[str, str]) -> str:
    """Any sequence of segments whose tags are in ``bodies``, each with valid elements."""
    return f"(?:{RS}(?:{_tag_trie(sorted(bodies), bodies, 0)}))++"


def _tag_trie(tags: list[str], bodies: dict[str, str], depth: int) -> str:
    groups: dict[str, list[str]] = {}
    for tag in tags:
        groups.setdefault(tag[depth : depth + 1], []).append(tag)
    options = []
    for char, members in groups.items():
        if char == "":
            (tag,) = members
            options.append(f"{SEP}{bodies[tag]}")
        else:
            options.append(f"{re.escape(char)}(?:{_tag_trie(members, bodies, depth + 1)})")
    return "|".join(options)
