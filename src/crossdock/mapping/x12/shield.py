"""Stand-ins for the segments and loops of the standard that a map does not read.

The reader offers a segment to the innermost open loop's rules, then to the enclosing loops'.
A segment the map does not read at that level would otherwise travel outwards and be taken by
an outer rule for the same tag: an 850 subline's ``PID*F`` (in the SLN loop under PO1) read as
the line's description, a line-level ``N1*ST`` as the order's ship-to, a line ``SAC`` as a
document charge. So, once per compiled map, each map level is matched with the loop of the
set's segment table (``crossdock.x12.specs``, 004010 and 005010) it stands for, and every
segment and loop of that table the level does not read gets a stand-in rule that claims it
and reads nothing (a loop's stand-in opens a level claiming all of the loop's segments). A
segment the map does not use is then kept in the raw text only, as the validator accepted it,
and the canonical document is the same as without it. No per-segment cost: the stand-ins are
entries of the dispatch tables the reader already consults.
"""

from __future__ import annotations

from crossdock.mapping.x12.nodes import Level, Rule
from crossdock.x12.spec_model import LoopSpec, SegmentUse
from crossdock.x12.specs import SUPPORTED_VERSIONS, spec_for

_ENVELOPE = frozenset({"ST", "SE"})


def shield(root: Level, code: str) -> None:
    """Add stand-ins to ``root`` and its loops for the table of set ``code`` (if it has one)."""
    structures = [
        spec.structure for version in SUPPORTED_VERSIONS if (spec := spec_for(code, version))
    ]
    if structures:
        _shield(root, [(loop, loop.children) for loop in structures], f"~{code}", _ENVELOPE)


def _shield(
    level: Level,
    loops: list[tuple[LoopSpec, tuple[SegmentUse | LoopSpec, ...]]],
    where: str,
    barrier: frozenset[str],
) -> None:
    """``loops``: the table loops (one per version) ``level`` stands for, with their members
    after the trigger (all children for the root). ``barrier``: the triggers of this loop and
    the loops around it, never claimed here (seeing one starts a new iteration further out;
    an LS/LE-bracketed LX inside a 940 W01 loop is the rare case this reads as a new line).
    """
    read = set(level.dispatch)
    nested: dict[int, tuple[Rule, list[LoopSpec]]] = {}
    plain: list[str] = []
    opaque: dict[str, list[LoopSpec]] = {}

    def visit(children: tuple[SegmentUse | LoopSpec, ...]) -> None:
        for child in children:
            if isinstance(child, SegmentUse):
                plain.append(child.id)
                continue
            tag = child.children[0].id
            mapped = [r for r in level.rules if r.tag == tag and r.level is not None]
            for rule in mapped:
                nested.setdefault(id(rule), (rule, []))[1].append(child)
            if mapped:
                continue
            if tag in read:  # the map reads the trigger alone (944 W07): its loop is flat here
                visit(child.children[1:])
            else:
                opaque.setdefault(tag, []).append(child)

    for loop, children in loops:
        trigger = loop.children[0].id if isinstance(loop.children[0], SegmentUse) else ""
        for rule in level.rules:  # a map loop repeating its own table loop (856 HL in HL)
            if rule.level is not None and rule.tag == trigger and rule.hl:
                nested.setdefault(id(rule), (rule, []))[1].append(loop)
        visit(children)
    skips: list[Rule] = []
    taken = set(read) | barrier
    for tag, tables in opaque.items():
        stand_in = Rule(f"{where}.{tag}", tag)
        stand_in.skip = True
        members = sorted({m for table in tables for m in _members(table)} - barrier - {tag})
        stand_in.level = Level(tuple(_plain(f"{where}.{tag}", m) for m in members), sticky=False)
        skips.append(stand_in)
        taken.add(tag)
    for tag in dict.fromkeys(plain):
        if tag not in taken:
            skips.append(_plain(where, tag))
            taken.add(tag)
    level.add_skips(tuple(skips))
    for rule, inner in nested.values():
        if rule.level is not None:
            _shield(
                rule.level,
                [(t, t.children[1:]) for t in inner],
                f"{where}.{rule.name}",
                barrier | {rule.tag},
            )


def _plain(where: str, tag: str) -> Rule:
    rule = Rule(f"{where}.{tag}", tag)
    rule.skip = True
    return rule


def _members(loop: LoopSpec) -> set[str]:
    """Every segment id inside ``loop``, nested loops included."""
    found: set[str] = set()
    stack = [loop]
    while stack:
        for child in stack.pop().children:
            if isinstance(child, LoopSpec):
                stack.append(child)
            else:
                found.add(child.id)
    return found
