"""Cluster-wide periodic jobs: each runs in one hub process at a time, the one holding its lease.

Flow timers, inventory reconciliation, the POD pull and drop-folder polls must run once across
every hub process sharing a store (several on PostgreSQL, one on SQLite). Each such job has a
named lease in the store (`JobLeases`); before a run the process takes or renews it, and runs
only while it holds it. The holder renews it every third of its TTL (also while a long run is
under way), so it keeps the job for as long as it lives; a stopping process releases its leases
so another takes over at its next tick; a crashed one's leases expire after their TTL and the
next process to ask takes them over.

A lease makes "one process at a time" the normal case, not a proof against doubled effects: a
process stalled past its TTL (a long GC pause, a frozen VM) may finish a run while the next
holder starts one. The jobs therefore keep their own claims (a timer is fired by a conditional
UPDATE in the transaction that applies it, POD entries and drop files are claimed) and a lease
hand-over cannot double a business effect; the lease saves the duplicated work. Lease times
come from each process's clock: hosts must agree on the time to well within the TTL (NTP).
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from crossdock.hub.ports import JobLeases
from crossdock.hub.store_runner import StoreRunner

log = logging.getLogger(__name__)

Job = tuple[float, Callable[[], Awaitable[None]]]

#: A lease lives at least this many intervals of its job, so a holder that is a little late
#: for one tick does not lose it.
MIN_TTL_INTERVALS = 4


@dataclass(frozen=True, slots=True)
class ProcessIdentity:
    """Who holds a lease: host and pid for the operator, a random suffix so a restarted
    process reusing a pid (a container's pid 1) is never mistaken for its predecessor."""

    host: str
    pid: int
    suffix: str

    @classmethod
    def of_this_process(cls) -> ProcessIdentity:
        return cls(socket.gethostname(), os.getpid(), secrets.token_hex(4))

    def __str__(self) -> str:
        return f"{self.host[:80]}/{self.pid}/{self.suffix}"


def per_host(job: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
    """Mark a job whose work is on this host (a drop folder on a local disk): its lease is
    named per host, so one process per host runs it, and each host reads its own folders."""
    job.__dict__["lease_scope"] = "host"
    return job


class LeasedJobs:
    """Wraps periodic jobs so each runs only in the process holding its lease.

    `jobs` are the wrapped jobs, in the runtime's `(interval, job)` shape; their leases are
    named after the jobs (`__name__`, plus ``@host`` for `per_host` jobs), which must be
    unique. Store calls run through `runner` (on SQLite, the writer thread)."""

    def __init__(
        self,
        leases: JobLeases,
        identity: ProcessIdentity,
        runner: StoreRunner,
        jobs: Sequence[Job],
        *,
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._leases = leases
        self.owner = str(identity)
        self._runner = runner
        self._ttl = ttl
        self._clock = clock
        self._renew_at: dict[str, float] = {}  # held leases: when to renew each
        names = [_lease_name(job, identity.host) for _, job in jobs]
        if len(set(names)) != len(names) or "" in names:
            raise ValueError(f"cluster-wide jobs need unique names: {names}")
        self.jobs: list[Job] = [
            (interval, self._wrap(name, interval, job))
            for name, (interval, job) in zip(names, jobs, strict=True)
        ]

    def holding(self) -> set[str]:
        """The leases this process believes it holds."""
        return set(self._renew_at)

    def ttl_for(self, interval: float) -> float:
        return max(self._ttl, MIN_TTL_INTERVALS * interval)

    def _wrap(
        self, name: str, interval: float, job: Callable[[], Awaitable[None]]
    ) -> Callable[[], Awaitable[None]]:
        ttl = self.ttl_for(interval)

        async def run() -> None:
            if not await self.hold(name, ttl):
                return
            keeper = asyncio.ensure_future(self._keep(name, ttl))
            try:
                await job()
            finally:
                keeper.cancel()

        run.__name__ = name
        return run

    async def hold(self, name: str, ttl: float) -> bool:
        """True when this process holds `name`: asks the store only to take the lease or
        when a third of its TTL has passed since it last did (so a holder costs one UPDATE
        per TTL/3, not one per tick)."""
        now = self._clock()
        renew_at = self._renew_at.get(name)
        if renew_at is not None and now < renew_at:
            return True
        held = await self._runner.call(self._leases.acquire, name, self.owner, ttl)
        if held:
            if renew_at is None:
                log.info("%s runs the cluster-wide job %s", self.owner, name)
            self._renew_at[name] = now + ttl / 3
        elif renew_at is not None:
            log.warning("%s lost the lease of %s to another process", self.owner, name)
            del self._renew_at[name]
        return held

    async def _keep(self, name: str, ttl: float) -> None:
        """Renew the lease while a run lasts longer than a third of its TTL."""
        while True:
            await asyncio.sleep(ttl / 3)
            try:
                await self.hold(name, ttl)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("renewing the lease of %s failed", name)

    async def release(self) -> None:
        """Give back every lease held (a stopping process): others take over at once."""
        held, self._renew_at = list(self._renew_at), {}
        for name in held:
            try:
                await self._runner.call(self._leases.release, name, self.owner)
            except Exception:
                log.exception("releasing the lease of %s failed; it expires by itself", name)


def _lease_name(job: Callable[[], Awaitable[None]], host: str) -> str:
    name = getattr(job, "__name__", "")
    if getattr(job, "lease_scope", None) == "host":
        return f"{name}@{host}"[:128]
    return name
