"""A partner's drop folder: pick files up atomically, then archive them or set them aside.

A file is only read once it has stopped changing (same size, not modified for
``settle_seconds``) and is not a hidden or temporary name, so a partner still uploading is
never read half-way. Picking up is a rename into ``<inbox>/.processing/``: atomic on one file
system, so two hub processes can never take the same file, and a crash leaves the file there
to be processed again at the next start (intake is idempotent on interchange control
numbers, so a second pass records nothing twice).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PROCESSING = ".processing"
_TEMPORARY_SUFFIXES = (".tmp", ".part", ".partial", ".filepart", ".crdownload", ".swp")


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
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.name = name
        self.inbox = inbox
        self.archive_dir = archive
        self.error_dir = error
        self.pattern = pattern
        self.settle_seconds = settle_seconds
        self._clock = clock
        self._sizes: dict[str, int] = {}
        self._processing = inbox / PROCESSING
        for directory in (inbox, archive, error, self._processing):
            directory.mkdir(parents=True, exist_ok=True)

    def __repr__(self) -> str:
        return f"FolderDrop({self.name!r}, inbox={str(self.inbox)!r})"

    def leftovers(self) -> list[Path]:
        """Files a previous process claimed but did not finish: process them again."""
        return sorted(p for p in self._processing.iterdir() if p.is_file())

    def ready(self) -> list[Path]:
        """Files that have settled, oldest first."""
        now = self._clock()
        seen: dict[str, int] = {}
        ready: list[tuple[float, Path]] = []
        for path in self.inbox.glob(self.pattern):
            name = path.name
            if name.startswith(".") or name.lower().endswith(_TEMPORARY_SUFFIXES):
                continue
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            if not path.is_file():
                continue
            seen[name] = stat.st_size
            unchanged = self._sizes.get(name) == stat.st_size or self.settle_seconds == 0
            if unchanged and now - stat.st_mtime >= self.settle_seconds:
                ready.append((stat.st_mtime, path))
        self._sizes = seen
        return [path for _, path in sorted(ready)]

    def claim(self, path: Path) -> Path | None:
        """Move a ready file out of the inbox; None when someone else took it first."""
        target = self._processing / path.name
        try:
            os.rename(path, target)
        except FileNotFoundError:
            return None
        self._sizes.pop(path.name, None)
        return target

    def archive(self, claimed: Path, report: dict[str, Any]) -> Path:
        """The file was taken in: keep it, stamped, with its report next to it."""
        return self._settle(claimed, self.archive_dir, report)

    def reject(self, claimed: Path, report: dict[str, Any]) -> Path:
        """The file (or part of it) was rejected: set it aside with the reasons."""
        return self._settle(claimed, self.error_dir, report)

    def _settle(self, claimed: Path, directory: Path, report: dict[str, Any]) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = directory / f"{stamp}_{claimed.name}"
        report_path = target.with_name(target.name + ".report.json")
        tmp = report_path.with_name("." + report_path.name + ".tmp")
        tmp.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
        os.replace(tmp, report_path)
        os.replace(claimed, target)
        return target
