"""Undo fixed-width wrapping: interchanges cut into lines of one width (often 80 columns).

Some systems (mainframe spools, old VANs, mail gateways) write the whole interchange as
lines of one width, so line breaks fall anywhere: inside the ISA, inside element values,
inside control numbers. Read as it is, such a file is mostly "characters outside any
interchange". This filter sits between decoding and tokenizing and removes those breaks,
chunk by chunk, so memory stays flat however large the file.

Detection looks only at the start of the text, and is deliberately narrow:

* the text starts with ``ISA`` and its first line break comes after ``W`` characters
  (``W >= MIN_WIDTH``), with CRLF or LF breaks, the same kind throughout;
* the first lines (up to ``SAMPLE_LINES``) are all exactly ``W`` wide, the last line of the
  file may be shorter;
* the break falls *inside a segment*: the first line does not end with the segment
  terminator (ISA position 106). A file with one segment per line (terminator + newline)
  is never unwrapped, even when several of its lines happen to have one length.

Once detected, the stream is reported once (a ``wrapped`` quirk: a WARNING on the first
interchange in a lenient read) and unwrapped as it flows. A later line of another width
(other than the last, shorter one) is an ERROR naming its line number; from there on the
text is passed through as it is, so what follows is read, and reported, as received.
"""

from __future__ import annotations

from collections.abc import Iterator

from crossdock.x12.encoding import Quirk

MIN_WIDTH = 20
SAMPLE_LINES = 16
MAX_HEAD = 1 << 16  # text looked at to decide; a first line longer than this is no wrapping
_ISA_LENGTH = 106  # ISA fixed width, terminator included


def unwrap(chunks: Iterator[str], quirks: list[Quirk]) -> Iterator[str]:
    """Yield ``chunks`` as they are, or unwrapped when they are a fixed-width wrapped file."""
    parts: list[str] = []
    size = breaks = 0
    start = ""
    at_eof = True
    for chunk in chunks:
        parts.append(chunk)
        size += len(chunk)
        breaks += chunk.count("\n")
        if len(start) < 3:
            start = (start + chunk)[:3]
        if breaks > SAMPLE_LINES or size >= MAX_HEAD or (len(start) == 3 and start != "ISA"):
            at_eof = False
            break
    head = "".join(parts)
    found = wrapped_width(head, at_eof)
    if found is None:  # the chunks as they came: the tokenizer's bounds see no difference
        yield from parts
        yield from chunks
        return
    width, newline = found
    quirks.append(
        Quirk(
            "wrapped",
            f"input is wrapped at {width} columns (line breaks inside segments); "
            "the line breaks were removed",
        )
    )
    lines = _Lines(width, newline)
    yield from lines.emit(head, at_eof, quirks)
    for chunk in chunks:
        yield from lines.emit(chunk, False, quirks)
    yield from lines.emit("", True, quirks)


def wrapped_width(head: str, at_eof: bool) -> tuple[int, str] | None:
    """(width, line break) when ``head`` starts a fixed-width wrapped interchange, else None."""
    if not head.startswith("ISA"):
        return None
    first = head.find("\n")
    if first == -1:
        return None
    newline = "\r\n" if head[first - 1] == "\r" else "\n"
    width = first - len(newline) + 1
    if width < MIN_WIDTH:
        return None
    pieces = head.split("\n")
    complete, rest = pieces[:-1], pieces[-1]
    if newline == "\r\n":
        if not all(p.endswith("\r") for p in complete):
            return None
        complete = [p[:-1] for p in complete]
    elif any(p.endswith("\r") for p in complete):
        return None
    sample = complete[:SAMPLE_LINES]
    if len(complete) <= SAMPLE_LINES and at_eof:
        body = [p for p in sample if p.strip()] + ([rest] if rest.strip() else [])
        if not body or any(len(p) != width for p in body[:-1]) or len(body[-1]) > width:
            return None
    elif any(len(p) != width for p in sample):
        return None
    joined = "".join(sample) + (rest if at_eof else "")
    if len(joined) < _ISA_LENGTH:
        return None
    terminator = joined[_ISA_LENGTH - 1]
    if terminator in "\r\n" or terminator.isalnum() or terminator == " ":
        return None
    if sample[0].endswith(terminator):
        return None  # breaks after segments: one segment per line, not wrapping
    return width, newline


class _Lines:
    """The streaming half: drops the breaks of ``width``-wide lines, checking each width."""

    def __init__(self, width: int, newline: str) -> None:
        self._width = width
        self._newline = newline
        self._stride = width + len(newline)
        self._rest = ""  # the text from the line that broke the width on, as received
        self._why: Quirk | None = None
        self._carry = ""
        self._line = 0  # complete lines consumed so far
        self._short: tuple[int, int] | None = None  # (line number, width) of a short line
        self._broken = False

    def emit(self, chunk: str, eof: bool, quirks: list[Quirk]) -> Iterator[str]:
        """The unwrapped text; when a line breaks the width, the error is added to
        ``quirks`` between the text before it and the rest, so the tokenizer reports it on
        the interchange it is reading there."""
        out = self.feed(chunk, eof)
        if out:
            yield out
        if self._why is not None:
            quirks.append(self._why)
            self._why = None
            if self._rest:
                yield self._rest
            self._rest = ""

    def feed(self, chunk: str, eof: bool) -> str:
        if self._broken:
            return chunk
        text = self._carry + chunk
        cut = len(text) if eof else text.rfind("\n") + 1
        body, self._carry = text[:cut], text[cut:]
        if len(self._carry) > self._stride:  # a line wider than the rest: not this wrapping
            done = self._slow(body) if body else ""
            if self._broken:
                self._rest += self._carry
                return done
            return done + self._break(self._line + 1, len(self._carry), [self._carry], 0)
        count = body.count("\n")
        if (
            not eof
            and self._short is None
            and len(body) == count * self._stride
            and body[self._width :: self._stride] == self._newline[0] * count
            and (len(self._newline) == 1 or body.count("\r") == count)
        ):
            self._line += count
            return body.replace(self._newline, "")
        return self._slow(body)

    def _slow(self, body: str) -> str:
        """Line by line: a short line is fine only when nothing but blanks follows it."""
        out: list[str] = []
        pieces = body.split("\n")
        complete = len(pieces) - 1  # the last piece has no break (empty after a final one)
        for index, piece in enumerate(pieces):
            if index == complete and not piece:
                break
            if self._newline == "\r\n" and index < complete:
                if not piece.endswith("\r"):  # an LF among CRLF breaks: not this wrapping
                    return "".join(out) + self._break(self._line + 1, len(piece), pieces, index)
                piece = piece[:-1]
            self._line += 1
            if not piece.strip():
                continue
            if self._short is not None:  # the short line was not the last one
                line, width = self._short
                return "".join(out) + self._break(line, width, pieces, index)
            if len(piece) > self._width:
                return "".join(out) + self._break(self._line, len(piece), pieces, index)
            if len(piece) < self._width:
                self._short = (self._line, len(piece))
            out.append(piece)
        return "".join(out)

    def _break(self, line: int, width: int, pieces: list[str], index: int) -> str:
        """Stop unwrapping: report the line that breaks the width, pass the rest through."""
        self._broken = True
        self._why = Quirk(
            "wrapped_width",
            f"line {line} is {width} characters wide but the input is wrapped at "
            f"{self._width} columns: line breaks from line {line} on are kept",
            error=True,
        )
        self._rest = "\n".join(pieces[index:])
        return ""
