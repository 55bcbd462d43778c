"""`crossdock sandbox up`: the simulated ERP, WMS, TMS, carriers and supplier portal, in the
foreground, talking to a hub over HTTP the way real systems would.

The services run until Ctrl-C (or SIGTERM); with ``--state-dir`` each keeps its state in
``<dir>/<service>.json`` so the next ``up`` carries on where this one stopped.
"""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path
from typing import Any

import typer

from crossdock.entrypoints.cli_common import JsonOption, console, fail, print_json, print_table
from crossdock.entrypoints.cli_output import key, text

sandbox_app = typer.Typer(
    help="The sandbox landscape: simulated ERP, WMS, TMS, carriers, supplier portal.",
    no_args_is_help=True,
)

_ROLES = {
    "erp": "ERP (purchase orders, sales orders, inventory, payables)",
    "wms": "WMS (inbound schedule, receipts, inventory, pick/pack/ship)",
    "tms": "TMS (shipment planning, carrier booking, status)",
    "parcelwave": "carrier A, Parcelwave (EasyPost-style tracker webhooks)",
    "ridgeline": "carrier B, Ridgeline Freight (flat X12-214-coded webhooks)",
    "supplier": "supplier portal (acknowledgments, ASNs, invoices)",
}


@sandbox_app.command("up")
def sandbox_up(
    base_port: int = typer.Option(9200, help="first port; the six services use base..base+5"),
    hub_url: str = typer.Option("http://127.0.0.1:8080", help="where the systems send events"),
    state_dir: Path = typer.Option(None, help="keep each service's state in DIR/<name>.json"),
    settings_file: Path = typer.Option(
        None,
        "--settings",
        exists=True,
        dir_okay=False,
        help='JSON {"<service>": {setting: value}}, e.g. supplier behaviours or carrier timing',
    ),
    hub_key: str = typer.Option(
        None,
        "--hub-key",
        help="the API key every service sends the hub (crossdock keys create ...)",
    ),
    json_out: bool = JsonOption,
) -> None:
    """Start every sandbox service on loopback and keep them running until Ctrl-C."""
    from crossdock.entrypoints.listen import PortUnavailable, free_port
    from crossdock.sandbox.landscape import start_landscape

    if base_port:
        try:  # name the port that is taken, rather than the errno of the first bind
            for port in range(base_port, base_port + len(_ROLES)):
                free_port("127.0.0.1", port, hint="--base-port")
        except PortUnavailable as exc:
            raise fail(str(exc)) from None
    settings: dict[str, Any] = {}
    if settings_file is not None:
        try:
            settings = json.loads(settings_file.read_text("utf-8"))
        except ValueError as exc:
            raise fail(f"{settings_file}: {exc}", 2) from exc
    try:
        landscape = start_landscape(
            hub_url, base_port=base_port, state_dir=state_dir, settings=settings, hub_keys=hub_key
        )
    except (OSError, RuntimeError) as exc:
        raise fail(
            f"could not start the sandbox (ports {base_port}-{base_port + 5}): {exc}"
        ) from exc
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with landscape:
        if json_out:
            print_json({"hub_url": hub_url, "urls": landscape.urls})
        else:
            rows = [[name, url, _ROLES[name]] for name, url in landscape.urls.items()]
            print_table(
                f"sandbox landscape → hub {hub_url}",
                [key("service"), key("url"), text("role")],
                rows,
            )
            console.print(
                "control API on each: GET /_state, POST /_faults, GET /_outbox, POST /_config, "
                "POST /_clock. Ctrl-C stops."
            )
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
