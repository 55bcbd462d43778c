"""Inventory synchronization over HTTP: the drift table, the sync lag, and "reconcile now".

The same views as `crossdock inventory ...` (`crossdock.hub.inventory.views`); errors are RFC
9457 problem details (a bad query parameter is a 422 naming it).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from crossdock.bootstrap.inventory import inventory_uow
from crossdock.entrypoints.api.guards import AUTHENTICATED, OPERATOR_ACTION, audited
from crossdock.entrypoints.api.models.inventory import DriftList, ReconciliationRun, SyncStatus
from crossdock.entrypoints.api.openapi import problems
from crossdock.entrypoints.api.problems import Problem
from crossdock.entrypoints.api.requests import hub_of, json_response
from crossdock.hub.audit import INVENTORY_RECONCILE
from crossdock.hub.inventory import views

router = APIRouter()


@router.get("/v1/inventory/drift", response_model=DriftList, dependencies=[AUTHENTICATED])
async def list_drift(
    request: Request,
    site: str | None = Query(None, min_length=1, max_length=128),
    item: str | None = Query(None, min_length=1, max_length=256),
    include_resolved: bool = False,
    limit: int = Query(1000, ge=1, le=100_000),
) -> Response:
    """Items whose ERP and WMS quantities differ: both quantities, the difference, since when
    (longest drifting first); `include_resolved` adds the history of cleared episodes."""
    readers = inventory_uow(hub_of(request).store).reader
    now = datetime.now(UTC)

    def read() -> list[dict[str, Any]]:
        with readers() as uow:
            return views.list_drift(
                uow, now, site=site, item=item, include_resolved=include_resolved, limit=limit
            )

    rows = await asyncio.to_thread(read)
    return json_response({"items": rows, "count": len(rows)})


@router.get("/v1/inventory/sync", response_model=SyncStatus, dependencies=[AUTHENTICATED])
async def sync_status(
    request: Request, window_hours: float | None = Query(None, gt=0, le=24 * 90)
) -> Response:
    """Sync lag of WMS stock movements to the ERP (median / p95 / max over the window, the
    oldest undelivered one) and the last reconciliation run."""
    hub = hub_of(request)
    config = hub.settings.inventory_reconciliation
    readers = inventory_uow(hub.store).reader
    now = datetime.now(UTC)

    def read() -> dict[str, Any]:
        with readers() as uow:
            return views.sync_status(
                uow,
                now,
                movement_source=config.source_name("wms"),
                window_hours=window_hours or config.lag_window_hours,
                enabled=config.enabled,
            )

    return json_response(await asyncio.to_thread(read))


@router.post(
    "/v1/inventory/reconcile",
    response_model=ReconciliationRun,
    responses=problems(
        409,
        502,
        s409="reconciliation is off, or a run is already going on",
        s502="a system could not be read (`run` holds the failed run)",
    ),
    dependencies=[OPERATOR_ACTION],
)
async def reconcile_now(request: Request) -> Response:
    """Run a reconciliation now (it takes the schedule's lease, so it never overlaps the
    scheduled one): 200 with the run, 409 when off or already running, 502 when a system
    could not be read."""
    reconciler = hub_of(request).inventory
    if reconciler is None:
        raise Problem(409, "inventory reconciliation is not enabled (inventory_reconciliation)")
    run = await reconciler.run(force=True)
    if run is None:
        raise Problem(409, "a reconciliation is already running; try again when it is done")
    body = views.run_dict(run)
    await audited(
        request,
        INVENTORY_RECONCILE,
        "inventory",
        run.status,
        {"drifting": (body or {}).get("drifting")},
    )
    if run.status != "ok":
        raise Problem(502, f"reconciliation could not pull: {run.error}", run=body)
    return json_response(body)
