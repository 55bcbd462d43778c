"""Both deployment profiles in one run: intake, end to end and the flows scenario, side by side.

    python -m bench.profiles [--quick] [--only intake,e2e,flows] [--workers 2]
                             [--postgres-url URL] [--pg-fast] [--strict]

Columns (``bench/profile_hubs.py``): the embedded default (``crossdock up`` on SQLite),
PostgreSQL with one ``crossdock up``, and PostgreSQL with ``crossdock api`` + N ``crossdock
worker`` (``--workers 2``; ``--workers 1,2`` adds a column per count). PostgreSQL is a
throwaway cluster with production durability, or a server you name (``bench/pgcluster.py``);
without one the PostgreSQL columns are skipped with the reason and the rest runs. The split
column is skipped, with the reason, while the CLI lacks ``api`` / ``worker``.

Measurements, each on a fresh store (data dir or database) per column, and interleaved (every
column of one measurement, then the next) so a change in the machine's load hits neighbours:

* **intake**: wrk, 64 connections, closed loop, routes off: accepted POs per second.
* **e2e**: N POs as fast as 16 connections post them, routed to the HTTP sink; messages per
  second until the sink has all N. Then, on the same hub, **latency**: an open-loop load at a
  fixed rate (``--latency-rate``, below every profile's capacity): intake p50/p99 from the
  client's scheduled send times, and end to end p50/p99 from the store (``messages.received_at``
  to the end of the successful ``delivery_attempts`` row, the hub's own clock).
* **flows**: the ``clean`` sandbox scenario, 2,000 POs + 2,000 sales orders, both flows on
  (``bench/profile_flows.py``): flows completed per second.

Per process of each column, the deliveries it made and the CPU it used during e2e and flows
(``profile_hubs.shares``). The report (``bench/profile_report.py``): a table with each figure's
ratio to the embedded default, the targets, and ``bench/results/profiles-latest.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console

from bench.hub import INTAKE_PATH, SINK_PATH, Run, preflight, sink_stats, start_sink, wait_for_sink
from bench.loadgen import percentiles
from bench.machine import machine_info
from bench.payloads import write_template
from bench.pgcluster import PostgresUnavailable, Server, external_server, throwaway_cluster
from bench.procs import REPO, RESULTS, TMP, Processes
from bench.profile_hubs import (
    EMBEDDED,
    PG_ONE,
    Profile,
    final_snapshot,
    shares,
    snapshot,
    split_commands,
    split_profile,
    start_profile,
)
from bench.profile_report import print_report, summarize
from bench.wrkrun import run_load

MEASUREMENTS = ("intake", "e2e", "flows")
OPEN_LOOP_WARMUP = 1.0  # seconds of the latency run not counted


@dataclasses.dataclass(frozen=True)
class Plan:
    warmup: float = 2.0
    duration: float = 10.0
    connections: int = 64
    e2e_messages: int = 20_000
    e2e_connections: int = 16
    e2e_timeout: float = 180.0
    latency_rate: float = 500.0
    latency_duration: float = 10.0
    flows: int = 2_000  # purchase orders, and as many sales orders
    flows_timeout: float = 1800.0

    @classmethod
    def quick(cls) -> Plan:
        return cls(warmup=0.5, duration=3.0, e2e_messages=2_000, e2e_timeout=60.0,
                   latency_duration=3.0, flows=100, flows_timeout=300.0)  # fmt: skip


@dataclasses.dataclass
class Column:
    """One profile in this run: where its stores come from, and what it measured."""

    profile: Profile
    skipped: str | None = None
    results: dict[str, Any] = dataclasses.field(default_factory=dict)


def _route_config(sink_url: str | None) -> dict[str, Any]:
    """Intake only, or every PO routed to the sink (as ``bench/hub.py``'s scenarios)."""
    if not sink_url:
        return {"endpoints": {}, "routes": []}
    return {
        "endpoints": {"sink": {"type": "http", "url": sink_url, "concurrency": 64}},
        "routes": [{"name": "po-to-sink", "when": {"document_type": "purchase_order"},
                    "deliver": {"endpoint": "sink", "transform": "canonical"}}],
    }  # fmt: skip


def _store(server: Server | None, profile: Profile, tag: str) -> str | None:
    """A fresh PostgreSQL database for a PostgreSQL column; None (its own SQLite file in a
    fresh data dir) for the embedded one."""
    if server is None or not profile.postgres:
        return None
    return server.fresh_database(f"{tag}_{profile.name}".replace("-", "_"))


def _redacted(url: str | None) -> str | None:
    from sqlalchemy import make_url

    return make_url(url).render_as_string(hide_password=True) if url else None


def _store_engine_url(tmp: Path, store_url: str | None) -> str:
    return store_url or f"sqlite:///{tmp / 'hub' / 'data' / 'crossdock.db'}"


def measure_intake(run: Run, plan: Plan, profile: Profile, store_url: str | None) -> dict[str, Any]:
    hubs = start_profile(run.procs, run.tmp, profile, _route_config(None), store_url)
    out: dict[str, Any] = {"preflight": preflight(run, hubs.base)["status"]}
    url, tag = f"{hubs.base}{INTAKE_PATH}", f"{run.run_id}-{profile.name}"
    run_load(url, run.template_file, f"{tag}-warm", connections=plan.connections,
             duration=plan.warmup)  # fmt: skip
    out["throughput"] = run_load(url, run.template_file, f"{tag}-in",
                                 connections=plan.connections, duration=plan.duration)  # fmt: skip
    return out


def _open_loop(run: Run, base: str, plan: Plan, tag: str) -> dict[str, Any]:
    argv = [sys.executable, "-m", "bench.loadgen", "--url", f"{base}{INTAKE_PATH}",
            "--template", str(run.template_file), "--run-id", tag,
            "--rate", str(plan.latency_rate),
            "--duration", str(plan.latency_duration + OPEN_LOOP_WARMUP),
            "--warmup", str(OPEN_LOOP_WARMUP)]  # fmt: skip
    done = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"loadgen failed: {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def end_to_end_latencies(engine_url: str, key_prefix: str, skip_below: int) -> dict[str, float]:
    """Intake recorded -> sink answered, in milliseconds, per message of the open loop (its
    idempotency keys are ``<key_prefix>-lg-<n>``), leaving out its warm-up (``n < skip_below``).
    """
    from sqlalchemy import create_engine, text

    engine = create_engine(engine_url)
    query = text(
        "SELECT m.idempotency_key, (a.started_at + a.duration_ms / 1000.0 - m.received_at) "
        "* 1000.0 FROM messages m JOIN deliveries d ON d.message_id = m.id "
        "JOIN delivery_attempts a ON a.delivery_id = d.id "
        "WHERE a.outcome = 'ok' AND m.idempotency_key LIKE :prefix"
    )
    try:
        with engine.connect() as conn:
            rows = conn.execute(query, {"prefix": f"{key_prefix}-lg-%"}).all()
    finally:
        engine.dispose()
    values = [float(ms) for key, ms in rows if int(key.rsplit("-", 1)[1]) >= skip_below]
    return {"messages": len(values), **percentiles(values)}


def measure_e2e(run: Run, plan: Plan, profile: Profile, store_url: str | None) -> dict[str, Any]:
    """Throughput until the sink has N, then latency at a fixed rate, on the same hub."""
    sink = start_sink(run)
    hubs = start_profile(run.procs, run.tmp, profile, _route_config(f"{sink}{SINK_PATH}"),
                         store_url)  # fmt: skip
    out: dict[str, Any] = {"preflight": preflight(run, hubs.base)["status"]}
    if wait_for_sink(sink, 1, timeout=60)[0] < 1:
        raise RuntimeError("the preflight PO never reached the sink: is the route working?")
    httpx.post(f"{sink}/_reset", timeout=5)
    n, tag = plan.e2e_messages, f"{run.run_id}-{profile.name}"
    before = snapshot(hubs)
    start = time.monotonic()
    load = run_load(f"{hubs.base}{INTAKE_PATH}", run.template_file, f"{tag}-e2e",
                    connections=plan.e2e_connections, duration=plan.e2e_timeout,
                    limit=n)  # fmt: skip
    left = start + plan.e2e_timeout - time.monotonic()
    received, end = wait_for_sink(sink, n, timeout=max(1.0, left))
    complete, seconds = received >= n, end - start
    out["throughput"] = {
        "messages": n, "delivered": received, "complete": complete, "seconds": round(seconds, 3),
        "msgs_per_s": round((n if complete else received) / seconds, 1),
        "intake_seconds": load.get("limit_s"), "intake_tool": load.get("tool"),
        "sink": sink_stats(sink),  # duplicates: redeliveries the sink absorbed
    }  # fmt: skip
    if not complete:
        out["shares"] = shares(before, final_snapshot(run.procs, hubs))
        return out
    lat = _open_loop(run, hubs.base, plan, f"{tag}-lat")
    # wrk may post a few past its limit: what it sent, then what the open loop sent
    target = max(n, int(load.get("requests") or 0)) + int(lat["requests"])
    got, _ = wait_for_sink(sink, target, timeout=60)
    engine_url = _store_engine_url(run.tmp, store_url)
    out["latency"] = {
        "offered_rate": plan.latency_rate,
        "intake_ms": lat["latency_ms"],
        "intake_errors": lat["errors"],
        "delivered_all": got >= target,
        "end_to_end_ms": end_to_end_latencies(
            engine_url, f"{tag}-lat", int(plan.latency_rate * OPEN_LOOP_WARMUP)
        ),
    }
    out["shares"] = shares(before, final_snapshot(run.procs, hubs))  # throughput + latency
    return out


def measure_flows(run: Run, plan: Plan, profile: Profile, store_url: str | None) -> dict[str, Any]:
    argv = [sys.executable, "-m", "bench.profile_flows", "--profile", profile.name,
            "--tmp", str(run.tmp), "--purchase-orders", str(plan.flows),
            "--orders", str(plan.flows), "--timeout", str(plan.flows_timeout)]  # fmt: skip
    if store_url:
        argv += ["--store-url", store_url]
    proc = run.procs.start("flows-driver", argv)
    try:
        proc.wait(timeout=plan.flows_timeout + 600)
    finally:
        run.procs.stop(proc)
    log = (run.procs.log_dir / "flows-driver.log").read_text(errors="replace").strip()
    last = log.splitlines()[-1] if log else ""
    if proc.returncode != 0 or not last.startswith("{"):
        raise RuntimeError(f"the flows driver failed ({proc.returncode}):\n{log[-3000:]}")
    result: dict[str, Any] = json.loads(last)
    return result


MEASURE: dict[str, Callable[[Run, Plan, Profile, str | None], dict[str, Any]]] = {
    "intake": measure_intake,
    "e2e": measure_e2e,
    "flows": measure_flows,
}


@contextlib.contextmanager
def postgres(args: argparse.Namespace) -> Iterator[tuple[Server | None, str | None]]:
    """The server for the PostgreSQL columns, or (None, why not)."""
    url = args.postgres_url or os.environ.get("BENCH_POSTGRES_URL")
    try:
        with external_server(url) if url else throwaway_cluster(not args.pg_fast) as server:
            yield server, None
    except PostgresUnavailable as exc:
        yield None, str(exc)


def columns(args: argparse.Namespace, pg_missing: str | None) -> list[Column]:
    cols = [Column(EMBEDDED), Column(PG_ONE)]
    split_off = split_commands()
    for n in sorted({int(w) for w in args.workers.split(",") if w.strip()}):
        cols.append(Column(split_profile(n), skipped=split_off))
    for col in cols:
        if col.profile.postgres and pg_missing:
            col.skipped = f"no PostgreSQL: {pg_missing}"
    wanted = [p.strip() for p in args.profiles.split(",") if p.strip()]
    return [c for c in cols if not wanted or c.profile.name in wanted]


def main() -> int:
    parser = argparse.ArgumentParser(description="crossdock: both profiles, one run")
    parser.add_argument("--quick", action="store_true", help="small counts, seconds per column")
    parser.add_argument("--only", default=",".join(MEASUREMENTS), help="intake,e2e,flows")
    parser.add_argument(
        "--workers", default="2", help="worker counts of the split columns: 2 | 1,2"
    )
    parser.add_argument("--profiles", default="", help="only these columns (embedded,pg-1,...)")
    parser.add_argument("--postgres-url", default=None, help="an existing server (default: own)")
    parser.add_argument("--pg-fast", action="store_true", help="own cluster without fsync")
    parser.add_argument("--e2e-messages", type=int, default=None)
    parser.add_argument("--flows", type=int, default=None, help="POs (and as many orders)")
    parser.add_argument("--latency-rate", type=float, default=None)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--keep-tmp", action="store_true", help="keep the stores (logs stay)")
    args = parser.parse_args()
    plan = Plan.quick() if args.quick else Plan()
    overrides = {"e2e_messages": args.e2e_messages, "flows": args.flows,
                 "latency_rate": args.latency_rate}  # fmt: skip
    plan = dataclasses.replace(plan, **{k: v for k, v in overrides.items() if v is not None})
    only = [m.strip() for m in args.only.split(",") if m.strip()]
    if unknown := set(only) - set(MEASUREMENTS):
        parser.error(f"unknown measurements: {', '.join(sorted(unknown))}")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind: stop what we started
    console = Console()
    run_id = datetime.now(UTC).strftime("%Y%m%d%H%M%S") + f"-{os.getpid()}"
    tmp = TMP / f"profiles-{run_id}"
    template_file = tmp / "po_template.json"
    write_template(template_file, run_id)
    errors: dict[str, str] = {}
    started = time.monotonic()
    with postgres(args) as (server, pg_missing):
        cols = columns(args, pg_missing)
        for measurement in only:
            for col in (c for c in cols if not c.skipped):
                name = f"{measurement}/{col.profile.name}"
                load = round(os.getloadavg()[0], 2)
                console.print(f"[bold]{name}[/] ... (load average {load})")
                scratch = tmp / f"{measurement}-{col.profile.name}"
                with Processes(scratch / "logs") as procs:
                    run = Run(procs, scratch, run_id, template_file.read_text(), template_file)
                    try:
                        store_url = _store(server, col.profile, measurement)
                        col.results[measurement] = MEASURE[measurement](run, plan, col.profile,
                                                                        store_url)  # fmt: skip
                        col.results[measurement]["load_average_before"] = load
                        col.results[measurement]["store"] = _redacted(store_url) or "sqlite"
                    except Exception:
                        errors[name] = traceback.format_exc()
                        console.print(f"[red]{name} failed[/]\n{errors[name]}")
            if server:
                server.drop_databases()
        pg_info = {"skipped": pg_missing} if server is None else {
            "origin": server.origin, "settings": server.settings}  # fmt: skip
    report = {
        "run_id": run_id,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "seconds": round(time.monotonic() - started, 1),
        "machine": machine_info(),
        "plan": dataclasses.asdict(plan),
        "postgres": pg_info,
        "columns": {
            c.profile.name: {"label": c.profile.label, "skipped": c.skipped, "results": c.results}
            for c in cols
        },
        "errors": errors,
        "scratch": str(tmp),
    }
    report |= summarize(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, indent=2, default=str)
    (RESULTS / "profiles-latest.json").write_text(text)
    (RESULTS / f"profiles-{run_id}.json").write_text(text)
    print_report(console, report)
    console.print(f"written to {RESULTS / 'profiles-latest.json'} ({report['seconds']} s)")
    if not args.keep_tmp:  # the logs stay, the stores and the sandbox's state go
        for sub in [*tmp.glob("*/*/data"), *tmp.glob("*/sandbox")]:
            shutil.rmtree(sub, ignore_errors=True)
    missed = any(t["met"] is False and t["kind"] == "target" for t in report["targets"])
    return 1 if errors or (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
