"""`crossdock kpis`: the business KPIs from the store (`crossdock.hub.kpis`).

Like the other operator commands it opens the store directly, so it works with the hub
stopped; `GET /v1/kpis` answers the same from a running hub.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from crossdock.entrypoints.cli_common import (
    ConfigOption,
    DataDirOption,
    JsonOption,
    emit,
    fail,
    open_store,
)
from crossdock.entrypoints.cli_output import key, text

if TYPE_CHECKING:
    pass


def _aware(value: datetime | None) -> datetime | None:
    """A time without an offset is taken as UTC, the store's clock."""
    return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)


def describe(value: Any) -> str:
    """One KPI as a table cell: durations as median / p95 / max, ratios as a percentage."""
    if not isinstance(value, dict):
        return str(value)
    if "median_s" in value:
        extra = ", ".join(
            f"{k} {v}" for k, v in value.items() if k not in ("n", "median_s", "p95_s", "max_s")
        )
        text = (
            f"n={value['n']}  median {value['median_s']} s  p95 {value['p95_s']} s  "
            f"max {value['max_s']} s"
        )
        return f"{text}  ({extra})" if extra else text
    if "ratio" in value:
        details = ", ".join(
            f"{k} {v}" for k, v in value.items() if k != "ratio" and v not in ({}, None)
        )
        return f"{value['ratio'] * 100:.2f} %  ({details})"
    return ", ".join(f"{k} {v}" for k, v in value.items() if v not in ({}, None))


KPI_COLUMNS = [key("kpi"), text("value")]


def kpi_rows(kpis: dict[str, Any]) -> list[list[str]]:
    return [[name, describe(value)] for name, value in kpis.items() if name != "window"]


def kpis(
    since: datetime = typer.Option(None, "--since", help="start events from this time (UTC)"),
    until: datetime = typer.Option(None, "--until", help="start events before this time (UTC)"),
    json_out: bool = JsonOption,
    config: Path = ConfigOption,
    data_dir: Path = DataDirOption,
) -> None:
    """Business KPIs: PO delivery latency (the hub's part) and acknowledgment latency (the
    supplier's), ASN delivery and receipt latency, receipt posting time, inventory sync lag,
    shipment event completeness, POD update speed, invoice match cycle time, integration
    failure rate, unrouted messages, replay volume, exceptions raised, partner onboarding
    duration (created → live)."""
    from crossdock.hub.kpis import KpiWindow, compute_kpis

    window = KpiWindow(_aware(since), _aware(until))
    if window.since and window.until and window.until <= window.since:
        raise fail("--until must be later than --since", 2)
    with open_store(config, data_dir) as (_s, store), store.uow.reader() as uow:
        result = compute_kpis(uow.kpis, window)
    span = f"{window.since or 'the beginning'} to {window.until or 'now'}"
    emit(json_out, result, f"KPIs from {span}", KPI_COLUMNS, kpi_rows(result))
