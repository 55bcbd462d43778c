"""The X12 benchmark: crossdock's reader, validator and mapper against pyx12 and node-x12.

    python -m bench.x12_bench [--quick] [--sizes 50,500] [--repeat 2] [--skip pyx12,node]
    python -m bench.run_all --only x12          # the same, from the bench runner
    make bench-x12

What it measures, on a generated mixed 850/856/810 file (``bench/x12_generate.py``):

- **tokenize + envelope** (segments/s): ``crossdock.x12.reader.read(path)`` consumed to the
  end; pyx12's ``X12Reader`` (``bench/x12_pyx12.py``) and node-x12's strict ``X12Parser``
  (``bench/node_x12/parse.js``) on the same file. Segments/s divides the segments the file
  holds (the generator's count, which every run's own count is checked against) by the time
  the run took inside its process (start-up and imports excluded). The same rates over the
  run's CPU time are reported beside them: on a shared machine they move less.
- **validation + mapping** (transactions/s): ``read_transactions`` → ``validate`` →
  ``X12Mapper().to_canonical`` for every transaction set of the file, counting the ones that
  fail (the generated file is valid: any failure is a finding).
- **with the new sets mixed in**: read and read + validate + map again on a file of the small
  size into which every ``examples/*_NNN.x12`` set the generator does not write itself is
  mixed (``x12_generate --mix-examples``); a set the hub has no map for counts as not mapped.
- **peak memory** (MB): each run's own peak RSS (``VmHWM``, see ``peak_rss_mb``), at 50 MB
  and at 500 MB; "flat" means the 500 MB run needs at most 20 % more than the 50 MB run.

Every run is its own process, pinned to one CPU (``os.sched_setaffinity``, the idlest one),
started one after the other; ``--repeat N`` alternates them N times on the small file and
keeps each one's best. The files are written to a temporary directory (after checking free
disk) and removed afterwards. node-x12 is installed with ``npm ci`` into
``bench/node_x12/node_modules`` on first use; without node or the npm registry it is skipped
with a message. A run that cannot start (e.g. a crossdock module that does not exist yet) is
reported as not measured, with its error; the other runs still happen.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.machine import machine_info
from bench.x12_generate import EXAMPLES, Manifest, generate

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
NODE_DIR = REPO / "bench" / "node_x12"
PYTHON = sys.executable
RUN_TIMEOUT = 1800.0  # seconds per measured process; a 500 MB pipeline run at 5,000 tx/s is ~90 s
NODE_HEAP_MB = 16384  # node-x12 builds the whole document tree: ~2.7 GB of heap for 50 MB

TARGETS: dict[str, tuple[str, float]] = {  # figure -> (comparison, threshold)
    "crossdock_segments_per_s": (">=", 300_000),
    "crossdock_vs_pyx12": (">=", 2.0),
    "crossdock_vs_node_x12": (">", 1.0),
    "pipeline_transactions_per_s": (">=", 5_000),
    "memory_growth_500_vs_50": ("<=", 1.2),
    "examples_segments_per_s": (">=", 300_000),
    "examples_pipeline_transactions_per_s": (">=", 5_000),
}

LABELS: dict[str, tuple[str, str]] = {
    "crossdock_segments_per_s": ("crossdock read: tokenize + envelope", "seg/s"),
    "pyx12_segments_per_s": ("pyx12 X12Reader", "seg/s"),
    "node_x12_segments_per_s": ("node-x12 X12Parser (strict)", "seg/s"),
    "crossdock_vs_pyx12": ("crossdock / pyx12", "ratio"),
    "crossdock_vs_node_x12": ("crossdock / node-x12", "ratio"),
    "crossdock_transactions_read_per_s": ("crossdock read_transactions", "tx/s"),
    "pipeline_transactions_per_s": ("read + validate + map to canonical", "tx/s"),
    "examples_segments_per_s": ("crossdock read, example sets mixed in", "seg/s"),
    "examples_pipeline_transactions_per_s": (
        "read + validate + map, example sets mixed in",
        "tx/s",
    ),
    "read_rss_mb_small": ("peak RSS, crossdock read, small file", "MB"),
    "read_rss_mb_large": ("peak RSS, crossdock read, large file", "MB"),
    "pipeline_rss_mb_small": ("peak RSS, validate + map, small file", "MB"),
    "pipeline_rss_mb_large": ("peak RSS, validate + map, large file", "MB"),
    "memory_growth_500_vs_50": ("peak RSS large / small (worst run)", "ratio"),
    "pyx12_rss_mb": ("peak RSS, pyx12, small file", "MB"),
    "node_x12_rss_mb": ("peak RSS, node-x12, small file", "MB"),
}


# --------------------------------------------------------------------------------------------
# The crossdock workers: run inside the measured subprocess (``python -m bench.x12_bench
# --worker KIND FILE``). Imports of crossdock happen here, so the parent never needs them.


def peak_rss_mb() -> float:
    """This process's peak RSS since it exec'd, in MB (``VmHWM``; getrusage elsewhere).

    Not ``getrusage(RUSAGE_SELF).ru_maxrss``: Linux carries the high-water mark of the
    process image a child was forked from across ``exec``, so every child of the benchmark
    parent would report at least the parent's size.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _outcome_ok(result: Any) -> bool | None:
    """Whether a ValidationResult / MappingResult says success, whatever it names it."""
    for name in ("ok", "valid", "is_valid", "accepted", "success"):
        value = getattr(result, name, None)
        if callable(value):
            with contextlib.suppress(TypeError):
                value = value()
        if isinstance(value, bool):
            return value
    for name in ("errors", "issues"):
        value = getattr(result, name, None)
        if isinstance(value, list | tuple):
            return not any(str(getattr(i, "severity", "error")).endswith("error") for i in value)
    return None


