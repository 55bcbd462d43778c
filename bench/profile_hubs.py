"""The hub in each deployment profile, started for one measurement, and what each process did.

Profiles (``bench/profiles.py`` measures them side by side):

* ``embedded``: ``crossdock up`` on the default SQLite store in its data dir.
* ``pg-1``: the same ``crossdock up``, with ``store.url`` pointing at PostgreSQL.
* ``pg-api-Nw``: ``crossdock api`` (HTTP only) and N ``crossdock worker`` processes on one
  PostgreSQL database. Enabled only when the installed CLI has both commands
  (:func:`split_commands`); otherwise the column is skipped with that reason.

Every process gets its own data dir (the embedded store's one-process-per-data-dir lock must
never be what serializes workers) and the same YAML config, with ``store.url`` in it.

The work share per process: deliveries (successful attempts) from the Prometheus counter
``crossdock_delivery_attempts_total{outcome="ok"}`` of a process that serves ``/metrics`` (the
all-in-one hub, the api, a worker whose command takes ``--port``/``--metrics-port``), read
before and after the measured phase; for a worker that serves no port, from the line it logs
when stopped (``crossdock worker stopped: deliveries ok=N (...)``), so workers are stopped at
the end of each measurement. CPU seconds from ``/proc/<pid>/stat`` for every process, always.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import yaml

from bench.auth import auth_headers
from bench.hub import hub_command
from bench.procs import Processes, free_port

_TICK = os.sysconf("SC_CLK_TCK")
_UP = re.compile(r"worker (is )?up\b")
#: The last line a worker without a port logs when stopped: ``... stopped: deliveries ok=N ...``
_LOGGED_SHARE = re.compile(r"stopped: deliveries ok=(\d+)")
_OK_DELIVERIES = re.compile(r'^crossdock_delivery_attempts_total\{[^}]*outcome="ok"[^}]*\}\s+(\S+)',
                            re.MULTILINE)  # fmt: skip


@dataclass(frozen=True)
class Profile:
    """How the hub is deployed for a column of the table."""

    name: str
    label: str
    postgres: bool
    workers: int = 0  # 0: one all-in-one `crossdock up`; N: `crossdock api` + N workers


EMBEDDED = Profile("embedded", "embedded (SQLite, up)", postgres=False)
PG_ONE = Profile("pg-1", "PostgreSQL, 1 process (up)", postgres=True)


def split_profile(workers: int) -> Profile:
    return Profile(f"pg-api-{workers}w", f"PostgreSQL, 1 api + {workers} workers", True, workers)


@cache
def _help(command: str) -> str | None:
    """``crossdock COMMAND --help`` (wide, so no option is wrapped), or None when it fails."""
    env = {**os.environ, "COLUMNS": "200", "TERM": "dumb", "NO_COLOR": "1"}
    done = subprocess.run(
        [*hub_command(), command, "--help"], capture_output=True, text=True, env=env, check=False
    )
    return done.stdout if done.returncode == 0 else None


def split_commands() -> str | None:
    """None when ``crossdock api`` and ``crossdock worker`` exist; else why the column is off."""
    missing = [c for c in ("api", "worker") if _help(c) is None]
    if missing:
        return f"`crossdock {' / '.join(missing)}` not in this build (the api/worker split)"
    return None


def _option(command: str, *names: str) -> str | None:
    """The first of ``names`` that ``crossdock COMMAND`` accepts."""
    text = _help(command) or ""
    return next((n for n in names if re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", text)), None)


@dataclass
class HubSet:
    """The processes of one profile: the HTTP base URL, and per process its pid and the
    ``/metrics`` URL when it serves one."""

    base: str
    pids: dict[str, int] = field(default_factory=dict)
    metrics: dict[str, str] = field(default_factory=dict)
    workers: list[str] = field(default_factory=list)  # the names that do the background work


def write_config(path: Path, config: dict[str, Any], store_url: str | None) -> Path:
    """The YAML every process of the profile reads; ``store.url`` set for PostgreSQL."""
    config = dict(config)
    # one bench client posts far beyond the default intake policy: throttled, never refused
    config.setdefault("throttle", {"products": {"intake": {"requests": 1_000_000}}})
    if store_url:
        config["store"] = {"url": store_url}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def _data_dir(tmp: Path, name: str) -> Path:
    path = tmp / name / "data"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def _serve(procs: Processes, tmp: Path, name: str, command: str, config: Path, port: int) -> str:
    """``crossdock up`` or ``crossdock api`` on ``port``; its own data dir when it takes one."""
    argv = [*hub_command(), command, "--host", "127.0.0.1", "--port", str(port),
            "--config", str(config)]  # fmt: skip
    if command == "up" or _option(command, "--data-dir"):
        argv += ["--data-dir", str(_data_dir(tmp, name))]
    procs.start(name, argv)
    base = f"http://127.0.0.1:{port}"
    procs.wait_ready(name, f"{base}/healthz", timeout=90)
    return base


def _pid(procs: Processes, name: str) -> int:
    return next(p.pid for n, p in procs.running() if n == name)


def _worker(procs: Processes, tmp: Path, name: str, config: Path) -> str | None:
    """Start one ``crossdock worker``; its metrics URL when it can serve one."""
    argv = [*hub_command(), "worker", "--config", str(config)]
    if _option("worker", "--data-dir"):
        argv += ["--data-dir", str(_data_dir(tmp, name))]
    port_flag = _option("worker", "--metrics-port", "--port")
    port = free_port() if port_flag else None
    if port_flag:
        argv += [port_flag, str(port)]
        if _option("worker", "--host"):
            argv += ["--host", "127.0.0.1"]
    proc = procs.start(name, argv)
    if port:
        procs.wait_ready(name, f"http://127.0.0.1:{port}/healthz", timeout=90)
        return f"http://127.0.0.1:{port}/metrics"
    # No health URL: ready once it logs that it is up (`crossdock worker up (...)`).
    log, deadline = procs.log_dir / f"{name}.log", time.monotonic() + 90
    while time.monotonic() < deadline and proc.poll() is None:
        if log.exists() and _UP.search(log.read_text(errors="replace")):
            return None
        time.sleep(0.1)
    raise RuntimeError(f"{name} not up (exit {proc.poll()}):\n{procs.log_tail(name)}")


def start_profile(
    procs: Processes,
    tmp: Path,
    profile: Profile,
    config: dict[str, Any],
    store_url: str | None,
    port: int | None = None,
) -> HubSet:
    """Start the profile's processes on ``config`` (plus ``store_url``); wait until they answer.
    ``port``: the HTTP port of ``up`` / ``api`` (default: any free one)."""
    cfg = write_config(tmp / f"{profile.name}.yaml", config, store_url)
    port = port or free_port()
    if not profile.workers:
        base = _serve(procs, tmp, "hub", "up", cfg, port)
        hubs = HubSet(base, metrics={"hub": f"{base}/metrics"}, workers=["hub"])
    else:
        base = _serve(procs, tmp, "api", "api", cfg, port)
        hubs = HubSet(base, metrics={"api": f"{base}/metrics"})
        for k in range(1, profile.workers + 1):
            name = f"worker-{k}"
            url = _worker(procs, tmp, name, cfg)
            if url:
                hubs.metrics[name] = url
            hubs.workers.append(name)
    hubs.pids = {n: _pid(procs, n) for n in ("hub", "api", *hubs.workers) if n in _names(procs)}
    return hubs


def _names(procs: Processes) -> set[str]:
    return {n for n, _ in procs.running()}


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU of a process and its waited-for children, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return sum(int(v) for v in fields[11:15]) / _TICK  # utime stime cutime cstime


def ok_deliveries(metrics_url: str) -> float | None:
    """Successful delivery attempts the process counted (all endpoints), or None."""
    with contextlib.suppress(httpx.HTTPError):
        text = httpx.get(metrics_url, timeout=10, headers=auth_headers()).text
        return sum(float(v) for v in _OK_DELIVERIES.findall(text))
    return None


def _deliveries(hubs: HubSet, name: str) -> float | None:
    if name in hubs.metrics:
        return ok_deliveries(hubs.metrics[name])
    # A worker without a port counts from its start and says so when it stops (final_snapshot)
    return 0.0 if name in hubs.workers else None


def snapshot(hubs: HubSet) -> dict[str, dict[str, float | None]]:
    """Per process: CPU seconds so far and deliveries so far (None: not measurable)."""
    return {
        name: {"cpu_s": cpu_seconds(pid), "deliveries": _deliveries(hubs, name)}
        for name, pid in hubs.pids.items()
    }


def final_snapshot(procs: Processes, hubs: HubSet) -> dict[str, dict[str, float | None]]:
    """The snapshot at the end of a measurement; then the workers that serve no port are
    stopped (SIGTERM: each finishes its batch in hand) and their deliveries read from the
    line they log when they stop (counted from their start, so one preflight PO is in it)."""
    snap = settled_snapshot(hubs)
    for name in hubs.workers:
        if name in hubs.metrics:
            continue
        proc = next((p for n, p in procs.running() if n == name), None)
        if proc is not None:
            procs.stop(proc, grace=30.0)
        log = procs.log_dir / f"{name}.log"
        found = _LOGGED_SHARE.findall(log.read_text(errors="replace")) if log.exists() else []
        snap[name]["deliveries"] = float(found[-1]) if found else None
    return snap


def settled_snapshot(hubs: HubSet, wait: float = 5.0) -> dict[str, dict[str, float | None]]:
    """A snapshot once the delivery counters stop moving (up to ``wait`` s): a process counts
    a delivery when it records the outcome, a moment after the sink has answered it."""
    deadline = time.monotonic() + wait
    last = snapshot(hubs)
    while time.monotonic() < deadline:
        time.sleep(0.2)
        now = snapshot(hubs)
        if all(now[n]["deliveries"] == last[n]["deliveries"] for n in now):
            return now
        last = now
    return last


def shares(
    before: dict[str, dict[str, float | None]], after: dict[str, dict[str, float | None]]
) -> dict[str, dict[str, Any]]:
    """Per process: what it did between the snapshots, and its share of the total."""
    out: dict[str, dict[str, Any]] = {}
    for what in ("cpu_s", "deliveries"):
        done = {
            n: round(a[what] - b[what], 2)  # type: ignore[operator]
            for n, a in after.items()
            if (b := before.get(n)) and a[what] is not None and b[what] is not None
        }
        total = sum(done.values())
        for name in after:
            entry = out.setdefault(name, {})
            entry[what] = done.get(name)
            entry[f"{what}_share"] = (
                round(done[name] / total, 3) if total and name in done else None
            )
    return out
