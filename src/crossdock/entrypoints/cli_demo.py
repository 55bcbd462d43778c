"""`crossdock demo`: the hub with `crossdock.sandbox.yaml` and the flows, the sandbox landscape,
a scenario of a few hundred documents with injected faults, and a summary.

The hub runs as its own `crossdock up` process on a temporary config (the sandbox config, with
the landscape's URLs, both flows enabled and SLAs compressed so that a late supplier is late
within seconds); the landscape runs in this process. `--no-wait` exits after the summary
(`--json` prints it as JSON, for scripts and CI); otherwise everything stays up until Ctrl-C.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from crossdock.entrypoints.cli_common import JsonOption, console, fail, print_json, print_table
from crossdock.entrypoints.cli_kpis import KPI_COLUMNS, kpi_rows
from crossdock.entrypoints.cli_output import key, number

if TYPE_CHECKING:
    import httpx

ROOT = Path(__file__).resolve().parents[3]
SCENARIOS: dict[str, dict[str, Any]] = {
    "small": {"purchase_orders": 12, "orders": 12, "suppliers": 3,
              "faults": {"price_mismatch", "short_shipment"}},
    "faults": {"purchase_orders": 120, "orders": 120, "suppliers": 6,
               "faults": {"supplier_late", "short_shipment", "price_mismatch", "carrier_outage",
                          "wms_down", "duplicates", "out_of_order"}},
    "clean": {"purchase_orders": 120, "orders": 120, "suppliers": 4, "faults": set()},
}  # fmt: skip
FLOW_DOCUMENTS = {
    "procure_to_pay": ("purchase_order", "purchase_order_acknowledgment", "advance_ship_notice",
                       "goods_receipt", "invoice", "invoice_approval"),
    "order_to_delivery": ("fulfillment_order", "shipment", "shipment_milestone",
                          "shipment_status", "billing_trigger"),
    "inventory": ("stock_movement", "inventory_position"),
}  # fmt: skip
_PORTS = {"erp": 0, "wms": 1, "tms": 2, "parcelwave": 3, "ridgeline": 4, "supplier": 5}
# A URL of the sandbox on its default ports, wherever it appears in the configuration.
_SANDBOX_URL = re.compile(r"^http://127\.0\.0\.1:(920[0-5])(?=/|$)")
# Flows that link documents rather than follow a business transaction: `shipment_tracking`
# has one instance per shipment id and per tracking number, so counting its instances as
# business flows would show more "flows" than shipments.
LINK_FLOWS = {"shipment_tracking": "carrier event links"}


def sandbox_urls(value: Any, urls: dict[str, str]) -> Any:
    """`value` with every string that starts with a default sandbox URL
    (http://127.0.0.1:9200-9205) pointed at the running landscape instead: endpoints, but also
    carriers' POD pull URLs and the reconciliation job's ERP / WMS URLs, whatever section
    names them — walking the whole document keeps new sections working without a change here.
    """
    if isinstance(value, dict):
        return {k: sandbox_urls(v, urls) for k, v in value.items()}
    if isinstance(value, list):
        return [sandbox_urls(v, urls) for v in value]
    if isinstance(value, str):
        by_port = {str(9200 + offset): urls[name] for name, offset in _PORTS.items()}
        return _SANDBOX_URL.sub(lambda m: by_port[m.group(1)].rstrip("/"), value)
    return value


def hub_config(
    port: int, data_dir: Path, urls: dict[str, str], ack_due_hours: float = 0.004
) -> dict[str, Any]:
    """`crossdock.sandbox.yaml` with the landscape's URLs, this port and data dir, the flows on
    (acknowledgments due 14.4 s after the PO reached the supplier: demo time), and retries
    that ride out a short WMS outage."""
    import yaml

    config: dict[str, Any] = sandbox_urls(
        yaml.safe_load((ROOT / "crossdock.sandbox.yaml").read_text()), urls
    )
    config["hub"] = {**config.get("hub", {}), "port": port, "data_dir": str(data_dir)}
    for endpoint in config["endpoints"].values():
        endpoint["retry"] = {"max_attempts": 30, "initial_backoff_seconds": 0.1,
                             "max_backoff_seconds": 1.0}  # fmt: skip
    config["flows"] = {
        "procure_to_pay": {"enabled": True, "ack_due_hours": ack_due_hours},
        "order_to_delivery": {"enabled": True},
    }
    return config


def _pages(client: httpx.Client, path: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = client.get(path, params={**params, "limit": 1000, "offset": len(items)})
        page.raise_for_status()
        got = page.json()["items"]
        items.extend(got)
        if len(got) < 1000:
            return items


def _duplicates(messages: list[dict[str, Any]]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for m in messages:
        if m.get("duplicates"):
            counts[f"{m['source']}:{m['document_type']}"] += int(m["duplicates"])
    return counts


def _reconcile(client: httpx.Client) -> dict[str, Any]:
    """One ERP/WMS reconciliation once the scenario settled (the scheduled one runs every
    few minutes): what it compared, what drifts, and the open drift rows."""
    answer = client.post("/v1/inventory/reconcile")
    if answer.status_code != 200:
        return {"status": "n/a", "detail": answer.json().get("detail", answer.text[:200])}
    run: dict[str, Any] = answer.json()
    drift = client.get("/v1/inventory/drift").json()
    rows = drift.get("items", drift) if isinstance(drift, dict) else drift
    return {"status": run["status"], "items_compared": run["items_compared"],
            "drifting": run["drifting"], "drift": rows}  # fmt: skip


def summarize(hub_url: str, report: Any, hub_key: str | None = None) -> dict[str, Any]:
    """The demo summary from the hub's API (messages, flows, exceptions, KPIs from
    `/v1/kpis`) and the scenario; `hub_key` is an operator key."""
    import httpx

    headers = {"Authorization": f"Bearer {hub_key}"} if hub_key else {}
    with httpx.Client(base_url=hub_url, timeout=30, headers=headers) as client:
        messages = _pages(client, "/v1/messages")
        flows = _pages(client, "/v1/flows")
        exceptions = _pages(client, "/v1/exceptions")
        answer = client.get("/v1/kpis")
        answer.raise_for_status()
        hub_kpis: dict[str, Any] = answer.json()
        inventory = _reconcile(client)
    by_type = Counter(m["document_type"] for m in messages)
    documents = {
        flow: {t: by_type[t] for t in types if by_type[t]} for flow, types in FLOW_DOCUMENTS.items()
    }
    flow_counts: dict[str, dict[str, Any]] = defaultdict(lambda: {"instances": 0, "completed": 0})
    links: dict[str, dict[str, Any]] = defaultdict(lambda: {"instances": 0, "linked": 0})
    for f in flows:
        if f["flow"] in LINK_FLOWS:
            links[f["flow"]]["instances"] += 1
            links[f["flow"]]["linked"] += int(f["state"] == "linked")
            continue
        flow_counts[f["flow"]]["instances"] += 1
        flow_counts[f["flow"]]["completed"] += int(f["completed"])
    kpis = {k: v for k, v in hub_kpis.items() if k != "window"}
    # Repeats the hub's idempotency absorbed, by source (Parcelwave's EasyPost-style trackers
    # resend every earlier event, so most come from there): the demo's own figure, not a KPI.
    kpis["duplicates_absorbed"] = dict(_duplicates(messages))
    return {
        "scenario": {
            "seed": report.seed,
            "faults": report.faults,
            "suppliers": report.suppliers,
            "released": report.released,
            "settled": report.settled,
            "elapsed_seconds": report.elapsed_seconds,
            "expected_open": len(report.expected_open),
        },
        "documents": {"total": len(messages), "per_flow": documents},
        "flows": dict(flow_counts),
        "carrier_event_links": dict(links),
        "exceptions": dict(Counter(e["category"] for e in exceptions)),
        "kpis": kpis,
        "inventory_reconciliation": inventory,
        "systems": report.counts,
        "agreement": report.agreement,
        "hops": report.hops,
        "documents_lost": report.lost,
        "documents_doubled": report.doubled,
        "notes": report.notes,
    }


def _wait_hub(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 60.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            lines = log.read_text("utf-8", "replace").strip().splitlines()
            last = lines[-1] if lines else "(no output)"
            raise fail(f"the hub exited with status {process.returncode}: {last} (log: {log})")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise fail(f"the hub did not answer on {url} within {timeout:.0f}s")


def _print(summary: dict[str, Any]) -> None:
    scenario = summary["scenario"]
    console.print(
        f"scenario: {scenario['released']}, faults {scenario['faults'] or 'none'}, "
        f"settled={scenario['settled']} in {scenario['elapsed_seconds']} s"
    )
    rows = [[flow, doc, str(n)] for flow, docs in summary["documents"]["per_flow"].items()
            for doc, n in docs.items()]  # fmt: skip
    print_table("documents per flow", [key("flow"), key("document"), number("count")], rows)
    rows = [[f, str(v["instances"]), str(v["completed"])] for f, v in summary["flows"].items()]
    print_table("business flows", [key("flow"), number("instances"), number("completed")], rows)
    rows = [[f"{f} ({LINK_FLOWS.get(f, f)})", str(v["instances"]), str(v["linked"])]
            for f, v in summary.get("carrier_event_links", {}).items()]  # fmt: skip
    if rows:
        print_table(
            "carrier event links (one per shipment id and per tracking number, not shipments)",
            [key("flow"), number("link instances"), number("linked")],
            rows,
        )
    rows = [[c, str(n)] for c, n in sorted(summary["exceptions"].items())]
    print_table("exceptions by category", [key("category"), number("count")], rows)
    print_table("KPIs (GET /v1/kpis)", KPI_COLUMNS, kpi_rows(summary["kpis"]))
    rows = [[k, "yes" if v else "NO"] for k, v in summary["agreement"].items()]
    print_table("ERP / WMS / TMS agree", [key("check"), "agree"], rows)
    recon = summary["inventory_reconciliation"]
    console.print(
        f"inventory reconciliation: {recon['status']}"
        + (f", {recon['items_compared']} items compared, {recon['drifting']} drifting"
           if "items_compared" in recon else f" ({recon.get('detail')})")
    )  # fmt: skip
    console.print(
        f"documents lost: {summary['documents_lost']}, doubled: {summary['documents_doubled']}"
    )
    for note in summary["notes"]:
        console.print(f"[yellow]note[/yellow]: {note}")


def demo(
    scenario: str = typer.Option("faults", help="small | faults | clean"),
    purchase_orders: int = typer.Option(None, help="purchase orders (default: the scenario's)"),
    orders: int = typer.Option(None, help="sales orders (default: the scenario's)"),
    seed: int = typer.Option(7, help="random seed"),
    port: int = typer.Option(8080, help="the hub's port (0: any free port)"),
    base_port: int = typer.Option(9200, help="the sandbox's first port (0: any free ports)"),
    data_dir: Path = typer.Option(None, help="the hub's data dir (default: a fresh temp dir)"),
    timeout: float = typer.Option(300.0, help="seconds to wait for the scenario to settle"),
    ack_due_hours: float = typer.Option(
        0.004, min=0.0001, help="acknowledgment SLA (0.004 h = 14.4 s: a late supplier shows)"
    ),
    no_wait: bool = typer.Option(False, "--no-wait", help="exit after the summary"),
    json_out: bool = JsonOption,
) -> None:
    """Run the sandbox scenario through a real hub with the flows on, and summarize it."""
    import yaml

    from crossdock.entrypoints.demo_keys import curl_hint, demo_admin_key, issue_sandbox_keys
    from crossdock.entrypoints.listen import PortUnavailable, free_port
    from crossdock.sandbox.landscape import start_landscape
    from crossdock.sandbox.scenario import OPENING_STOCK, landscape_settings, run_scenario

    if scenario not in SCENARIOS:
        raise fail(f"unknown scenario {scenario!r}; choose one of {sorted(SCENARIOS)}", 2)
    try:  # before anything starts: a taken port is one line, not a hub log to read
        port = free_port("127.0.0.1", port, hint="--port (PORT=... with make)")
    except PortUnavailable as exc:
        raise fail(str(exc)) from None
    plan = dict(SCENARIOS[scenario])
    plan["purchase_orders"] = (
        plan["purchase_orders"] if purchase_orders is None else purchase_orders
    )
    plan["orders"] = plan["orders"] if orders is None else orders
    if data_dir is None:
        data_dir = Path(tempfile.mkdtemp(prefix="crossdock-demo-"))
    elif data_dir.exists() and any(data_dir.iterdir()):
        raise fail(f"{data_dir} is not empty: the demo needs a fresh store", 2)
    data_dir.mkdir(parents=True, exist_ok=True)
    hub_url = f"http://127.0.0.1:{port}"
    out = sys.stderr if json_out else sys.stdout
    try:
        landscape = start_landscape(
            hub_url,
            base_port=base_port,
            state_dir=data_dir / "sandbox",
            settings=landscape_settings(),
            opening_stock=OPENING_STOCK,
        )
    except (OSError, RuntimeError) as exc:
        raise fail(
            f"could not start the sandbox on ports {base_port}-{base_port + len(_PORTS) - 1}: "
            f"{exc}; choose others with --base-port (SANDBOX_PORT=... with make), or 0"
        ) from exc
    config_path = data_dir / "crossdock.demo.yaml"
    config = hub_config(port, data_dir, landscape.urls, ack_due_hours)
    config_path.write_text(yaml.safe_dump(config))
    admin_key = demo_admin_key()
    store_url = f"sqlite:///{(data_dir / 'crossdock.db').as_posix()}"
    for name, token in issue_sandbox_keys(store_url).items():
        landscape.services[name].hub_key = token
    log = (data_dir / "hub.log").open("wb")
    hub = subprocess.Popen(
        [str(Path(sys.executable).parent / "crossdock"), "up", "--config", str(config_path)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "CROSSDOCK_ADMIN_KEY": admin_key},
    )
    try:
        _wait_hub(hub_url, hub, data_dir / "hub.log")
        print(f"hub {hub_url} up; running the {scenario!r} scenario ...", file=out, flush=True)
        report = run_scenario(
            hub_url,
            landscape,
            purchase_orders=plan["purchase_orders"],
            suppliers=plan["suppliers"],
            orders=plan["orders"],
            faults=plan["faults"],
            seed=seed,
            timeout=timeout,
            hub_key=admin_key,
        )
        summary = summarize(hub_url, report, admin_key)
        if json_out:
            print_json(summary)
        else:
            _print(summary)
        if not no_wait:
            console.print(
                f"\n[bold]The hub is running[/bold] at {hub_url} (data: {data_dir}, log: "
                f"{data_dir / 'hub.log'})\n"
                f"  flows:       crossdock flows list --data-dir {data_dir}\n"
                f"  exceptions:  crossdock exceptions list --data-dir {data_dir}\n"
                f"  KPIs:        crossdock kpis --data-dir {data_dir}\n"
                f"  API:         {hub_url}/docs, {hub_url}/v1/flows, {hub_url}/v1/exceptions, "
                f"{hub_url}/v1/kpis\n"
                f"  admin key:   {curl_hint(hub_url, admin_key)}\n"
                + "".join(f"  {n + ':':12} {u}/_state\n" for n, u in landscape.urls.items())
                + "Ctrl-C stops the hub and the sandbox."
            )
            stop = threading.Event()
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
            try:
                while not stop.wait(0.5) and hub.poll() is None:
                    pass
            except KeyboardInterrupt:
                pass
        if summary["documents_lost"] or summary["documents_doubled"] or not report.settled:
            raise typer.Exit(1)
    finally:
        if hub.poll() is None:
            hub.send_signal(signal.SIGTERM)
            try:
                hub.wait(15)
            except subprocess.TimeoutExpired:
                hub.kill()
        log.close()
        landscape.stop()
