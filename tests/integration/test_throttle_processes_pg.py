"""Two `crossdock api` processes on one PostgreSQL store share a client's bucket: real
processes, real HTTP, a real partner API key. One partner reading through both processes
spends from one bucket: together they serve the burst and the refill, plus at most one lease
each, never a bucket per process; and its intake still flows on both while its reads are
refused. Skipped without TEST_POSTGRES_URL."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from crossdock.bootstrap.auth import key_service
from crossdock.bootstrap.store import make_engine
from crossdock.hub.credentials import Client
from crossdock.hub.identity import ALL_SCOPES
from tests.auth_helpers import bearer
from tests.conftest import EXAMPLES
from tests.integration.hubproc import HubProcess
from tests.integration.test_processes_pg import upgrade

pytestmark = pytest.mark.slow

BURST = 10
CONFIG = {
    "throttle": {"products": {"messages-read": {"requests": 1, "per_seconds": 60, "burst": BURST}}}
}
PO = json.loads((EXAMPLES / "purchase_order.json").read_text())


def test_two_api_processes_share_one_bucket(workdir: Path, postgres_url: str) -> None:
    env = {"CROSSDOCK_STORE__URL": postgres_url}
    upgrade(workdir, env)
    engine = make_engine(postgres_url)
    try:  # a partner's key, issued into the shared store as `crossdock keys create` would
        issued = key_service(engine).issue(
            Client("partner", "acme", "supplier"), sorted(ALL_SCOPES)
        )
    finally:
        engine.dispose()
    acme = bearer(issued.token)
    apis = [
        HubProcess(workdir / f"api{n}", CONFIG, command=("api",), env=env, name=f"api{n}")
        for n in range(2)
    ]
    try:
        for api in apis:
            api.start()
        answers: dict[str, list[httpx.Response]] = {api.url: [] for api in apis}
        posts = []
        with httpx.Client(timeout=10, headers=acme) as client:
            for n in range(40):  # alternate between the processes
                url = apis[n % 2].url
                answers[url].append(client.get(f"{url}/v1/messages"))
            for n, api in enumerate(apis):
                doc = {**PO, "po_number": f"PO-THROTTLE-{n}"}
                posts.append(client.post(f"{api.url}/v1/messages/purchase_order", json=doc))
    finally:
        for api in apis:
            api.stop()
    served = [sum(r.status_code == 200 for r in got) for got in answers.values()]
    refused = [r for got in answers.values() for r in got if r.status_code == 429]
    # lease bound 1 (a 10-token bucket refilling once a minute): each process holds at most
    # one token beyond the bucket, and a test this short sees at most one refill
    assert BURST <= sum(served) <= BURST + 2 + 1, served
    assert all(s > 0 for s in served), served  # both processes served from the one bucket
    assert len(refused) == 40 - sum(served)
    assert refused[0].headers["RateLimit-Policy"] == '"messages-read";q=1;w=60'
    assert int(refused[0].headers["Retry-After"]) >= 1
    assert [p.status_code for p in posts] == [202, 202], [p.text for p in posts]
