"""`make demo`: the hub on the embedded store, a sandbox receiver, and a short scenario.

Starts a sandbox sink (standing in for the ERP and WMS), then the hub with `crossdock.yaml`,
posts purchase orders (one of them invalid, one a duplicate), shows them delivered, replays one,
prints where to look, and leaves everything running until Ctrl-C.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

console = Console()
ROOT = Path(__file__).resolve().parents[3]


def _wait(url: str, process: subprocess.Popen[bytes], name: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(
                f"the {name} exited with status {process.returncode} before answering on {url} "
                "(is the port in use? choose another with PORT=... / --sink-port ...)"
            )
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{url} did not answer within {timeout:.0f}s")


def _post(hub: str, doc: dict[str, Any], key: str) -> httpx.Response:
    return httpx.post(
        f"{hub}/v1/messages/purchase_order",
        json=doc,
        headers={"Idempotency-Key": key, "X-Crossdock-Source": "erp"},
        timeout=10,
    )


def run_scenario(hub: str, sink: str, count: int) -> None:
    example = json.loads((ROOT / "examples" / "purchase_order.json").read_text())
    ids = []
    for n in range(count):
        doc = copy.deepcopy(example)
        doc["po_number"] = f"PO-DEMO-{n:04d}"
        response = _post(hub, doc, f"demo-{n}")
        ids.append(response.json()["id"])
    console.print(f"posted {count} purchase orders (202 each, durable before the answer)")
    duplicate = _post(hub, {**copy.deepcopy(example), "po_number": "PO-DEMO-0000"}, "demo-0")
    console.print(
        f"re-posted PO-DEMO-0000 with the same Idempotency-Key: same id, duplicate={duplicate.json()['duplicate']}"
    )
    bad = copy.deepcopy(example)
    bad["po_number"] = "PO-DEMO-BAD"
    bad["currency"] = "EURO"
    rejected = _post(hub, bad, "demo-bad")
    problem = rejected.json()
    console.print(
        f"posted an invalid PO: {rejected.status_code} {problem['errors'][0]['path']}: {problem['errors'][0]['reason']}"
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        received = httpx.get(f"{sink}/_stats").json()["unique_keys"]
        if received >= count:
            break
        time.sleep(0.1)
    console.print(f"the sandbox ERP received {received} deliveries")
    replay = httpx.post(f"{hub}/v1/messages/{ids[0]}/replay").json()
    console.print(f"replayed {ids[0]}: {replay['replayed']}")
    time.sleep(1.0)
    view = httpx.get(f"{hub}/v1/messages/{ids[0]}").json()
    _summary(hub)
    console.print(
        f"{ids[0]} now has {len(view['deliveries'])} deliveries: "
        + ", ".join(d["status"] for d in view["deliveries"])
    )


def _summary(hub: str) -> None:
    """Messages by status and each endpoint's state, as the hub reports them."""
    counts = httpx.get(f"{hub}/healthz", timeout=10).json()["messages"]
    table = Table(title="messages by status")
    table.add_column("status")
    table.add_column("count", justify="right")
    for status, count in sorted(counts.items()):
        table.add_row(status, str(count))
    console.print(table)
    endpoints = httpx.get(f"{hub}/v1/endpoints", timeout=10).json()["items"]
    table = Table(title="endpoints")
    for column in ("endpoint", "circuit", "backlog", "dead letters"):
        table.add_column(column)
    for e in endpoints:
        table.add_row(e["name"], e["circuit"], str(e["backlog"]), str(e["dead_letters"]))
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--sink-port", type=int, default=9101)
    parser.add_argument("--data-dir", default="./var/demo")
    parser.add_argument("--config", default=str(ROOT / "crossdock.yaml"))
    parser.add_argument("--count", type=int, default=int(os.environ.get("DEMO_COUNT", "200")))
    parser.add_argument("--no-wait", action="store_true", help="exit after the scenario")
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    sink = subprocess.Popen(
        [sys.executable, "-m", "crossdock.sandbox.sink", "--port", str(args.sink_port)]
    )
    hub = subprocess.Popen(
        [
            str(bin_dir / "crossdock"),
            "up",
            "--port",
            str(args.port),
            "--data-dir",
            args.data_dir,
            "--config",
            args.config,
        ]
    )
    hub_url = f"http://127.0.0.1:{args.port}"
    sink_url = f"http://127.0.0.1:{args.sink_port}"
    try:
        _wait(f"{sink_url}/_stats", sink, "sandbox sink")
        _wait(f"{hub_url}/healthz", hub, "hub")
        run_scenario(hub_url, sink_url, args.count)
        console.print(
            f"\n[bold]The hub is running[/bold] at {hub_url} (store: {args.data_dir}/crossdock.db)\n"
            f"  API docs:        {hub_url}/docs\n"
            f"  messages:        .venv/bin/crossdock messages list --data-dir {args.data_dir}\n"
            f"  one message:     curl {hub_url}/v1/messages/<id>\n"
            f"  endpoints:       .venv/bin/crossdock endpoints --data-dir {args.data_dir}\n"
            f"  metrics:         {hub_url}/metrics\n"
            "Ctrl-C stops the hub and the sandbox."
        )
        if not args.no_wait:
            hub.wait()
    except KeyboardInterrupt:
        pass
    finally:
        for proc in (hub, sink):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()


if __name__ == "__main__":
    main()