def _crossdock(module: str, name: str) -> Any:
    """``crossdock.<module>.<name>``, imported in the worker (it may not exist yet)."""
    return getattr(importlib.import_module(f"crossdock.{module}"), name)


def _worker_read(path: Path) -> dict[str, Any]:
    read = _crossdock("x12.reader", "read")
    started, cpu_started = time.perf_counter(), time.process_time()
    events: dict[str, int] = {}
    segments = issues = 0
    samples: list[str] = []
    for event in read(path):
        kind = type(event).__name__
        events[kind] = events.get(kind, 0) + 1
        found = getattr(event, "segments", None)
        if found is not None:
            segments += len(found)
        found = getattr(event, "issues", None)
        if found:
            issues += len(found)
            samples.extend(str(i) for i in found[: 5 - len(samples)])
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    envelope = 2 * (events.get("InterchangeStart", 0) + events.get("GroupStart", 0))
    return {
        "events": events,
        "segments_seen": segments + envelope,  # transaction segments + ISA/IEA + GS/GE
        "transactions": events.get("Transaction", 0),
        "reader_issues": issues,
        "issue_samples": samples,
        "seconds": round(seconds, 4),
        "cpu_seconds_timed": round(cpu_seconds, 4),
    }


def _worker_read_transactions(path: Path) -> dict[str, Any]:
    read_transactions = _crossdock("x12.reader", "read_transactions")
    started, cpu_started = time.perf_counter(), time.process_time()
    transactions = segments = issues = 0
    for tx in read_transactions(path):
        transactions += 1
        segments += len(tx.segments)
        issues += len(tx.issues)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    return {
        "transactions": transactions,
        "transaction_segments": segments,
        "reader_issues": issues,
        "seconds": round(seconds, 4),
        "cpu_seconds_timed": round(cpu_seconds, 4),
    }


def _first_failures(path: Path, codes: set[str], validate: Any, mapper: Any) -> list[str]:
    read_transactions = _crossdock("x12.reader", "read_transactions")
    found: list[str] = []
    for tx in read_transactions(path):
        if tx.code not in codes:
            continue
        result = validate(tx)
        if _outcome_ok(result) is False:
            found.append(f"first {tx.code} validation failure: {result!r}"[:2000])
            codes.discard(tx.code)
        else:
            try:
                mapping = mapper.to_canonical(tx)
            except Exception as exc:
                mapping = exc
            if isinstance(mapping, Exception) or _outcome_ok(mapping) is False:
                found.append(f"first {tx.code} mapping failure: {mapping!r}"[:2000])
                codes.discard(tx.code)
        if not codes:
            break
    return found


