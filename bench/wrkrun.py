"""Run wrk with ``wrk_post.lua`` (installing wrk with apt-get when it is missing), or fall back
to the Python load generator in closed-loop mode, and return one result dict either way."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.auth import auth_env
from bench.procs import REPO

LUA = REPO / "bench" / "wrk_post.lua"


def ensure_wrk() -> str | None:
    """Path of wrk; installs the distribution package when we may, else None.

    BENCH_NO_WRK=1 pretends wrk is absent (to exercise the Python fallback).
    """
    if os.environ.get("BENCH_NO_WRK") == "1":
        return None
    found = shutil.which("wrk")
    if found or not shutil.which("apt-get") or os.geteuid() != 0:
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print("wrk is missing: installing it with apt-get", file=sys.stderr)
    for cmd in (
        ["apt-get", "install", "-y", "wrk"],
        ["apt-get", "update"],
        ["apt-get", "install", "-y", "wrk"],
    ):
        done = subprocess.run(cmd, env=env, capture_output=True, check=False)
        if cmd[1] == "install" and done.returncode == 0:
            break
    return shutil.which("wrk")


def _parse_wrk(stdout: str) -> dict[str, Any]:
    line = next((ln for ln in stdout.splitlines() if ln.startswith("BENCHJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no BENCHJSON line:\n{stdout}")
    data: dict[str, Any] = json.loads(line.removeprefix("BENCHJSON "))
    seconds = data["duration_us"] / 1e6
    return {
        "tool": "wrk",
        "requests": data["requests"],
        "seconds": round(seconds, 3),
        "rps": round(data["requests"] / seconds, 1) if seconds else 0.0,
        "errors": data["errors"],
        "latency_ms": {k: round(v / 1000, 2) for k, v in data["latency_us"].items()},
    }


def run_load(
    url: str,
    template: Path,
    run_id: str,
    *,
    connections: int,
    duration: float,
    batch: int = 1,
    limit: int = 0,
) -> dict[str, Any]:
    """Closed-loop load on ``url``: as many POSTs as ``connections`` keep in flight.

    Args:
        url: The intake URL (single or batch).
        template: The PO template file (see ``bench.payloads.write_template``).
        run_id: Makes PO numbers and idempotency keys unique across runs.
        connections: Concurrent keep-alive connections (one wrk thread).
        duration: Seconds to run (with ``limit``: the timeout).
        batch: Documents per request (NDJSON when > 1).
        limit: Send this many POSTs only, then stop; ``limit_s`` in the result is the time
            from start until all were answered.
    """
    wrk = ensure_wrk()
    env = {k: v for k, v in os.environ.items() if k != "BENCH_LIMIT"} | auth_env()
    if wrk is None:
        print("warning: wrk unavailable, using the slower Python load generator", file=sys.stderr)
        argv = [
            sys.executable,
            "-m",
            "bench.loadgen",
            "--url",
            url,
            "--template",
            str(template),
            "--run-id",
            run_id,
            "--closed",
            str(connections),
            "--duration",
            str(duration),
            "--batch",
            str(batch),
            "--limit",
            str(limit),
            "--warmup",
            "0",
        ]
        parse: Callable[[str], dict[str, Any]] = _parse_loadgen
    else:
        if limit:
            env["BENCH_LIMIT"] = str(limit)
        argv = [
            wrk,
            "-t1",
            f"-c{connections}",
            f"-d{max(1, round(duration))}s",
            "--timeout",
            "10s",
            "-s",
            str(LUA),
            url,
            "--",
            str(template),
            run_id,
            str(batch),
        ]
        parse = _parse_wrk
    return _supervise(argv, env, parse, limited=bool(limit))


def _parse_loadgen(stdout: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    result["tool"] = "python-fallback"
    return result


def _supervise(
    argv: list[str],
    env: dict[str, str],
    parse: Callable[[str], dict[str, Any]],
    limited: bool,
) -> dict[str, Any]:
    """Run the load process; once it reports its limit reached, interrupt it (wrk would
    otherwise idle until its -d duration is over)."""
    start = time.monotonic()
    proc = subprocess.Popen(
        argv, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    lines: list[str] = []
    marks: dict[str, float] = {}

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("BENCHLIMIT"):
                marks.setdefault("limit", time.monotonic())
            lines.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    stopped_early = False
    try:
        while proc.poll() is None:
            if "limit" in marks:
                proc.send_signal(signal.SIGINT)  # wrk prints its summary on SIGINT
                stopped_early = True
                break
            time.sleep(0.05)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    reader.join(timeout=5)
    stderr = proc.stderr.read() if proc.stderr else ""
    if proc.returncode not in (0, -signal.SIGINT) and not stopped_early:
        raise RuntimeError(f"{argv[0]} failed ({proc.returncode}): {stderr}\n{''.join(lines)}")
    result = parse("".join(lines))
    if limited:
        result["limit_s"] = round(marks.get("limit", time.monotonic()) - start, 3)
    return result
