"""`crossdock api` and `crossdock worker`: the hub split into processes, on PostgreSQL.

`crossdock up` runs everything in one process; these run the HTTP side and the loops apart,
any number of each, on any number of hosts against one PostgreSQL store. Imports are lazy
so `--help` loads neither the server nor the store.
"""

from __future__ import annotations

from pathlib import Path

import typer

from crossdock.entrypoints.cli_common import ConfigOption, DataDirOption, fail, settings_from
from crossdock.entrypoints.cli_db import refusal as schema_refusal

LaneOption = typer.Option(
    None,
    "--lane",
    metavar="LANE",
    help="run only this lane's groups (critical or bulk; repeatable)",
)
GroupOption = typer.Option(
    None,
    "--group",
    metavar="NAME",
    help="run only the consumer groups matching NAME (repeatable): a glob if it has * ? [ "
    "(deliver.*.erp), else a prefix by dotted parts (deliver, route.critical, flow.)",
)


def api(
    host: str = typer.Option(None, help="interface to listen on (default 127.0.0.1)"),
    port: int = typer.Option(None, help="port (default 8080)"),
    data_dir: Path = DataDirOption,
    config: Path = ConfigOption,
    log_json: bool = typer.Option(False, "--log-json", help="JSON log lines"),
) -> None:
    """Serve the HTTP API only (intake, reads, operations); workers do the rest. PostgreSQL."""
    from crossdock.adapters.sql.schema_version import SchemaMismatch
    from crossdock.bootstrap.roles import API, refusal
    from crossdock.entrypoints.listen import PortUnavailable
    from crossdock.entrypoints.server import serve
    from crossdock.hub.credentials import BadKey
    from crossdock.observability.logging import configure_logging
    from crossdock.observability.metrics import multiprocess_problem

    configure_logging(json=log_json)
    settings = settings_from(config, data_dir, host=host, port=port)
    problem = refusal("api", settings.database_url) or multiprocess_problem()
    if problem is not None:
        raise fail(problem)
    try:
        serve(settings, API)
    except (PortUnavailable, BadKey) as exc:  # BadKey: a malformed CROSSDOCK_ADMIN_KEY
        raise fail(str(exc)) from None
    except SchemaMismatch as exc:
        raise fail(schema_refusal(exc, settings, config)) from None


def worker(
    lane: list[str] = LaneOption,
    group: list[str] = GroupOption,
    scheduler: bool = typer.Option(
        True, "--scheduler/--no-scheduler", help="also run the periodic jobs (timers, polls)"
    ),
    metrics_port: int = typer.Option(
        None,
        "--metrics-port",
        help="serve GET /healthz and /metrics on this port (on hub.host); default: no port",
    ),
    data_dir: Path = DataDirOption,
    config: Path = ConfigOption,
    log_json: bool = typer.Option(False, "--log-json", help="JSON log lines"),
) -> None:
    """Run routing, delivery, flows and the scheduler, no HTTP. PostgreSQL.

    Stops cleanly on SIGTERM: each loop finishes the batch in hand."""
    from crossdock.adapters.sql.schema_version import SchemaMismatch
    from crossdock.bootstrap.roles import refusal, worker_role
    from crossdock.entrypoints.listen import PortUnavailable
    from crossdock.entrypoints.worker import run_worker
    from crossdock.observability.logging import configure_logging
    from crossdock.observability.metrics import multiprocess_problem

    configure_logging(json=log_json)
    try:
        role = worker_role(lane or (), group or (), scheduler=scheduler)
    except ValueError as exc:
        raise fail(str(exc), 2) from None
    settings = settings_from(config, data_dir)
    problem = refusal("worker", settings.database_url) or multiprocess_problem()
    if problem is not None:
        raise fail(problem)
    try:
        run_worker(settings, role, metrics_port)
    except PortUnavailable as exc:
        raise fail(str(exc)) from None
    except SchemaMismatch as exc:
        raise fail(schema_refusal(exc, settings, config)) from None
