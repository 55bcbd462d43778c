"""The measurements, one function each; every one starts and stops its own processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

import httpx

from bench import baseline_sqlite
from bench.auth import auth_env
from bench.hub import (
    INTAKE_PATH,
    SINK_PATH,
    Run,
    preflight,
    sink_received,
    sink_stats,
    start_baseline,
    start_hub,
    start_sink,
    wait_for_sink,
)
from bench.procs import REPO
from bench.wrkrun import run_load


@dataclass(frozen=True)
class Plan:
    """How long and how hard each measurement runs."""

    warmup: float = 2.0
    duration: float = 10.0
    connections: int = 64
    batch_size: int = 1000
    batch_connections: int = 2
    latency_rate: float = 1000.0
    latency_duration: float = 15.0
    e2e_messages: int = 20_000
    e2e_connections: int = 16
    e2e_timeout: float = 60.0
    sqlite_messages: int = 30_000

    @classmethod
    def quick(cls) -> Plan:
        return cls(
            warmup=0.5,
            duration=3.0,
            latency_duration=3.0,
            e2e_messages=2_000,
            e2e_timeout=30.0,
            sqlite_messages=5_000,
        )


def _load(run: Run, base: str, plan: Plan, seconds: float, tag: str, **kw: Any) -> dict[str, Any]:
    path = INTAKE_PATH + ("/batch" if kw.get("batch", 1) > 1 else "")
    kw.setdefault("connections", plan.connections)
    return run_load(
        f"{base}{path}", run.template_file, f"{run.run_id}-{tag}", duration=seconds, **kw
    )


def _open_loop(run: Run, base: str, plan: Plan, tag: str) -> dict[str, Any]:
    """Constant-rate load from a separate process; latencies from the scheduled send times."""
    argv = [
        sys.executable,
        "-m",
        "bench.loadgen",
        "--url",
        f"{base}{INTAKE_PATH}",
        "--template",
        str(run.template_file),
        "--run-id",
        f"{run.run_id}-{tag}",
        "--rate",
        str(plan.latency_rate),
        "--duration",
        str(plan.latency_duration + 1.0),
        "--warmup",
        "1.0",
    ]
    env = {**os.environ, **auth_env()}
    done = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"loadgen failed: {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def bare_sqlite(run: Run, plan: Plan) -> dict[str, Any]:
    hub_schema = baseline_sqlite.run(plan.sqlite_messages, run.tmp)
    minimal = baseline_sqlite.run(plan.sqlite_messages, run.tmp, minimal=True)
    return {"hub_schema": hub_schema, "minimal": minimal}


def bare_fastapi(run: Run, plan: Plan) -> dict[str, Any]:
    base = start_baseline(run)
    _load(run, base, plan, plan.warmup, "fa-warm")
    out = {"throughput": _load(run, base, plan, plan.duration, "fa")}
    out["latency"] = _open_loop(run, base, plan, "fa-lat")
    run.procs.close()
    return out


def hub_intake(run: Run, plan: Plan) -> dict[str, Any]:
    base = start_hub(run, "hub-intake")
    out: dict[str, Any] = {"preflight": preflight(run, base)}
    _load(run, base, plan, plan.warmup, "in-warm")
    out["throughput"] = _load(run, base, plan, plan.duration, "in")
    metrics = httpx.get(f"{base}/metrics", timeout=10)
    (run.tmp / "hub-intake" / "metrics.txt").write_text(metrics.text)
    run.procs.close()
    return out


def hub_batch(run: Run, plan: Plan) -> dict[str, Any]:
    base = start_hub(run, "hub-batch")
    out: dict[str, Any] = {"preflight": preflight(run, base, batch=True)}
    kw = {"batch": plan.batch_size, "connections": plan.batch_connections}
    _load(run, base, plan, plan.warmup, "ba-warm", **kw)
    result = _load(run, base, plan, plan.duration, "ba", **kw)
    result["docs_per_s"] = round(result["rps"] * plan.batch_size, 1)
    result["batch_size"] = plan.batch_size
    out["throughput"] = result
    run.procs.close()
    return out


def hub_latency(run: Run, plan: Plan) -> dict[str, Any]:
    base = start_hub(run, "hub-latency")
    out: dict[str, Any] = {"preflight": preflight(run, base)}
    out["latency"] = _open_loop(run, base, plan, "lat")
    run.procs.close()
    return out


def hub_e2e(run: Run, plan: Plan) -> dict[str, Any]:
    """POST N POs as fast as wrk can while the route delivers them; time until the sink has
    all N. Intake and delivery share the hub's one process (and the machine's two cores)."""
    sink = start_sink(run)
    base = start_hub(run, "hub-e2e", sink_url=f"{sink}{SINK_PATH}")
    out: dict[str, Any] = {"preflight": preflight(run, base)}
    count, _ = wait_for_sink(sink, 1, timeout=30)
    if count < 1:
        raise RuntimeError("the preflight PO never reached the sink: is the route working?")
    httpx.post(f"{sink}/_reset", timeout=5)
    n = plan.e2e_messages
    start = time.monotonic()
    deadline = start + plan.e2e_timeout
    load = _load(
        run, base, plan, plan.e2e_timeout, "e2e", connections=plan.e2e_connections, limit=n
    )
    delivered_then = sink_received(sink)
    received, end = wait_for_sink(sink, n, timeout=max(1.0, deadline - time.monotonic()))
    seconds = end - start
    complete = received >= n
    out["intake"] = load
    out["result"] = {
        "messages": n,
        "delivered": received,
        "complete": complete,
        "seconds": round(seconds, 3),
        # Incomplete (the time budget ran out): the rate of what did arrive, flagged as such.
        "msgs_per_s": round((n if complete else received) / seconds, 1),
        "intake_seconds": load.get("limit_s"),
        "delivered_when_intake_done": delivered_then,
        "sink": sink_stats(sink),
    }
    run.procs.close()
    return out


SCENARIOS = {
    "bare_sqlite": bare_sqlite,
    "bare_fastapi": bare_fastapi,
    "hub_intake": hub_intake,
    "hub_batch": hub_batch,
    "hub_latency": hub_latency,
    "hub_e2e": hub_e2e,
}
