"""The cost of throttling per request: the same app alone and behind `Throttling`, same run.

    python -m bench.throttle_bench [--quick] [--postgres-url URL]

Two measurements, each as a pair interleaved so the machine's load hits both alike:

* **asgi**: the throttling layer alone, in process: a minimal ASGI app called directly,
  bare and behind `Throttling` (CPU time of the process; store-backed buckets on a SQLite file, and on PostgreSQL when
  ``--postgres-url`` or ``BENCH_THROTTLE_POSTGRES_URL`` names one), a limit it never reaches: ns per
  request, the overhead and the number of store transactions (leases) the run cost.
  A refused request (answered from memory) is timed too.
* **http**: an inventory-availability-shaped GET on FastAPI served by uvicorn like the hub
  (uvloop, httptools, one process), bare and behind `Throttling` on SQLite, loaded by wrk
  (32 connections): requests per second and their ratio. Both servers carry the same stand-in
  for the authentication layer (a fixed principal in the scope), so the ratio is throttling's.

Writes ``bench/results/throttle-latest.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.machine import machine_info
from bench.procs import RESULTS, Processes, free_port
from crossdock.adapters.sql.throttle_store import SqlBucketStore
from crossdock.bootstrap.store import make_engine
from crossdock.entrypoints.api.security import PRINCIPAL_STATE
from crossdock.entrypoints.api.throttling import Throttling
from crossdock.hub.identity import Principal
from crossdock.hub.throttle import BucketStore, InMemoryBucketStore, Policies, Policy
from crossdock.hub.throttle_lease import LeasingLimiter

PRINCIPAL = Principal("partner:bench", "partner", partner="bench")
PATH = "/v1/inventory/availability"
BODY = b'{"item":"ITEM-1","site":"DC-ATL","available":"120","as_of":"2026-12-07T00:00:00Z"}'
OPEN = Policy(requests=1_000_000, burst=1_000_000)  # never reached: every request served


class AsPrincipal:
    """Stands in for the authentication layer: the bench's principal in the scope."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            scope.setdefault("state", {})[PRINCIPAL_STATE] = PRINCIPAL
        await self.app(scope, receive, send)


def throttled(app: Any, url: str, policy: Policy = OPEN) -> tuple[Throttling, BucketStore]:
    store: BucketStore = (
        InMemoryBucketStore() if url == "memory" else SqlBucketStore(make_engine(url))
    )
    policies = Policies({"inventory": policy})
    return Throttling(app, LeasingLimiter(store), policies), store


class Counting:
    def __init__(self, inner: BucketStore) -> None:
        self.inner, self.takes = inner, 0

    def take(self, *args: Any) -> Any:
        self.takes += 1
        return self.inner.take(*args)


# -- in process -------------------------------------------------------------------------------


async def tiny(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": BODY})


async def _per_request(app: Any, n: int) -> float:
    base = {"type": "http", "method": "GET", "path": PATH, "headers": [], "client": ("::1", 1)}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(_message: Any) -> None:
        return None

    # CPU time of this process (every thread: the leases run on worker threads), so the
    # other processes on a shared machine do not count
    started = time.process_time()
    for _ in range(n):
        await app({**base, "state": {PRINCIPAL_STATE: PRINCIPAL}}, receive, send)
    return (time.process_time() - started) / n * 1e9


def measure_asgi(url: str, n: int, rounds: int = 3) -> dict[str, Any]:
    """ns per request, bare and throttled (best of `rounds`, interleaved)."""
    layer, store = throttled(tiny, url)
    counting = Counting(store)
    layer.limiter._store = counting  # count the leases this run costs
    refusing, _ = throttled(tiny, url, Policy(requests=1, per_seconds=3600))
    bare_ns, with_ns, refused_ns = [], [], []
    for _ in range(rounds):
        bare_ns.append(asyncio.run(_per_request(tiny, n)))
        with_ns.append(asyncio.run(_per_request(layer, n)))
        refused_ns.append(asyncio.run(_per_request(refusing, n)))
    bare, with_, refused = min(bare_ns), min(with_ns), min(refused_ns)
    return {
        "requests": n * rounds,
        "bare_ns": round(bare),
        "throttled_ns": round(with_),
        "overhead_ns": round(with_ - bare),
        "refused_ns": round(refused),
        "ratio": round(bare / with_, 3),
        "store_leases": counting.takes,
        "requests_per_lease": round(n * rounds / max(1, counting.takes), 1),
    }


# -- over HTTP -------------------------------------------------------------------------------


def create_app(throttle_url: str | None) -> Any:
    from fastapi import FastAPI, Response

    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/healthz")
    async def healthz() -> Response:
        return Response(b'{"status":"ok"}', media_type="application/json")

    @app.get(PATH)
    async def availability(item: str = "ITEM-1") -> Response:
        return Response(BODY, media_type="application/json")

    served: Any = app if throttle_url is None else throttled(app, throttle_url)[0]
    return AsPrincipal(served)


def serve(port: int, throttle_url: str | None) -> None:
    import uvicorn

    uvicorn.run(
        create_app(throttle_url),
        host="127.0.0.1",
        port=port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
    )


def _wrk(url: str, seconds: int) -> dict[str, Any]:
    wrk = shutil.which("wrk")
    assert wrk is not None
    done = subprocess.run(
        [wrk, "-t1", "-c32", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    )
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", done.stdout).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", done.stdout)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", done.stdout)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    return {
        "rps": rps,
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "p99_ms": round(float(p99.group(1)) * scale[p99.group(2)], 3) if p99 else None,
    }


