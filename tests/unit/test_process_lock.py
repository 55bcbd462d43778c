"""One hub per data dir: the lock is held for the process's life and names its holder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from crossdock.entrypoints.process_lock import StoreInUse, hold_store_lock

HOLD = """
import sys, time
from pathlib import Path
from crossdock.entrypoints.process_lock import hold_store_lock
hold_store_lock(Path(sys.argv[1]))
print("held", flush=True)
time.sleep(60)
"""


def test_a_second_holder_is_refused_with_the_first_ones_pid(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(StoreInUse, match=f"pid {holder.pid}\\b.*already running"):
            hold_store_lock(tmp_path)
        holder.send_signal(signal.SIGKILL)  # however it ends, the kernel lets go
        holder.wait(10)
        fd = hold_store_lock(tmp_path)
        assert (tmp_path / "crossdock.lock").read_text().strip() == str(os.getpid())
        os.close(fd)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(10)
        if holder.stdout is not None:
            holder.stdout.close()


def test_the_lock_is_not_inherited_by_programs_the_hub_starts(tmp_path: Path) -> None:
    fd = hold_store_lock(tmp_path)
    try:
        child = subprocess.run(
            [sys.executable, "-c", f"import os; os.fstat({fd})"], capture_output=True
        )
        assert child.returncode != 0  # the descriptor is close-on-exec
    finally:
        os.close(fd)
