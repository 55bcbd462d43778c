"""Precise element findings for one segment: the validator's slow path.

Runs only for segments the fast path (``fast_match``) could not prove valid, so it favours
exact X12 diagnoses over speed: every AK403 code that applies, at element and component level.

The two findings that grow with the segment (data elements past the last one defined,
repetitions of a repeatable element) are bounded: the first ``MAX_PER_SEGMENT`` extra
elements are listed, then one finding counts the rest; only ``MAX_PER_SEGMENT`` repetitions
are checked. An ack lists at most 99 AK4 per AK3 anyway.

A code outside a code list the hub carries only in part (``specs.code_lists``) is a warning
finding, unless ``strict`` (the partner's ``x12.strict``) makes it an error; a value that does
not fit the element at all keeps its code finding as an error either way.
"""

from __future__ import annotations

from crossdock.x12.codes import ElementError
from crossdock.x12.model import Segment
from crossdock.x12.spec_compile import Rule, SegmentRules
from crossdock.x12.value_checks import note_errors, value_errors

# (element position, component position or None, AK403 code, message, bad value, element ref,
# warning: True for a code outside a partial list, which accepts the set)
ElementFinding = tuple[int, int | None, str, str, str | None, str, bool]

MAX_PER_SEGMENT = 99


def element_findings(
    elements: list[str],
    rules: SegmentRules,
    component: str,
    repetition: str | None,
    *,
    strict: bool = False,
) -> list[ElementFinding]:
    """Every element-level finding for one segment (empty when it is valid)."""
    specs = rules.rules
    count = len(specs)
    out: list[ElementFinding] = []
    for i, value in enumerate(elements[:count] if len(elements) > count else elements):
        ref, mandatory, _, _, _, _, parts, _, repeat, _ = specs[i]
        if not value:
            if mandatory:
                out.append(_missing(i + 1, None, ref))
        elif parts is None and repeat == 1:
            _value(out, i + 1, None, value, specs[i], "element", strict)
        else:
            _complex(out, i + 1, value, specs[i], component, repetition, strict)
    if len(elements) > count:
        _extra_elements(out, elements, count)
    for i in range(len(elements), count):
        if specs[i][1]:
            out.append(_missing(i + 1, None, specs[i][0]))
    for kind_name, positions in rules.notes:
        for position, code, message in note_errors(kind_name, positions, elements):
            ref = specs[position - 1][0] if position <= count else ""
            out.append((position, None, code, message, None, ref, False))
    return out


def _value(
    out: list[ElementFinding],
    position: int,
    component: int | None,
    value: str,
    rule: Rule,
    what: str,
    strict: bool,
) -> None:
    """The findings of one non-empty simple value (an element, a component or a repetition)."""
    ref, _, kind, low, high, codes, _, _, _, partial = rule
    errors = value_errors(value, kind, low, high, codes)
    # Outside a partial list but otherwise a well-formed value: maybe a valid code we do not
    # carry. Any other finding means it cannot be one of the standard's codes either.
    unjudged = partial and len(errors) == 1 and errors[0][0] == ElementError.INVALID_CODE
    for code, message in errors:
        if unjudged:
            message = f"code {value!r} is not in the hub's partial code list for this element" + (
                " (rejected: the partner is x12.strict)" if strict else " (accepted, not judged)"
            )
        finding = (position, component, code, f"{what} {ref}: {message}", value, ref)
        out.append((*finding, unjudged and not strict))


def _extra_elements(out: list[ElementFinding], elements: list[str], count: int) -> None:
    """Data elements past the last one the segment defines: the first few, then a count."""
    listed = 0
    for i in range(count, len(elements)):
        value = elements[i]
        if not value:
            continue
        if listed == MAX_PER_SEGMENT:
            rest = sum(1 for v in elements[i:] if v)
            message = f"too many data elements: {rest:,} more past element {i}"
            out.append((i + 1, None, ElementError.TOO_MANY_ELEMENTS, message, value, "", False))
            return
        listed += 1
        out.append(
            (
                i + 1,
                None,
                ElementError.TOO_MANY_ELEMENTS,
                "too many data elements",
                value,
                "",
                False,
            )
        )


def _missing(position: int, component: int | None, ref: str) -> ElementFinding:
    what = "component" if component else "element"
    return (
        position,
        component,
        ElementError.MANDATORY_MISSING,
        f"mandatory {what} {ref} missing",
        None,
        ref,
        False,
    )


def _complex(
    out: list[ElementFinding],
    position: int,
    value: str,
    spec: Rule,
    component: str,
    repetition: str | None,
    strict: bool,
) -> None:
    """Repeated and composite elements."""
    ref, _, _, _, _, _, parts, notes, repeat, _ = spec
    repeats = value.split(repetition) if repeat > 1 and repetition else [value]
    if len(repeats) > repeat:
        message = f"element {ref}: more than {repeat} repetitions"
        out.append((position, None, ElementError.TOO_MANY_REPETITIONS, message, value, ref, False))
    for item in repeats[:MAX_PER_SEGMENT]:
        if parts is None:
            if item:
                _value(out, position, None, item, spec, "element", strict)
            continue
        components = item.split(component)
        if len(components) > len(parts):
            message = f"composite {ref}: too many components"
            out.append(
                (position, None, ElementError.TOO_MANY_COMPONENTS, message, item, ref, False)
            )
        for c, part in enumerate(components[: len(parts)], start=1):
            if not part:
                if parts[c - 1][1]:
                    out.append(_missing(position, c, parts[c - 1][0]))
                continue
            _value(out, position, c, part, parts[c - 1], "component", strict)
        for c in range(len(components) + 1, len(parts) + 1):
            if parts[c - 1][1]:
                out.append(_missing(position, c, parts[c - 1][0]))
        for kind_name, positions in notes:
            for comp_pos, code, message in note_errors(kind_name, positions, components):
                out.append((position, comp_pos, code, message, None, ref, False))


def hierarchy_findings(
    segment: Segment, ranks: dict[str, int], roots: frozenset[str], seen: dict[str, str]
) -> list[ElementFinding]:
    """856 HL tree rules for one HL, given the HLs ``seen`` so far (id -> level; updated).

    HL01 counts up from 1, HL02 names an earlier HL, and a child's level ranks below its
    parent's (shipment -> order -> [tare] -> pack -> item); the first HL has no parent.
    """
    hl_id, parent, level = segment.element(1), segment.element(2), segment.element(3)
    out: list[ElementFinding] = []
    bad = ElementError.INVALID_CODE
    expected = str(len(seen) + 1)
    if hl_id != expected:
        out.append(
            (
                1,
                None,
                bad,
                f"HL01 should be {expected} (HL ids count up from 1)",
                hl_id,
                "628",
                False,
            )
        )
    if parent:
        if parent not in seen:
            out.append((2, None, bad, f"HL02 {parent!r} names no earlier HL", parent, "734", False))
        elif level in ranks and ranks.get(seen[parent], 0) >= ranks[level]:
            message = f"level {level!r} may not sit under level {seen[parent]!r}"
            out.append((3, None, bad, message, level, "735", False))
    elif level not in roots and level in ranks:
        out.append(
            (3, None, bad, f"top-level HL must be one of {sorted(roots)}", level, "735", False)
        )
    seen[hl_id] = level
    return out
