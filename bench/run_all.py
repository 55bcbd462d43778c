"""Run every benchmark in one go, print a table and write ``bench/results/latest.json``.

    python -m bench.run_all [--quick] [--only hub_intake,bare_fastapi] [--connections 64]
    python -m bench.run_all --only x12          # only the X12 suite (bench/x12_bench.py)

Each scenario starts its own processes (hub, bare baseline, sink, load generator) on loopback
and stops them afterwards, also when it fails; a failed scenario is reported and the others
still run. The default run takes about two to three minutes; ``--quick`` a few seconds each.
After the hub scenarios come the X12 suite (reader, validator and mapper against pyx12 and
node-x12 on generated files of 50 and 500 MB, a few more minutes); its report goes to
``bench/results/x12-latest.json`` and, in a full run, under ``"x12"`` in ``latest.json``.
Then the flows suite (``flows-latest.json``) and the profiles suite (``bench/profiles.py``:
the embedded default next to PostgreSQL with one process and with 1 api + 2 workers;
``profiles-latest.json``, its figures and targets under ``"profiles"``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.flows_bench import print_report as print_flows_report
from bench.flows_bench import run_flows
from bench.flows_bench import save as save_flows
from bench.hub import Run
from bench.machine import machine_info
from bench.payloads import write_template
from bench.procs import REPO, RESULTS, TMP, Processes
from bench.scenarios import SCENARIOS, Plan
from bench.x12_bench import print_report as print_x12_report
from bench.x12_bench import run_suite as run_x12_suite
from bench.x12_bench import save as save_x12

X12 = "x12"
FLOWS = "flows"
PROFILES = "profiles"
THROTTLE = "throttle"
SUITES = (X12, FLOWS, PROFILES, THROTTLE)


def _get(data: dict[str, Any], *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a and b else None


def figures(results: dict[str, Any]) -> dict[str, Any]:
    """The headline numbers, ratios and targets from the scenarios' raw results."""
    fa_rps = _get(results, "bare_fastapi", "throughput", "rps")
    sqlite_tx = _get(results, "bare_sqlite", "hub_schema", "tx_per_s")
    intake = _get(results, "hub_intake", "throughput", "rps")
    lat = _get(results, "hub_latency", "latency", "latency_ms") or {}
    values = {
        "bare_sqlite_tx_per_s": sqlite_tx,
        "bare_sqlite_minimal_tx_per_s": _get(results, "bare_sqlite", "minimal", "tx_per_s"),
        "bare_fastapi_rps": fa_rps,
        "bare_fastapi_p99_ms": _get(results, "bare_fastapi", "latency", "latency_ms", "99"),
        "intake_msgs_per_s": intake,
        "intake_vs_fastapi": _ratio(intake, fa_rps),
        "intake_vs_bare_store": _ratio(intake, sqlite_tx),
        "batch_docs_per_s": _get(results, "hub_batch", "throughput", "docs_per_s"),
        "e2e_msgs_per_s": _get(results, "hub_e2e", "result", "msgs_per_s"),
        "latency_p50_ms": lat.get("50"),
        "latency_p90_ms": lat.get("90"),
        "latency_p99_ms": lat.get("99"),
        "latency_max_ms": lat.get("max"),
    }
    targets = {  # name -> (comparison, threshold)
        "intake_msgs_per_s": (">=", 3000),
        "intake_vs_fastapi": (">=", 0.40),
        "batch_docs_per_s": (">=", 20000),
        "e2e_msgs_per_s": (">=", 1000),
        "latency_p99_ms": ("<=", 25),
    }
    met = {
        name: None
        if values[name] is None
        else (values[name] >= t if op == ">=" else values[name] <= t)
        for name, (op, t) in targets.items()
    }
    return {
        "values": values,
        "targets": {k: f"{op} {t}" for k, (op, t) in targets.items()},
        "met": met,
    }


LABELS = {
    "bare_sqlite_tx_per_s": ("Bare SQLite, hub tables + PO body", "tx/s"),
    "bare_sqlite_minimal_tx_per_s": ("Bare SQLite, minimal rows", "tx/s"),
    "bare_fastapi_rps": ("Bare FastAPI 202", "req/s"),
    "bare_fastapi_p99_ms": ("Bare FastAPI p99 @ latency rate", "ms"),
    "intake_msgs_per_s": ("Hub intake, single PO", "msg/s"),
    "intake_vs_fastapi": ("Intake / bare FastAPI", "ratio"),
    "intake_vs_bare_store": ("Intake / bare SQLite", "ratio"),
    "batch_docs_per_s": ("Hub batch intake (NDJSON)", "docs/s"),
    "e2e_msgs_per_s": ("End to end, intake -> sink", "msg/s"),
    "latency_p50_ms": ("Intake latency p50", "ms"),
    "latency_p90_ms": ("Intake latency p90", "ms"),
    "latency_p99_ms": ("Intake latency p99", "ms"),
    "latency_max_ms": ("Intake latency max", "ms"),
}


