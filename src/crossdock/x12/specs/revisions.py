"""Edits that turn a set's 004010 STRUCTURE text into its 005010 one, where the tables differ.

005010 made the same few changes across the purchase-order family (850, 855): MTX (text) where
004010 has MSG, IN2 (name components) after N2 in the N1 loops, PWK and EFI closing the N9
loops. Spelling them once keeps each set's ``STRUCTURE_5010`` a visible, short difference
from its 004010 table instead of a second copy of it.
"""

from __future__ import annotations


def add_after(text: str, match: str, *added: str) -> str:
    """After every line whose stripped text is ``match``, lines ``added`` at its indent."""
    out: list[str] = []
    found = False
    for line in text.splitlines():
        out.append(line)
        if line.strip() == match:
            found = True
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(indent + extra for extra in added)
    if not found:
        raise ValueError(f"no structure line {match!r} to extend")
    return "\n".join(out) + "\n"


def mtx_beside_msg(text: str) -> str:
    """005010 places MTX where 004010 has MSG: accept both, MTX right after each MSG (unless
    one follows already)."""
    lines = text.splitlines()
    out: list[str] = []
    for index, line in enumerate(lines):
        out.append(line)
        following = lines[index + 1].strip() if index + 1 < len(lines) else ""
        if line.strip().startswith("MSG ") and not following.startswith("MTX "):
            out.append(line[: len(line) - len(line.lstrip())] + "MTX O >1")
    return "\n".join(out) + "\n"


def replace(text: str, *edits: tuple[str, str]) -> str:
    """Apply ``(old, new)`` text edits in order; an edit whose text is missing is an error."""
    for old, new in edits:
        if old not in text:
            raise ValueError(f"structure text {old!r} not found")
        text = text.replace(old, new)
    return text
