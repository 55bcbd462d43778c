"""Drift rows and the sync status as JSON-ready dicts, shared by the API and the CLI.

The sync status is also what the "inventory sync lag" KPI reads: `sync_status(...)["sync_lag"]`
(``GET /v1/inventory/sync``), so the KPI and the operator see the same numbers.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from crossdock.hub.inventory.lag import lag_report
from crossdock.hub.inventory.model import DriftRow, ReconciliationRun
from crossdock.hub.inventory.ports import InventoryUnitOfWork
from crossdock.hub.inventory.reconcile import SCHEDULE


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def drift_dict(row: DriftRow, now: datetime | None = None) -> dict[str, Any]:
    """One episode; ``drifting_seconds`` is its age at `now` (or when it was resolved)."""
    end = row.resolved_at or now or row.last_checked_at
    return {
        "id": row.id,
        "site": row.site,
        "item": row.item,
        "unit": row.unit,
        "erp_on_hand": _text(row.erp_on_hand),
        "wms_on_hand": _text(row.wms_on_hand),
        "erp_available": _text(row.erp_available),
        "wms_available": _text(row.wms_available),
        "difference": str(row.difference),
        "since": row.first_seen_at.isoformat(),
        "drifting_seconds": round((end - row.first_seen_at).total_seconds(), 3),
        "last_checked_at": row.last_checked_at.isoformat(),
        "resolved_at": _iso(row.resolved_at),
        "runs": row.runs,
        "exception_id": row.exception_id,
        "evidence": list(row.evidence),
    }


def run_dict(run: ReconciliationRun | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return {
        "id": run.id,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat(),
        "status": run.status,
        "items_compared": run.items_compared,
        "drifting": run.drifting,
        "new_drift": run.new_drift,
        "resolved": run.resolved,
        "exceptions_raised": run.raised,
        "in_flight": run.in_flight,
        "erp_positions": run.erp_positions,
        "wms_positions": run.wms_positions,
        "problems": run.problems,
        "error": run.error,
    }


def list_drift(
    uow: InventoryUnitOfWork,
    now: datetime,
    *,
    site: str | None = None,
    item: str | None = None,
    include_resolved: bool = False,
    limit: int = 1000,
) -> list[dict[str, Any]]:
    rows = uow.inventory.find_drift(
        site=site, item=item, include_resolved=include_resolved, limit=limit
    )
    return [drift_dict(r, now) for r in rows]


def sync_status(
    uow: InventoryUnitOfWork,
    now: datetime,
    *,
    movement_source: str,
    window_hours: float,
    enabled: bool,
) -> dict[str, Any]:
    """Sync lag of the WMS's stock movements over the window, and the last reconciliation."""
    since = now - timedelta(hours=window_hours)
    movements = uow.inventory.movement_deliveries(movement_source, since)
    undelivered, oldest = uow.inventory.undelivered_movements(movement_source)
    open_rows = uow.inventory.find_drift(limit=100_000)
    return {
        "enabled": enabled,
        "movement_source": movement_source,
        "sync_lag": lag_report(movements, undelivered, oldest, now, window_hours),
        "last_run": run_dict(uow.inventory.last_run()),
        "next_run_due_at": _iso(uow.inventory.next_due(SCHEDULE)),
        "drifting_now": len(open_rows),
        "drifting_with_exception": sum(1 for r in open_rows if r.exception_id is not None),
    }