def print_table(console: Console, report: dict[str, Any]) -> None:
    figs = report["figures"]
    table = Table(title=f"crossdock bench ({'quick' if report['quick'] else 'full'})")
    for col in ("figure", "measured", "unit", "target", ""):
        table.add_column(col, justify="right" if col == "measured" else "left")
    for name, value in figs["values"].items():
        label, unit = LABELS[name]
        shown = "-" if value is None else f"{value:,.3f}" if unit == "ratio" else f"{value:,.1f}"
        met = figs["met"].get(name)
        mark = "" if name not in figs["met"] else "?" if met is None else "ok" if met else "MISS"
        style = {"ok": "green", "MISS": "red", "?": "yellow"}.get(mark, "")
        table.add_row(
            label,
            shown,
            unit,
            figs["targets"].get(name, ""),
            f"[{style}]{mark}[/]" if style else "",
        )
    console.print(table)
    if _get(report["results"], "hub_e2e", "result", "complete") is False:
        console.print("[yellow]end to end: not every message reached the sink in time[/]")
    busy = max(report["load_average_before"].values(), default=0.0)
    if busy > 1.0:
        console.print(
            f"[yellow]the machine was busy (1-min load average up to {busy:.1f} before a "
            "scenario): other processes competed for the CPUs and the figures are low[/]"
        )
    for name, error in report["errors"].items():
        console.print(f"[red]{name} failed:[/] {error.splitlines()[-1]}")


def _clean_old_runs(max_age: float = 3600.0) -> None:
    """Remove scratch directories of runs older than an hour (a running one is younger)."""
    if not TMP.exists():
        return
    for old in TMP.iterdir():
        if old.is_dir() and time.time() - old.stat().st_mtime > max_age:
            shutil.rmtree(old, ignore_errors=True)


def _run_x12(console: Console, quick: bool, run_id: str) -> dict[str, Any] | None:
    """The X12 suite (bench/x12_bench.py); None when it failed as a whole."""
    console.print(f"[bold]{X12}[/] ... (load average {round(os.getloadavg()[0], 2)})")
    try:
        report = run_x12_suite(quick=quick, say=console.print)
    except Exception:
        console.print(f"[red]{X12} failed[/]\n{traceback.format_exc()}")
        return None
    latest = save_x12(report, run_id)
    print_x12_report(report, console)
    console.print(f"written to {latest} ({report['seconds']} s)")
    return report


def _run_flows(console: Console, quick: bool) -> dict[str, Any] | None:
    """The flows suite (bench/flows_bench.py): 10,000 POs + 10,000 orders (200 + 200 quick)."""
    size = 200 if quick else 10_000
    console.print(f"[bold]{FLOWS}[/] ... {size} + {size} (load average "
                  f"{round(os.getloadavg()[0], 2)})")  # fmt: skip
    try:
        report = run_flows(size, size)
    except Exception:
        console.print(f"[red]{FLOWS} failed[/]\n{traceback.format_exc()}")
        return None
    latest = save_flows(report)
    print_flows_report(report, console)
    console.print(f"written to {latest}")
    return report


def _run_profiles(console: Console, quick: bool) -> dict[str, Any] | None:
    """The profiles suite (bench/profiles.py, its own process: it prints its own tables and
    writes ``profiles-latest.json``); its figures and targets, or None when it failed."""
    console.print(f"[bold]{PROFILES}[/] ... (load average {round(os.getloadavg()[0], 2)})")
    argv = [sys.executable, "-m", "bench.profiles", *(["--quick"] if quick else [])]
    done = subprocess.run(argv, cwd=REPO, check=False)
    latest = RESULTS / "profiles-latest.json"
    if done.returncode != 0 or not latest.exists():
        console.print(f"[red]{PROFILES} failed[/] (exit {done.returncode})")
        return None
    report: dict[str, Any] = json.loads(latest.read_text())
    return report


