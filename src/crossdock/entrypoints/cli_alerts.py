"""`crossdock alerts list`: the alert events the rules raised (`crossdock.hub.alerts`).

Like the other operator commands it opens the store directly, so it works with the hub
stopped; `GET /v1/alerts` answers the same from a running hub.
"""

from __future__ import annotations

from pathlib import Path

import typer

from crossdock.entrypoints.cli_common import (
    ConfigOption,
    DataDirOption,
    JsonOption,
    emit,
    fail,
    open_store,
    short_time,
)
from crossdock.entrypoints.cli_output import Column, key, text

alerts_app = typer.Typer(help="Alerts raised by the alert rules: list.", no_args_is_help=True)


@alerts_app.command("list")
def alerts_list(
    status: str = typer.Option("open", "--status", help="open (default) or all"),
    limit: int = typer.Option(100, "--limit", "-n", min=1),
    json_out: bool = JsonOption,
    config: Path = ConfigOption,
    data_dir: Path = DataDirOption,
) -> None:
    """Alerts, newest first: the open ones, or all of them with --status all."""
    if status not in ("open", "all"):
        raise fail(f"unknown status {status!r} (known: open, all)", 2)
    from crossdock.adapters.sql.alert_store import SqlAlertStore
    from crossdock.hub.alerts import alert_view

    with open_store(config, data_dir) as (_s, store):
        rows = [
            alert_view(a)
            for a in SqlAlertStore(store.engine).list(open_only=status == "open", limit=limit)
        ]
    emit(
        json_out,
        rows,
        f"{len(rows)} {'open ' if status == 'open' else ''}alert(s)",
        [
            key("rule"),
            "severity",
            key("subject"),
            "status",
            Column("opened", drop=1),
            Column("cleared", drop=2),
            text("summary"),
        ],
        [
            [
                r["rule"],
                r["severity"],
                r["subject"],
                r["status"],
                short_time(r["opened_at"]),
                short_time(r["cleared_at"]),
                r["summary"],
            ]
            for r in rows
        ],
    )
