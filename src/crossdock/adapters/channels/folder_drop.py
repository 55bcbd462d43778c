"""A partner's drop folder: pick files up atomically, then archive them or set them aside.

A file is only read once it has stopped changing (same size and modification time for
``settle_seconds`` of our clock, and not modified for as long) and is not a hidden or
temporary name, so a partner still uploading is never read half-way. An X12 file must also
end with its IEA: a writer that pauses longer than the settle time leaves an interchange
without its trailer, and such a file waits (up to ``complete_wait_seconds`` after its last
change, then it is taken and the reader reports what is missing).

Picking up is a rename into ``<inbox>/.processing/``: atomic on one file system, so two hub
processes can never take the same file, and a crash leaves the file there to be processed
again at the next start (intake is idempotent on interchange control numbers, so a second
pass records nothing twice).

Nothing in the folder is trusted (see `folder_files`): symbolic links, directories, FIFOs,
devices and hard links are refused without being opened and moved to the error folder with
a report saying why.
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import json
import logging
import os
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from crossdock.adapters.channels.folder_files import (
    Refused,
    derived_name,
    open_dir,
    open_regular,
    refusal,
    x12_incomplete,
)

log = logging.getLogger(__name__)

PROCESSING = ".processing"
REPORT = ".report.json"
#: Bytes a derived name must leave free: the report's temporary name, the longest one.
_RESERVE = len(".") + len(REPORT) + len(".tmp")
_TEMPORARY_SUFFIXES = (".tmp", ".part", ".partial", ".filepart", ".crdownload", ".swp")


@dataclass(frozen=True, slots=True)
class _Sighting:
    signature: tuple[int, int, int]  # size, mtime (ns), inode
    since: float  # our clock when the file was first seen like this


class FolderDrop:
    """Implements the hub's ``FileDrop`` port on a local (or mounted) directory."""

    def __init__(
        self,
        name: str,
        inbox: Path,
        archive: Path,
        error: Path,
        *,
        pattern: str = "*",
        settle_seconds: float = 1.0,
        complete_wait_seconds: float = 300.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.name = name
        self.inbox = inbox
        self.archive_dir = archive
        self.error_dir = error
        self.pattern = pattern
        self.settle_seconds = settle_seconds
        self.complete_wait_seconds = complete_wait_seconds
        self._clock = clock
        self._seen: dict[str, _Sighting] = {}
        self._refused: set[tuple[str, int, int]] = set()  # could not be moved aside: once
        self._overdue: set[str] = set()
        self._processing = inbox / PROCESSING
        for directory in (inbox, archive, error, self._processing):
            directory.mkdir(parents=True, exist_ok=True)
        # The archive or error folder may live inside the inbox: never refuse those.
        self._own = {(st.st_dev, st.st_ino) for st in (archive.stat(), error.stat())}

    def __repr__(self) -> str:
        return f"FolderDrop({self.name!r}, inbox={str(self.inbox)!r})"

    @contextlib.contextmanager
    def _folders(self) -> Iterator[tuple[int, int]]:
        """Descriptors of the inbox and of its ``.processing`` (never a link)."""
        inbox = open_dir(str(self.inbox))
        try:
            processing = self._open_processing(inbox)
            try:
                yield inbox, processing
            finally:
                os.close(processing)
        finally:
            os.close(inbox)

    def _open_processing(self, inbox: int) -> int:
        try:
            return open_dir(PROCESSING, dir_fd=inbox, nofollow=True)
        except FileNotFoundError:
            pass
        except OSError as exc:
            if exc.errno not in (errno.ELOOP, errno.ENOTDIR):
                raise
            # Someone put a link (or a file) in place of our working folder: set it aside.
            st = os.stat(PROCESSING, dir_fd=inbox, follow_symlinks=False)
            self._refuse(inbox, PROCESSING, st, refusal(st) or "not a directory")
        os.mkdir(PROCESSING, dir_fd=inbox)
        return open_dir(PROCESSING, dir_fd=inbox, nofollow=True)

    def leftovers(self) -> list[Path]:
        """Files a previous process claimed but did not finish: process them again."""
        with self._folders() as (_inbox, processing):
            names = sorted(n for n in os.listdir(processing) if not n.startswith("."))
        return [self._processing / n for n in names]

    def ready(self) -> list[Path]:
        """Files that have settled, oldest first; refuses what is not a plain file."""
        now = self._clock()
        seen: dict[str, _Sighting] = {}
        ready: list[tuple[float, Path]] = []
        with self._folders() as (inbox, _processing), os.scandir(inbox) as entries:
            for entry in entries:
                name = entry.name
                if name.startswith(".") or name.lower().endswith(_TEMPORARY_SUFFIXES):
                    continue
                if not fnmatch.fnmatchcase(name, self.pattern):
                    continue
                try:
                    st = entry.stat(follow_symlinks=False)
                except FileNotFoundError:
                    continue
                if (st.st_dev, st.st_ino) in self._own:
                    continue
                reason = refusal(st)
                if reason is not None and not stat.S_ISREG(st.st_mode):
                    self._refuse(inbox, name, st, reason)  # links, FIFOs...: never opened
                    continue
                signature = (st.st_size, st.st_mtime_ns, st.st_ino)
                sighting = self._seen.get(name)
                if sighting is None or sighting.signature != signature:
                    sighting = _Sighting(signature, now)
                seen[name] = sighting
                if not self._settled(st, sighting, now):
                    continue
                if reason is not None:  # a hard link that stayed one
                    self._refuse(inbox, name, st, reason)
                elif self._complete(inbox, name, st.st_size, now - sighting.since):
                    ready.append((st.st_mtime, self.inbox / name))
        self._seen = seen
        self._refused = {key for key in self._refused if key[0] in seen}
        return [path for _, path in sorted(ready)]

    def _settled(self, st: os.stat_result, sighting: _Sighting, now: float) -> bool:
        if self.settle_seconds == 0:
            return True
        quiet = now - st.st_mtime >= self.settle_seconds
        return quiet and now - sighting.since >= self.settle_seconds

    def _complete(self, inbox: int, name: str, size: int, unchanged_for: float) -> bool:
        """An X12 file ends with its IEA, or has waited for it long enough."""
        try:
            fd = open_regular(inbox, name)
        except Refused as exc:  # swapped for a link (or linked) since it was listed
            with contextlib.suppress(OSError):
                self._refuse(
                    inbox, name, os.stat(name, dir_fd=inbox, follow_symlinks=False), str(exc)
                )
            return False
        except OSError:
            return False  # gone or unreadable for now: look again next pass
        try:
            incomplete = x12_incomplete(fd, size)
        finally:
            os.close(fd)
        if not incomplete:
            self._overdue.discard(name)
            return True
        if unchanged_for < self.complete_wait_seconds:
            return False
        if name not in self._overdue:
            self._overdue.add(name)
            log.warning(
                "folder %s: %s has no IEA after %.0f s unchanged; taking it as it is",
                self.name,
                name,
                unchanged_for,
            )
        return True

    def _refuse(self, inbox: int, name: str, st: os.stat_result, reason: str) -> None:
        """Move a refused entry to the error folder (never opening it), with a report."""
        key = (name, st.st_dev, st.st_ino)
        if key in self._refused:
            return
        report: dict[str, Any] = {"file": name, "refused": reason}
        if stat.S_ISLNK(st.st_mode):
            with contextlib.suppress(OSError):
                report["link_target"] = os.readlink(name, dir_fd=inbox)
        target = self.error_dir / derived_name(_stamp() + "_", name.lstrip("."), reserve=_RESERVE)
        try:
            os.rename(name, target, src_dir_fd=inbox)
            _write_report(target, report)
        except OSError as exc:
            self._refused.add(key)
            log.error("folder %s: %s refused (%s), left in place: %s", self.name, name, reason, exc)
            return
        log.warning("folder %s: %s refused (%s), moved to %s", self.name, name, reason, target)

    def claim(self, path: Path) -> Path | None:
        """Move a ready file out of the inbox; None when someone else took it first (or a
        file of the same name is still being processed)."""
        name = path.name
        with self._folders() as (inbox, processing):
            with contextlib.suppress(FileNotFoundError):
                os.stat(name, dir_fd=processing, follow_symlinks=False)
                return None  # never overwrite a claimed file: take this one once it is done
            try:
                os.rename(name, name, src_dir_fd=inbox, dst_dir_fd=processing)
            except FileNotFoundError:
                return None
        self._seen.pop(name, None)
        return self._processing / name

    def open(self, claimed: Path) -> BinaryIO:
        """The claimed file for reading; `Refused` (an OSError) when it is not a plain file."""
        if claimed.parent != self._processing:
            raise Refused(f"{claimed} is not a file this drop folder claimed")
        with self._folders() as (_inbox, processing):
            fd = open_regular(processing, claimed.name)
        return os.fdopen(fd, "rb")

    def archive(self, claimed: Path, report: dict[str, Any]) -> Path:
        """The file was taken in: keep it, stamped, with its report next to it."""
        return self._settle(claimed, self.archive_dir, report)

    def reject(self, claimed: Path, report: dict[str, Any]) -> Path:
        """The file (or part of it) was rejected: set it aside with the reasons."""
        return self._settle(claimed, self.error_dir, report)

    def _settle(self, claimed: Path, directory: Path, report: dict[str, Any]) -> Path:
        target = directory / derived_name(_stamp() + "_", claimed.name, reserve=_RESERVE)
        _write_report(target, report)
        with self._folders() as (_inbox, processing):
            os.replace(claimed.name, target, src_dir_fd=processing)
        return target


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _write_report(target: Path, report: dict[str, Any]) -> None:
    report_path = target.with_name(target.name + REPORT)
    tmp = report_path.with_name("." + report_path.name + ".tmp")
    tmp.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    os.replace(tmp, report_path)
