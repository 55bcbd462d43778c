"""Hostile flat files under a memory limit: one line larger than the limit itself, and a
group of rows without end. Reading stays flat (lines are cut unread, a group stops keeping
rows past its limits) and every problem is reported with its row."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import ROOT

LIMIT = 128 << 20  # address space of the reading process: less than the file

READ = textwrap.dedent(
    """
    import json, resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (@LIMIT@, @LIMIT@))
    from crossdock.mapping.csv import read_documents
    from crossdock.mapping.csv.model import load_map_file

    csv_map = load_map_file(__import__("pathlib").Path(sys.argv[1]))
    out = []
    with open(sys.argv[2], "rb") as stream:
        for d in read_documents(stream, csv_map):
            out.append({"key": d.key, "ok": d.ok, "rows": [d.rows[0], d.rows[-1]],
                        "text": len(d.text), "errors": [str(e) for e in d.errors][:3]})
    print(json.dumps(out))
    """
).replace("@LIMIT@", str(LIMIT))

HEADER = b"po_number,issued,buyer,supplier,ship_to,line,sku,qty,uom,price\n"


def _row(po: str, line: int) -> bytes:
    return f"{po},2024-11-04,B,S,T,{line},SKU-{line},1,EA,1.00\n".encode()


def test_a_huge_line_and_an_endless_group_are_read_in_flat_memory(tmp_path: Path) -> None:
    path = tmp_path / "hostile.csv"
    rows = 150_000
    with path.open("wb") as out:
        out.write(HEADER + _row("OK-1", 1))
        out.write(b"OK-2,2024-11-04,")  # a row whose field never ends: 160 MB on one line
        block = b"x" * (1 << 20)
        for _ in range(160):
            out.write(block)
        out.write(b"\n" + _row("OK-3", 1))
        out.write(b"".join(_row("ENDLESS", n) for n in range(1, rows + 1)))
        out.write(_row("OK-4", 1))
    assert path.stat().st_size > LIMIT
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            READ,
            str(ROOT / "tests/fixtures/csv/maps/po_grouped.yaml"),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    documents = json.loads(done.stdout)
    summary = [(d["key"], d["ok"], d["rows"]) for d in documents]
    assert summary == [
        ("OK-1", False, [2, 3]),  # the unreadable line joins the document it follows
        ("OK-3", True, [4, 4]),
        ("ENDLESS", False, [5, 4 + rows]),
        ("OK-4", True, [5 + rows, 5 + rows]),
    ]
    assert documents[0]["errors"] == ["row 3: line longer than 100000 characters (max_row_chars)"]
    assert documents[2]["errors"] == [
        f"row {5 + 10_000}: more than 10000 rows in one document (max_group_rows)"
    ]
    assert documents[2]["text"] < 2 << 20  # the rows past the limit are not kept
