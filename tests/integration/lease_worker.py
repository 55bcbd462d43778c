"""A stand-in hub process for `test_cluster_jobs_processes`: the real lease code (SqlJobLeases,
LeasedJobs on a StoreRunner) running one cluster-wide job on a short interval; each run appends
`pid start end` to a file. Run as ``python -m tests.integration.lease_worker URL FILE``."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from crossdock.adapters.sql.job_leases import SqlJobLeases
from crossdock.adapters.sql.uow import SqlUnitOfWorkFactory
from crossdock.bootstrap.store import make_engine
from crossdock.hub.cluster_jobs import LeasedJobs, ProcessIdentity
from crossdock.hub.store_runner import StoreRunner

INTERVAL = 0.05
TTL = 0.6


async def main(url: str, out: Path) -> None:
    engine = make_engine(url)
    runner = StoreRunner(SqlUnitOfWorkFactory(engine))
    me = ProcessIdentity.of_this_process()

    async def fire_flow_timers() -> None:
        begun = time.time()
        await asyncio.sleep(0.01)
        with out.open("a") as f:
            f.write(f"{me.pid} {begun} {time.time()}\n")

    leased = LeasedJobs(SqlJobLeases(engine), me, runner, [(INTERVAL, fire_flow_timers)], ttl=TTL)
    [(_, job)] = leased.jobs
    while True:
        await asyncio.sleep(INTERVAL)
        await job()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], Path(sys.argv[2])))
