"""Pure helpers for the tokenizer: is a stretch of text clean, and how to clean it.

Kept apart from the tokenizer's state machine so the rules for what partners put around
segments (line breaks, indentation, '//' comments, wrapped lines) read in one place.
"""

from __future__ import annotations

WHITESPACE = " \t\r\n\x0b\x0c\x85\xa0"

# kind -> message of the warning the tokenizer records (once per interchange).
QUIRKS = {
    "comment": "'//' comment lines are not X12",
    "indent": "segments are indented with spaces or tabs",
    "wrapped": "segments are wrapped over several lines",
}


def comment_or_blank(text: str) -> bool:
    """Whether ``text`` holds only whitespace and '//' comment lines (editor samples)."""
    return all(not line.strip() or line.lstrip().startswith("//") for line in text.splitlines())


def is_clean(region: str, sep: str, term: str) -> bool:
    """Whether ``region.split(sep)`` alone yields the segments, with nothing to strip.

    True when every terminator is followed by exactly the interchange's suffix, no other
    line break occurs and no segment starts with whitespace. Counting with ``str.count``
    runs at memory speed, so clean chunks pay nothing per segment.
    """
    count = region.count(term)
    if sep != term:
        clean = (
            region.count(sep) == count
            and region.count("\n") == count * sep.count("\n")
            and region.count("\r") == count * sep.count("\r")
        )
    else:
        clean = ("\n" not in region or term == "\n") and ("\r" not in region or term == "\r")
    return (
        clean
        and not region[:1].isspace()
        and (sep + " ") not in region
        and (sep + "\t") not in region
    )


def clean_pieces(pieces: list[str], found: set[str], *, keep_empty: bool = True) -> list[str]:
    """Strip line breaks, indentation and comments around segments.

    Adds to ``found`` the ``QUIRKS`` kinds met; CR/LF around segments is standard practice
    and not a quirk. A piece left empty lay between two terminators (a doubled terminator,
    with maybe blank or comment lines between): it stays an empty segment, as the fast path
    (``str.split``) keeps it, so the reading does not depend on which path a chunk takes,
    the raw text keeps it and the validator reports it. Only the text after the last
    terminator (``keep_empty=False``) is dropped when blank.
    """
    result: list[str] = []
    for piece in pieces:
        if not piece:
            if keep_empty:
                result.append(piece)
            continue
        first = piece[0]
        if first in WHITESPACE or first == "/" or "\n" in piece or "\r" in piece:
            if "//" in piece:
                lines = piece.splitlines()
                kept = [line for line in lines if not line.lstrip().startswith("//")]
                if len(kept) != len(lines):
                    found.add("comment")
                    piece = "\n".join(kept)
            stripped = piece.lstrip(WHITESPACE)
            if stripped and piece[: len(piece) - len(stripped)].strip("\r\n"):
                found.add("indent")
            piece = stripped.rstrip("\r\n")
            if "\n" in piece or "\r" in piece:
                found.add("wrapped")
                piece = piece.replace("\r", "").replace("\n", "")
        if piece or keep_empty:
            result.append(piece)
    return result


def first_tagged(pieces: list[str], tag: str, element: str) -> int:
    """The index of the first piece whose segment id is ``tag``, or -1.

    The same test the envelope layer makes (``piece.split(element)[0] == tag``), so the
    tokenizer can end an interchange exactly where the envelope layer will see its IEA.
    """
    opening = tag + element
    for index, piece in enumerate(pieces):
        if piece == tag or piece.startswith(opening):
            return index
    return -1


def after_terminators(text: str, term: str, count: int) -> int:
    """The index just past the ``count``-th ``term`` in ``text`` (``len(text)`` if fewer)."""
    at = 0
    for _ in range(count):
        found = text.find(term, at)
        if found == -1:
            return len(text)
        at = found + len(term)
    return at
