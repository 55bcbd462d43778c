"""Compile a ``TransactionSpec`` into the lookup tables the validator walks.

Done once per (set, version) and cached: element rules become plain tuples indexed by position,
code lists become frozensets, and the loop outline becomes nodes with a tag -> child-index map,
so validating a segment costs one dict lookup plus a tuple walk and creates no objects unless
something is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from crossdock.x12.fast_match import Slot, content_pattern, element_pattern, segment_body
from crossdock.x12.spec_model import (
    UNBOUNDED,
    ElementSpec,
    LoopSpec,
    SegmentUse,
    SyntaxNote,
    TransactionSpec,
)
from crossdock.x12.specs import spec_for, spec_release
from crossdock.x12.value_checks import DATE, KINDS

# (ref, mandatory, kind, min, max, codes, components, component notes, repeat, partial):
# ``partial`` is True when ``codes`` is a subset of the standard's list (a code outside it is
# a warning, see ``specs.code_lists``), False for a full list or no list.
Rule = tuple[
    str,
    bool,
    int,
    int,
    int,
    frozenset[str] | None,
    "tuple[Rule, ...] | None",
    tuple[tuple[str, tuple[int, ...]], ...],
    int,
    bool,
]
Notes = tuple[tuple[str, tuple[int, ...]], ...]


@dataclass(frozen=True, slots=True)
class SegmentRules:
    """One segment's compiled element rules and syntax notes."""

    id: str
    name: str
    rules: tuple[Rule, ...]
    notes: Notes


@dataclass(slots=True)
class Node:
    """A compiled loop: children are (tag, is_loop, mandatory, max, child node or None)."""

    id: str
    max_repeat: int
    children: list[tuple[str, bool, bool, int, Node | None]] = field(default_factory=list)
    lookup: dict[str, tuple[int, ...]] = field(default_factory=dict)
    # mandatory_upto[k]: mandatory children before index k, so "was anything skipped?" is O(1)
    mandatory_upto: tuple[int, ...] = ()
    label: str | None = None  # loop id reported for segments directly in this loop


@dataclass(frozen=True, slots=True)
class CompiledSpec:
    """Everything the validator needs for one transaction set and version."""

    code: str
    version: str
    segments: dict[str, SegmentRules]
    root: Node
    spec_segment_ids: frozenset[str]
    known_segment_ids: frozenset[str]
    hierarchy_ranks: dict[str, int] | None
    hierarchy_roots: frozenset[str]
    fast: re.Pattern[str]  # matches only when no element has a finding (see fast_match)
    # tag sequence -> HL indices when the walker found it structurally sound, None when not
    # (bounded, see validator)
    good_shapes: dict[tuple[str, ...], tuple[int, ...] | None] = field(default_factory=dict)
    # HL01-03 of a transaction's HLs, joined -> the tree is sound (bounded, see validator)
    good_trees: dict[str, bool] = field(default_factory=dict)


def compiled_for(code: str, version: str) -> CompiledSpec | None:
    """The compiled spec for a GS08 version, or None when the set is not supported.

    Versions before 004 (e.g. 003010) use six-digit YYMMDD dates, so their DT elements are
    compiled with a minimum length of 6 instead of reporting every date as too short.
    Compiled once per (set, spec release, date style), whatever the GS08 spelling; the
    releases between 004010 and 005010 have specs of their own (``specs.spec_release``).
    """
    release = spec_release(version)
    if release is None:
        return None
    return _compiled(code, release, version.strip()[:6] < "004000")


@cache
def _compiled(code: str, base: str, legacy_dates: bool) -> CompiledSpec | None:
    spec = spec_for(code, base)
    return None if spec is None else compile_spec(spec, legacy_dates=legacy_dates)


def compile_spec(spec: TransactionSpec, *, legacy_dates: bool = False) -> CompiledSpec:
    """Turn a spec into lookup tables (see module docstring)."""

    def rule(element: ElementSpec) -> Rule:
        mandatory = element.usage == "M"
        if element.ref in spec.composites:
            composite = spec.composites[element.ref]
            parts = tuple(rule(part) for part in composite.elements)
            return (
                element.ref,
                mandatory,
                0,
                0,
                0,
                None,
                parts,
                _notes(composite.notes),
                element.repeat,
                False,
            )
        kind_name, low, high = spec.elements[element.ref]
        kind = KINDS[kind_name]
        if kind == DATE and legacy_dates:
            low = min(low, 6)
        codes = spec.code_lists[element.codes] if element.codes else None
        partial = codes is not None and element.codes not in spec.full_code_lists
        return (element.ref, mandatory, kind, low, high, codes, None, (), element.repeat, partial)

    segments: dict[str, SegmentRules] = {}
    bodies: dict[str, str] = {}
    for seg_id, seg in spec.segments.items():
        rules = tuple(rule(e) for e in seg.elements)
        notes = _notes(seg.notes)
        segments[seg_id] = SegmentRules(seg_id, seg.name, rules, notes)
        bodies[seg_id] = segment_body([_slot(r) for r in rules], notes)
    root = _node(spec.structure, is_root=True)
    hierarchy = spec.hierarchy
    return CompiledSpec(
        code=spec.code,
        version=spec.version,
        segments=segments,
        root=root,
        spec_segment_ids=frozenset(spec.segment_ids()),
        known_segment_ids=spec.known_segment_ids,
        hierarchy_ranks=dict(hierarchy.ranks) if hierarchy else None,
        hierarchy_roots=hierarchy.root_levels if hierarchy else frozenset(),
        fast=re.compile(
            content_pattern({tag: bodies[tag] for tag in spec.segment_ids()}), re.DOTALL
        ),
    )


def _slot(rule: Rule) -> Slot:
    """A rule as a fast-path slot; composites only when their first component stands alone."""
    _, mandatory, kind, low, high, codes, parts, notes, repeat, _ = rule
    if repeat > 1:
        return mandatory, None
    if parts is None:
        return mandatory, element_pattern(kind, low, high, codes)
    first, others = parts[0], parts[1:]
    if notes or any(p[1] for p in others) or first[6] is not None or first[2] == 0:
        return mandatory, None
    return mandatory, element_pattern(first[2], first[3], first[4], first[5], composite=True)


def _notes(notes: tuple[SyntaxNote, ...]) -> Notes:
    return tuple((note.kind, note.positions) for note in notes)


def _node(loop: LoopSpec, *, is_root: bool = False) -> Node:
    node = Node(loop.id, loop.max_repeat or UNBOUNDED)
    lookup: dict[str, list[int]] = {}
    for index, child in enumerate(loop.children):
        if isinstance(child, SegmentUse):
            node.children.append((child.id, False, child.usage == "M", child.max_use, None))
            tag = child.id
        else:
            inner = _node(child)
            node.children.append(
                (inner.children[0][0], True, child.usage == "M", child.max_repeat, inner)
            )
            tag = inner.children[0][0]
        # A loop's own trigger never matches inside the loop: seeing it again starts a new
        # iteration, which the parent level handles.
        if index == 0 and not is_root:
            continue
        lookup.setdefault(tag, []).append(index)
    node.lookup = {tag: tuple(indexes) for tag, indexes in lookup.items()}
    counts = [0]
    for _, _, mandatory, _, _ in node.children:
        counts.append(counts[-1] + mandatory)
    node.mandatory_upto = tuple(counts)
    node.label = None if is_root else node.children[0][0]
    return node
