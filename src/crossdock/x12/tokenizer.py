"""Split decoded text into segment strings, chunk by chunk, interchange by interchange.

The tokenizer works on whole chunks with C-speed string methods (``count``, ``find``,
``split``): a chunk whose segments are all cleanly ``terminator + suffix`` separated is split
in one call and costs nothing per segment. Only chunks with indentation, comments, wrapped
lines or stray whitespace take the per-segment slow path, which also records the quirk.
Delimiters can change at every ISA, so the text is cut at each ISA/IEA boundary.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from crossdock.x12.codes import InterchangeNote as Note
from crossdock.x12.delimiters import parse_isa
from crossdock.x12.encoding import TextStream
from crossdock.x12.events import Unreadable
from crossdock.x12.findings import MAX_FINDINGS_PER_SET, limit_note, omitted_issue
from crossdock.x12.model import InterchangeHeader, Issue, IssueLevel, Severity
from crossdock.x12.segment_text import (
    QUIRKS,
    WHITESPACE,
    after_terminators,
    clean_pieces,
    comment_or_blank,
    first_tagged,
    is_clean,
)

MAX_SEGMENT = 1 << 20  # longer "segments" are dropped: a missing terminator must not eat memory
_SAMPLE = 40
_MAX_LINE = 1 << 12  # longest line outside interchanges judged whole across chunks


@dataclass(slots=True)
class IsaToken:
    """A decoded ISA; ``issues`` includes encoding quirks noticed before it."""

    header: InterchangeHeader
    issues: list[Issue]
    offset: int


Token = list[str] | IsaToken | Issue | Unreadable


@dataclass(slots=True)
class _Junk:
    """Text found outside any interchange, reported once per stretch."""

    offset: int = -1
    length: int = 0
    sample: str = ""
    issues: list[Issue] = field(default_factory=list)
    omitted: int = 0  # findings past MAX_FINDINGS_PER_SET (a file of 'ISA*ISA*...'), counted
    first_omitted: Issue | None = None

    def add(self, issues: list[Issue]) -> None:
        for issue in issues:
            if len(self.issues) < MAX_FINDINGS_PER_SET:
                self.issues.append(issue)
            else:
                self.omitted += 1
                self.first_omitted = self.first_omitted or issue


class Tokenizer:
    """Iterate ``Token``s: ISAs, batches of segment strings, quirks and unreadable stretches."""

    def __init__(
        self, stream: TextStream, *, lenient: bool = True, max_segment: int = MAX_SEGMENT
    ) -> None:
        self._stream = stream
        self._lenient = lenient
        self._max_segment = max_segment
        self._buf = ""
        self._pos = 0
        self._base = 0  # offset of _buf[0] in the whole text
        self._eof = False
        self._header: InterchangeHeader | None = None
        self._term = self._sep = self._elem = self._stray = ""
        self._skipping = False
        self._reported: set[str] = set()
        self._pending: list[Issue] = []
        self._junk = _Junk()
        self._seen_isa = False

    def __iter__(self) -> Iterator[Token]:
        out: list[Token] = []
        while True:
            progressed = self._step_isa(out) if self._header is None else self._step_segments(out)
            if out:
                yield from out
                out.clear()
            if progressed:
                continue
            if self._eof:
                break
            self._fill()
        self._flush_junk(out)
        if not self._seen_isa and not out:
            out.append(
                Unreadable(
                    [
                        Issue(
                            IssueLevel.INTERCHANGE,
                            Note.PREMATURE_END_OF_FILE,
                            "input is empty: no ISA segment found",
                        )
                    ],
                    0,
                )
            )
        yield from out

    # -- reading ---------------------------------------------------------------------------

    def _fill(self) -> None:
        """Append the next decoded chunk, dropping what has been consumed."""
        chunk = next(self._stream.chunks, None)
        self._base += self._pos
        self._buf = self._buf[self._pos :] + (chunk or "")
        self._pos = 0
        self._eof = chunk is None
        for quirk in self._stream.quirks:
            self._quirk(
                quirk.kind, quirk.message, Note.INVALID_CONTENT, always=True, error=quirk.error
            )
        self._stream.quirks.clear()

    def _quirk(
        self, kind: str, message: str, code: str, *, always: bool = False, error: bool = False
    ) -> None:
        """Record a non-standard property once per interchange (warning when lenient)."""
        if kind in self._reported and not always:
            return
        self._reported.add(kind)
        severity = Severity.WARNING if self._lenient and not error else Severity.ERROR
        control = self._header.control_number if self._header else None
        self._pending.append(
            Issue(IssueLevel.INTERCHANGE, code, message, severity, interchange_control=control)
        )

    # -- outside interchanges --------------------------------------------------------------

    def _step_isa(self, out: list[Token]) -> bool:
        """Find and decode the next ISA; returns False when more text is needed."""
        buf, pos = self._buf, self._pos
        start = buf.find("ISA", pos)
        if start == -1:
            keep = len(buf) if self._eof else self._outside_stop(pos)
            self._outside(pos, keep)
            self._pos = keep
            return False
        self._outside(pos, start)
        self._pos = start
        result = parse_isa(buf, start, lenient=self._lenient, at_eof=self._eof)
        if result is None:
            return False
        if result.header is None:
            self._note_junk(start, buf[start : start + _SAMPLE], 3)
            self._junk.add(result.issues)
            self._pos = result.end
            return True
        self._flush_junk(out)
        self._seen_isa = True
        self._header = header = result.header
        pending = [
            i
            if i.interchange_control
            else Issue(
                i.level, i.code, i.message, i.severity, interchange_control=header.control_number
            )
            for i in self._pending
        ]
        self._pending = []
        out.append(IsaToken(header, pending + result.issues, self._base + start))
        delimiters = header.delimiters
        self._term, self._elem = delimiters.segment, delimiters.element
        self._sep = delimiters.segment + delimiters.suffix
        self._stray = result.stray + delimiters.segment if result.stray else ""
        self._pos = result.end + len(result.suffix)
        return True

    def _outside_stop(self, pos: int) -> int:
        """How far text without an ISA can be judged before more arrives.

        Up to the last line break, so a '//' comment line is judged whole whatever the
        chunk boundaries; a partial 'IS' stays for the next chunk. A stretch without line
        break is kept up to ``_MAX_LINE`` characters (junk need not be buffered, and a
        longer comment line is not one an editor wrote), then cut short of its last two.
        """
        buf = self._buf
        line = buf.rfind("\n", pos, len(buf) - 2)
        if line != -1:
            return line + 1
        return pos if len(buf) - pos <= _MAX_LINE else len(buf) - 2

    def _outside(self, start: int, stop: int) -> None:
        """Account for text between interchanges: blank and comment lines are tolerated."""
        if start >= stop:
            return
        text = self._buf[start:stop]
        if text.isspace():
            return
        if comment_or_blank(text) and "\n" in text:
            self._quirk("comment", QUIRKS["comment"], Note.INVALID_CONTENT)
            return
        lead = len(text) - len(text.lstrip(WHITESPACE))
        self._note_junk(start + lead, text.strip(WHITESPACE), len(text) - lead)

    def _note_junk(self, start: int, sample: str, length: int) -> None:
        junk = self._junk
        if junk.offset < 0:
            junk.offset, junk.sample = self._base + start, sample[:_SAMPLE]
        junk.length += length

    def _flush_junk(self, out: list[Token]) -> None:
        """Emit the pending stretch of non-X12 text as one ``Unreadable``."""
        junk = self._junk
        if junk.offset < 0:
            return
        issues = [
            Issue(
                IssueLevel.INTERCHANGE,
                Note.INVALID_CONTENT,
                f"{junk.length} characters outside any interchange are not X12 (starting {junk.sample!r})",
            )
        ]
        if junk.omitted:
            why = limit_note(MAX_FINDINGS_PER_SET, "stretch of text outside interchanges")
            junk.issues.append(omitted_issue(junk.omitted, why, like=junk.first_omitted))
        out.append(Unreadable(issues + junk.issues, junk.offset))
        self._junk = _Junk()

    # -- inside an interchange -------------------------------------------------------------

    def _step_segments(self, out: list[Token]) -> bool:
        """Emit the complete segments in the buffer up to the next ISA/IEA boundary."""
        buf, pos, term = self._buf, self._pos, self._term
        if self._skipping:
            found = buf.find(term, pos)
            self._pos = len(buf) if found == -1 else found + 1
            self._skipping = found == -1
            return found != -1
        if self._eof:
            cut = len(buf)
        else:
            cut = buf.rfind(self._sep, pos)
            cut = buf.rfind(term, pos) + 1 if cut == -1 else cut + len(self._sep)
            if cut <= pos:
                if len(buf) - pos > self._max_segment:
                    self._drop_oversized(out)
                    return True
                return False
        if cut <= pos:
            return False
        start, tag = self._boundary(pos, cut)
        # ``hidden``: where an IEA that only cleaning revealed ends the interchange (see _emit).
        if start == -1:
            hidden = self._emit(buf[pos:cut], out, at_end=self._eof)
            if hidden == -1:
                self._pos = cut
                return True
            self._pos = pos + hidden
        elif tag == "ISA":
            hidden = self._emit(buf[pos:start], out, at_end=False)
            self._pos = start if hidden == -1 else pos + hidden
        else:
            end = buf.find(term, start, cut)
            stop = cut if end == -1 else end + 1
            hidden = self._emit(buf[pos:stop], out, at_end=end == -1)
            self._pos = stop if hidden == -1 else pos + hidden
        self._header = None
        self._reported = set()  # quirks are reported once per interchange
        return True

    def _drop_oversized(self, out: list[Token]) -> None:
        control = self._header.control_number if self._header else None
        message = f"a segment runs over {self._max_segment} characters without a terminator {self._term!r}; skipped to the next terminator"
        self._pending.append(
            Issue(
                IssueLevel.INTERCHANGE,
                Note.SEGMENT_TERMINATOR_INVALID,
                message,
                interchange_control=control,
            )
        )
        out.extend(self._pending)
        self._pending = []
        self._pos = len(self._buf)
        self._skipping = True

    def _boundary(self, start: int, stop: int) -> tuple[int, str]:
        """The first IEA or ISA that starts a segment in ``[start, stop)``, or (-1, '').

        A bare 'IEA' (no elements, right before a terminator) counts: the envelope layer
        closes the interchange on it, so the text after it must not stay in the interchange.
        'IEA' is looked for once, then its next character checked (one scan, not two).
        """
        buf, ends = self._buf, (self._elem, self._term)
        iea = buf.find("IEA", start, stop - 1)
        while iea != -1 and (buf[iea + 3] not in ends or not self._at_segment_start(start, iea)):
            iea = buf.find("IEA", iea + 1, stop - 1)
        # ISA only before that IEA: in a chunk of many small interchanges, a search to the
        # chunk's end at every one would read the chunk over and over.
        end = stop if iea == -1 else iea + 3
        isa = buf.find("ISA" + self._elem, start, end)
        while isa != -1 and not self._at_segment_start(start, isa):
            isa = buf.find("ISA" + self._elem, isa + 1, end)
        if isa != -1:
            return isa, "ISA"
        return (iea, "IEA") if iea != -1 else (-1, "")

    def _at_segment_start(self, start: int, index: int) -> bool:
        """Whether only whitespace or comment lines lie between the previous terminator and ``index``."""
        previous = self._buf.rfind(self._term, start, index)
        between = self._buf[start if previous == -1 else previous + 1 : index]
        if not between or between.isspace():
            return True
        lines = between.splitlines(keepends=True)
        return not lines[-1].strip() and comment_or_blank(between)

    def _emit(self, region: str, out: list[Token], *, at_end: bool) -> int:
        """Split ``region`` into segment strings (fast path when it is clean).

        Returns -1, or where in ``region`` the interchange ends: past the terminator of an
        IEA that only cleaning revealed (wrapped, 'IEA\\n~'), which ``_boundary`` cannot see
        in the raw text. The envelope layer closes the interchange on that IEA, so the
        segments after it must not be emitted as part of it. A clean region needs no such
        check: its pieces are the raw text, and ``_boundary`` found every IEA in it.
        """
        original, sep, term = region, self._sep, self._term
        if self._stray:
            region = region.replace(self._stray, term)
            if at_end and region.endswith(self._stray[0]):
                region = region[:-1] + term
        if sep != term and region.endswith(term) and not region.endswith(sep):
            # An interchange's region stops between IEA's terminator and its line break:
            # complete it so the region still takes the clean fast path. Only for IEA, which
            # ends the region whatever the chunk size, so chunking cannot change the result.
            previous = region.rfind(sep, 0, len(region) - len(term))
            if region.startswith("IEA", 0 if previous == -1 else previous + len(sep)):
                region += sep[len(term) :]
        clean = is_clean(region, sep, term)
        pieces = region.split(sep if clean else term)
        found: set[str] = set()
        tail = clean_pieces([pieces.pop()], found, keep_empty=False)
        hidden = -1
        if not clean:
            raw_pieces, pieces = pieces, clean_pieces(pieces, found)
            index = first_tagged(pieces, "IEA", self._elem)  # an IEA in the tail ends it anyway
            if index != -1:
                # What follows the IEA is outside the interchange: not its segments nor quirks.
                found, tail = set(), []
                pieces = clean_pieces(raw_pieces[: index + 1], found)
                hidden = after_terminators(original, term, index + 1)
        for kind in sorted(found):
            self._quirk(kind, QUIRKS[kind], Note.INVALID_CONTENT)
        if tail:
            message = f"the last segment {tail[0][:_SAMPLE]!r} has no terminator"
            self._quirk("unterminated", message, Note.SEGMENT_TERMINATOR_INVALID)
            pieces.extend(tail)
        if self._pending:
            out.extend(self._pending)
            self._pending = []
        if pieces:
            out.append(pieces)
        return hidden
