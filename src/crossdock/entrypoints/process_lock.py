"""One hub process per store: a lock on the data dir held for the process's whole life.

The embedded store assumes one hub: at start-up it releases every bus lease, its scheduler
fires timers and its folder intake takes leftovers as its own, so a second `crossdock up` on
the same data dir would hand the same work out twice, so the second one is refused with the first
one's pid. Only on the embedded (SQLite) profile: on PostgreSQL several processes sharing the
store are the point, and `crossdock up` takes no lock (`bootstrap.store.Profile`).

``flock`` on ``<data_dir>/crossdock.lock``: the kernel drops it when the process ends, however
it ends (``kill -9``, OOM), so a stale lock file never blocks a restart. The descriptor is
close-on-exec, so helper processes never inherit (and outlive the hub with) the lock. Operator
commands do not take it: they read and write the store beside the running hub.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

LOCK_NAME = "crossdock.lock"


class StoreInUse(RuntimeError):
    """Another live process holds the data dir."""


def hold_store_lock(data_dir: Path) -> int:
    """Take the data dir for this process (until it exits); returns the lock's descriptor.

    Raises:
        StoreInUse: another process holds it; the message names its pid.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _holder(fd)
        os.close(fd)
        raise StoreInUse(
            f"another crossdock ({holder}) is already running on {data_dir.resolve()}; "
            "stop it first or use another --data-dir"
        ) from None
    except BaseException:
        os.close(fd)
        raise
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


def _holder(fd: int) -> str:
    with contextlib.suppress(OSError, ValueError):
        return f"pid {int(os.pread(fd, 32, 0).decode().strip())}"
    return "pid unknown: it is still starting"