def _run_throttle(console: Console, quick: bool) -> dict[str, Any] | None:
    """The throttling overhead (bench/throttle_bench.py, its own process; it prints its
    figures and writes ``throttle-latest.json``), or None when it failed."""
    console.print(f"[bold]{THROTTLE}[/] ... (load average {round(os.getloadavg()[0], 2)})")
    argv = [sys.executable, "-m", "bench.throttle_bench", *(["--quick"] if quick else [])]
    done = subprocess.run(argv, cwd=REPO, check=False)
    latest = RESULTS / "throttle-latest.json"
    if done.returncode != 0 or not latest.exists():
        console.print(f"[red]{THROTTLE} failed[/] (exit {done.returncode})")
        return None
    report: dict[str, Any] = json.loads(latest.read_text())
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description="crossdock benchmarks")
    parser.add_argument("--quick", action="store_true", help="a few seconds per scenario")
    parser.add_argument(
        "--only", default="", help=f"comma list of: {', '.join([*SCENARIOS, *SUITES])}"
    )
    parser.add_argument("--connections", type=int, default=None, help="wrk connections")
    parser.add_argument("--e2e-messages", type=int, default=None)
    parser.add_argument(
        "--keep-tmp", action="store_true", help="keep the hubs' data dirs (logs are always kept)"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()

    plan = Plan.quick() if args.quick else Plan()
    overrides = {"connections": args.connections, "e2e_messages": args.e2e_messages}
    plan = dataclasses.replace(plan, **{k: v for k, v in overrides.items() if v is not None})
    names = [n.strip() for n in args.only.split(",") if n.strip()] or [*SCENARIOS, *SUITES]
    unknown = set(names) - {*SCENARIOS, *SUITES}
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    # SIGTERM (e.g. from make or CI) unwinds like Ctrl-C, so every started process is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    console = Console()
    run_id = datetime.now(UTC).strftime("%Y%m%d%H%M%S") + f"-{os.getpid()}"
    with_x12, with_flows = X12 in names, FLOWS in names
    with_profiles, with_throttle = PROFILES in names, THROTTLE in names
    if set(names) <= set(SUITES):  # only suites: the hub's latest.json stays as it was
        ok = not with_x12 or _run_x12(console, args.quick, run_id) is not None
        ok = ok and (not with_flows or _run_flows(console, args.quick) is not None)
        ok = ok and (not with_throttle or _run_throttle(console, args.quick) is not None)
        return 0 if ok and (not with_profiles or _run_profiles(console, args.quick)) else 1
    names = [n for n in names if n not in SUITES]
    _clean_old_runs()
    tmp = TMP / run_id  # per run, so concurrent runs (and manual wrk runs) do not collide
    template_file = tmp / "po_template.json"
    origin = write_template(template_file, run_id)
    results: dict[str, Any] = {}
    errors: dict[str, str] = {}
    timings: dict[str, float] = {}
    load_before: dict[str, float] = {}
    started = time.monotonic()
    for name in names:
        load_before[name] = round(os.getloadavg()[0], 2)
        console.print(f"[bold]{name}[/] ... (load average {load_before[name]})")
        t0 = time.monotonic()
        with Processes(tmp / "logs" / name) as procs:
            run = Run(procs, tmp, run_id, template_file.read_text(), template_file)
            try:
                results[name] = SCENARIOS[name](run, plan)
            except Exception:
                errors[name] = traceback.format_exc()
                console.print(f"[red]{name} failed[/]\n{errors[name]}")
        timings[name] = round(time.monotonic() - t0, 1)
    # After the hub scenarios, so they run on the machine as before; it prints its own table.
    x12_report = _run_x12(console, args.quick, run_id) if with_x12 else None
    if with_x12 and x12_report is None:
        errors[X12] = "the X12 suite failed (see above)"
    flows_report = _run_flows(console, args.quick) if with_flows else None
    if with_flows and flows_report is None:
        errors[FLOWS] = "the flows suite failed (see above)"
    profiles_report = _run_profiles(console, args.quick) if with_profiles else None
    if with_profiles and profiles_report is None:
        errors[PROFILES] = "the profiles suite failed (see above)"
    throttle_report = _run_throttle(console, args.quick) if with_throttle else None
    if with_throttle and throttle_report is None:
        errors[THROTTLE] = "the throttle suite failed (see above)"
    report = {
        "run_id": run_id,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "seconds": round(time.monotonic() - started, 1),
        "machine": machine_info(),
        "plan": dataclasses.asdict(plan),
        "payload": {"origin": origin, "bytes": len(template_file.read_bytes())},
        "scratch": str(tmp),
        "figures": figures(results),
        "scenario_seconds": timings,
        "load_average_before": load_before,
        "results": results,
        "errors": errors,
    }
    if x12_report is not None:
        report["x12"] = {"figures": x12_report["figures"], "file": "x12-latest.json"}
    if flows_report is not None:
        report["flows"] = {"flows_per_s": flows_report["flows_per_s"], "file": "flows-latest.json"}
    if profiles_report is not None:
        report["profiles"] = {
            "figures": profiles_report["figures"],
            "targets": profiles_report["targets"],
            "file": "profiles-latest.json",
        }
    if throttle_report is not None:
        http = throttle_report.get("http") or {}
        report["throttle"] = {
            "asgi_overhead_ns": throttle_report["asgi_sqlite"]["overhead_ns"],
            "http_ratio": http.get("ratio"),
            "file": "throttle-latest.json",
        }
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, indent=2, default=str)
    (RESULTS / "latest.json").write_text(text)
    (RESULTS / f"run-{run_id}.json").write_text(text)
    print_table(console, report)
    console.print(f"written to {RESULTS / 'latest.json'} ({report['seconds']} s)")
    if not args.keep_tmp:
        for sub in tmp.glob("hub-*"):
            shutil.rmtree(sub / "data", ignore_errors=True)  # the logs stay, the stores go
    missed = any(v is False for v in report["figures"]["met"].values())
    return 1 if errors or (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
