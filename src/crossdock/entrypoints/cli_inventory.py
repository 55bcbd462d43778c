"""`crossdock inventory drift|sync|reconcile`: where ERP and WMS disagree, how far behind the
ERP is, and a reconciliation run now.

Like the other operator commands they open the store directly, so `drift` and `sync` work
with the hub stopped; `reconcile` pulls both systems from this process and takes the same
schedule lease as a running hub, so the two never reconcile at once.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from crossdock.entrypoints.cli_common import (
    ConfigOption,
    DataDirOption,
    JsonOption,
    console,
    emit,
    fail,
    open_store,
    print_json,
    print_table,
    short_time,
)
from crossdock.entrypoints.cli_output import Column, key, number

if TYPE_CHECKING:
    pass

inventory_app = typer.Typer(
    help="Inventory synchronization: ERP / WMS drift, sync lag, reconcile now.",
    no_args_is_help=True,
)


def _seconds(value: float | None) -> str:
    if value is None:
        return "-"
    if value < 120:
        return f"{value:.1f}s"
    if value < 7200:
        return f"{value / 60:.1f}m"
    return f"{value / 3600:.1f}h"


@inventory_app.command("drift")
def drift(
    site: str = typer.Option(None, "--site", help="only this site"),
    item: str = typer.Option(None, "--item", help="only this item (SKU)"),
    history: bool = typer.Option(False, "--history", help="include resolved episodes"),
    limit: int = typer.Option(1000, "--limit", "-n", min=1),
    json_out: bool = JsonOption,
    config: Path = ConfigOption,
    data_dir: Path = DataDirOption,
) -> None:
    """Items whose ERP and WMS quantities differ, longest drifting first."""
    from crossdock.bootstrap.inventory import inventory_uow
    from crossdock.hub.inventory import views

    now = datetime.now(UTC)
    with open_store(config, data_dir) as (_s, store), inventory_uow(store).reader() as uow:
        rows = views.list_drift(
            uow, now, site=site, item=item, include_resolved=history, limit=limit
        )
    emit(
        json_out,
        rows,
        f"{len(rows)} drifting item(s)" if not history else f"{len(rows)} drift episode(s)",
        [key("site"), key("item"), number("erp"), number("wms"), number("difference"),
         Column("unit", drop=5), Column("since", drop=3), "for", number("runs", drop=4),
         Column("exception", drop=2), Column("resolved", drop=1)],
        [
            [r["site"], r["item"], r["erp_on_hand"] or "-", r["wms_on_hand"] or "-",
             r["difference"], r["unit"], short_time(r["since"]),
             _seconds(r["drifting_seconds"]), r["runs"], r["exception_id"],
             short_time(r["resolved_at"])]
            for r in rows
        ],
    )  # fmt: skip


@inventory_app.command("sync")
def sync(
    window_hours: float = typer.Option(None, "--window-hours", min=0.01, help="lag window"),
    json_out: bool = JsonOption,
    config: Path = ConfigOption,
    data_dir: Path = DataDirOption,
) -> None:
    """Sync lag of WMS stock movements to the ERP, and the last reconciliation run."""
    from crossdock.bootstrap.inventory import inventory_uow
    from crossdock.hub.inventory import views

    now = datetime.now(UTC)
    with open_store(config, data_dir) as (settings, store), inventory_uow(store).reader() as uow:
        section = settings.inventory_reconciliation
        status = views.sync_status(
            uow,
            now,
            movement_source=section.source_name("wms"),
            window_hours=window_hours or section.lag_window_hours,
            enabled=section.enabled,
        )
    if json_out:
        print_json(status)
        return
    _print_sync(status)


def _print_sync(status: dict[str, Any]) -> None:
    lag = status["sync_lag"]
    rows = [
        [name, s["n"], _seconds(s["median"]), _seconds(s["p95"]), _seconds(s["max"])]
        for name, s in (("WMS movement -> ERP", lag["lag_seconds"]),
                        ("hub receive -> ERP", lag["hub_lag_seconds"]))
    ]  # fmt: skip
    print_table(
        f"sync lag, last {lag['window_hours']:g} h ({lag['movements']} movement(s))",
        [key("measured"), number("delivered"), number("median"), number("p95"), number("max")],
        rows,
    )
    oldest = lag["oldest_undelivered_age_seconds"]
    console.print(
        f"undelivered movements: {lag['undelivered']}"
        + (f" (oldest {_seconds(oldest)} old)" if oldest is not None else ""),
        highlight=False,
    )
    run = status["last_run"]
    state = "enabled" if status["enabled"] else "disabled"
    if run is None:
        console.print(f"reconciliation ({state}): no run yet", highlight=False)
        return
    console.print(
        f"reconciliation ({state}): last run {short_time(run['finished_at'])} {run['status']}: "
        f"{run['items_compared']} item(s) compared, {run['drifting']} drifting "
        f"({run['new_drift']} new, {run['in_flight']} in flight, {run['resolved']} resolved, "
        f"{run['exceptions_raised']} exception(s) raised)"
        + (f"; error: {run['error']}" if run["error"] else ""),
        highlight=False,
    )
    console.print(f"drifting now: {status['drifting_now']}; next run due "
                  f"{short_time(status['next_run_due_at']) or '-'}", highlight=False)  # fmt: skip


@inventory_app.command("reconcile")
def reconcile(
    json_out: bool = JsonOption,
    config: Path = ConfigOption,
    data_dir: Path = DataDirOption,
) -> None:
    """Pull both systems now, compare and update the drift table (exit 1 when a pull fails)."""
    from crossdock.bootstrap.inventory import build_reconciler
    from crossdock.hub.inventory import views

    with open_store(config, data_dir) as (settings, store):
        runner = store.runner()
        reconciler = build_reconciler(settings, store, runner)
        if reconciler is None:
            runner.close()
            raise fail("inventory reconciliation is not enabled (inventory_reconciliation)", 2)

        async def run_once() -> Any:
            try:
                return await reconciler.run(force=True)
            finally:
                await reconciler.close()

        try:
            run = asyncio.run(run_once())
        finally:
            runner.close()
    if run is None:
        raise fail("a reconciliation is already running (the hub holds the lease)")
    body = views.run_dict(run)
    if json_out:
        print_json(body)
    else:
        console.print(
            f"run {run.id} {run.status}: {run.items_compared} item(s) compared, "
            f"{run.drifting} drifting ({run.new_drift} new, {run.in_flight} in flight), "
            f"{run.resolved} resolved, {run.raised} exception(s) raised",
            highlight=False,
        )
    if run.status != "ok":
        raise fail(f"could not pull: {run.error}")
