"""Two `crossdock api` processes on one PostgreSQL store share a client's bucket: real
processes, real HTTP. The token endpoint is throttled by remote address without a principal
(no authentication needed for this test), so one caller hitting both processes spends from
one bucket: together they serve the burst and the refill, plus at most one lease each, never
a bucket per process. Skipped without TEST_POSTGRES_URL."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.integration.hubproc import HubProcess
from tests.integration.test_processes_pg import upgrade

pytestmark = pytest.mark.slow

BURST = 10
CONFIG = {"throttle": {"products": {"token": {"requests": 1, "per_seconds": 60, "burst": BURST}}}}


def test_two_api_processes_share_one_bucket(workdir: Path, postgres_url: str) -> None:
    env = {"CROSSDOCK_STORE__URL": postgres_url}
    upgrade(workdir, env)
    apis = [
        HubProcess(workdir / f"api{n}", CONFIG, command=("api",), env=env, name=f"api{n}")
        for n in range(2)
    ]
    try:
        for api in apis:
            api.start()
        answers: dict[str, list[httpx.Response]] = {api.url: [] for api in apis}
        with httpx.Client(timeout=10) as client:
            for n in range(40):  # alternate between the processes
                url = apis[n % 2].url
                answers[url].append(client.post(f"{url}/oauth/token", data={}))
    finally:
        for api in apis:
            api.stop()
    served = [sum(r.status_code != 429 for r in got) for got in answers.values()]
    refused = [r for got in answers.values() for r in got if r.status_code == 429]
    # lease bound 1 (a 10-token bucket refilling once a minute): each process holds at most
    # one token beyond the bucket, and a test this short sees at most one refill
    assert BURST <= sum(served) <= BURST + 2 + 1, served
    assert all(s > 0 for s in served), served  # both processes served from the one bucket
    assert len(refused) == 40 - sum(served)
    assert refused[0].headers["RateLimit-Policy"] == '"token";q=1;w=60'
    assert int(refused[0].headers["Retry-After"]) >= 1
