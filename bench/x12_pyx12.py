"""The pyx12 baseline: read an X12 file with ``pyx12.x12file.X12Reader`` and count segments.

    python -m bench.x12_pyx12 FILE          # prints one JSON object

Used the way pyx12's own tools use it (``x12n_document``, ``x12norm``): iterate the reader,
which tokenizes each segment and runs pyx12's envelope checks (ISA/GS/ST uniqueness,
SE/GE/IEA counts and control numbers, HL numbering); pop its errors after every segment; call
``cleanup()`` at the end to catch missing trailers. No map walking (that is x12valid's job and
far slower); this is the tokenizing + envelope work that crossdock's ``read`` is compared with.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from typing import Any

import pyx12
import pyx12.x12file

from bench.x12_bench import peak_rss_mb

ENVELOPE = frozenset(("ISA", "GS", "ST", "SE", "GE", "IEA"))


def run(path: str) -> dict[str, Any]:
    started, cpu_started = time.perf_counter(), time.process_time()
    segments = 0
    envelope: Counter[str] = Counter()
    errors: list[tuple[Any, ...]] = []
    with pyx12.x12file.X12Reader(path) as src:
        for seg in src:
            segments += 1
            seg_id = seg.get_seg_id()
            if seg_id in ENVELOPE:
                envelope[seg_id] += 1
            found = src.pop_errors()
            if found:
                errors.extend(found)
        src.cleanup()
        errors.extend(src.pop_errors())
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    return {
        "tool": f"pyx12 {pyx12.__version__} X12Reader",
        "segments": segments,
        "transactions": envelope["ST"],
        "groups": envelope["GS"],
        "interchanges": envelope["ISA"],
        "seconds": round(seconds, 4),
        "cpu_seconds_timed": round(cpu_seconds, 4),
        "segments_per_s": round(segments / seconds, 1),
        "errors": len(errors),
        "first_errors": [list(map(str, e)) for e in errors[:10]],
        "peak_rss_mb": peak_rss_mb(),
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    result = run(args[0])
    print(json.dumps(result))
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