def measure_http(scratch: Path, seconds: int, rounds: int) -> dict[str, Any] | None:
    if shutil.which("wrk") is None:
        return None
    sqlite = f"sqlite:///{scratch / 'http.db'}"
    with Processes(scratch / "logs") as procs:
        ports = {}
        for name, target in (("bare", "-"), ("throttled", sqlite)):
            port = ports[name] = free_port()
            argv = [sys.executable, "-m", "bench.throttle_bench", "serve", str(port), target]
            procs.start(name, argv)
            procs.wait_ready(name, f"http://127.0.0.1:{port}/healthz")
        runs: dict[str, list[dict[str, Any]]] = {"bare": [], "throttled": []}
        for _ in range(rounds):
            for name, port in ports.items():
                runs[name].append(_wrk(f"http://127.0.0.1:{port}{PATH}?item=ITEM-1", seconds))
    best = {name: max(r, key=lambda x: x["rps"]) for name, r in runs.items()}
    return {
        "bare": best["bare"],
        "throttled": best["throttled"],
        "ratio": round(best["throttled"]["rps"] / best["bare"]["rps"], 3),
        "rounds": runs,
    }


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "serve":
        serve(int(sys.argv[2]), None if sys.argv[3] == "-" else sys.argv[3])
        return 0
    parser = argparse.ArgumentParser(description="throttling overhead per request")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_THROTTLE_POSTGRES_URL"),
        help="a database (or schema, via options=-csearch_path=...) it may create tables in",
    )
    args = parser.parse_args()
    n, seconds, rounds = (5_000, 2, 1) if args.quick else (50_000, 5, 3)
    report: dict[str, Any] = {"machine": machine_info(), "quick": args.quick}
    with tempfile.TemporaryDirectory(prefix="throttle-bench-") as tmp:
        scratch = Path(tmp)
        report["asgi_sqlite"] = measure_asgi(f"sqlite:///{scratch / 'asgi.db'}", n)
        if args.postgres_url:
            report["asgi_postgres"] = measure_asgi(args.postgres_url, n)
        report["http"] = measure_http(scratch, seconds, rounds)
    RESULTS.mkdir(parents=True, exist_ok=True)
    latest = RESULTS / "throttle-latest.json"
    latest.write_text(json.dumps(report, indent=2))
    for name in ("asgi_sqlite", "asgi_postgres"):
        if name in report:
            r = report[name]
            print(
                f"{name}: bare {r['bare_ns']} ns, throttled {r['throttled_ns']} ns "
                f"(+{r['overhead_ns']} ns, ratio {r['ratio']}), refused {r['refused_ns']} ns, "
                f"{r['requests_per_lease']} requests per store lease"
            )
    http = report["http"]
    if http is None:
        print("http: skipped (wrk not installed)")
    else:
        print(
            f"http: bare {http['bare']['rps']:.0f} rps, throttled {http['throttled']['rps']:.0f}"
            f" rps, ratio {http['ratio']} (non-2xx {http['throttled']['non_2xx']})"
        )
    print(f"written to {latest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
