"""Inventory availability over real HTTP on loopback: ``GET /v1/inventory/availability``.

A store is seeded with positions (``--items`` items at 4 sites, three positions each, so the
read must find the latest), a hub serves it (`entrypoints.server.build_server`: uvloop, the
guarded protocol), and wrk asks for random items over keep-alive connections, in the same run:

- as served, a partner's API key (``inventory:read``) proven by the authentication
  middleware and its bucket taken by the throttle on every request (a limit set out of
  reach): ``requests_per_s``, the issue's figure (>= 2,000 authenticated and throttled);
- the same hub with both replaced by a fixed principal: ``without_auth_per_s``, and
  ``auth_ratio`` between the two (what authentication and throttling cost);
- the bare server stack (`bench.baseline_fastapi`, a constant GET): ``ratio_to_bare``.

    python -m bench.availability_bench [--items 2000] [--seconds 10] [--connections 32]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
#: Seconds of unmeasured load first: a hub just started is still warming (imports, the
#: prepare pool), which cost the first seconds a fifth of their rate.
WARMUP = 4.0
RESULTS = REPO / "bench" / "results"
LUA = """
math.randomseed(os.time())
request = function()
  local n = math.random(0, {items} - 1)
  return wrk.format("GET", "/v1/inventory/availability?site=DC-" .. (n % 4) .. "&item=SKU-" .. n)
