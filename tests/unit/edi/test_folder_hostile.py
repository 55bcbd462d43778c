"""Drop folders against hostile or awkward content: links, FIFOs, directories, hard links,
names at the file system's limit, writers that pause, and one file that fails among many.

Real directories and a real SQLite store; only the clocks are fake.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from crossdock.adapters.channels.folder_drop import FolderDrop
from crossdock.adapters.channels.folder_files import NAME_MAX, derived_name, x12_incomplete
from crossdock.hub.edi.acknowledging import ack_renderer
from crossdock.hub.edi.folder_intake import FolderIntake
from crossdock.hub.edi.partners import StaticPartnerDirectory, TradingPartner
from crossdock.hub.edi.prepare import EdiPreparer
from crossdock.hub.edi.service import EdiService
from crossdock.hub.records import MessageFilter
from crossdock.hub.store_runner import StoreRunner
from crossdock.mapping.x12 import X12Mapper
from tests.conftest import ROOT, SqlStore

FIXTURE = (ROOT / "tests" / "fixtures" / "x12" / "850.edi").read_text()
PARTNER = TradingPartner(name="acme", qualifier="ZZ", id="CROSSDOCKTEST", gs_id="CROSSDOCKTEST")
SECRET = b"root:x:0:0:the secret outside the drop folder\n"


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def make(tmp_path: Path, clock: Clock, *, settle: float = 0, wait: float = 300) -> FolderDrop:
    return FolderDrop(
        "acme",
        tmp_path / "in",
        tmp_path / "archive",
        tmp_path / "error",
        settle_seconds=settle,
        complete_wait_seconds=wait,
        clock=clock,
    )


def interchange(isa13: int) -> str:
    text = FIXTURE.replace("*000000001*", f"*{isa13:09d}*", 1)
    return text.replace("IEA*1*000000001", f"IEA*1*{isa13:09d}")


def reports(directory: Path) -> dict[str, dict[str, Any]]:
    return {
        p.name.removesuffix(".report.json"): json.loads(p.read_text())
        for p in directory.glob("*.report.json")
    }


@pytest.fixture
def service(store: SqlStore) -> Iterator[EdiService]:
    runner = StoreRunner(store.uow)
    preparer = EdiPreparer(
        StaticPartnerDirectory([PARTNER]), lambda _t: "critical", lambda _p: X12Mapper()
    )
    yield EdiService(preparer, runner, ack_renderer(lambda: datetime(2026, 11, 27, tzinfo=UTC)))
    runner.close()


def all_raw(store: SqlStore) -> list[bytes]:
    with store.uow() as uow:
        found = [uow.messages.get(m.id) for m in uow.messages.find(MessageFilter(), 1000, 0)]
    return [m.raw for m in found if m is not None]


def test_a_symlink_in_the_inbox_is_refused_never_read_and_reported(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_bytes(SECRET)
    drop = make(tmp_path, Clock(2000.0))
    (tmp_path / "in" / "link.x12").symlink_to(secret)
    assert drop.ready() == []
    [(name, report)] = reports(tmp_path / "error").items()
    assert name.endswith("_link.x12") and "symbolic link" in report["refused"]
    assert report["link_target"] == str(secret)
    assert (tmp_path / "error" / name).is_symlink()  # the link moved, its target untouched
    assert secret.read_bytes() == SECRET and not list((tmp_path / "in").glob("*.x12"))


def test_links_fifos_and_directories_claimed_earlier_are_refused_without_blocking(
    tmp_path: Path, service: EdiService, store: SqlStore
) -> None:
    secret = tmp_path / "secret.x12"
    secret.write_bytes(SECRET)
    drop = make(tmp_path, Clock(2000.0))
    processing = tmp_path / "in" / ".processing"
    (processing / "a-link.x12").symlink_to(secret)  # left by a crash, or swapped in
    os.mkfifo(processing / "b-fifo.x12")
    (processing / "c-dir.x12").mkdir()
    (processing / "d-good.x12").write_text(interchange(7))
    intake = FolderIntake([drop], service)
    done = threading.Event()

    def run() -> None:
        asyncio.run(intake.poll_folders())
        done.set()

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    if not done.wait(20):  # blocked on the FIFO: free it so the thread ends, then fail
        os.close(os.open(processing / "b-fifo.x12", os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("reading the drop folder blocked on a FIFO")
    refused = {name.split("_", 1)[1]: r for name, r in reports(tmp_path / "error").items()}
    assert sorted(refused) == ["a-link.x12", "b-fifo.x12", "c-dir.x12"]
    assert all(r["refused"] for r in refused.values())
    assert [p.name.split("_", 1)[1] for p in (tmp_path / "archive").glob("*.x12")] == ["d-good.x12"]
    assert not any(SECRET in raw for raw in all_raw(store))
    assert list(processing.iterdir()) == []


def test_directories_fifos_and_hard_links_in_the_inbox_are_refused(tmp_path: Path) -> None:
    clock = Clock(2000.0)
    drop = make(tmp_path, clock, settle=1)
    inbox = tmp_path / "in"
    (inbox / "sub").mkdir()
    os.mkfifo(inbox / "pipe")
    outside = tmp_path / "outside.x12"
    outside.write_bytes(SECRET)
    os.utime(outside, (1000, 1000))
    os.link(outside, inbox / "hard.x12")
    assert drop.ready() == []  # not settled yet: the hard link may be an upload's last step
    clock.now = 2002.0
    assert drop.ready() == []
    refused = {
        name.split("_", 1)[1]: r["refused"] for name, r in reports(tmp_path / "error").items()
    }
    assert set(refused) == {"sub", "pipe", "hard.x12"}
    assert "directory" in refused["sub"] and "FIFO" in refused["pipe"]
    assert "hard link" in refused["hard.x12"]
    assert list(inbox.iterdir()) == [inbox / ".processing"]


def test_archive_and_error_folders_inside_the_inbox_are_left_alone(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    drop = FolderDrop("acme", inbox, inbox / "archive", inbox / "error", settle_seconds=0)
    assert drop.ready() == []
    assert (inbox / "archive").is_dir() and (inbox / "error").is_dir()


def test_a_name_at_the_limit_is_archived_and_reported_under_a_shorter_unique_name(
    tmp_path: Path, service: EdiService
) -> None:
    drop = make(tmp_path, Clock(2000.0))
    long_a = "a" * 240 + "-one.x12"  # 248 bytes: legal, but stamp + ".report.json" is not
    long_b = "a" * 240 + "-two.x12"
    (tmp_path / "in" / long_a).write_text(interchange(11))
    (tmp_path / "in" / long_b).write_text(interchange(12))
    taken = asyncio.run(FolderIntake([drop], service).poll_folders())
    assert taken == 2
    archived = reports(tmp_path / "archive")
    assert sorted(r["file"] for r in archived.values()) == [long_a, long_b]
    assert all(name.endswith(".x12") for name in archived)
    names = [p.name for p in (tmp_path / "archive").iterdir()]
    assert len(names) == 4 and all(len(os.fsencode(n)) <= NAME_MAX for n in names)
    assert list((tmp_path / "in" / ".processing").iterdir()) == []


def test_derived_names_stay_within_the_limit_and_keep_whole_characters() -> None:
    name = "é" * 125 + ".x12"  # 254 bytes
    derived = derived_name("20261206T000000000000Z_", name, reserve=17)
    assert len(os.fsencode(derived)) <= NAME_MAX - 17
    assert derived.endswith(".x12") and derived.encode("utf-8")  # no half character
    other = derived_name("20261206T000000000000Z_", "é" * 124 + "e.x12", reserve=17)
    assert other != derived
    assert derived_name("p_", "short.x12", reserve=17) == "p_short.x12"


class FailingOnce(FolderDrop):
    """A drop whose archive fails for one file name (a full disk, a refused name...)."""

    def __init__(self, *args: Any, bad: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bad = bad
        self.failures = 0

    def archive(self, claimed: Path, report: dict[str, Any]) -> Path:
        if claimed.name == self.bad and self.failures == 0:
            self.failures += 1
            raise OSError(28, "No space left on device")
        return super().archive(claimed, report)


def test_one_failing_file_never_jams_the_others_and_is_retried_later(
    tmp_path: Path, service: EdiService
) -> None:
    clock = Clock(100.0)
    drop = FailingOnce(
        "acme",
        tmp_path / "in",
        tmp_path / "archive",
        tmp_path / "error",
        settle_seconds=0,
        bad="b.x12",
    )
    for number, name in enumerate(("a.x12", "b.x12", "c.x12"), start=21):
        (tmp_path / "in" / name).write_text(interchange(number))
    intake = FolderIntake([drop], service, clock=clock, retry_seconds=30)
    assert asyncio.run(intake.poll_folders()) == 2  # no exception: a and c went through
    assert [p.name for p in (tmp_path / "in" / ".processing").iterdir()] == ["b.x12"]
    clock.now = 110.0
    assert asyncio.run(intake.poll_folders()) == 0  # backing off, not failing every pass
    clock.now = 131.0
    assert asyncio.run(intake.poll_folders()) == 1
    archived = sorted(r["file"] for r in reports(tmp_path / "archive").values())
    assert archived == ["a.x12", "b.x12", "c.x12"]
    assert list((tmp_path / "in" / ".processing").iterdir()) == []


def test_leftovers_at_start_up_go_through_one_by_one(tmp_path: Path, service: EdiService) -> None:
    processing = tmp_path / "in" / ".processing"
    processing.mkdir(parents=True)
    (processing / ("z" * 250)).write_text(interchange(31))  # the pass that failed before
    (processing / "ok.x12").write_text(interchange(32))
    drop = make(tmp_path, Clock(2000.0))
    assert asyncio.run(FolderIntake([drop], service).poll_folders()) == 2
    assert list(processing.iterdir()) == []
    assert len(reports(tmp_path / "archive")) == 2


def test_an_x12_file_waits_for_its_iea_across_long_pauses(tmp_path: Path) -> None:
    clock = Clock(1000.0)
    drop = make(tmp_path, clock, settle=1, wait=60)
    text = interchange(41)
    cut = text.index("GE*")
    path = tmp_path / "in" / "po.x12"
    path.write_text(text[:cut])  # the writer pauses here, longer than the settle time
    os.utime(path, (1000, 1000))
    assert drop.ready() == []
    clock.now = 1005.0
    assert drop.ready() == []  # size and time stable, but no IEA: still being written
    with path.open("a") as handle:
        handle.write(text[cut:])
    os.utime(path, (1006, 1006))
    clock.now = 1007.0
    assert drop.ready() == []  # changed: settles again
    clock.now = 1008.5
    assert drop.ready() == [path]


def test_an_x12_file_that_never_ends_is_taken_after_the_maximum_wait(tmp_path: Path) -> None:
    clock = Clock(1000.0)
    drop = make(tmp_path, clock, settle=1, wait=60)
    path = tmp_path / "in" / "po.x12"
    text = interchange(42)
    path.write_text(text[: text.index("GE*")])
    os.utime(path, (999, 999))
    assert drop.ready() == []
    clock.now = 1030.0
    assert drop.ready() == []
    clock.now = 1061.0
    assert drop.ready() == [path]  # then the reader reports the missing trailer


def test_a_file_that_is_not_x12_is_not_held_back(tmp_path: Path) -> None:
    clock = Clock(1000.0)
    drop = make(tmp_path, clock, settle=1)
    path = tmp_path / "in" / "notes.txt"
    path.write_text("not X12 at all")
    os.utime(path, (990, 990))
    assert drop.ready() == []
    clock.now = 1001.5
    assert drop.ready() == [path]


def test_a_file_that_is_not_x12_is_rejected_and_its_bytes_recorded(
    tmp_path: Path, service: EdiService, store: SqlStore
) -> None:
    drop = make(tmp_path, Clock(2000.0))
    (tmp_path / "in" / "junk.x12").write_bytes(b"no ISA here")
    assert asyncio.run(FolderIntake([drop], service).poll_folders()) == 1
    [report] = reports(tmp_path / "error").values()
    assert report["interchanges"][0]["unreadable"] is True
    assert all_raw(store) == [b"no ISA here"]


@pytest.mark.parametrize(
    ("ending", "incomplete"),
    [
        ("GE*1*1~\nIEA*1*000000001~\n", False),
        ("GE*1*1~\nIEA*1*000000001~", False),
        ("GE*1*1~\nIEA*1*000000001", False),  # partners omit the last terminator
        ("GE*1*1~\nIEA*1*1", False),  # unpadded, equal to ISA13
        ("GE*1*1~\nIEA*1*00000", True),  # cut inside the control number
        ("GE*1*1~\nIEA*", True),
        ("GE*1*1~\n", True),
    ],
)
def test_what_counts_as_a_written_trailer(tmp_path: Path, ending: str, incomplete: bool) -> None:
    text = interchange(1)
    path = tmp_path / "f.x12"
    path.write_text(text[: text.index("GE*")] + ending)
    fd = os.open(path, os.O_RDONLY)
    try:
        assert x12_incomplete(fd, os.fstat(fd).st_size) is incomplete
    finally:
        os.close(fd)
