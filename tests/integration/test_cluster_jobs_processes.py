"""Two real processes on one PostgreSQL store run a cluster-wide job (the real lease code, see
lease_worker.py): only one runs it at a time, and after `kill -9` of that one the other takes
over once the lease's TTL has run out. Skips without a PostgreSQL server (tests/pg.py)."""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from crossdock.bootstrap.store import make_engine
from tests.conftest import ROOT
from tests.integration.lease_worker import TTL


def spans(out: Path) -> list[tuple[int, float, float]]:
    if not out.exists():
        return []
    rows = [line.split() for line in out.read_text().splitlines() if line.count(" ") == 2]
    return sorted(((int(p), float(a), float(b)) for p, a, b in rows), key=lambda s: s[1])


def wait_for(check: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_kill_9_of_the_holder_hands_the_job_to_the_other_process(
    postgres_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "runs.txt"
    # The schema first: two processes creating an empty PostgreSQL database at once collide.
    make_engine(postgres_url).dispose()
    command = [sys.executable, "-m", "tests.integration.lease_worker", postgres_url, str(out)]
    workers = [subprocess.Popen(command, cwd=ROOT) for _ in range(2)]
    try:
        wait_for(lambda: len(spans(out)) >= 10, 60)
        holder = spans(out)[0][0]
        [victim] = [w for w in workers if w.pid == holder]
        victim.send_signal(signal.SIGKILL)
        victim.wait(10)
        killed = time.time()
        survivor = next(w.pid for w in workers if w.pid != holder)
        wait_for(lambda: sum(1 for s in spans(out) if s[0] == survivor) >= 10, 30)
    finally:
        for worker in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker.pid, signal.SIGKILL)
            worker.wait(10)
    runs = spans(out)
    for before, after in itertools.pairwise(runs):
        assert after[1] >= before[2], f"{before} and {after} ran at once"
    assert {pid for pid, begun, _ in runs if begun < killed} == {holder}
    first_taken = min(begun for pid, begun, _ in runs if pid == survivor)
    print(f"{len(runs)} runs; taken over {first_taken - killed:.2f} s after kill -9 (TTL {TTL} s)")
    assert first_taken - killed <= TTL + 1.0
