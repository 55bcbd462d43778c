"""Intake latency while retention prunes a big store, against intake alone, in the same run.

    python -m bench.retention_bench [--quick] [--messages N] [--rate R] [--duration S]
                                    [--batch-size K] [--pause-ms P]

1. A fresh SQLite store is filled (straight into the tables) with N old, delivered purchase
   orders, each with a delivery and an attempt: all past the 30-day age the run configures.
2. **without**: a hub with retention off takes purchase orders at a fixed rate (open loop:
   latencies from the scheduled send time, so a stall counts in full) for S seconds.
3. **pruning**: the hub restarts on the same store with retention on (`interval_seconds` 1);
   once the job has begun deleting, the same load runs again for S seconds. The old messages
   left are counted before and after: the figure holds only if the prune ran the whole time
   (`pruning_throughout`).
4. Then the prune is left to finish (unless ``--no-finish``): messages pruned per second.

Reports intake p50/p99/max for both phases and their ratio, against the issue's target (intake
p99 <= 25 ms while pruning at 1,000 msg/s), in ``bench/results/retention-latest.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from bench.auth import authorization
from bench.hub import INTAKE_PATH, hub_command
from bench.loadgen import Client, open_loop
from bench.machine import machine_info
from bench.payloads import po_template
from bench.procs import RESULTS, Processes, free_port
from crossdock.adapters.sql.tables import deliveries, delivery_attempts, messages
from crossdock.adapters.sqlite.engine import sqlite_url
from crossdock.bootstrap.store import make_engine

DAY = 86_400.0
TARGET_P99_MS = 25.0
CHUNK = 10_000


def fill(data_dir: Path, n: int) -> float:
    """N old delivered messages, each with a delivery and an attempt; returns seconds taken."""
    began = time.perf_counter()
    engine = make_engine(sqlite_url(data_dir))
    received = time.time() - 400 * DAY
    raw = json.dumps({"po_number": "OLD", "lines": [{"sku": "X" * 40, "qty": 1}] * 8}).encode()
    try:
        for start in range(0, n, CHUNK):
            ids = [f"old-{k:08}" for k in range(start, min(n, start + CHUNK))]
            with engine.begin() as conn:
                conn.execute(
                    messages.insert(),
                    [_message(i, received + k, raw) for k, i in enumerate(ids, start)],
                )
                conn.execute(deliveries.insert(), [_delivery(i) for i in ids])
                conn.execute(delivery_attempts.insert(), [_attempt(i, received) for i in ids])
    finally:
        engine.dispose()
    return time.perf_counter() - began


def _message(i: str, received: float, raw: bytes) -> dict[str, Any]:
    return {
        "id": i, "document_type": "purchase_order", "schema_version": 1, "source": "erp",
        "channel": "http", "correlation_key": i, "idempotency_key": i, "body_sha256": "0" * 64,
        "received_at": received, "content_type": "application/json", "raw": raw,
        "canonical": raw, "status": "delivered", "lane": "critical", "duplicates": 0,
    }  # fmt: skip


def _delivery(i: str) -> dict[str, Any]:
    return {
        "id": f"d{i}", "message_id": i, "route": "po-to-erp", "endpoint": "erp",
        "lane": "critical", "idempotency_key": i, "correlation_key": i,
        "content_type": "application/json", "status": "delivered", "attempts": 1,
    }  # fmt: skip


def _attempt(i: str, at: float) -> dict[str, Any]:
    return {
        "delivery_id": f"d{i}", "attempt": 1, "started_at": at, "duration_ms": 4.0,
        "outcome": "ok", "status_code": 200,
    }  # fmt: skip


def old_left(data_dir: Path) -> int:
    with sqlite3.connect(f"file:{data_dir / 'crossdock.db'}?mode=ro", uri=True, timeout=30) as db:
        row = db.execute("SELECT count(*) FROM messages WHERE id >= 'old-' AND id < 'old.'")
        return int(row.fetchone()[0])


def start_hub(
    procs: Processes, work: Path, name: str, retention: dict[str, Any]
) -> tuple[str, Any]:
    port = free_port()
    config = work / f"{name}.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "throttle": {"products": {"intake": {"requests": 1_000_000}}},
                "retention": retention,
            }
        )
    )
    argv = [*hub_command(), "up", "--host", "127.0.0.1", "--port", str(port),
            "--data-dir", str(work / "data"), "--config", str(config)]  # fmt: skip
    proc = procs.start(name, argv)
    base = f"http://127.0.0.1:{port}"
    procs.wait_ready(name, f"{base}/healthz", timeout=120)
    return base, proc


async def load(base: str, run_id: str, rate: float, duration: float) -> dict[str, Any]:
    template, _origin = po_template(run_id)
    client = Client(base + INTAKE_PATH, template, run_id, batch=1, max_conns=64)
    try:
        await client.warm(8)
        return await open_loop(client, rate, duration, warmup=1.0)
    finally:
        await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="30,000 messages, 8 s phases")
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--rate", type=float, default=1_000.0, help="intake, messages/s")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per phase")
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--pause-ms", type=float, default=20.0)
    parser.add_argument("--no-finish", action="store_true", help="do not wait for the prune")
    args = parser.parse_args()
    if args.quick:
        args.messages, args.duration = 30_000, 8.0
    os.environ["BENCH_AUTHORIZATION"] = authorization()  # the load generator's credential
    RESULTS.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="retention-", dir=RESULTS.parent / "results"))
    (work / "data").mkdir()
    out: dict[str, Any] = {
        "machine": machine_info(),
        "config": {k: v for k, v in vars(args).items() if k != "quick"},
    }
    try:
        print(f"filling {args.messages} old messages ...", flush=True)
        out["fill_s"] = round(fill(work / "data", args.messages), 1)
        retention = {
            "default_days": 30,
            "batch_size": args.batch_size,
            "pause_ms": args.pause_ms,
            "interval_seconds": 1,
            "archive_dir": str(work / "archive"),
        }
        with Processes(work / "logs") as procs:
            base, hub = start_hub(procs, work, "hub-without", {**retention, "enabled": False})
            print(f"intake without pruning: {args.rate:g}/s for {args.duration:g} s", flush=True)
            out["without"] = asyncio.run(load(base, "a", args.rate, args.duration))
            procs.stop(hub)

            base, hub = start_hub(procs, work, "hub-pruning", {**retention, "enabled": True})
            deadline = time.monotonic() + 60
            while old_left(work / "data") == args.messages and time.monotonic() < deadline:
                time.sleep(0.1)
            before = old_left(work / "data")
            print(f"intake while pruning ({before} old left): {args.rate:g}/s", flush=True)
            began = time.monotonic()
            out["pruning"] = asyncio.run(load(base, "b", args.rate, args.duration))
            after = old_left(work / "data")
            phase = time.monotonic() - began
            out["prune_during_load"] = {
                "old_before": before,
                "old_after": after,
                "pruned": before - after,
                "per_s": round((before - after) / phase, 1),
            }
            out["pruning_throughout"] = 0 < after < args.messages
            if not args.no_finish:
                began = time.monotonic()
                while old_left(work / "data") > 0 and time.monotonic() - began < 3_600:
                    time.sleep(0.5)
                out["prune_rest"] = {
                    "messages": after,
                    "seconds": round(time.monotonic() - began, 1),
                }
            procs.stop(hub)
    finally:
        shutil.rmtree(work / "data", ignore_errors=True)
        shutil.rmtree(work / "archive", ignore_errors=True)
    without = out["without"]["latency_ms"]
    pruning = out["pruning"]["latency_ms"]
    out["p99_ratio"] = round(pruning["99"] / without["99"], 2) if without.get("99") else None
    out["target"] = {
        "name": "intake p99 <= 25 ms while pruning",
        "p99_ms": pruning.get("99"),
        "met": bool(pruning.get("99") is not None and pruning["99"] <= TARGET_P99_MS),
    }
    path = RESULTS / "retention-latest.json"
    path.write_text(json.dumps(out, indent=2))
    print(
        f"intake p99 {without.get('99')} ms without pruning, {pruning.get('99')} ms while "
        f"pruning (x{out['p99_ratio']}); max {without.get('max')} / {pruning.get('max')} ms; "
        f"pruned {out['prune_during_load']['per_s']}/s during the load "
        f"(throughout: {out['pruning_throughout']}); target "
        f"{'met' if out['target']['met'] else 'MISSED'}  -> {path}"
    )


if __name__ == "__main__":
    main()
