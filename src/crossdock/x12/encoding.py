"""Turn any reader source into a stream of decoded text chunks, in bounded memory.

X12 is defined over bytes, but partners send UTF-8 (sometimes with a BOM), Latin-1 bytes that
are not valid UTF-8, or EBCDIC from mainframes. The reader works on ``str`` so that a
multi-byte terminator (U+2026) is one character and ``str.split`` does the heavy lifting, so
this module decides the codec from the first bytes and decodes chunk by chunk.
"""

from __future__ import annotations

import codecs
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

CHUNK_SIZE = 1 << 20  # 1 MiB: big enough for str.split to amortise, small enough to bound memory

# 'ISA' in EBCDIC (cp037 and cp500 agree on letters and on '*', the usual element separator).
_EBCDIC_ISA = b"\xc9\xe2\xc1"
_UTF8_BOM = codecs.BOM_UTF8

Source = bytes | bytearray | memoryview | str | os.PathLike[str] | BinaryIO


@dataclass(slots=True)
class Quirk:
    """A non-standard property of the encoding, reported as a warning by the tokenizer."""

    kind: str
    message: str
    offset: int = 0
    #: An error whatever the read's leniency (a wrapped file whose lines stop fitting).
    error: bool = False


@dataclass(slots=True)
class TextStream:
    """Decoded text chunks plus what was noticed while decoding.

    ``quirks`` grows while ``chunks`` is consumed (a Latin-1 fallback can be discovered in
    the middle of a file), so the tokenizer drains it after each chunk.
    """

    chunks: Iterator[str]
    quirks: list[Quirk] = field(default_factory=list)


def open_text(source: Source, chunk_size: int = CHUNK_SIZE) -> TextStream:
    """Wrap ``source`` (X12 text, bytes, a path or a binary file) as decoded text chunks.

    A ``str`` is taken to be X12 text itself, never a path: use ``pathlib.Path`` for paths.
    Only I/O errors (e.g. a missing file) raise; decoding never does.
    """
    stream = TextStream(iter(()))
    if isinstance(source, str):
        stream.chunks = _str_chunks(source, chunk_size, stream.quirks)
    elif isinstance(source, bytes | bytearray | memoryview):
        stream.chunks = _byte_chunks(io.BytesIO(bytes(source)), chunk_size, stream.quirks, False)
    elif isinstance(source, os.PathLike):
        handle = open(os.fspath(source), "rb")  # noqa: SIM115 - closed by the generator
        stream.chunks = _byte_chunks(handle, chunk_size, stream.quirks, True)
    else:
        stream.chunks = _byte_chunks(source, chunk_size, stream.quirks, False)
    return stream


def _str_chunks(text: str, chunk_size: int, quirks: list[Quirk]) -> Iterator[str]:
    """Slice already-decoded text; only the BOM needs attention."""
    start = 0
    if text.startswith("\ufeff"):
        quirks.append(Quirk("bom", "input starts with a byte order mark (U+FEFF)"))
        start = 1
    for offset in range(start, len(text), chunk_size):
        yield text[offset : offset + chunk_size]


def _sniff(head: bytes) -> tuple[str, int, Quirk | None]:
    """Pick the codec from the first bytes: (codec, bytes to skip, quirk to report)."""
    if head.startswith(_UTF8_BOM):
        return "utf-8", len(_UTF8_BOM), Quirk("bom", "input starts with a UTF-8 byte order mark")
    stripped = head.lstrip(b"\x40\x15\x25\x0d")  # EBCDIC space, NL, LF, CR before the ISA
    if stripped.startswith(_EBCDIC_ISA):
        return "cp037", 0, Quirk("ebcdic", "input is EBCDIC (decoded as cp037)")
    return "utf-8", 0, None


def _byte_chunks(
    handle: BinaryIO, chunk_size: int, quirks: list[Quirk], close: bool
) -> Iterator[str]:
    """Decode binary chunks incrementally, falling back to Latin-1 on invalid UTF-8.

    The fallback keeps going instead of failing: Latin-1 maps every byte, so a partner's
    ISO-8859-1 file still parses, and the warning says from which byte on it was applied.
    """
    try:
        first = handle.read(chunk_size)
        codec, skip, quirk = _sniff(first[:512])
        if quirk is not None:
            quirks.append(quirk)
        decoder = codecs.getincrementaldecoder(codec)("strict")
        data = first[skip:]
        consumed = skip
        while data:
            try:
                text = decoder.decode(data)
            except UnicodeDecodeError as error:
                pending = decoder.getstate()[0]
                quirks.append(
                    Quirk(
                        "latin1",
                        f"input is not valid {codec.upper()} ({error.reason} at byte "
                        f"{consumed + error.start}); decoded as Latin-1 from byte "
                        f"{consumed - len(pending)} on",
                        consumed - len(pending),
                    )
                )
                codec = "latin-1"
                decoder = codecs.getincrementaldecoder(codec)("strict")
                text = (pending + data).decode("latin-1")
            consumed += len(data)
            if text:
                yield text
            data = handle.read(chunk_size)
        tail = decoder.decode(b"", final=True) if codec != "latin-1" else ""
        if tail:
            yield tail
    except UnicodeDecodeError as error:  # truncated multi-byte sequence at end of input
        quirks.append(
            Quirk("latin1", f"input ends inside a multi-byte character ({error.reason})", 0)
        )
        yield error.object[error.start :].decode("latin-1")
    finally:
        if close:
            handle.close()
