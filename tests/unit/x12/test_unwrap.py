"""Fixed-width wrapped files (e.g. 80 columns, breaks inside segments) are unwrapped with one
warning; files with one segment per line are left alone; a later line of another width is an
error naming its line. Fixtures: tests/fixtures/x12/envelope (README there)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from crossdock.x12 import reader
from crossdock.x12.events import Event, InterchangeEnd, Unreadable
from crossdock.x12.model import Issue, Severity, Transaction
from crossdock.x12.unwrap import wrapped_width
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "x12"
ENVELOPE = FIXTURES / "envelope"


def events(data: bytes, chunk_size: int) -> list[Event]:
    return list(reader.read(data, chunk_size=chunk_size))


def transactions(found: list[Event]) -> list[Transaction]:
    return [e for e in found if isinstance(e, Transaction)]


def interchange_issues(found: list[Event]) -> list[list[Issue]]:
    return [list(e.issues) for e in found if isinstance(e, InterchangeEnd)]


@pytest.mark.parametrize("chunk_size", [1 << 20, 7])
@pytest.mark.parametrize(
    ("wrapped", "original", "width"),
    [
        ("850_wrapped_80.edi", "850.edi", 80),
        ("850_wrapped_72_crlf.edi", "850.edi", 72),
        ("830_wrapped_80_crlf.edi", "envelope/830_forecast.edi", 80),
    ],
)
def test_a_wrapped_file_reads_like_the_original_with_one_warning(
    wrapped: str, original: str, width: int, chunk_size: int
) -> None:
    found = events((ENVELOPE / wrapped).read_bytes(), chunk_size)
    expected = transactions(events((FIXTURES / original).read_bytes(), 1 << 20))
    got = transactions(found)
    assert [t.segments for t in got] == [t.segments for t in expected]
    assert all(t.issues == [] for t in got)
    assert not any(isinstance(e, Unreadable) for e in found)
    [issues] = interchange_issues(found)
    [warning] = issues
    assert warning.severity is Severity.WARNING
    assert f"wrapped at {width} columns" in warning.message


@pytest.mark.parametrize("name", ["850.edi", "envelope/830_forecast.edi"])
def test_one_segment_per_line_is_not_unwrapped(name: str) -> None:
    found = events((FIXTURES / name).read_bytes(), 1 << 20)
    assert interchange_issues(found) == [[]]


def test_equal_lines_that_end_segments_are_not_wrapping() -> None:
    isa = (FIXTURES / "850.edi").read_text().splitlines()[0]
    assert len(isa) == 106 and isa.endswith("~")
    same = [isa, "N9*ZZ*" + "X" * 99 + "~", "N9*ZZ*" + "Y" * 99 + "~"]
    assert wrapped_width("\n".join(same) + "\n", True) is None
    assert wrapped_width("\r\n".join(same) + "\r\n", True) is None
    # the same text cut inside the ISA is wrapping
    flat = "".join(same)
    cut = "\n".join(flat[i : i + 80] for i in range(0, len(flat), 80))
    assert wrapped_width(cut, True) == (80, "\n")


def test_text_that_does_not_start_with_isa_is_left_alone() -> None:
    text = "x" * 80 + "\n" + "ISA" + "y" * 77 + "\n" + "z" * 30
    assert wrapped_width(text, True) is None


@pytest.mark.parametrize("chunk_size", [1 << 20, 7])
def test_a_later_line_of_another_width_is_an_error_naming_it(chunk_size: int) -> None:
    found = events((ENVELOPE / "850_830_wrapped_80_broken.edi").read_bytes(), chunk_size)
    first, second = interchange_issues(found)
    assert [i.severity for i in first] == [Severity.WARNING]  # read whole, unwrapped
    [error] = [i for i in second if i.severity is Severity.ERROR and "line 22" in i.message]
    assert "60 characters wide but the input is wrapped at 80 columns" in error.message
    assert error.interchange_control == "000000830"
    assert [t.code for t in transactions(found)] == ["850", "830", "830"]


BIG = textwrap.dedent(
    """
    import resource, sys
    from pathlib import Path
    resource.setrlimit(resource.RLIMIT_AS, (72 << 20, 72 << 20))
    from crossdock.x12 import reader
    from crossdock.x12.events import InterchangeEnd
    from crossdock.x12.model import Transaction

    path = Path(sys.argv[1])
    lines = Path(sys.argv[2]).read_text().splitlines()
    head, body, tail = lines[:2], lines[2:-2], lines[-2:]
    count = 0
    column = 0
    with path.open("w", newline="") as out:
        def put(text):
            global column
            while text:
                room = 80 - column
                out.write(text[:room])
                column += len(text[:room])
                text = text[room:]
                if column == 80:
                    out.write("\\r\\n")
                    column = 0
        put("".join(head))
        set_text = "".join(body)
        while path.stat().st_size < 32 << 20:
            for _ in range(1000):
                count += 1
                put(set_text.replace("*0001~", f"*{count:09d}~"))
        put("GE*%d*1~IEA*1*000000001~" % count)
    seen = warnings = 0
    for event in reader.read(path):
        if isinstance(event, Transaction):
            seen += 1
            assert not event.issues, event.issues
        elif isinstance(event, InterchangeEnd):
            warnings += sum("wrapped at 80" in i.message for i in event.issues)
    assert (seen, warnings) == (count, 1), (seen, count, warnings)
    print(seen)
    """
)


def test_a_big_wrapped_file_is_read_in_flat_memory(tmp_path: Path) -> None:
    """32 MB wrapped at 80 columns (CRLF), read under a 72 MB address-space limit: holding
    the file, or its unwrapped text, whole would not fit."""
    done = subprocess.run(
        [sys.executable, "-c", BIG, str(tmp_path / "big.edi"), str(FIXTURES / "850.edi")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout) > 25_000
