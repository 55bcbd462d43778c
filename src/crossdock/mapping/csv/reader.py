"""Records of a flat file, streamed: bounded lines in, one record (cells + raw text) out.

The file is read line by line from a binary stream (`readline` with a limit), each line
decoded on its own, so that a byte the encoding cannot read is one row's error (not the
file's), a line longer than the map allows is cut off unread (a hostile or broken file never
fills memory), and a record's raw text is kept for the message log. Delimited files go
through the standard `csv` module over those lines (quoted fields may hold delimiters and
line breaks); fixed-width files are cut by character positions.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, Literal

from crossdock.mapping.csv.model import CsvMap

#: Bytes read at a time while skipping the rest of an over-long line.
_DRAIN = 64 * 1024


class RecordProblem(Exception):
    """A record that cannot be read (too long, not in the file's encoding)."""

    def __init__(self, row: int, reason: str, text: str = "") -> None:
        super().__init__(reason)
        self.row = row
        self.reason = reason
        self.text = text


@dataclass(slots=True)
class Record:
    """One record: the file line it starts on, its raw text, its cells (or why none)."""

    row: int
    text: str
    cells: list[str]
    problem: str | None = None


class _Lines:
    """Decoded lines of a binary stream; remembers the text of the record being read.

    An iterator the csv reader pulls from. A problem (a line too long, a byte outside the
    encoding, a record growing past the limit) is raised as `RecordProblem`; the iterator
    stays usable, so the caller starts a fresh csv reader at the next line.
    """

    def __init__(self, stream: BinaryIO, csv_map: CsvMap) -> None:
        self._stream = stream
        self._encoding = "utf-8" if csv_map.encoding == "utf-8-sig" else csv_map.encoding
        self._limit = csv_map.max_row_chars
        self.line = 0  # lines read so far
        self.record_start = 1
        self._pending: list[str] = []
        self._pending_chars = 0

    def __iter__(self) -> Iterator[str]:
        return self

    def start_record(self) -> None:
        self._pending = []
        self._pending_chars = 0
        self.record_start = self.line + 1

    def record_text(self) -> str:
        return "".join(self._pending)

    def __next__(self) -> str:
        # Bytes per character are at most 4 in the encodings a map may name.
        raw = self._stream.readline(self._limit * 4 + 1)
        if not raw:
            raise StopIteration
        self.line += 1
        if len(raw) > self._limit * 4 and not raw.endswith(b"\n"):
            while True:  # skip the rest of the line unread
                more = self._stream.readline(_DRAIN)
                if not more or more.endswith(b"\n"):
                    break
            raise RecordProblem(
                self.line, f"line longer than {self._limit} characters (max_row_chars)"
            )
        if self.line == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]  # a byte order mark, whether or not the map says utf-8-sig
        try:
            text = raw.decode(self._encoding)
        except UnicodeDecodeError as exc:
            bad = raw[exc.start : exc.start + 1].hex()
            raise RecordProblem(
                self.line,
                f"byte 0x{bad} at character {exc.start + 1} is not {self._encoding} "
                "(is the map's encoding right?)",
                raw.decode("latin-1"),
            ) from exc
        self._pending_chars += len(text)
        if self._pending_chars > self._limit:
            started = self.record_start
            self.start_record()
            raise RecordProblem(
                started,
                f"record longer than {self._limit} characters (max_row_chars; an unclosed quote?)",
            )
        self._pending.append(text)
        return text


def records(stream: BinaryIO, csv_map: CsvMap) -> Iterator[Record]:
    """Every non-blank record after `skip_rows`, the header included (the caller reads it)."""
    lines = _Lines(stream, csv_map)
    for _ in range(csv_map.skip_rows):
        try:
            next(lines)
        except StopIteration:
            return
        except RecordProblem:
            continue
    if csv_map.layout == "fixed":
        yield from _fixed(lines, csv_map)
    else:
        yield from _delimited(lines, csv_map)


def _delimited(lines: _Lines, csv_map: CsvMap) -> Iterator[Record]:
    quoting: Literal[0, 3] = csv.QUOTE_NONE if csv_map.quoting == "none" else csv.QUOTE_MINIMAL
    while True:
        reader = csv.reader(
            lines,
            delimiter=csv_map.delimiter,
            quotechar=csv_map.quote_char,
            quoting=quoting,
            strict=True,
        )
        try:
            while True:
                lines.start_record()
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    text = lines.record_text()
                    yield Record(lines.record_start, text, [], f"not readable as CSV: {exc}")
                    break  # a fresh reader at the next line
                if not cells or all(not c.strip() for c in cells):
                    continue
                yield Record(lines.record_start, lines.record_text(), cells)
        except RecordProblem as exc:
            yield Record(exc.row, exc.text, [], exc.reason)


def _fixed(lines: _Lines, csv_map: CsvMap) -> Iterator[Record]:
    spans = [(c.start or 1, c.width or 0) for c in csv_map.columns]
    while True:
        lines.start_record()
        try:
            text = next(lines)
        except StopIteration:
            return
        except RecordProblem as exc:
            yield Record(exc.row, exc.text, [], exc.reason)
            continue
        body = text.rstrip("\r\n")
        if not body.strip():
            continue
        yield Record(lines.record_start, text, [body[s - 1 : s - 1 + w] for s, w in spans])