def _worker_pipeline(path: Path) -> dict[str, Any]:
    read_transactions = _crossdock("x12.reader", "read_transactions")
    validate = _crossdock("x12.validator", "validate")
    mapper = _crossdock("mapping.x12", "X12Mapper")()
    # The collector settings `crossdock up` runs with (entrypoints/server.py): the pipeline
    # allocates a canonical document per transaction, and the default thresholds would scan
    # the young generation every few documents.
    gc.set_threshold(50_000, 100, 100)
    started, cpu_started = time.perf_counter(), time.process_time()
    transactions = 0
    counts = {"valid": 0, "invalid": 0, "valid_unknown": 0, "mapped": 0, "unmapped": 0}
    counts.update(mapped_unknown=0, mapping_exceptions=0)
    samples: list[str] = []
    failing: dict[str, int] = {}  # transaction set code -> transactions not valid or not mapped
    for tx in read_transactions(path):
        transactions += 1
        checked = _outcome_ok(validate(tx))
        problem = ""
        try:
            mapped = _outcome_ok(mapper.to_canonical(tx))
        except Exception as exc:  # one bad transaction must not end the measurement
            mapped = False
            counts["mapping_exceptions"] += 1
            problem = f"{type(exc).__name__}: {exc}"
        counts[{True: "valid", False: "invalid", None: "valid_unknown"}[checked]] += 1
        counts[{True: "mapped", False: "unmapped", None: "mapped_unknown"}[mapped]] += 1
        if checked is False or mapped is False:
            failing[tx.code] = failing.get(tx.code, 0) + 1
            if len(samples) < 5:
                problem = problem or f"valid={checked} mapped={mapped}"
                samples.append(f"{tx.code} {tx.control_number}: {problem}"[:500])
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    if failing:  # the first failure of each set, found again outside the timed loop
        samples.extend(_first_failures(path, set(failing), validate, mapper))
    return {
        "transactions": transactions,
        "seconds": round(seconds, 4),
        "cpu_seconds_timed": round(cpu_seconds, 4),
        **counts,
        "failing_by_set": failing,
        "samples": samples,
    }


WORKERS: dict[str, Callable[[Path], dict[str, Any]]] = {
    "read": _worker_read,
    "read_transactions": _worker_read_transactions,
    "pipeline": _worker_pipeline,
}


