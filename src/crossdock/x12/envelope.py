"""Turn tokenizer output into reader events: the per-segment hot loop.

For each segment string: split on the element separator, check the tag against a set,
append a slotted ``Segment`` to the open transaction set. Locals only, no per-segment
function calls besides ``split``/``append``/``Segment``; envelope segments (rare) go to
``Envelopes`` in ``envelope_state``, which validates them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from crossdock.x12.envelope_state import (
    ENVELOPE_TAGS,
    MAX_SET_SEGMENTS,
    MAX_STRAY_ISSUES,
    Envelopes,
    same_control,
)
from crossdock.x12.events import Event, Unreadable
from crossdock.x12.model import Issue, Segment
from crossdock.x12.tokenizer import IsaToken, Token

__all__ = [
    "ENVELOPE_TAGS",
    "MAX_SET_SEGMENTS",
    "MAX_STRAY_ISSUES",
    "EnvelopeReader",
    "Envelopes",
    "same_control",
]


class EnvelopeReader:
    """Consume tokenizer output and yield reader events (see ``crossdock.x12.reader``)."""

    def __init__(
        self,
        tokens: Iterable[Token],
        *,
        lenient: bool = True,
        max_set_segments: int = MAX_SET_SEGMENTS,
    ) -> None:
        self._tokens = tokens
        self._state = Envelopes(lenient, max_set_segments)

    def __iter__(self) -> Iterator[Event]:
        state = self._state
        envelope_tags = ENVELOPE_TAGS
        out: list[Event] = []
        element = "*"
        joiner = "~"
        for token in self._tokens:
            if type(token) is list:
                segments = state.segments
                limit = 0 if state.dropped else state.max_set_segments
                # The raw text of a set is kept as runs of this batch's pieces, joined once
                # per run: a list entry per segment cost ten times the text of the set. Where
                # a run ends is looked up only at envelope segments (``index`` finds this very
                # piece: the pieces since ``start`` have other tags), not counted per segment.
                start = 0
                for piece in token:
                    elements = piece.split(element)
                    tag = elements[0]
                    if tag in envelope_tags:
                        at = token.index(piece, start)
                        if segments is not None and start < at:
                            state.raw.append(joiner.join(token[start:at]))
                        self._envelope(tag, elements, piece, out)
                        segments = state.segments
                        limit = 0 if state.dropped else state.max_set_segments
                        start = at + 1
                        if out:
                            yield from out
                            out.clear()
                    elif segments is None:
                        state.stray(tag, f"segment {tag[:8]!r} outside a transaction set")
                    elif len(segments) < limit:
                        del elements[0]
                        segments.append(Segment(tag, elements, len(segments) + 1))
                    else:
                        if limit:  # the first segment past the limit
                            state.drop_kept()
                            limit = 0
                        state.dropped += 1
                if segments is not None and start < len(token):
                    state.raw.append(joiner.join(token[start:]))
            elif isinstance(token, IsaToken):
                state.open_interchange(token, out)
                delimiters = token.header.delimiters
                element = delimiters.element
                joiner = delimiters.segment + delimiters.suffix
            elif isinstance(token, Issue):
                state.isa_issues.append(token)
            elif isinstance(token, Unreadable):
                out.append(token)
            if out:
                yield from out
                out.clear()
        state.close_interchange(None, out)
        yield from out

    def _envelope(self, tag: str, elements: list[str], piece: str, out: list[Event]) -> None:
        state = self._state
        if tag == "ST":
            state.open_transaction(elements, piece, out)
        elif tag == "SE":
            if state.segments is not None:
                position = len(state.segments) + state.dropped + 1
                state.segments.append(Segment("SE", elements[1:], position))
                state.raw.append(piece)
            state.close_transaction(elements, out)
        elif tag == "GS":
            state.open_group(elements, out)
        elif tag == "GE":
            state.close_group(elements, out)
        elif tag == "IEA":
            state.close_interchange(elements, out)
        else:
            state.stray(tag, "ISA inside an interchange with other delimiters")


#: The characters a partner's envelope id (ISA06/08, GS02/03) may use in settings: X12's
#: basic and extended character set without the characters delimiters are commonly made of.
ENVELOPE_ID_CHARS = frozenset(
    " !\"&'()+,-./0123456789:;?=ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz@#$%"
)


def envelope_id_problem(value: str, width: int) -> str | None:
    """Why `value` cannot be an envelope id of at most `width` characters, or None. Both the
    file's partners and the registry's validate with this one rule."""
    if not value.strip() or len(value) > width:
        return f"must be 1 to {width} characters, got {len(value)}"
    bad = sorted({c for c in value if c not in ENVELOPE_ID_CHARS})
    if bad:
        return f"characters not allowed in an X12 identifier: {''.join(bad)!r}"
    return None
