"""Read the ISA segment: the delimiters of an interchange and its named header.

The ISA is fixed width (106 characters, terminator included) precisely so that a reader can
find the delimiters before it knows them. Real partners pad with NBSP, forget the padding or
drop ISA16, so when the fixed positions do not line up the reader falls back to scanning the
element separators, and reports what was non-standard instead of refusing the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from crossdock.x12.codes import InterchangeNote as Note
from crossdock.x12.model import Delimiters, InterchangeHeader, Issue, IssueLevel, Severity

ISA_LENGTH = 106
ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)
# The TA1 note that reports a problem with each ISA element (ISA01..ISA16).
ISA_NOTES = (
    Note.INVALID_AUTHORIZATION_QUALIFIER,
    Note.INVALID_AUTHORIZATION_VALUE,
    Note.INVALID_SECURITY_QUALIFIER,
    Note.INVALID_SECURITY_VALUE,
    Note.INVALID_SENDER_QUALIFIER,
    Note.INVALID_SENDER_ID,
    Note.INVALID_RECEIVER_QUALIFIER,
    Note.INVALID_RECEIVER_ID,
    Note.INVALID_DATE,
    Note.INVALID_TIME,
    Note.INVALID_STANDARDS_IDENTIFIER,
    Note.INVALID_VERSION,
    Note.INVALID_CONTROL_NUMBER,
    Note.INVALID_ACK_REQUESTED,
    Note.INVALID_TEST_INDICATOR,
    Note.INVALID_COMPONENT_SEPARATOR,
)
# Index of the element separator before ISA01..ISA16 in a fixed-width ISA.
SEPARATOR_POSITIONS = tuple(3 + sum(ISA_WIDTHS[:i]) + i for i in range(16))
MAX_ISA_SCAN = 400  # a non-fixed-width ISA is still far shorter than this
# Stands in for a component separator the ISA did not declare: it never occurs in X12 data,
# so ``Segment.components`` returns the element whole.
NO_COMPONENT = "\x1f"
_LINE_BREAKS = "\r\n"


@dataclass(slots=True)
class IsaResult:
    """What reading one ISA gave: the header (None when it cannot be decoded) and findings.

    ``end`` is the index just after the segment terminator, ``suffix`` the CR/LF run that
    follows it (the writer's habit, used to split the rest of the file quickly).
    ``stray`` is a character to drop before each terminator (an ISA16 written where the
    terminator belongs, see ``_component_is_terminator``).
    """

    header: InterchangeHeader | None
    end: int
    suffix: str = ""
    stray: str = ""
    issues: list[Issue] = field(default_factory=list)


def _is_delimiter(char: str) -> bool:
    """X12 delimiters must not be letters, digits or a space (they would collide with data)."""
    return not char.isalnum() and char != " "


def parse_isa(text: str, start: int, *, lenient: bool, at_eof: bool) -> IsaResult | None:
    """Decode the ISA starting at ``text[start]`` (which is 'ISA').

    Returns None when more text is needed to decide, an ``IsaResult`` with ``header=None``
    when this is not a usable ISA (TA1-level problem), or the header and its warnings.
    """
    window = text[start : start + MAX_ISA_SCAN]
    if len(window) < MAX_ISA_SCAN and not at_eof:
        return None
    quirk = Severity.WARNING if lenient else Severity.ERROR
    issues: list[Issue] = []
    if len(window) < 5 or not _is_delimiter(window[3]) or window[3] in _LINE_BREAKS:
        return _fail(
            start, Note.INVALID_ELEMENT_SEPARATOR, "'ISA' is not followed by an element separator"
        )
    sep = window[3]
    fixed = len(window) >= ISA_LENGTH and all(window[p] == sep for p in SEPARATOR_POSITIONS)
    if fixed and window[104] != sep and window[105] != sep:
        positions = list(SEPARATOR_POSITIONS)
    else:
        positions = [3]
        while len(positions) < 16:
            found = window.find(sep, positions[-1] + 1)
            if found == -1:
                break
            positions.append(found)
        if len(positions) < 16 or positions[15] + 2 >= len(window):
            return _fail(
                start,
                Note.PREMATURE_END_OF_FILE if at_eof else Note.INVALID_CONTROL_STRUCTURE,
                "ISA has fewer than 16 elements",
            )
        if any(c in _LINE_BREAKS for c in window[3 : positions[15]]):
            return _fail(
                start, Note.INVALID_CONTROL_STRUCTURE, "ISA elements run across a line break"
            )
        issues.append(
            Issue(
                IssueLevel.INTERCHANGE,
                Note.INVALID_CONTROL_STRUCTURE,
                f"ISA is not fixed width ({positions[15] + 3} characters instead of {ISA_LENGTH}); delimiters found by scanning",
                quirk,
                segment_position=1,
                segment_id="ISA",
            )
        )
    component = window[positions[15] + 1]
    terminator = window[positions[15] + 2]
    end = positions[15] + 3
    raw = [window[positions[i] + 1 : positions[i + 1]] for i in range(15)]
    raw.append(component)
    stray = ""
    if (
        terminator in _LINE_BREAKS
        and _is_delimiter(component)
        and _component_is_terminator(window, end, component)
    ):
        issues.append(
            Issue(
                IssueLevel.INTERCHANGE,
                Note.INVALID_COMPONENT_SEPARATOR,
                f"ISA16 is missing: {component!r} ends the lines before the line-break terminator; it is dropped there and no component separator is declared",
                # Read anyway so the content is recorded, but a mandatory ISA element is
                # missing: the interchange is rejected (TA1 R 027), as strict translators do.
                Severity.ERROR,
                segment_position=1,
                segment_id="ISA",
                element_position=16,
            )
        )
        stray, component = component, NO_COMPONENT
    if not _is_delimiter(component) or component in (sep, terminator):
        return _fail(
            start,
            Note.INVALID_COMPONENT_SEPARATOR,
            f"ISA16 component separator {component!r} is not usable",
        )
    if terminator == sep or terminator.isalnum():
        return _fail(
            start,
            Note.SEGMENT_TERMINATOR_INVALID,
            f"segment terminator {terminator!r} is not usable",
        )
    suffix_end = end
    while (
        suffix_end < len(window)
        and window[suffix_end] in _LINE_BREAKS
        and window[suffix_end] != terminator
    ):
        suffix_end += 1
    values = [value.strip() for value in raw]
    control = values[12]
    interchange = control or None
    for index, (value, width) in enumerate(zip(raw[:15], ISA_WIDTHS, strict=False)):
        if len(value) != width or not value.isascii():
            issues.append(
                Issue(
                    IssueLevel.INTERCHANGE,
                    ISA_NOTES[index],
                    f"ISA{index + 1:02d} {value!r} is not {width} ASCII characters (fixed-width padding)",
                    quirk,
                    interchange_control=interchange,
                    segment_position=1,
                    segment_id="ISA",
                    element_position=index + 1,
                    bad_value=value,
                )
            )
    for index, value in enumerate(values[:15]):
        if any(c < " " or c == "\x7f" for c in value):
            # Never a padding quirk: these values name the partner in the store (sender,
            # receiver, control number), where a control character (NUL above all, which
            # PostgreSQL text refuses) has no business.
            issues.append(
                Issue(
                    IssueLevel.INTERCHANGE,
                    ISA_NOTES[index],
                    f"ISA{index + 1:02d} {value!r} holds a control character",
                    Severity.ERROR,
                    interchange_control=interchange,
                    segment_position=1,
                    segment_id="ISA",
                    element_position=index + 1,
                    bad_value=value,
                )
            )
    if not (control.isascii() and control.isdigit()):
        issues.append(
            Issue(
                IssueLevel.INTERCHANGE,
                Note.INVALID_CONTROL_NUMBER,
                f"ISA13 {control!r} is not numeric",
                interchange_control=interchange,
                segment_position=1,
                segment_id="ISA",
                element_position=13,
                bad_value=control,
            )
        )
    version, standards = values[11], raw[10]
    repetition: str | None = None
    if version >= "00402":
        if _is_delimiter(standards) and standards not in (sep, component, terminator):
            repetition = standards
        else:
            issues.append(
                Issue(
                    IssueLevel.INTERCHANGE,
                    Note.INVALID_STANDARDS_IDENTIFIER,
                    f"ISA11 {standards!r} is not a usable repetition separator for version {version}; repetition is off",
                    quirk,
                    interchange_control=interchange,
                    segment_position=1,
                    segment_id="ISA",
                    element_position=11,
                    bad_value=standards,
                )
            )
    elif standards != "U":
        issues.append(
            Issue(
                IssueLevel.INTERCHANGE,
                Note.INVALID_STANDARDS_IDENTIFIER,
                f"ISA11 {standards!r} should be 'U' before version 00402",
                quirk,
                interchange_control=interchange,
                segment_position=1,
                segment_id="ISA",
                element_position=11,
                bad_value=standards,
            )
        )
    for name, char, code in (
        ("element separator", sep, Note.INVALID_ELEMENT_SEPARATOR),
        ("component separator", component, Note.INVALID_COMPONENT_SEPARATOR),
        ("segment terminator", terminator, Note.SEGMENT_TERMINATOR_INVALID),
    ):
        if not char.isascii() or char == "\r":
            issues.append(
                Issue(
                    IssueLevel.INTERCHANGE,
                    code,
                    f"{name} {char!r} is non-standard ({'a bare CR' if char == chr(13) else 'not a single-byte ASCII character'})",
                    quirk,
                    segment_position=1,
                    segment_id="ISA",
                )
            )
    delimiters = Delimiters(sep, component, repetition, terminator, window[end:suffix_end])
    v = values
    header = InterchangeHeader(
        v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12],
        v[13], v[14], delimiters,
    )  # fmt: skip
    issues = [_locate(i, interchange) for i in issues]
    return IsaResult(header, start + end, delimiters.suffix, stray, issues)


def _component_is_terminator(window: str, end: int, candidate: str) -> bool:
    """Whether the line after the ISA (the GS) also ends with ``candidate``.

    When ISA16 is omitted and the sender ends lines with '~' + line break, the '~' lands in
    the ISA16 slot and the line break reads as the terminator. The GS line ending in the
    same character gives this away; segment counts in such files agree with the line break
    being the terminator, so the '~' is dropped rather than promoted.
    """
    line_start = end
    while line_start < len(window) and window[line_start] in _LINE_BREAKS:
        line_start += 1
    line_end = len(window)
    for brk in _LINE_BREAKS:
        found = window.find(brk, line_start)
        if found != -1:
            line_end = min(line_end, found)
    line = window[line_start:line_end].rstrip()
    return line_end < len(window) and line.startswith("GS") and line.endswith(candidate)


def _locate(issue: Issue, interchange: str | None) -> Issue:
    """Stamp the interchange control number on findings made before it was known."""
    if issue.interchange_control is not None or interchange is None:
        return issue
    return replace(issue, interchange_control=interchange)


def _fail(start: int, code: str, message: str) -> IsaResult:
    """A TA1-level finding: the ISA at ``start`` cannot be used."""
    issue = Issue(IssueLevel.INTERCHANGE, code, message, segment_position=1, segment_id="ISA")
    return IsaResult(None, start + 3, issues=[issue])
