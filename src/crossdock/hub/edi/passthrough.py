"""An ``x12_transaction`` sent on: its raw set re-enveloped for the receiving partner.

The set is re-sent, not rebuilt: its segments and values are those received, in their
original GS01 functional group and GS08 version, inside the receiving partner's own ISA/GS
envelope with our control numbers (so that partner's 997/999 settles it like any document
we send). Only the delimiters change, to the partner's: the raw text is split with the
delimiters it was written with, composites and repetitions kept as such.

Re-enveloping rather than forwarding the original bytes is the simplest form that is
correct for the receiver: the original envelope names another receiver, carries the
sender's control numbers (a duplicate to anyone who saw them) and may hold other sets.
"""

from __future__ import annotations

from crossdock.canonical.x12_transaction import X12Transaction
from crossdock.x12.model import Segment
from crossdock.x12.writer import ElementValue, Repeated, TransactionBody, Value


def passthrough_body(document: X12Transaction) -> TransactionBody:
    """The set's body segments (ST and SE left to the writer), values split, not changed.

    Raises:
        ValueError: the raw text is not one ST..SE set in its declared delimiters.
    """
    d = document.delimiters
    texts = [t.strip("\r\n") for t in document.raw.split(d.segment)]
    texts = [t for t in texts if t.strip()]
    if len(texts) < 2:
        raise ValueError("the raw set has no ST..SE segments")
    first, last = texts[0].split(d.element), texts[-1].split(d.element)
    if first[0] != "ST" or last[0] != "SE":
        raise ValueError(f"the raw set runs {first[0]}..{last[0]}, not ST..SE")
    segments: list[Segment] = []
    for position, text in enumerate(texts[1:-1], start=2):
        tag, *values = text.split(d.element)
        elements: list[ElementValue] = [_value(v, d.component, d.repetition) for v in values]
        segments.append(Segment(tag, elements, position))  # type: ignore[arg-type]
    return TransactionBody(document.set_id, segments, document.implementation or "")


def _value(text: str, component: str, repetition: str | None) -> ElementValue:
    if repetition and repetition in text:
        return Repeated(_composite(part, component) for part in text.split(repetition))
    return _composite(text, component)


def _composite(text: str, component: str) -> Value:
    return text.split(component) if component in text else text
