"""The `crossdock` command line (typer + rich): run the hub and operate it.

Operator commands read and write the store directly, so they work whether or not the hub is
running (SQLite in WAL mode lets them run beside it).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from crossdock.entrypoints import cli_demo, cli_keys, cli_kpis, cli_procs
from crossdock.entrypoints.cli_alerts import alerts_app
from crossdock.entrypoints.cli_common import (
    ConfigOption,
    DataDirOption,
    JsonOption,
    console,
    emit,
    err_console,
    fail,
    open_store,
    settings_from,
    short_time,
)
from crossdock.entrypoints.cli_csv import csv_app
from crossdock.entrypoints.cli_db import db_app, refusal
from crossdock.entrypoints.cli_edi import edi_app
from crossdock.entrypoints.cli_exceptions import exceptions_app, flows_app
from crossdock.entrypoints.cli_inventory import inventory_app
from crossdock.entrypoints.cli_keys import keys_app
from crossdock.entrypoints.cli_messages import messages_app
from crossdock.entrypoints.cli_oauth import oauth_app
from crossdock.entrypoints.cli_output import Column, fit_consoles, key, number, text
from crossdock.entrypoints.cli_partners import partners_app
from crossdock.entrypoints.cli_retention import retention_app
from crossdock.entrypoints.cli_sandbox import sandbox_app

if TYPE_CHECKING:
    pass

app = typer.Typer(help="crossdock: the integration hub for distribution.", no_args_is_help=True)
dlq_app = typer.Typer(help="Dead letters: list, retry.", no_args_is_help=True)
config_app = typer.Typer(help="Configuration.", no_args_is_help=True)
schema_app = typer.Typer(
    help="Canonical document schemas and the AsyncAPI document.", no_args_is_help=True
)
app.add_typer(messages_app, name="messages")
app.add_typer(dlq_app, name="dlq")
app.add_typer(config_app, name="config")
app.add_typer(schema_app, name="schema")
app.add_typer(edi_app, name="edi")
app.add_typer(csv_app, name="csv")
app.add_typer(sandbox_app, name="sandbox")
app.add_typer(exceptions_app, name="exceptions")
app.add_typer(flows_app, name="flows")
app.add_typer(inventory_app, name="inventory")
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")
app.add_typer(oauth_app, name="oauth")
app.add_typer(partners_app, name="partners")
app.add_typer(retention_app, name="retention")
app.add_typer(alerts_app, name="alerts")
app.command("audit")(cli_keys.audit)
app.command("demo")(cli_demo.demo)
app.command("kpis")(cli_kpis.kpis)
app.command("api")(cli_procs.api)
app.command("worker")(cli_procs.worker)


@app.callback()
def _every_command() -> None:
    """crossdock: the integration hub for distribution."""
    fit_consoles()


@app.command()
def up(
    host: str = typer.Option(None, help="interface to listen on (default 127.0.0.1)"),
    port: int = typer.Option(None, help="port (default 8080)"),
    data_dir: Path = DataDirOption,
    config: Path = ConfigOption,
    log_json: bool = typer.Option(False, "--log-json", help="JSON log lines"),
) -> None:
    """Start the hub: HTTP API, workers and scheduler, on the store (`store.url`)."""
    from crossdock.adapters.sql.schema_version import SchemaMismatch
    from crossdock.bootstrap.store import UnsupportedStore, profile_for
    from crossdock.entrypoints.listen import PortUnavailable
    from crossdock.entrypoints.process_lock import StoreInUse, hold_store_lock
    from crossdock.entrypoints.server import serve
    from crossdock.hub.credentials import BadKey
    from crossdock.observability.logging import configure_logging
    from crossdock.observability.metrics import multiprocess_problem

    configure_logging(json=log_json)
    settings = settings_from(config, data_dir, host=host, port=port)
    try:
        profile = profile_for(settings.database_url)
    except UnsupportedStore as exc:
        raise fail(str(exc), 2) from None
    try:
        if profile.single_process:  # SQLite: one hub per store; PostgreSQL: as many as wanted
            hold_store_lock(settings.hub.data_dir)  # the kernel drops it when this process ends
    except StoreInUse as exc:
        raise fail(str(exc)) from None
    metrics_problem = multiprocess_problem()
    if metrics_problem is not None:
        raise fail(metrics_problem)
    try:
        serve(settings)
    except (PortUnavailable, BadKey) as exc:  # BadKey: a malformed CROSSDOCK_ADMIN_KEY
        raise fail(str(exc)) from None
    except SchemaMismatch as exc:  # raised by `build_hub`, once the port is bound
        raise fail(refusal(exc, settings, config)) from None


@config_app.command("check")
def config_check(
    path: Path = typer.Argument(None, help="config file (default ./crossdock.yaml)"),
) -> None:
    """Validate a configuration file; exit 0 when valid, 1 with every problem and its line.

    Warnings (documents no route takes) do not fail the check."""
    from crossdock.bootstrap import config_warnings
    from crossdock.config import check_config

    problems = check_config(path)
    if problems:
        for problem in problems:
            err_console.print(str(problem), highlight=False)
        raise typer.Exit(1)
    warnings = config_warnings(path)
    for warning in warnings:
        err_console.print(f"warning: {warning}", highlight=False)
    more = f" ({len(warnings)} warning{'s' if len(warnings) != 1 else ''})" if warnings else ""
    console.print(f"[green]ok[/green]: {path or 'crossdock.yaml'} is valid{more}")


@schema_app.command("export")
def schema_export(
    directory: Path = typer.Argument(..., help="where to write <type>.schema.json"),
) -> None:
    """Write the JSON Schema of every canonical document type."""
    from crossdock.canonical.schema import export_schemas

    written = export_schemas(directory)
    for path in written:
        console.print(str(path))


@schema_app.command("asyncapi")
def schema_asyncapi(
    json_out: bool = typer.Option(False, "--json", help="JSON instead of YAML"),
) -> None:
    """Print the AsyncAPI 3.0 document: the bus topics and the outbound webhook events."""
    import json
    import sys

    import yaml

    from crossdock.entrypoints.asyncapi import build_asyncapi

    document = build_asyncapi()
    if json_out:
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))


@dlq_app.command("list")
def dlq_list(
    group: str = typer.Option(None, "--group", "-g"),
    limit: int = typer.Option(100, "--limit", "-n"),
    json_out: bool = JsonOption,
    config: Path = ConfigOption,
    data_dir: Path = DataDirOption,
) -> None:
    """Dead letters: entries a consumer gave up on, with the last error."""
    from crossdock.hub import operations as ops

    with open_store(config, data_dir) as (_s, store):
        rows = [ops.dead_letter_dict(d) for d in store.bus.dead_letters(group, limit)]
    emit(
        json_out,
        rows,
        f"{len(rows)} dead letter(s)",
        [
            key("id"),
            key("group"),
            key("message"),
            key("key"),
            number("tries", drop=2),
            Column("dead at", drop=1),
            text("last error"),
        ],
        [
            [
                r["id"],
                r["group"],
                r["message_id"],
                r["key"],
                r["deliveries"],
                short_time(r["dead_at"]),
                r["last_error"],
            ]
            for r in rows
        ],
    )


@dlq_app.command("retry")
def dlq_retry(
    ids: list[int] = typer.Argument(None, help="dead letter ids (default: all of the group)"),
    group: str = typer.Option(None, "--group", "-g"),
    all_: bool = typer.Option(False, "--all", help="retry every dead letter"),
    config: Path = ConfigOption,
    data_dir: Path = DataDirOption,
) -> None:
    """Make dead letters deliverable again (attempt counts restart)."""
    from crossdock.hub import operations as ops

    if not ids and not group and not all_:
        raise fail("name dead letters to retry: ids, --group, or --all", 2)
    with open_store(config, data_dir) as (_s, store):
        count = ops.retry_dead_letters(store.bus, group, ids or None)
    console.print(f"{count} dead letter(s) back in their queue")


@app.command()
def endpoints(
    json_out: bool = JsonOption,
    config: Path = ConfigOption,
    data_dir: Path = DataDirOption,
) -> None:
    """Endpoints: circuit state, backlog and dead letters."""
    from crossdock.hub import operations as ops

    with open_store(config, data_dir) as (settings, store), store.uow.reader() as uow:
        rows = ops.endpoints_view(uow, store.bus, list(settings.endpoints))
    emit(
        json_out,
        rows,
        "endpoints",
        [
            key("name"),
            "circuit",
            number("failures", drop=2),
            Column("opened at", drop=1),
            number("backlog"),
            number("dead letters"),
        ],
        [
            [
                r["name"],
                r["circuit"],
                r["consecutive_failures"],
                short_time(r["opened_at"]),
                r["backlog"],
                r["dead_letters"],
            ]
            for r in rows
        ],
    )


def main() -> None:
    app()
