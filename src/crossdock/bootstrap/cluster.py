"""Cluster-wide periodic jobs from settings: leased in the store, run by one process at a time.

`build_hub` hands every periodic job but the per-process gauges to `once_across_processes`;
on SQLite (one process per store) the process always holds every lease, at the cost of one
UPDATE per job every `hub.job_lease_seconds / 3`.
"""

from __future__ import annotations

from collections.abc import Sequence

from crossdock.adapters.sql.job_leases import SqlJobLeases
from crossdock.bootstrap.store import Store
from crossdock.config import Settings
from crossdock.hub.cluster_jobs import Job, LeasedJobs, ProcessIdentity
from crossdock.hub.store_runner import StoreRunner


def once_across_processes(
    settings: Settings, store: Store, runner: StoreRunner, jobs: Sequence[Job]
) -> LeasedJobs:
    """`jobs` wrapped so each runs only in the process holding its lease, this process
    identified by host, pid and a random suffix."""
    return LeasedJobs(
        SqlJobLeases(store.engine),
        ProcessIdentity.of_this_process(),
        runner,
        jobs,
        ttl=settings.hub.job_lease_seconds,
    )
