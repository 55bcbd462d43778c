"""Retention archives as gzip-compressed NDJSON: one file per run, kind and document type.

``<dir>/<YYYY-MM-DD>/<kind>-<document type>-<run>.ndjson.gz``, the day being the run's (UTC).
Each batch appends one gzip member to its file and fsyncs it before the batch's delete
commits; gzip readers (``zcat``, Python's `gzip`) read the members as one stream, so a file is
one NDJSON document however many batches wrote it. Lines are JSON objects
(`hub.retention.archive_lines`); `read_archive` reads them back.
"""

from __future__ import annotations

import gzip
import json
import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

SUFFIX = ".ndjson.gz"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


class NdjsonArchive:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path_for(self, run: str, kind: str, document_type: str) -> Path:
        day = f"{run[0:4]}-{run[4:6]}-{run[6:8]}" if run[:8].isdigit() else "undated"
        name = f"{_safe(kind)}-{_safe(document_type)}-{_safe(run)}{SUFFIX}"
        return self.directory / day / name

    def write(self, run: str, kind: str, document_type: str, lines: Sequence[Any]) -> str:
        path = self.path_for(run, kind, document_type)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = b"".join(
            json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
            for line in lines
        )
        with path.open("ab") as raw:
            with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as member:
                member.write(data)
            raw.flush()
            os.fsync(raw.fileno())
        return str(path)

    def files(self) -> list[Path]:
        """Every archive file under the directory, oldest day first."""
        if not self.directory.is_dir():
            return []
        return sorted(self.directory.glob(f"*/*{SUFFIX}"))


def read_archive(path: Path) -> Iterator[dict[str, Any]]:
    """The lines of an archive file, in the order written."""
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            value = json.loads(line)
            if not isinstance(value, dict):
                raise ValueError(f"{path}:{number}: not a JSON object")
            yield value


def _safe(part: str) -> str:
    return _UNSAFE.sub("_", part)[:80] or "_"
