"""Starting the hub, the bare baseline and the sink for one scenario, and talking to them."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

from bench.auth import auth_headers
from bench.payloads import render
from bench.procs import VENV_BIN, Processes, free_port

INTAKE_PATH = "/v1/messages/purchase_order"
SINK_PATH = "/in/erp"


@dataclass
class Run:
    """What every scenario shares: processes, scratch space, the run id and the PO template."""

    procs: Processes
    tmp: Path
    run_id: str
    template: str
    template_file: Path
    details: dict[str, Any] = field(default_factory=dict)


def hub_config(path: Path, sink_url: str | None = None) -> Path:
    """Write a hub YAML (default settings otherwise): intake only, or with a route of every
    PO to the sink."""
    config: dict[str, Any] = {"endpoints": {}, "routes": []}
    # Throttled like any client, at a limit the load never reaches: the figures measure what
    # throttling costs per request, not its refusals (one bench client posts far beyond the
    # default intake policy of 1,000/s).
    config["throttle"] = {"products": {"intake": {"requests": 1_000_000}}}
    if sink_url:
        config["endpoints"] = {"sink": {"type": "http", "url": sink_url, "concurrency": 64}}
        config["routes"] = [
            {
                "name": "po-to-sink",
                "when": {"document_type": "purchase_order"},
                "deliver": {"endpoint": "sink", "transform": "canonical"},
            }
        ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def hub_command() -> list[str]:
    """``crossdock`` from the venv; BENCH_HUB_CMD (split on spaces) overrides it."""
    if os.environ.get("BENCH_HUB_CMD"):
        return os.environ["BENCH_HUB_CMD"].split()
    script = VENV_BIN / "crossdock"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from crossdock.entrypoints.cli import main; main()"]


def start_hub(run: Run, name: str, sink_url: str | None = None) -> str:
    """Start ``crossdock up`` on a fresh data dir; returns its base URL once /healthz is 200."""
    port = free_port()
    data_dir = run.tmp / name / "data"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    config = hub_config(run.tmp / name / "crossdock.yaml", sink_url)
    argv = [
        *hub_command(),
        "up",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
        "--config",
        str(config),
    ]
    run.procs.start(name, argv)
    base = f"http://127.0.0.1:{port}"
    run.procs.wait_ready(name, f"{base}/healthz", timeout=60)
    return base


def start_baseline(run: Run) -> str:
    port = free_port()
    run.procs.start(
        "baseline-fastapi", [sys.executable, "-m", "bench.baseline_fastapi", "--port", str(port)]
    )
    base = f"http://127.0.0.1:{port}"
    run.procs.wait_ready("baseline-fastapi", f"{base}/healthz")
    return base


def start_sink(run: Run) -> str:
    port = free_port()
    run.procs.start("sink", [sys.executable, "-m", "crossdock.sandbox.sink", "--port", str(port)])
    base = f"http://127.0.0.1:{port}"
    run.procs.wait_ready("sink", f"{base}/_stats")
    return base


def sink_received(base: str) -> int:
    """Unique deliveries the sink has accepted (duplicates are not counted)."""
    stats = httpx.get(f"{base}/_stats", timeout=5).json()
    return int(stats["received"])


def sink_stats(base: str) -> dict[str, Any]:
    stats: dict[str, Any] = httpx.get(f"{base}/_stats", timeout=5).json()
    return {k: stats[k] for k in ("requests", "received", "duplicates", "failed") if k in stats}


def preflight(run: Run, base: str, batch: bool = False) -> dict[str, Any]:
    """Post one PO (or a batch of three) and insist it is accepted: a benchmark of rejections
    would be meaningless. Returns the response JSON."""
    headers = {"X-Crossdock-Source": "bench", **auth_headers()}
    if batch:
        lines = [render(run.template, f"pre-b{k}") for k in range(3)]
        headers |= {
            "Content-Type": "application/x-ndjson",
            "Idempotency-Key": f"{run.run_id}-preflight-batch",
            "Idempotency-Key-Prefix": f"{run.run_id}-preflight-batch-",
        }
        resp = httpx.post(
            f"{base}{INTAKE_PATH}/batch",
            content=b"\n".join(lines) + b"\n",
            headers=headers,
            timeout=30,
        )
    else:
        headers |= {
            "Content-Type": "application/json",
            "Idempotency-Key": f"{run.run_id}-preflight",
        }
        resp = httpx.post(
            f"{base}{INTAKE_PATH}", content=render(run.template, "pre"), headers=headers, timeout=30
        )
    try:
        body: dict[str, Any] = resp.json()
    except json.JSONDecodeError:
        body = {"text": resp.text[:500]}
    if batch:
        ok = resp.status_code == 202 and body.get("accepted") == 3
    else:
        ok = resp.status_code == 202 and body.get("status") == "accepted"
    if not ok:
        raise RuntimeError(
            f"preflight {'batch ' if batch else ''}intake got "
            f"{resp.status_code}: {json.dumps(body)[:800]}"
        )
    return body


def wait_for_sink(base: str, target: int, timeout: float, stall: float = 20.0) -> tuple[int, float]:
    """Poll the sink until it has ``target`` deliveries, no progress for ``stall`` s, or
    ``timeout``; returns (count, monotonic time it was reached or last seen)."""
    deadline = time.monotonic() + timeout
    last, last_change = -1, time.monotonic()
    while True:
        now = time.monotonic()
        count = sink_received(base)
        if count != last:
            last, last_change = count, now
        if count >= target or now > deadline or now - last_change > stall:
            return count, now
        time.sleep(0.05)
