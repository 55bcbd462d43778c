"""What one hub process runs: the same wiring (`build_hub`) in three roles.

- ``up``: everything in one process (the embedded default, and a single PostgreSQL process).
- ``api``: HTTP only: intake on every channel, reads, operations endpoints. No consumer loop
  and no scheduler: its commits wake the workers (PostgreSQL ``NOTIFY``).
- ``worker``: the runtime's loops only (routing, delivery, flow consumers) and the scheduler,
  optionally restricted to lanes and consumer groups; it serves no HTTP.

Several processes share one store only on PostgreSQL; on SQLite the hub is one process per
store (`crossdock up`), so `api` and `worker` refuse it (`refusal`).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from crossdock.config import Settings
from crossdock.hub.records import ConsumerGroup
from crossdock.hub.runtime import LANES

#: Seconds a stopping worker gives each loop to finish the batch in hand (SIGTERM). Below
#: the grace systemd and compose allow before SIGKILL (90 s and 10 s by default: see deploy/).
WORKER_GRACE_SECONDS = 8.0

_GLOB = set("*?[")


@dataclass(frozen=True, slots=True)
class Role:
    """Which parts of the one wiring a process runs.

    ``groups`` are patterns for consumer-group names (``route.critical``,
    ``deliver.bulk.erp``, ``flow.critical``…): a pattern with ``*``, ``?`` or ``[`` is a glob
    matched against the whole name (``deliver.*.erp``); any other is a prefix (``deliver.``
    or ``deliver`` takes every delivery group, ``flow.critical`` that group). A group runs
    when its lane is among ``lanes`` and, if ``groups`` is not empty, it matches one of them.
    """

    name: str = "up"
    http: bool = True
    loops: bool = True
    scheduler: bool = True
    lanes: tuple[str, ...] = LANES
    groups: tuple[str, ...] = ()
    #: seconds the loops get to finish their batch when the process stops (0: cancel at once)
    grace: float = 0.0

    def runs(self, group: ConsumerGroup) -> bool:
        """True when this process consumes `group`."""
        if group.lane not in self.lanes:
            return False
        return not self.groups or any(_matches(group.name, p) for p in self.groups)

    def describe(self) -> str:
        """One line for the start-up log: what this process takes."""
        parts = [f"lanes {','.join(self.lanes)}"]
        if self.groups:
            parts.append(f"groups {','.join(self.groups)}")
        parts.append("scheduler" if self.scheduler else "no scheduler")
        return "; ".join(parts)


UP = Role()
API = Role(name="api", http=True, loops=False, scheduler=False)


def worker_role(
    lanes: Sequence[str] = (), groups: Sequence[str] = (), *, scheduler: bool = True
) -> Role:
    """A worker taking `lanes` (all when empty) and the groups matching `groups` (all when
    empty).

    Raises:
        ValueError: a lane that does not exist.
    """
    unknown = sorted(set(lanes) - set(LANES))
    if unknown:
        raise ValueError(f"unknown lane {unknown[0]!r}: use one of {', '.join(LANES)}")
    return Role(
        name="worker",
        http=False,
        loops=True,
        scheduler=scheduler,
        lanes=tuple(lanes) or LANES,
        groups=tuple(groups),
        grace=WORKER_GRACE_SECONDS,
    )


class Wakeups(Protocol):
    """Wake-ups between the processes sharing a store (`adapters.postgres.notify`)."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def publish(self, prefix: str) -> None:
        """Tell the other processes' loops under `prefix` that work was committed."""
        ...


def build_wakeups(
    settings: Settings, role: Role, wake_here: Callable[[str], None]
) -> Wakeups | None:
    """LISTEN/NOTIFY on PostgreSQL (unless `store.notify` is off): every role sends, a role
    with loops also listens and wakes them with `wake_here`. None on SQLite (one process)."""
    if not _shared(settings.database_url) or not settings.store.notify:
        return None
    from crossdock.adapters.postgres.notify import PgWakeups  # psycopg: PostgreSQL only

    return PgWakeups(settings.database_url, wake_here if role.loops else None)


def _shared(database_url: str) -> bool:
    """Whether several hub processes may share this store: the store profile decides
    (`bootstrap.store`, imported here only when asked: `--help` loads no store)."""
    from crossdock.bootstrap.store import UnsupportedStore, profile_for

    try:
        return not profile_for(database_url).single_process
    except UnsupportedStore:
        return False


def _matches(name: str, pattern: str) -> bool:
    if _GLOB & set(pattern):
        return fnmatch.fnmatchcase(name, pattern)
    return name == pattern or name.startswith(pattern if pattern.endswith(".") else pattern + ".")


def refusal(command: str, database_url: str) -> str | None:
    """Why `command` cannot run on this store, or None when it can: several hub processes
    need PostgreSQL."""
    if _shared(database_url):
        return None
    return (
        f"`crossdock {command}` needs a PostgreSQL store (store.url or CROSSDOCK_STORE__URL = "
        "postgresql+psycopg://…); on SQLite the hub is one process per store: "
        "run `crossdock up` instead"
    )