end
"""


def position(site: str, item: str, available: int, as_of: datetime) -> bytes:
    qty = {"unit": "EA"}
    return json.dumps({
        "site": {"code": site}, "item": {"sku": item}, "as_of": as_of.isoformat(),
        "source_system": "erp", "on_hand": {**qty, "value": str(available + 5)},
        "allocated": {**qty, "value": "5"}, "available": {**qty, "value": str(available)},
    }).encode()  # fmt: skip


def seed(data_dir: Path, items: int, history: int = 3) -> None:
    """`history` positions per item (the last one wins), written to the message log only: a
    bus backlog would have the hub routing them while it is measured."""
    from crossdock.adapters.sqlite.engine import sqlite_url
    from crossdock.bootstrap.store import open_store
    from crossdock.hub.intake import IntakeRequest, prepare

    store = open_store(sqlite_url(data_dir), checkpoints=False)
    now = datetime.now(UTC)
    try:
        for start in range(0, items, 500):
            batch = []
            for n in range(start, min(items, start + 500)):
                site, item = f"DC-{n % 4}", f"SKU-{n}"
                for k in range(history):
                    raw = position(site, item, 100 + k, now - timedelta(minutes=history - k))
                    request = IntakeRequest("inventory_position", raw, "application/json", "erp",
                                            "api", now + timedelta(microseconds=k))  # fmt: skip
                    batch.append(prepare(request, lambda _t: "bulk"))
            with store.uow() as uow:  # logged, not announced: no bus backlog to drain
                uow.messages.add_many(batch)
                uow.commit()
    finally:
        store.close()


def serve(data_dir: Path, port: int, mode: str) -> None:
    """The hub on `port`: as served (``auth``: the authentication middleware proves each
    request's API key, throttling takes from the client's bucket), or (``noauth``) with both
    replaced by a fixed principal in each request's scope, so the ratio of the two is what
    authentication and throttling cost."""
    from crossdock.config import Settings
    from crossdock.entrypoints.api.security import PRINCIPAL_STATE
    from crossdock.entrypoints.api.throttling import Throttling
    from crossdock.entrypoints.server import build_server
    from crossdock.hub.identity import INVENTORY_READ, Principal

    # Throttled as served, with a limit no bench reaches: the buckets are taken every request,
    # none refuses (the figure is what throttling costs, not what it allows).
    unlimited = {"requests": 1_000_000, "burst": 1_000_000}
    settings = Settings(
        hub={"data_dir": data_dir, "port": port},
        throttle={"products": {"inventory": unlimited}},
    )
    server = build_server(settings)
    if mode == "noauth":
        caller = Principal("partner:bench", "partner", frozenset({INVENTORY_READ}), "bench",
                           "customer")  # fmt: skip
        inner = server.config.app.app  # what `Authenticate` wraps: throttling, then the app
        if isinstance(inner, Throttling):
            inner = inner.app

        async def app(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                scope.setdefault("state", {})[PRINCIPAL_STATE] = caller
            await inner(scope, receive, send)

        server.config.app = app
    server.run()


def issue_key(data_dir: Path) -> str:
    """A partner key with ``inventory:read``, issued into the store before the hub starts."""
    from crossdock.adapters.sqlite.engine import sqlite_url
    from crossdock.bootstrap.auth import key_service
    from crossdock.bootstrap.store import open_store
    from crossdock.hub.credentials import Client

    store = open_store(sqlite_url(data_dir), checkpoints=False)
    try:
        client = Client("partner", "bench", "customer")
        return key_service(store.engine).issue(client, ["inventory:read"]).token
    finally:
        store.close()


def _wait(url: str, token: str = "", timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(url, headers=headers)
            with urllib.request.urlopen(request, timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the hub did not answer {url}")


def _wrk(
    wrk: str, base: str, script: Path, seconds: float, connections: int, token: str = ""
) -> dict[str, Any]:
    auth = ["-H", f"Authorization: Bearer {token}"] if token else []
    done = subprocess.run(
        [wrk, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", *auth, "-s", str(script),
         base],
        capture_output=True, text=True, check=True, timeout=seconds + 60,
    )  # fmt: skip
    rate = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", done.stdout)
    if rate is None:
        raise RuntimeError(f"wrk printed no rate:\n{done.stdout}\n{done.stderr}")
    return {"requests_per_s": round(float(rate.group(1))),
            "non_2xx": int(errors.group(1)) if errors else 0}  # fmt: skip


def _serve(argv: list[str], log: Path, ready: str, token: str = "") -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)  # fmt: skip
    try:
        _wait(ready, token)
    except BaseException:
        _stop(proc)
        raise
    return proc


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def run(items: int, seconds: float, connections: int) -> dict[str, Any]:
    """The hub's availability read, then the bare server stack (FastAPI answering a constant
    GET, `bench.baseline_fastapi`) under the same load, in the same run: the ratio is the
    share of the stack's rate the endpoint keeps."""
    from bench.procs import free_port

    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is needed (apt-get install wrk)")
    with tempfile.TemporaryDirectory(prefix="cd-avail-") as tmp:
        data = Path(tmp) / "data"
        seed(data, items)
        script = Path(tmp) / "get.lua"
        script.write_text(LUA.replace("{items}", str(items)))
        token = issue_key(data)
        rates: dict[str, dict[str, Any]] = {}
        for mode in ("auth", "noauth"):
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            argv = [sys.executable, "-m", "bench.availability_bench", "--serve", str(data),
                    str(port), mode]  # fmt: skip
            key = token if mode == "auth" else ""
            ready = f"{base}/v1/inventory/availability?site=DC-0&item=SKU-0"
            hub = _serve(argv, Path(tmp) / f"hub-{mode}.log", ready, key)
            try:
                _wrk(wrk, base, script, WARMUP, connections, key)  # the hub warms up after start
                rates[mode] = _wrk(wrk, base, script, seconds, connections, key)
            finally:
                _stop(hub)
        port = free_port()
        bare_url = f"http://127.0.0.1:{port}"
        argv = [sys.executable, "-m", "bench.baseline_fastapi", "--port", str(port)]
        bare = _serve(argv, Path(tmp) / "bare.log", f"{bare_url}/healthz")
        try:
            plain = Path(tmp) / "plain.lua"
            plain.write_text('request = function() return wrk.format("GET", "/healthz") end\n')
            _wrk(wrk, bare_url, plain, WARMUP, connections)
            stack = _wrk(wrk, bare_url, plain, seconds, connections)
        finally:
            _stop(bare)
    endpoint, bare_rate = rates["auth"], stack["requests_per_s"]
    return {
        "endpoint": "GET /v1/inventory/availability (API key + throttle, partner inventory:read)",
        **endpoint,
        "without_auth_per_s": rates["noauth"]["requests_per_s"],
        "without_auth_non_2xx": rates["noauth"]["non_2xx"],
        "auth_ratio": round(
            endpoint["requests_per_s"] / max(1, rates["noauth"]["requests_per_s"]), 3
        ),
        "bare_fastapi_get_per_s": bare_rate,
        "ratio_to_bare": round(endpoint["requests_per_s"] / max(1, bare_rate), 3),
        "items": items,
        "connections": connections,
        "seconds": seconds,
        "target_requests_per_s": 2000,
        "load_average": round(os.getloadavg()[0], 2),
        "at": datetime.now(UTC).isoformat(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--serve", nargs=3, help=argparse.SUPPRESS)  # DATA_DIR PORT MODE
    args = parser.parse_args()
    if args.serve:
        serve(Path(args.serve[0]), int(args.serve[1]), args.serve[2])
        return 0
    report = run(args.items, args.seconds, args.connections)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "availability-latest.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0 if report["non_2xx"] == 0 and report["without_auth_non_2xx"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
