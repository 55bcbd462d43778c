"""The X12 streaming reader: bytes, text, a path or a binary file in; events out.

Memory stays bounded whatever the input size: text is decoded in 1 MiB chunks, the tokenizer
keeps only the unfinished segment between chunks (capped at ``MAX_SEGMENT``) and the
envelope layer holds one transaction set at a time (at most ``max_set_segments`` segments of
it, then only its raw text). Malformed input never raises: it turns into ``Issue``s (with
the X12 code an acknowledgment needs) or ``Unreadable`` events. Only I/O errors, such as a
missing file, propagate.

Example::

    for event in read(Path("inbound.edi")):
        if isinstance(event, Transaction):
            handle(event)
"""

from __future__ import annotations

from collections.abc import Iterator

from crossdock.x12.encoding import CHUNK_SIZE, Source, open_text
from crossdock.x12.envelope import MAX_SET_SEGMENTS, EnvelopeReader
from crossdock.x12.events import (
    Event,
    Group,
    GroupEnd,
    GroupStart,
    Interchange,
    InterchangeEnd,
    InterchangeStart,
    ParsedFile,
    Unreadable,
)
from crossdock.x12.model import Transaction
from crossdock.x12.tokenizer import MAX_SEGMENT, Tokenizer
from crossdock.x12.unwrap import unwrap

__all__ = [
    "Event",
    "Group",
    "GroupEnd",
    "GroupStart",
    "Interchange",
    "InterchangeEnd",
    "InterchangeStart",
    "ParsedFile",
    "Source",
    "Transaction",
    "Unreadable",
    "parse",
    "read",
    "read_transactions",
]


def read(
    source: Source,
    *,
    lenient: bool = True,
    chunk_size: int = CHUNK_SIZE,
    max_segment: int = MAX_SEGMENT,
    max_set_segments: int = MAX_SET_SEGMENTS,
) -> Iterator[Event]:
    """Stream the events of every interchange in ``source``.

    Args:
        source: X12 text (a ``str`` is content, never a path), bytes, an ``os.PathLike``
            path, or a binary file object (read, not closed).
        lenient: accept the non-standard variants partners send (BOM, indentation, comment
            lines, non-fixed-width ISA, EBCDIC/Latin-1, unpadded control numbers, files
            wrapped at a fixed width: ``unwrap``) with WARNING issues; when False the
            same findings are ERRORs.
        chunk_size: bytes (or characters for ``str``) read at a time.
        max_segment: longest segment accepted before it is reported and skipped.
        max_set_segments: segments kept per transaction set; a larger set is rejected with
            its segments counted, not kept (``Transaction.dropped``), its raw text whole.

    Yields:
        ``InterchangeStart``, ``GroupStart``, ``Transaction``, ``GroupEnd``,
        ``InterchangeEnd`` in document order, and ``Unreadable`` for text that is not X12.
    """
    stream = open_text(source, chunk_size)
    stream.chunks = unwrap(stream.chunks, stream.quirks)  # fixed-width wrapped files
    tokens = Tokenizer(stream, lenient=lenient, max_segment=max_segment)
    yield from EnvelopeReader(tokens, lenient=lenient, max_set_segments=max_set_segments)


def read_transactions(source: Source, *, lenient: bool = True) -> Iterator[Transaction]:
    """Only the transaction sets of ``source``, each with its envelope headers and issues.

    Interchange- and group-level findings are dropped: use ``read`` when acknowledging.
    """
    for event in read(source, lenient=lenient):
        if isinstance(event, Transaction):
            yield event


def parse(source: Source, *, lenient: bool = True) -> ParsedFile:
    """Read all of ``source`` into a tree (CLI and tests; not for gigabyte files).

    Returns a list of ``Interchange`` whose ``unreadable`` attribute keeps the stretches
    that were not X12.
    """
    result = ParsedFile()
    interchange: Interchange | None = None
    group: Group | None = None
    for event in read(source, lenient=lenient):
        if isinstance(event, InterchangeStart):
            interchange = Interchange(event.header)
            result.append(interchange)
        elif isinstance(event, GroupStart):
            group = Group(event.header)
            if interchange is not None:
                interchange.groups.append(group)
        elif isinstance(event, Transaction):
            if group is not None:
                group.transactions.append(event)
        elif isinstance(event, GroupEnd):
            if group is not None:
                group.issues.extend(event.issues)
            group = None
        elif isinstance(event, InterchangeEnd):
            if interchange is not None:
                interchange.issues.extend(event.issues)
            interchange = None
        else:
            result.unreadable.append(event)
    return result
