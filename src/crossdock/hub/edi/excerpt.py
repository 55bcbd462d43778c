"""What is kept of an input that is not X12 at all: its first bytes, from any kind of source."""

from __future__ import annotations

MAX_EXCERPT = 1_048_576


def excerpt(source: object) -> bytes:
    """The bytes to keep for an unreadable input: all of it up to 1 MiB."""
    if isinstance(source, bytes | bytearray):
        return bytes(source[:MAX_EXCERPT])
    if isinstance(source, str):
        return source[:MAX_EXCERPT].encode("utf-8", "replace")
    read = getattr(source, "read", None)
    if read is not None:  # a binary file (a drop folder's, a spooled upload): from its start
        try:
            source.seek(0)  # type: ignore[attr-defined]
            return bytes(read(MAX_EXCERPT))
        except (OSError, ValueError):
            return b""
    try:
        with open(source, "rb") as handle:  # type: ignore[call-overload]
            data: bytes = handle.read(MAX_EXCERPT)
            return data
    except (TypeError, OSError):
        return b""
