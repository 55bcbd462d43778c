"""The drop folder: only settled files are taken, claims are atomic, nothing disappears."""

from __future__ import annotations

import json
import os
from pathlib import Path

from crossdock.adapters.channels.folder_drop import FolderDrop


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def make(tmp_path: Path, clock: Clock, settle: float = 1.0) -> FolderDrop:
    return FolderDrop(
        "acme",
        tmp_path / "in",
        tmp_path / "archive",
        tmp_path / "error",
        settle_seconds=settle,
        clock=clock,
    )


def write(path: Path, data: bytes, mtime: float) -> None:
    path.write_bytes(data)
    os.utime(path, (mtime, mtime))


def test_a_file_is_ready_only_once_it_stops_changing(tmp_path: Path) -> None:
    clock = Clock(1000.0)
    drop = make(tmp_path, clock)
    f = tmp_path / "in" / "po.x12"
    write(f, b"PO 1", 999.5)
    assert drop.ready() == []  # too recent, and first sighting
    clock.now = 1002.0
    write(f, b"PO 1, 2", 1001.9)  # still growing
    assert drop.ready() == []
    clock.now = 1005.0
    assert drop.ready() == [f]  # same size as last time and quiet for a second


def test_hidden_and_temporary_names_are_never_read(tmp_path: Path) -> None:
    clock = Clock(2000.0)
    drop = make(tmp_path, clock, settle=0)
    for name in (".upload.x12", "po.x12.tmp", "po.part", "po.x12.filepart"):
        write(tmp_path / "in" / name, b"x", 1000)
    write(tmp_path / "in" / "po.x12", b"x", 1000)
    assert [p.name for p in drop.ready()] == ["po.x12"]


def test_claim_is_atomic_and_exclusive(tmp_path: Path) -> None:
    clock = Clock(2000.0)
    drop = make(tmp_path, clock, settle=0)
    other = make(tmp_path, clock, settle=0)
    write(tmp_path / "in" / "po.x12", b"x", 1000)
    [path] = drop.ready()
    claimed = drop.claim(path)
    assert claimed is not None and claimed.exists()
    assert other.claim(path) is None
    assert drop.ready() == []


def test_leftovers_of_a_crash_are_offered_again(tmp_path: Path) -> None:
    clock = Clock(2000.0)
    drop = make(tmp_path, clock, settle=0)
    write(tmp_path / "in" / "po.x12", b"x", 1000)
    claimed = drop.claim(drop.ready()[0])
    assert claimed is not None
    restarted = make(tmp_path, clock, settle=0)
    assert restarted.leftovers() == [claimed]


def test_archive_and_reject_keep_the_file_and_a_report(tmp_path: Path) -> None:
    clock = Clock(2000.0)
    drop = make(tmp_path, clock, settle=0)
    write(tmp_path / "in" / "a.x12", b"good", 1000)
    write(tmp_path / "in" / "b.x12", b"bad", 1000)
    a, b = (drop.claim(p) for p in drop.ready())
    assert a is not None and b is not None
    kept = drop.archive(a, {"file": "a.x12", "ok": True})
    aside = drop.reject(b, {"file": "b.x12", "errors": ["not X12"]})
    assert kept.parent == tmp_path / "archive" and kept.read_bytes() == b"good"
    assert aside.parent == tmp_path / "error" and aside.read_bytes() == b"bad"
    report = json.loads(aside.with_name(aside.name + ".report.json").read_text())
    assert report["errors"] == ["not X12"]
    assert not list((tmp_path / "in" / ".processing").iterdir())
