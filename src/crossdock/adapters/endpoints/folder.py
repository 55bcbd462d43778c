"""Deliver documents as files into a directory (a shared drop folder, an SFTP-synced mount)."""

from __future__ import annotations

import asyncio
import os
import re
import time
import uuid
from pathlib import Path

from crossdock.hub.ports import OutboundRequest, SendResult

_EXTENSIONS = {
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/plain": "txt",
    "application/edi-x12": "x12",
    "application/edifact": "edi",
    "application/edi-edifact": "edi",
}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_STEM = 120


def extension_for(content_type: str) -> str:
    """A file extension for a media type (parameters ignored); ``bin`` when unknown."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media in _EXTENSIONS:
        return _EXTENSIONS[media]
    if media.endswith("+json"):
        return "json"
    if media.endswith("+xml"):
        return "xml"
    return "bin"


def safe_part(text: str) -> str:
    """Make a correlation key or id usable in a file name, on every file system."""
    cleaned = _UNSAFE.sub("_", text).strip("._")
    return cleaned[:_MAX_STEM] or "none"


class FolderEndpoint:
    """An :class:`~crossdock.hub.ports.Endpoint` that writes each delivery as one file.

    Receivers that poll a folder must never see half a file, so each delivery is written under
    a temporary name in the same directory, fsynced, and then renamed into place
    (``<correlation>_<delivery id>.<ext>``) with ``os.replace``, which is atomic on one file
    system. The name depends only on the delivery, so a redelivery rewrites the same file with
    the same bytes: idempotent by construction. File I/O runs in a worker thread so a slow disk
    never stalls the event loop.

    Args:
        name: Logical endpoint name (from config).
        directory: Where the files go; created on first use.
        extension: Force one extension instead of deriving it from the content type.
        fsync: Flush file and directory to disk before reporting success (on by default:
            a delivery reported ok must survive a power cut).
    """

    def __init__(
        self,
        name: str,
        directory: str | os.PathLike[str],
        *,
        extension: str | None = None,
        fsync: bool = True,
    ) -> None:
        self.name = name
        self.directory = Path(directory)
        self.extension = extension.lstrip(".") if extension else None
        self.fsync = fsync

    def __repr__(self) -> str:
        return f"FolderEndpoint(name={self.name!r}, directory={str(self.directory)!r})"

    def filename(self, request: OutboundRequest) -> str:
        """The final file name for a delivery: stable, so rewrites land on the same file."""
        ext = self.extension or extension_for(request.content_type)
        return f"{safe_part(request.correlation_key)}_{safe_part(request.delivery_id)}.{ext}"

    async def send(self, request: OutboundRequest) -> SendResult:
        """Write one delivery; file system errors come back as retryable results (a full disk
        fails like a 503), a name this message cannot have as a message failure."""
        started = time.perf_counter()
        try:
            target = self.directory / self.filename(request)
        except (ValueError, UnicodeError) as exc:
            return SendResult(
                ok=False,
                error=f"no file name for this message: {exc}",
                retryable=False,
                message_failure=True,
            )
        try:
            await asyncio.to_thread(self._write, target, request.body)
        except OSError as exc:
            ms = (time.perf_counter() - started) * 1000.0
            reason = exc.strerror or type(exc).__name__
            return SendResult(
                ok=False,
                error=f"write error: {reason} ({target})",
                retryable=True,
                duration_ms=ms,
            )
        ms = (time.perf_counter() - started) * 1000.0
        return SendResult(ok=True, retryable=False, duration_ms=ms)

    def _write(self, target: Path, body: bytes) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        # A leading dot keeps the temporary file out of most pollers' globs.
        tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
        try:
            with open(tmp, "wb") as fh:
                fh.write(body)
                if self.fsync:
                    fh.flush()
                    os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        if self.fsync:
            _fsync_directory(target.parent)

    async def close(self) -> None:
        """Nothing to release: every write opens and closes its own file."""


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
