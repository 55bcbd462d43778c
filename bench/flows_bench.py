"""The flows benchmark: N purchase orders and N sales orders through the sandbox landscape and a
real hub with both flows on, timed until every system has settled.

    python -m bench.flows_bench [--purchase-orders 10000] [--orders 10000] [--quick]

It runs `crossdock demo --scenario clean --no-wait --json` (the hub as its own `crossdock up`
process on the embedded default, the landscape and the scenario driver in the demo process) and
reads its summary. The figure is **flows completed per second**: procure-to-pay instances that
reached a matched invoice plus order-to-delivery instances that reached a billing trigger,
over the scenario's wall time (from the first released document to the moment every system's
outbox is empty, every PO is received and invoiced, every order delivered and the hub has no
delivery backlog). The baseline in the same run is the documents per second the hub recorded
over the same time, so a change in the mix of documents per flow shows up as a change in the
ratio rather than hiding in the headline.

The report goes to ``bench/results/flows-latest.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.procs import REPO, RESULTS, VENV_BIN, free_port

FLOWS = ("procure_to_pay", "order_to_delivery")


def run_flows(purchase_orders: int, orders: int, timeout: float = 5400.0) -> dict[str, Any]:
    """One scenario run; the figures and the summary's headline parts."""
    data_dir = Path(tempfile.mkdtemp(prefix="crossdock-flows-bench-"))
    command = [
        str(VENV_BIN / "crossdock"), "demo", "--scenario", "clean", "--no-wait", "--json",
        "--purchase-orders", str(purchase_orders), "--orders", str(orders),
        "--port", str(free_port()), "--base-port", "0", "--timeout", str(timeout),
        "--data-dir", str(data_dir / "demo"), "--ack-due-hours", "24",
    ]  # fmt: skip
    load_before = round(os.getloadavg()[0], 2)
    started = time.monotonic()
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=timeout + 600, check=False, cwd=REPO
    )
    wall = time.monotonic() - started
    if not done.stdout.strip():
        raise RuntimeError(f"the demo printed no summary (exit {done.returncode}):\n"
                           f"{done.stderr[-3000:]}")  # fmt: skip
    summary: dict[str, Any] = json.loads(done.stdout)
    elapsed = float(summary["scenario"]["elapsed_seconds"])
    completed = {f: int(summary["flows"].get(f, {}).get("completed", 0)) for f in FLOWS}
    documents = int(summary["documents"]["total"])
    flows_per_s = sum(completed.values()) / elapsed if elapsed else 0.0
    docs_per_s = documents / elapsed if elapsed else 0.0
    return {
        "purchase_orders": purchase_orders,
        "orders": orders,
        "settled": summary["scenario"]["settled"],
        "exit_code": done.returncode,
        "scenario_seconds": elapsed,
        "wall_seconds_with_startup_and_summary": round(wall, 1),
        "flows_completed": completed,
        "flows_expected": purchase_orders + orders,
        "flows_per_s": round(flows_per_s, 1),
        "documents_recorded": documents,
        "documents_per_s": round(docs_per_s, 1),
        "documents_per_flow": round(documents / max(1, sum(completed.values())), 2),
        "documents_lost": summary["documents_lost"],
        "documents_doubled": summary["documents_doubled"],
        "agreement": summary["agreement"],
        "exceptions": summary["exceptions"],
        "load_average_before": load_before,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "data_dir": str(data_dir),
    }


def print_report(report: dict[str, Any], console: Console) -> None:
    table = Table(title="crossdock flows (sandbox scenario, both flows on)")
    for col in ("figure", "measured"):
        table.add_column(col)
    rows = [
        ("purchase orders + sales orders", f"{report['purchase_orders']:,} + {report['orders']:,}"),
        ("flows completed", f"{sum(report['flows_completed'].values()):,} of "
                            f"{report['flows_expected']:,} {report['flows_completed']}"),
        ("scenario time", f"{report['scenario_seconds']:,.1f} s"),
        ("flows completed per second", f"{report['flows_per_s']:,.1f}"),
        ("documents recorded per second", f"{report['documents_per_s']:,.1f} "
                                          f"({report['documents_per_flow']} per flow)"),
        ("lost / doubled", f"{report['documents_lost']} / {report['documents_doubled']}"),
        ("systems agree", str(all(report["agreement"].values()))),
    ]  # fmt: skip
    for row in rows:
        table.add_row(*row)
    console.print(table)


def save(report: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    latest = RESULTS / "flows-latest.json"
    latest.write_text(json.dumps(report, indent=2))
    return latest


def main() -> int:
    parser = argparse.ArgumentParser(description="crossdock flows benchmark")
    parser.add_argument("--purchase-orders", type=int, default=10_000)
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="200 + 200 instead")
    parser.add_argument("--timeout", type=float, default=5400.0)
    args = parser.parse_args()
    pos, orders = (200, 200) if args.quick else (args.purchase_orders, args.orders)
    result = run_flows(pos, orders, args.timeout)
    latest = save(result)
    print_report(result, Console())
    print(f"written to {latest}", file=sys.stderr)
    complete = sum(result["flows_completed"].values()) == result["flows_expected"]
    return 0 if result["settled"] and complete and not result["documents_lost"] else 1


if __name__ == "__main__":
    sys.exit(main())
