"""`make demo`: the hub on the embedded store, a sandbox receiver, and a short scenario.

Starts a sandbox sink (standing in for the ERP and WMS), then the hub with `crossdock.yaml`,
posts purchase orders (one of them invalid, one a duplicate), shows them delivered, replays one,
prints where to look, and leaves everything running until Ctrl-C.

The hub runs on a copy of the configuration whose HTTP endpoints on this machine point at the
sink this demo started (`--sink-port`), so the two always agree; if the sink still receives
fewer deliveries than the hub reports delivered, the demo says so and exits 1.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

from crossdock.entrypoints.cli_output import console, fit_consoles, key, number, print_table
from crossdock.entrypoints.demo_keys import demo_admin_key
from crossdock.entrypoints.listen import PortUnavailable, free_port

ROOT = Path(__file__).resolve().parents[3]
_LOOPBACK = re.compile(r"^(https?://)(?:127\.0\.0\.1|localhost)(?::\d+)?(?=/|$)")


def point_at_sink(config: dict[str, Any], sink_url: str) -> dict[str, Any]:
    """`config` with every HTTP endpoint on this machine sent to the demo's sink: the sink
    stands in for the ERP and the WMS, wherever the file says they listen."""
    endpoints = {}
    for name, endpoint in (config.get("endpoints") or {}).items():
        if isinstance(endpoint, dict) and endpoint.get("type", "http") == "http":
            url = str(endpoint.get("url", ""))
            endpoint = {**endpoint, "url": _LOOPBACK.sub(sink_url.rstrip("/"), url)}
        endpoints[name] = endpoint
    return {**config, "endpoints": endpoints}


def delivery_check(posted: int, delivered: int, received: int) -> str | None:
    """A warning when the sink did not receive every purchase order posted, else None; when the
    hub reports more delivered than the sink received, they went to another receiver."""
    if received >= posted:
        return None
    if delivered > received:
        return (
            f"the hub reports {delivered} messages delivered but the sandbox ERP received "
            f"{received}: the ERP endpoint points at another receiver than this demo's sink"
        )
    return (
        f"the sandbox ERP received {received} of {posted} purchase orders within 30 s "
        "(see `crossdock endpoints` and `crossdock dlq list`)"
    )


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


def _post(hub: str, doc: dict[str, Any], key: str, auth: dict[str, str]) -> httpx.Response:
    return httpx.post(
        f"{hub}/v1/messages/purchase_order",
        json=doc,
        headers={"Idempotency-Key": key, "X-Crossdock-Source": "erp", **auth},
        timeout=10,
    )


def run_scenario(hub: str, sink: str, count: int, admin_key: str) -> bool:
    """Post, re-post, reject and replay purchase orders; False when deliveries went missing."""
    auth = {"Authorization": f"Bearer {admin_key}"}
    example = json.loads((ROOT / "examples" / "purchase_order.json").read_text())
    ids = []
    for n in range(count):
        doc = copy.deepcopy(example)
        doc["po_number"] = f"PO-DEMO-{n:04d}"
        response = _post(hub, doc, f"demo-{n}", auth)
        ids.append(response.json()["id"])
    console.print(f"posted {count} purchase orders (202 each, durable before the answer)")
    duplicate = _post(hub, {**copy.deepcopy(example), "po_number": "PO-DEMO-0000"}, "demo-0", auth)
    console.print(
        f"re-posted PO-DEMO-0000 with the same Idempotency-Key: same id, duplicate={duplicate.json()['duplicate']}"
    )
    bad = copy.deepcopy(example)
    bad["po_number"] = "PO-DEMO-BAD"
    bad["currency"] = "EURO"
    rejected = _post(hub, bad, "demo-bad", auth)
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
    console.print(f"the sandbox ERP received {received} of {count} deliveries")
    replay = httpx.post(f"{hub}/v1/messages/{ids[0]}/replay", headers=auth).json()
    console.print(f"replayed {ids[0]}: {replay['replayed']}")
    time.sleep(1.0)
    view = httpx.get(f"{hub}/v1/messages/{ids[0]}", headers=auth).json()
    _summary(hub, auth)
    console.print(
        f"{ids[0]} now has {len(view['deliveries'])} deliveries: "
        + ", ".join(d["status"] for d in view["deliveries"])
    )
    statuses = httpx.get(f"{hub}/healthz", timeout=10).json()["messages"]
    warning = delivery_check(count, int(statuses.get("delivered", 0)), received)
    if warning:
        console.print(f"[bold red]warning[/bold red]: {warning}", highlight=False)
    return warning is None


def _summary(hub: str, auth: dict[str, str]) -> None:
    """Messages by status and each endpoint's state, as the hub reports them."""
    counts = httpx.get(f"{hub}/healthz", timeout=10).json()["messages"]
    print_table(
        "messages by status",
        [key("status"), number("count")],
        [[status, count] for status, count in sorted(counts.items())],
    )
    endpoints = httpx.get(f"{hub}/v1/endpoints", timeout=10, headers=auth).json()["items"]
    print_table(
        "endpoints",
        [key("endpoint"), "circuit", number("backlog"), number("dead letters")],
        [[e["name"], e["circuit"], e["backlog"], e["dead_letters"]] for e in endpoints],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8080, help="the hub's port (0: any free)")
    parser.add_argument(
        "--sink-port", type=int, default=9101, help="the sandbox sink's port (0: any free)"
    )
    parser.add_argument("--data-dir", default="./var/demo")
    parser.add_argument("--config", default=str(ROOT / "crossdock.yaml"))
    parser.add_argument("--count", type=int, default=int(os.environ.get("DEMO_COUNT", "200")))
    parser.add_argument("--no-wait", action="store_true", help="exit after the scenario")
    args = parser.parse_args()
    fit_consoles()
    try:  # before anything starts: a taken port is one line, not a traceback from a child
        port = free_port("127.0.0.1", args.port, hint="--port (PORT=... with make)")
        sink_port = free_port("127.0.0.1", args.sink_port, hint="--sink-port")
    except PortUnavailable as exc:
        raise SystemExit(f"error: {exc}") from None
    hub_url = f"http://127.0.0.1:{port}"
    sink_url = f"http://127.0.0.1:{sink_port}"
    data_dir = Path(args.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    config_path = data_dir / "crossdock.demo-intake.yaml"
    config = yaml.safe_load(Path(args.config).read_text("utf-8")) or {}
    config_path.write_text(yaml.safe_dump(point_at_sink(config, sink_url), sort_keys=False))
    admin_key = demo_admin_key()
    sink = subprocess.Popen(
        [sys.executable, "-m", "crossdock.sandbox.sink", "--port", str(sink_port)]
    )
    hub = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "crossdock"),
            "up",
            "--port",
            str(port),
            "--data-dir",
            args.data_dir,
            "--config",
            str(config_path),
        ],
        env={**os.environ, "CROSSDOCK_ADMIN_KEY": admin_key},
    )
    ok = True
    try:
        _wait(f"{sink_url}/_stats", sink, "sandbox sink")
        _wait(f"{hub_url}/healthz", hub, "hub")
        ok = run_scenario(hub_url, sink_url, args.count, admin_key)
        console.print(
            f"\n[bold]The hub is running[/bold] at {hub_url} (store: {args.data_dir}/crossdock.db, "
            f"config: {config_path}, sink: {sink_url})\n"
            f"  API docs:        {hub_url}/docs\n"
            f"  messages:        .venv/bin/crossdock messages list --data-dir {args.data_dir}\n"
            f'  one message:     curl -H "Authorization: Bearer {admin_key}" '
            f"{hub_url}/v1/messages/<id>\n"
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
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
