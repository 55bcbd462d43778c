"""The flows scenario (``clean``, both flows on) against the hub in one deployment profile.

    python -m bench.profile_flows --profile pg-api-2w --store-url URL --tmp DIR \
        --purchase-orders 2000 --orders 2000

What ``crossdock demo --scenario clean --no-wait --json`` does (``bench/flows_bench.py`` runs
that command), with one difference: the hub is started by :func:`bench.profile_hubs.
start_profile`, so the same scenario runs against ``crossdock up`` on SQLite or PostgreSQL, or
against ``crossdock api`` + N ``crossdock worker``. The landscape and the scenario driver run
in this process (as in the demo); the bench runs this module as its own process so the
landscape's threads never share an interpreter with the bench. It prints one JSON object: the
demo's figures (flows completed per second over the scenario time, documents, lost/doubled,
agreement) and each hub process's share of the work.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path
from typing import Any

from bench.auth import bench_key
from bench.procs import Processes, free_port
from bench.profile_hubs import (
    EMBEDDED,
    PG_ONE,
    Profile,
    final_snapshot,
    shares,
    snapshot,
    split_profile,
    start_profile,
)
from crossdock.entrypoints.cli_demo import SCENARIOS, hub_config, summarize
from crossdock.sandbox.landscape import start_landscape
from crossdock.sandbox.scenario import OPENING_STOCK, landscape_settings, run_scenario

FLOWS = ("procure_to_pay", "order_to_delivery")


def profile_named(name: str) -> Profile:
    if name in (EMBEDDED.name, PG_ONE.name):
        return EMBEDDED if name == EMBEDDED.name else PG_ONE
    return split_profile(int(name.removeprefix("pg-api-").removesuffix("w")))


def run(profile: Profile, store_url: str | None, tmp: Path, pos: int, orders: int,
        timeout: float) -> dict[str, Any]:  # fmt: skip
    """Landscape, hub processes, scenario, summary; everything stopped before returning."""
    port = free_port()  # `up` / `api` get it on the command line (the config's is unused)
    landscape = start_landscape(
        f"http://127.0.0.1:{port}",
        base_port=0,
        state_dir=tmp / "sandbox",
        settings=landscape_settings(),
        opening_stock=OPENING_STOCK,
        hub_keys=bench_key(),
    )
    try:
        config = hub_config(port, tmp / "unused", landscape.urls, ack_due_hours=24)
        with Processes(tmp / "logs") as procs:
            hubs = start_profile(procs, tmp, profile, config, store_url, port)
            before = snapshot(hubs)
            report = run_scenario(hubs.base, landscape, hub_key=bench_key(), purchase_orders=pos, orders=orders,
                                  suppliers=SCENARIOS["clean"]["suppliers"], faults=set(),
                                  seed=7, timeout=timeout)  # fmt: skip
            after = final_snapshot(procs, hubs)
            summary = summarize(hubs.base, report, bench_key())
    finally:
        landscape.stop()
    elapsed = float(summary["scenario"]["elapsed_seconds"])
    completed = {f: int(summary["flows"].get(f, {}).get("completed", 0)) for f in FLOWS}
    documents = int(summary["documents"]["total"])
    return {
        "purchase_orders": pos,
        "orders": orders,
        "settled": summary["scenario"]["settled"],
        "scenario_seconds": elapsed,
        "flows_completed": completed,
        "flows_expected": pos + orders,
        "flows_per_s": round(sum(completed.values()) / elapsed, 1) if elapsed else 0.0,
        "documents_recorded": documents,
        "documents_per_s": round(documents / elapsed, 1) if elapsed else 0.0,
        "documents_lost": summary["documents_lost"],
        "documents_doubled": summary["documents_doubled"],
        "agreement_all": all(summary["agreement"].values()),
        "exceptions": summary["exceptions"],
        "notes": summary["notes"],
        "shares": shares(before, after),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", required=True)
    parser.add_argument("--store-url", default=None)
    parser.add_argument("--tmp", required=True, type=Path)
    parser.add_argument("--purchase-orders", type=int, default=2000)
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--timeout", type=float, default=1800.0)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind: stop the hub processes
    result = run(profile_named(args.profile), args.store_url, args.tmp, args.purchase_orders,
                 args.orders, args.timeout)  # fmt: skip
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
