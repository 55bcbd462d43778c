"""Read every acknowledgment in a partner's file: 997/999 sets and TA1 segments.

TA1 travels between ISA and the first GS, where the streaming reader sees only "a segment
outside a transaction set" (and reports TA1 note 022). So this module runs the reader's own
stages (``open_text`` -> ``Tokenizer`` -> ``EnvelopeReader``) and picks the TA1 segments out of
the token stream as they pass, in one pass over the input.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from crossdock.x12.ack_reader import (
    AckReport,
    InterchangeAckReport,
    read_functional_ack,
    read_ta1,
)
from crossdock.x12.encoding import Source, open_text
from crossdock.x12.envelope import EnvelopeReader
from crossdock.x12.events import InterchangeStart
from crossdock.x12.model import InterchangeHeader, Segment, Transaction
from crossdock.x12.tokenizer import IsaToken, Token, Tokenizer
from crossdock.x12.unwrap import unwrap

ACK_CODES = frozenset({"997", "999"})


@dataclass(frozen=True, slots=True)
class ReceivedAck:
    """One acknowledgment and the interchange it came in (whose sender is the partner)."""

    report: AckReport | InterchangeAckReport
    interchange: InterchangeHeader


def read_acks(source: Source, *, lenient: bool = True) -> Iterator[ReceivedAck]:
    """Every 997/999 set and TA1 segment in ``source``, in document order.

    Other transaction sets are skipped; envelope findings of the carrying interchange are
    not repeated here (run ``reader.read`` for those).
    """
    ta1s: list[Segment] = []

    def snoop(tokens: Iterable[Token]) -> Iterator[Token]:
        element = "*"
        for token in tokens:
            if isinstance(token, IsaToken):
                element = token.header.delimiters.element
            elif isinstance(token, list):
                prefix = "TA1" + element
                ta1s.extend(
                    Segment("TA1", piece.split(element)[1:])
                    for piece in token
                    if piece.startswith(prefix)
                )
            yield token

    stream = open_text(source)
    stream.chunks = unwrap(stream.chunks, stream.quirks)  # fixed-width wrapped files
    tokens = Tokenizer(stream, lenient=lenient)
    current: InterchangeHeader | None = None
    for event in EnvelopeReader(snoop(tokens), lenient=lenient):
        if isinstance(event, InterchangeStart):
            current = event.header
        if current is not None:
            yield from (ReceivedAck(read_ta1(s), current) for s in ta1s)
            ta1s.clear()
        if isinstance(event, Transaction) and event.code in ACK_CODES:
            yield ReceivedAck(read_functional_ack(event), event.interchange)
    if current is not None:
        yield from (ReceivedAck(read_ta1(s), current) for s in ta1s)
