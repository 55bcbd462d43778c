"""The loop state machine: places each segment in the transaction's loop structure.

Walks the compiled outline the way X12 translators do (greedy, innermost open loop first, never
backtracking) and turns what it finds into ``Issue``s: mandatory segments or loops missing, use
or repeat counts exceeded, segments out of sequence, unexpected or unknown, and, through
``element_findings``, the element errors of each segment, with the 856 HL tree on top.

Findings go into a bounded ``Findings`` list: once it is full the walker only counts what
it finds and builds no ``Issue``, so a set of a million junk segments costs a counter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from crossdock.x12.codes import SegmentError
from crossdock.x12.element_findings import ElementFinding, element_findings, hierarchy_findings
from crossdock.x12.findings import MAX_BAD_VALUE, Findings
from crossdock.x12.model import Issue, IssueLevel, Segment, Severity
from crossdock.x12.spec_compile import CompiledSpec, Node


@dataclass(frozen=True, slots=True)
class IssueContext:
    """Control numbers every issue of one transaction carries."""

    interchange: str | None
    group: str | None
    transaction: str | None
    code: str

    def issue(
        self,
        level: IssueLevel,
        code: str,
        message: str,
        *,
        severity: Severity = Severity.ERROR,
        segment: Segment | None = None,
        segment_id: str | None = None,
        position: int | None = None,
        loop_id: str | None = None,
        element: ElementFinding | None = None,
        in_ack: bool = True,
    ) -> Issue:
        return Issue(
            level=level,
            code=code,
            message=message,
            severity=severity,
            interchange_control=self.interchange,
            group_control=self.group,
            transaction_control=self.transaction,
            transaction_code=self.code,
            segment_position=segment.position if segment is not None else position,
            segment_id=segment.tag if segment is not None else segment_id,
            loop_id=loop_id,
            element_position=element[0] if element else None,
            component_position=element[1] if element else None,
            element_reference=element[5] if element else None,
            bad_value=None if not element or element[4] is None else element[4][:MAX_BAD_VALUE],
            in_ack=in_ack,
        )


_SEGMENT_MESSAGES = {
    SegmentError.HAS_ELEMENT_ERRORS: "segment has data element errors",
    SegmentError.LOOP_OVER_MAXIMUM: "loop repeats more often than the spec allows",
    SegmentError.SEGMENT_OVER_MAXIMUM_USE: "segment used more often than the spec allows",
    SegmentError.OUT_OF_SEQUENCE: "HL hierarchy out of order",
}


class Frame:
    """One open loop: which child the last segment matched, and how often in a row."""

    __slots__ = ("index", "node", "uses")

    def __init__(self, node: Node, index: int = -1, uses: int = 0) -> None:
        self.node = node
        self.index = index
        self.uses = uses


class Walker:
    """The loop state machine plus per-segment checks for one transaction."""

    __slots__ = (
        "comp",
        "context",
        "hl_seen",
        "issues",
        "omitted_warnings",
        "rep",
        "spec",
        "stack",
        "strict",
    )

    def __init__(
        self,
        spec: CompiledSpec,
        context: IssueContext,
        issues: Findings,
        comp: str,
        rep: str | None,
        *,
        strict: bool = False,
    ) -> None:
        self.spec = spec
        self.context = context
        self.issues = issues
        self.comp = comp
        self.rep = rep
        self.strict = strict  # codes outside partial lists are errors, not warnings
        self.stack: list[Frame] = [Frame(spec.root)]
        self.hl_seen: dict[str, str] = {}
        self.omitted_warnings = 0  # of the findings past the limit, how many were warnings

    def run(self, segments: Sequence[Segment], *, check_values: bool = True) -> None:
        """Walk every segment once.

        The hot path lives in this one function and allocates nothing unless a segment is
        misplaced or wrong: profiling showed call overhead dominating the budget.
        """
        rules_by_id = self.spec.segments
        check_hl = check_values and self.spec.hierarchy_ranks is not None
        stack = self.stack
        last: Segment | None = None
        for segment in segments:
            last = segment
            tag = segment.tag
            # -- place the segment: innermost open loop first, then outwards
            placed = False
            structural: str | None = None
            loop_id: str | None = None
            level = len(stack) - 1
            while level >= 0 and not placed:
                frame = stack[level]
                node = frame.node
                index = frame.index
                for j in node.lookup.get(tag, ()):
                    if j < index:
                        continue
                    while len(stack) - 1 > level:
                        self.close_frame(stack.pop(), segment)
                    if j > index:
                        if node.mandatory_upto[j] != node.mandatory_upto[index + 1]:
                            self.missing_between(node, index, j, segment)
                        frame.index = j
                        frame.uses = uses = 1
                    else:
                        frame.uses = uses = frame.uses + 1
                    child_tag, is_loop, _, max_use, child = node.children[j]
                    if max_use and uses > max_use:
                        structural = (
                            SegmentError.LOOP_OVER_MAXIMUM
                            if is_loop
                            else SegmentError.SEGMENT_OVER_MAXIMUM_USE
                        )
                    if child is not None:
                        stack.append(Frame(child, 0, 1))
                        loop_id = child_tag
                    else:
                        loop_id = node.label
                    placed = True
                    break
                level -= 1
            # -- check its elements
            rules = rules_by_id.get(tag) if check_values else None
            findings = (
                element_findings(segment.elements, rules, self.comp, self.rep, strict=self.strict)
                if rules is not None
                else None
            )
            if not placed:
                self.unplaced(segment)
                continue  # a misplaced segment is reported once, as misplaced
            if check_hl and tag == "HL":
                hl = hierarchy_findings(
                    segment,
                    self.spec.hierarchy_ranks or {},
                    self.spec.hierarchy_roots,
                    self.hl_seen,
                )
                if hl:
                    findings = (findings or []) + hl
                    structural = structural or SegmentError.OUT_OF_SEQUENCE
            if structural is None and not findings:
                continue
            self.report(segment, structural, loop_id, findings or [])
        self.close_all(last)

    # -- structure -----------------------------------------------------------------------
    def missing_between(self, node: Node, index: int, end: int, at: Segment | None) -> None:
        for k in range(index + 1, end):
            tag, is_loop, mandatory, _, _ = node.children[k]
            if mandatory and self.issues.full:
                self.issues.omit()
            elif mandatory:
                self.issues.append(
                    self.context.issue(
                        IssueLevel.SEGMENT,
                        SegmentError.MANDATORY_SEGMENT_MISSING,
                        f"mandatory {'loop' if is_loop else 'segment'} {tag} is missing",
                        segment_id=tag,
                        position=at.position if at is not None else None,
                        loop_id=tag if is_loop else node.label,
                    )
                )

    def close_frame(self, frame: Frame, at: Segment | None) -> None:
        node = frame.node
        upto = node.mandatory_upto
        if upto[-1] != upto[frame.index + 1]:
            self.missing_between(node, frame.index, len(node.children), at)

    def close_all(self, last: Segment | None) -> None:
        while self.stack:
            self.close_frame(self.stack.pop(), last)

    def unplaced(self, segment: Segment) -> None:
        if self.issues.full:
            self.issues.omit()
            return
        tag = segment.tag
        if tag in self.spec.spec_segment_ids:
            earlier = any(
                any(j <= frame.index for j in frame.node.lookup.get(tag, ()))
                for frame in self.stack
            )
            code = SegmentError.OUT_OF_SEQUENCE if earlier else SegmentError.UNEXPECTED_SEGMENT
            message = "segment out of sequence" if earlier else "segment not expected here"
        elif tag in self.spec.known_segment_ids:
            code, message = (
                SegmentError.NOT_IN_TRANSACTION_SET,
                f"segment not defined in transaction set {self.spec.code}",
            )
        else:
            code, message = SegmentError.UNRECOGNIZED_SEGMENT, "unrecognized segment id"
        self.issues.append(
            self.context.issue(IssueLevel.SEGMENT, code, f"{tag}: {message}", segment=segment)
        )

    def report(
        self,
        segment: Segment,
        structural: str | None,
        loop_id: str | None,
        findings: list[ElementFinding],
    ) -> None:
        issues = self.issues
        # Only codes outside partial lists: the segment is noted on the record, not rejected,
        # and left out of the 997/999 (``Issue.in_ack``).
        noted = structural is None and all(finding[6] for finding in findings)
        if issues.full:
            issues.omit(1 + len(findings))
            if noted:
                self.omitted_warnings += 1 + len(findings)
            return
        code = structural or SegmentError.HAS_ELEMENT_ERRORS
        what = _SEGMENT_MESSAGES.get(code, "segment error")
        issue = self.context.issue
        issues.append(
            issue(
                IssueLevel.SEGMENT,
                code,
                f"{segment.tag}: {what}",
                severity=Severity.WARNING if noted else Severity.ERROR,
                segment=segment,
                loop_id=loop_id,
                in_ack=not noted,
            )
        )
        for finding in findings:
            if issues.full:
                issues.omit()
                self.omitted_warnings += finding[6]
                continue
            issues.append(
                issue(
                    IssueLevel.ELEMENT,
                    finding[2],
                    finding[3],
                    severity=Severity.WARNING if finding[6] else Severity.ERROR,
                    segment=segment,
                    loop_id=loop_id,
                    element=finding,
                    in_ack=not finding[6],
                )
            )
