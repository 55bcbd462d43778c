"""Shared builders for the acknowledgment tests (no tests here).

The corpus acks are split by a deliberately tiny splitter so these tests do not depend on the
streaming reader; ``test_ack_reader_corpus`` also runs them through the real reader when it is
there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from crossdock.x12.model import (
    Delimiters,
    GroupHeader,
    InterchangeHeader,
    Issue,
    IssueLevel,
    Segment,
    Transaction,
)

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus" / "x12"


def interchange_header(
    *,
    version: str = "00401",
    control: str = "000000123",
    ack_requested: str = "0",
    date: str = "261127",
    time: str = "0840",
    delimiters: Delimiters | None = None,
) -> InterchangeHeader:
    """An inbound ISA from partner ACME (ZZ) to crossdock (01)."""
    if delimiters is None:
        repetition = None if version < "00402" else "^"
        delimiters = Delimiters(repetition=repetition)
    return InterchangeHeader(
        authorization_qualifier="00",
        authorization="",
        security_qualifier="00",
        security="",
        sender_qualifier="ZZ",
        sender_id="ACME",
        receiver_qualifier="01",
        receiver_id="CROSSDOCK",
        date=date,
        time=time,
        standards_or_repetition=delimiters.repetition or "U",
        version=version,
        control_number=control,
        ack_requested=ack_requested,
        usage="T",
        delimiters=delimiters,
    )


def group_header(
    *, version: str = "004010", control: str = "1", functional_id: str = "PO"
) -> GroupHeader:
    """An inbound GS from ACME-APP to CROSSDOCK-APP."""
    return GroupHeader(
        functional_id=functional_id,
        sender="ACME-APP",
        receiver="CROSSDOCK-APP",
        date="20261127",
        time="0840",
        control_number=control,
        agency="X",
        version=version,
    )


def element_issue(code: str = "7", **where: object) -> Issue:
    """An element finding at BEG01 (segment 3) unless ``where`` says otherwise."""
    place: dict[str, object] = {
        "segment_position": 3,
        "segment_id": "BEG",
        "element_position": 1,
        "element_reference": "353",
        "bad_value": "XX",
    }
    place.update(where)
    return Issue(IssueLevel.ELEMENT, code, "bad element", **place)  # type: ignore[arg-type]


def texts(segments: list[Segment]) -> list[str]:
    """Segments as '*'-joined strings, for exact comparisons."""
    return ["*".join([s.tag, *s.elements]) for s in segments]


@dataclass
class SplitInterchange:
    """One interchange as the tiny splitter sees it."""

    header: InterchangeHeader
    ta1: list[Segment] = field(default_factory=list)
    transactions: list[Transaction] = field(default_factory=list)


def split(text: str) -> list[SplitInterchange]:
    """Split well-formed X12 text with a fixed-width ISA into transactions (test helper only)."""
    out: list[SplitInterchange] = []
    rest = text.lstrip()
    while rest.startswith("ISA"):
        element, component, terminator = rest[3], rest[104], rest[105]
        isa = rest[:105].split(element)
        repetition = isa[11] if isa[12] >= "00402" else None
        delimiters = Delimiters(element, component, repetition, terminator)
        header = InterchangeHeader(*(v.strip() for v in isa[1:16]), delimiters=delimiters)  # type: ignore[arg-type]
        current = SplitInterchange(header)
        out.append(current)
        body, _, rest = rest[106:].partition(f"IEA{element}")
        rest = rest.partition(terminator)[2].lstrip()
        group: GroupHeader | None = None
        segments: list[Segment] = []
        for raw in body.split(terminator):
            raw = raw.strip("\r\n")
            if not raw:
                continue
            tag, *values = raw.split(element)
            if tag == "TA1":
                current.ta1.append(Segment(tag, values))
            elif tag == "GS":
                group = GroupHeader(*values[:8])
            elif tag == "ST":
                segments = [Segment(tag, values, 1)]
            elif segments:
                segments.append(Segment(tag, values, len(segments) + 1))
                if tag == "SE":
                    assert group is not None
                    code, control = segments[0].element(1), segments[0].element(2)
                    implementation = segments[0].element(3)
                    current.transactions.append(
                        Transaction(code, control, implementation, segments, header, group)
                    )
                    segments = []
    return out
