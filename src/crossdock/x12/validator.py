"""Validate one transaction set against its declarative spec (structure, elements, HL tree).

Findings are ``Issue`` objects located precisely enough for a 997/999: interchange, group and
transaction control numbers, segment position and id, loop id, element position, and the X12
code. A bad segment yields one SEGMENT issue (AK3/IK3; code 8 when only its elements are wrong)
followed by its ELEMENT issues (AK4/IK4). Reader issues in ``Transaction.issues`` are not
repeated here; callers combine the two.

Speed: the hub validates thousands of transactions a second, so a transaction first tries the
fast path (one regex over all its elements, ``fast_match``, plus the loop walk, skipped for tag
sequences already found sound). Only when that cannot prove the transaction clean do the
precise checks (``walker``, ``element_findings``) run and say exactly what is wrong.

Code lists: a code outside a list the hub carries only in part is a WARNING (the set is
accepted; the 997/999 leaves it out, ``Issue.in_ack``, and the message record keeps it), and
an error with ``strict=True`` (a partner's ``x12.strict``); outside a full list it is always
an error (``specs.code_lists``).

Memory: at most ``max_findings`` issues are listed per set (100 by default, as translators
do); the rest are counted into one summary issue (``findings.omitted_issue``), never built.

Example::

    result = validate(transaction)
    if not result.accepted:
        for issue in result.issues:
            print(issue)  # ISA ... / GS ... / ST 850 0001 / segment 13 PO1 / element 07: ...
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter

from crossdock.x12.codes import TransactionError
from crossdock.x12.element_findings import hierarchy_findings
from crossdock.x12.fast_match import RS, SEP
from crossdock.x12.findings import MAX_FINDINGS_PER_SET, Findings, limit_note, omitted_issue
from crossdock.x12.model import Issue, IssueLevel, Segment, Severity, Transaction
from crossdock.x12.spec_compile import CompiledSpec, compiled_for
from crossdock.x12.specs import base_version, is_interim
from crossdock.x12.walker import IssueContext, Walker


@dataclass(frozen=True, slots=True)
class ValidationResult:
    """What the validator found; ``accepted`` is False when any finding is an error."""

    issues: tuple[Issue, ...]
    accepted: bool
    spec_version: str | None


_OK: dict[str, ValidationResult] = {}
_NOT_READ = ValidationResult((), False, None)


def _ok(version: str) -> ValidationResult:
    """The shared result of a clean set validated by the spec of ``version``."""
    found = _OK.get(version)
    if found is None:
        found = _OK[version] = ValidationResult((), True, version)
    return found


def validate(
    transaction: Transaction, *, max_findings: int = MAX_FINDINGS_PER_SET, strict: bool = False
) -> ValidationResult:
    """Validate ``transaction`` against the spec for its set code and GS08 version.

    At most ``max_findings`` issues are listed; past that one summary issue counts the rest.
    ``strict`` (the partner's ``x12.strict``) makes a code outside a partial code list an
    error instead of a warning.
    A set the reader did not keep whole (``dropped``) is not validated and not accepted: the
    reader's own finding says why.
    """
    if transaction.dropped:
        return _NOT_READ
    delimiters = transaction.interchange.delimiters
    return validate_segments(
        transaction.code,
        transaction.group.version,
        transaction.segments,
        interchange_control=transaction.interchange.control_number,
        group_control=transaction.group.control_number,
        transaction_control=transaction.control_number,
        component_separator=delimiters.component,
        repetition_separator=delimiters.repetition,
        max_findings=max_findings,
        strict=strict,
    )


def validate_segments(
    code: str,
    version: str,
    segments: Sequence[Segment],
    *,
    interchange_control: str | None = None,
    group_control: str | None = None,
    transaction_control: str | None = None,
    component_separator: str = ":",
    repetition_separator: str | None = "^",
    use_fast_path: bool = True,
    max_findings: int = MAX_FINDINGS_PER_SET,
    strict: bool = False,
) -> ValidationResult:
    """Validate ST..SE ``segments`` of set ``code`` in GS08 ``version`` (see ``validate``).

    ``use_fast_path=False`` always runs the precise checks; results are the same, only slower
    (tests use it to hold the fast path to that promise).
    """
    found = _SPECS.get((code, version))
    if found is None:
        if len(_SPECS) >= 256:  # GS08 is partner text: keep the memory bounded
            _SPECS.clear()
        found = _SPECS[code, version] = (compiled_for(code, version), *base_version(version))
    spec, base, exact = found
    if exact and spec is not None and use_fast_path and _fast_accept(spec, segments):
        return _ok(spec.version)  # no findings: no context
    context = IssueContext(interchange_control, group_control, transaction_control, code)
    if spec is None:
        issue = context.issue(
            IssueLevel.TRANSACTION,
            TransactionError.NOT_SUPPORTED,
            f"transaction set {code} version {version!r} is not supported",
        )
        return ValidationResult((issue,), False, None)
    issues = Findings(max_findings)
    if not exact:
        against = (
            f"{base} plus what later releases added up to 005010"
            if is_interim(spec.version)
            else f"the nearest supported base {base}"
        )
        issues.append(
            context.issue(
                IssueLevel.TRANSACTION,
                TransactionError.NOT_SUPPORTED,
                f"version {version!r} validated against {against}",
                severity=Severity.WARNING,
            )
        )
    if use_fast_path and not exact and _fast_accept(spec, segments):
        return ValidationResult(tuple(issues), True, spec.version)  # just the version warning
    walker = Walker(spec, context, issues, component_separator, repetition_separator, strict=strict)
    walker.run(segments)
    if not issues:
        return _ok(spec.version)
    if issues.omitted:  # errors, unless every one omitted was a partial-list warning
        unjudged = walker.omitted_warnings == issues.omitted  # then the 997/999 omits it too
        issues.append(
            omitted_issue(
                issues.omitted,
                limit_note(max_findings, "transaction set"),
                severity=Severity.WARNING if unjudged else Severity.ERROR,
                in_ack=not unjudged,
                interchange_control=interchange_control,
                group_control=group_control,
                transaction_control=transaction_control,
                transaction_code=code,
            )
        )
    accepted = all(issue.severity is not Severity.ERROR for issue in issues)
    return ValidationResult(tuple(issues), accepted, spec.version)


def _fast_accept(spec: CompiledSpec, segments: Sequence[Segment]) -> bool:
    """True when the fast path proves the transaction has no findings.

    Elements: one regex match over the whole transaction (see fast_match); the separator
    counts guard against values that themselves contain RS or SEP. Structure: the walker,
    skipped when this exact tag sequence was already found sound (partners repeat shapes).
    """
    # tag + SEP + joined elements: no per-segment tuple (this line is most of the fast path).
    text = RS + RS.join(
        [s.tag + SEP + SEP.join(s.elements) if s.elements else s.tag for s in segments]
    )
    if spec.fast.fullmatch(text) is None:
        return False
    if text.count(RS) != len(segments) or text.count(SEP) != sum(
        map(len, map(_ELEMENTS, segments))
    ):
        return False
    shape = tuple([s.tag for s in segments])
    hls = spec.good_shapes.get(shape, _UNSEEN)
    if hls is _UNSEEN:
        issues = Findings(1)  # sound or not: the first finding decides
        Walker(spec, IssueContext(None, None, None, spec.code), issues, ":", None).run(
            segments, check_values=False
        )
        hls = None if issues else tuple(i for i, tag in enumerate(shape) if tag == "HL")
        if len(spec.good_shapes) >= _MAX_SHAPES:
            spec.good_shapes.clear()  # crude bound; a steady stream refills what it needs
        spec.good_shapes[shape] = hls
    if hls is None:
        return False
    if spec.hierarchy_ranks is None or not hls:
        return True
    # The HL rules read only HL01-03 of each HL in order, so equal trees (a partner's packs
    # repeat) share one verdict. Joining is unambiguous: the match above proved that no
    # element contains RS or SEP.
    tree = RS.join([SEP.join(segments[i].elements[:3]) for i in hls])
    sound = spec.good_trees.get(tree)
    if sound is None:
        seen: dict[str, str] = {}
        ranks, roots = spec.hierarchy_ranks, spec.hierarchy_roots
        sound = not any(hierarchy_findings(segments[i], ranks, roots, seen) for i in hls)
        if len(spec.good_trees) >= _MAX_SHAPES:
            spec.good_trees.clear()  # same crude bound as the shapes
        spec.good_trees[tree] = sound
    return sound


# (set code, GS08 as sent) -> (compiled spec, base version, exact): looked up per transaction
_SPECS: dict[tuple[str, str], tuple[CompiledSpec | None, str | None, bool]] = {}
_MAX_SHAPES = 10_000
_UNSEEN: tuple[int, ...] = (-1,)  # a shape not walked yet (None means walked and unsound)
_ELEMENTS = attrgetter("elements")