def worker_main(kind: str, path: str) -> int:
    try:
        result = WORKERS[kind](Path(path))
    except Exception as exc:
        print(
            json.dumps({"error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc()})
        )
        return 1
    result["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(result))
    return 0


# --------------------------------------------------------------------------------------------
# The parent: generate, run each competitor in its own pinned process, collect.


def _cpu_idle() -> dict[int, int]:
    """Idle + iowait jiffies per CPU from /proc/stat (empty where there is none)."""
    idle: dict[int, int] = {}
    with contextlib.suppress(OSError), open("/proc/stat", encoding="ascii") as stat:
        for line in stat:
            name, *fields = line.split()
            if name.startswith("cpu") and name[3:].isdigit():
                idle[int(name[3:])] = int(fields[3]) + int(fields[4])
    return idle


def _one_cpu() -> int | None:
    """The CPU to pin the next run to: the idlest allowed one over a short look.

    Other processes are not pinned, so the scheduler moves them off the chosen CPU; the look
    only avoids landing on a CPU that something else pinned (another benchmark, say).
    """
    if not hasattr(os, "sched_getaffinity"):
        return None
    allowed = sorted(os.sched_getaffinity(0))
    before = _cpu_idle()
    time.sleep(0.25)
    after = _cpu_idle()
    if not before or not after:
        return allowed[-1]
    return max(allowed, key=lambda c: (after.get(c, 0) - before.get(c, 0), c))


def measure(argv: list[str], log: Path, cpu: int | None, cwd: Path = REPO) -> dict[str, Any]:
    """Run ``argv`` pinned to ``cpu``; its JSON stdout plus wall time and its own peak RSS."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO / "src"), env.get("PYTHONPATH")) if p)
    env["PYTHONUNBUFFERED"] = "1"

    def pin() -> None:
        if cpu is not None:
            os.sched_setaffinity(0, {cpu})

    out_path = log.with_suffix(".out")
    started = time.perf_counter()
    with out_path.open("wb") as out, log.open("wb") as err:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=err,
            preexec_fn=pin,  # safe: the bench parent runs no threads
            start_new_session=True,  # its own group, so a timeout can stop it and its children
        )
        deadline = started + RUN_TIMEOUT
        try:
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                if time.perf_counter() > deadline:
                    os.killpg(proc.pid, signal.SIGKILL)
                    pid, status, usage = os.wait4(proc.pid, 0)
                    break
                time.sleep(0.02)
        except BaseException:  # Ctrl-C or SIGTERM in the parent: stop the run we started
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.wait4(proc.pid, 0)
            raise
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    wall = time.perf_counter() - started
    text = out_path.read_text(errors="replace").strip()
    result: dict[str, Any] = {}
    if text:
        try:
            result = json.loads(text.splitlines()[-1])
        except json.JSONDecodeError:
            result = {"error": f"unreadable output: {text[-500:]}"}
    if proc.returncode != 0 and "error" not in result:
        tail = log.read_text(errors="replace").strip().splitlines()[-5:]
        timed_out = wall >= RUN_TIMEOUT
        result["error"] = f"timed out after {RUN_TIMEOUT:.0f} s" if timed_out else " | ".join(tail)
    result.update(
        exit_code=proc.returncode,
        wall_seconds=round(wall, 3),
        # The process's own VmHWM when it reported one; wait4's ru_maxrss also counts the
        # parent image the child was forked from (Linux keeps that high-water mark at exec).
        maxrss_mb=result.get("peak_rss_mb") or round(usage.ru_maxrss / 1024, 1),
        wait4_maxrss_mb=round(usage.ru_maxrss / 1024, 1),
        cpu_seconds=round(usage.ru_utime + usage.ru_stime, 3),
        pinned_cpu=cpu,
        log=str(log),
    )
    return result


def node_ready(say: Callable[[str], None]) -> str | None:
    """Make node-x12 runnable (``npm ci`` once); None when ready, else why it is skipped."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None:
        return "node is not installed"
    if (NODE_DIR / "node_modules" / "node-x12" / "package.json").exists():
        return None
    if npm is None:
        return "npm is not installed"
    say("installing node-x12 (npm ci in bench/node_x12) ...")
    try:
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=NODE_DIR,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return "npm ci timed out (is the npm registry reachable?)"
    if done.returncode != 0:
        output = (done.stderr or done.stdout).strip()[-300:]
        return f"npm ci failed (exit {done.returncode}; is the npm registry reachable?) {output}"
    return None


@contextlib.contextmanager
def scratch() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="crossdock-x12-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a and b else None


def _rate(count: int | None, run: dict[str, Any] | None) -> float | None:
    if not run or "error" in run or not count or not run.get("seconds"):
        return None
    return round(count / float(run["seconds"]), 1)


def _cpu_rate(count: int | None, run: dict[str, Any] | None) -> float | None:
    if not run or "error" in run or not count or not run.get("cpu_seconds_timed"):
        return None
    return round(count / float(run["cpu_seconds_timed"]), 1)


def figures(results: dict[str, Any]) -> dict[str, Any]:
    """The headline numbers, ratios and targets from the raw runs."""
    small, large = results.get("small", {}), results.get("large", {})
    segs = small.get("manifest", {}).get("segments")
    txs = small.get("manifest", {}).get("transactions")
    runs, big = small.get("runs", {}), large.get("runs", {})
    mixed = results.get("examples", {}).get("manifest", {})
    mixed_runs = results.get("examples", {}).get("runs", {})
    crossdock = _rate(segs, runs.get("crossdock_read"))
    pyx12 = _rate(segs, runs.get("pyx12"))
    node = _rate(segs, runs.get("node_x12"))

    def rss(group: dict[str, Any], name: str) -> float | None:
        run = group.get(name)
        return None if not run or "error" in run else float(run["maxrss_mb"])

    growth = [
        _ratio(rss(big, name), rss(runs, name)) for name in ("crossdock_read", "crossdock_pipeline")
    ]
    values = {
        "crossdock_segments_per_s": crossdock,
        "pyx12_segments_per_s": pyx12,
        "node_x12_segments_per_s": node,
        "crossdock_vs_pyx12": _ratio(crossdock, pyx12),
        "crossdock_vs_node_x12": _ratio(crossdock, node),
        "crossdock_transactions_read_per_s": _rate(txs, runs.get("crossdock_read_transactions")),
        "pipeline_transactions_per_s": _rate(txs, runs.get("crossdock_pipeline")),
        "read_rss_mb_small": rss(runs, "crossdock_read"),
        "read_rss_mb_large": rss(big, "crossdock_read"),
        "pipeline_rss_mb_small": rss(runs, "crossdock_pipeline"),
        "pipeline_rss_mb_large": rss(big, "crossdock_pipeline"),
        "memory_growth_500_vs_50": max((g for g in growth if g is not None), default=None),
        "pyx12_rss_mb": rss(runs, "pyx12"),
        "node_x12_rss_mb": rss(runs, "node_x12"),
        "examples_segments_per_s": _rate(mixed.get("segments"), mixed_runs.get("crossdock_read")),
        "examples_pipeline_transactions_per_s": _rate(
            mixed.get("transactions"), mixed_runs.get("crossdock_pipeline")
        ),
    }
    # The same rates over the CPU time of the timed part: on a shared machine, where other
    # processes take turns on the pinned CPU, these move less than the wall-clock rates.
    cx, py, nx = (_cpu_rate(segs, runs.get(n)) for n in ("crossdock_read", "pyx12", "node_x12"))
    per_cpu_second = {
        "crossdock_segments_per_s": cx,
        "pyx12_segments_per_s": py,
        "node_x12_segments_per_s": nx,
        "crossdock_vs_pyx12": _ratio(cx, py),
        "crossdock_vs_node_x12": _ratio(cx, nx),
        "crossdock_transactions_read_per_s": _cpu_rate(
            txs, runs.get("crossdock_read_transactions")
        ),
        "pipeline_transactions_per_s": _cpu_rate(txs, runs.get("crossdock_pipeline")),
    }
    met: dict[str, bool | None] = {}
    for name, (op, threshold) in TARGETS.items():
        value = values[name]
        met[name] = (
            None
            if value is None
            else value >= threshold
            if op == ">="
            else value > threshold
            if op == ">"
            else value <= threshold
        )
    return {
        "values": values,
        "per_cpu_second": per_cpu_second,
        "targets": {k: f"{op} {t:,g}" for k, (op, t) in TARGETS.items()},
        "met": met,
    }


def _check_counts(run: dict[str, Any], manifest: Manifest) -> None:
    """Note whether a run found the segments and transaction sets the generator wrote."""
    if "error" in run:
        return
    found = run.get("segments", run.get("segments_seen"))
    if found is not None:
        run["segments_match"] = found == manifest.segments
    if run.get("transactions") is not None:
        run["transactions_match"] = run["transactions"] == manifest.transactions


def _say_run(
    say: Callable[[str], None], name: str, run: dict[str, Any], manifest: Manifest
) -> None:
    if "error" in run:
        say(f"  {name}: [red]unavailable[/]: {str(run['error']).splitlines()[-1][:300]}")
        return
    seconds = run.get("seconds") or 0.0
    per_tx = name in ("crossdock_pipeline", "crossdock_read_transactions")
    count, unit = (manifest.transactions, "tx/s") if per_tx else (manifest.segments, "seg/s")
    rate = f"{count / seconds:,.0f} {unit}, " if seconds else ""
    say(f"  {name}: {seconds} s, {rate}peak RSS {run['maxrss_mb']} MB")
    if run.get("segments_match") is False or run.get("transactions_match") is False:
        say(f"  [yellow]{name} did not find what the generator wrote: {run}[/]")
    if run.get("reader_issues") or run.get("errors"):
        say(f"  [yellow]{name} reported findings on a well-formed file: see the report[/]")
    if run.get("invalid") or run.get("unmapped"):
        say(f"  [yellow]{name}: {run['invalid']} invalid, {run['unmapped']} not mapped[/]")


def run_size(
    size_mb: float,
    tmp: Path,
    logs: Path,
    competitors: Iterable[str],
    say: Callable[[str], None],
    repeat: int = 1,
    examples: Path | None = None,
) -> dict[str, Any]:
    """Generate a file of ``size_mb`` and run each of ``competitors`` on it.

    ``examples``: mix in the sets of that folder's ``*_NNN.x12`` files (``x12_generate``).

    With ``repeat`` > 1 the competitors take turns, round after round (so a slow spell of the
    machine hits them alike), and each keeps its fastest run; ``all_seconds`` lists every one.
    """
    path = tmp / f"mixed-{size_mb:g}mb{'-examples' if examples else ''}.x12"
    free = shutil.disk_usage(tmp).free
    needed = int(size_mb * 1_000_000 * 1.1) + 200_000_000
    if free < needed:
        return {
            "skipped": f"not enough free disk in {tmp}: {free / 1e9:.1f} GB < {needed / 1e9:.1f}"
        }
    kinds = "850/856/810" + (" and the example sets" if examples else "")
    say(f"generating {size_mb:g} MB of mixed {kinds} ...")
    manifest: Manifest = generate(path, size_mb, examples=examples)
    if examples is not None:
        say(f"  mixed in: {', '.join(manifest.mixed) or 'no example set beyond 850/856/810'}")
    say(
        f"  {manifest.bytes / 1e6:,.1f} MB, {manifest.segments:,} segments, "
        f"{manifest.transactions:,} transactions, {manifest.interchanges:,} interchanges "
        f"in {manifest.seconds:.1f} s"
    )
    node_heap = f"--max-old-space-size={NODE_HEAP_MB}"
    commands = {
        "crossdock_read": [PYTHON, "-m", "bench.x12_bench", "--worker", "read", str(path)],
        "crossdock_read_transactions": [
            *(PYTHON, "-m", "bench.x12_bench", "--worker", "read_transactions", str(path))
        ],
        "crossdock_pipeline": [PYTHON, "-m", "bench.x12_bench", "--worker", "pipeline", str(path)],
        "pyx12": [PYTHON, "-m", "bench.x12_pyx12", str(path)],
        "node_x12": ["node", node_heap, str(NODE_DIR / "parse.js"), str(path)],
    }
    runs: dict[str, Any] = {}
    logs.mkdir(parents=True, exist_ok=True)
    for round_no in range(1, repeat + 1):
        for name in competitors:
            if round_no > 1 and "error" in runs.get(name, {}):
                continue  # it could not run: once is enough
            say(f"  {name} ..." + (f" (round {round_no})" if repeat > 1 else ""))
            load = round(os.getloadavg()[0], 2)
            cpu = _one_cpu()
            run = measure(commands[name], logs / f"{name}-{size_mb:g}mb-{round_no}.log", cpu)
            run["load_average_before"] = load
            _check_counts(run, manifest)
            _say_run(say, name, run, manifest)
            best = runs.get(name)
            all_seconds = [*(best or {}).get("all_seconds", []), run.get("seconds")]
            if best is None or ("error" not in run and run["seconds"] < best["seconds"]):
                best = run
            best["all_seconds"] = all_seconds
            runs[name] = best
    path.unlink(missing_ok=True)
    return {"manifest": asdict(manifest), "runs": runs}


def run_suite(
    quick: bool = False,
    sizes: tuple[float, ...] | None = None,
    skip: Iterable[str] = (),
    say: Callable[[str], None] = print,
    repeat: int = 1,
) -> dict[str, Any]:
    """The whole X12 benchmark: returns the report (``figures`` + raw ``results``).

    ``sizes`` is (small, large) in MB; with one size only, the large-file runs are left out.
    """
    small_mb, *rest = sizes or ((5.0, 50.0) if quick else (50.0, 500.0))
    large_mb = rest[0] if rest else None
    skip = set(skip)
    skipped: dict[str, str] = {name: "skipped (--skip)" for name in skip}
    started = time.monotonic()
    logs = RESULTS / "tmp" / "x12-logs"
    small = ["crossdock_read", "crossdock_read_transactions", "crossdock_pipeline"]
    small += [
        n for n in ("pyx12", "node_x12") if n not in skip and n.removesuffix("_x12") not in skip
    ]
    if "node_x12" in small:
        why = node_ready(say)
        if why:
            say(f"[yellow]node-x12 skipped: {why}[/]")
            skipped["node_x12"] = why
            small.remove("node_x12")
    results: dict[str, Any] = {}
    with scratch() as tmp:
        results["small"] = run_size(small_mb, tmp, logs, small, say, repeat)
        large = ["crossdock_read", "crossdock_pipeline"]
        # "a generated file with the new sets mixed in": same size as the small file
        results["examples"] = run_size(small_mb, tmp, logs, large, say, repeat, EXAMPLES)
        results["large"] = (
            run_size(large_mb, tmp, logs, large, say)
            if large_mb
            else {"skipped": "only one size was asked for"}
        )
    return {
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": quick,
        "sizes_mb": [small_mb, large_mb],
        "repeat": repeat,
        "seconds": round(time.monotonic() - started, 1),
        "machine": machine_info(),
        "figures": figures(results),
        "skipped": skipped,
        "results": results,
    }


def _shown(value: float | None, unit: str) -> str:
    return "-" if value is None else f"{value:,.2f}" if unit == "ratio" else f"{value:,.0f}"


def table_rows(report: dict[str, Any]) -> list[tuple[str, str, str, str, str, str]]:
    """(figure, measured, per CPU-second, unit, target, mark) rows for printing."""
    figs = report["figures"]
    per_cpu = figs.get("per_cpu_second", {})
    small_mb, large_mb = report["sizes_mb"]
    large = f"{large_mb:g} MB" if large_mb else "large file (not run)"
    rows = []
    for name, value in figs["values"].items():
        label, unit = LABELS[name]
        label = label.replace("small file", f"{small_mb:g} MB").replace("large file", large)
        cpu = _shown(per_cpu[name], unit) if name in per_cpu else ""
        met = figs["met"].get(name)
        mark = "" if name not in figs["met"] else "?" if met is None else "ok" if met else "MISS"
        rows.append((label, _shown(value, unit), cpu, unit, figs["targets"].get(name, ""), mark))
    return rows


def unavailable(report: dict[str, Any]) -> list[str]:
    """One line per run that could not run, with the reason."""
    lines = [f"{name}: {why}" for name, why in report.get("skipped", {}).items()]
    for size, group in report["results"].items():
        if "skipped" in group:
            lines.append(f"{size} file: {group['skipped']}")
        for name, run in group.get("runs", {}).items():
            if "error" in run:
                lines.append(f"{name} ({size}): {str(run['error']).splitlines()[-1][:300]}")
    return lines


def print_report(report: dict[str, Any], console: Any | None = None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    small_mb = report["sizes_mb"][0]
    table = Table(title=f"crossdock X12 bench ({'quick' if report['quick'] else 'full'})")
    for col in ("figure", "measured", "per CPU-s", "unit", "target", ""):
        table.add_column(col, justify="right" if col in ("measured", "per CPU-s") else "left")
    for label, shown, cpu, unit, target, mark in table_rows(report):
        style = {"ok": "green", "MISS": "red", "?": "yellow"}.get(mark, "")
        table.add_row(label, shown, cpu, unit, target, f"[{style}]{mark}[/]" if style else "")
    wide = console if console.width >= 112 else Console(file=console.file, width=112)
    wide.print(table)  # one line per row, also in logs and narrow terminals
    console.print(
        f"rates on the {small_mb:g} MB file, one pinned CPU per run; 'measured' is over wall "
        "time (targets), 'per CPU-s' over the run's CPU time (steadier on a shared machine)"
    )
    for line in unavailable(report):
        console.print(f"[yellow]not measured:[/] {line}")
    loads = [
        run.get("load_average_before", 0.0)
        for group in report["results"].values()
        for run in group.get("runs", {}).values()
    ]
    busy = max([*loads, report["machine"]["load_average_at_end"][0]])
    if busy > 1.0:
        console.print(
            f"[yellow]the machine was busy (1-min load average up to {busy:.1f} before a run): "
            "other processes competed for the CPUs and the rates are low[/]"
        )


def save(report: dict[str, Any], run_id: str) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, indent=2, default=str)
    (RESULTS / f"x12-run-{run_id}.json").write_text(text)
    latest = RESULTS / "x12-latest.json"
    latest.write_text(text)
    return latest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="crossdock X12 benchmark")
    parser.add_argument("--quick", action="store_true", help="5 MB and 50 MB instead of 50/500")
    parser.add_argument(
        "--sizes", default="", help="small,large in MB (default 50,500); one size: no large run"
    )
    parser.add_argument("--skip", default="", help="comma list of: pyx12, node")
    parser.add_argument(
        "--repeat", type=int, default=1, help="rounds on the small file; each keeps its best"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--worker", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker_main(*args.worker)
    sizes = tuple(float(s) for s in args.sizes.split(",")) if args.sizes else None
    if sizes is not None and len(sizes) not in (1, 2):
        parser.error("--sizes takes one or two numbers: small[,large]")
    from rich.console import Console

    console = Console()
    report = run_suite(
        args.quick,
        sizes,
        [s.strip() for s in args.skip.split(",") if s.strip()],
        console.print,
        max(1, args.repeat),
    )
    run_id = datetime.now(UTC).strftime("%Y%m%d%H%M%S") + f"-{os.getpid()}"
    latest = save(report, run_id)
    print_report(report, console)
    console.print(f"written to {latest} ({report['seconds']} s)")
    missed = any(v is False for v in report["figures"]["met"].values())
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
