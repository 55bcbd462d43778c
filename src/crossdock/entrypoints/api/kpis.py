"""`GET /v1/kpis`: the business KPIs over an optional window (`crossdock.hub.kpis`).

The same computation as `crossdock kpis`; read in a read-only unit of work, so it never waits
for the writer. A window that cannot be read, or that ends before it starts, is a 422 problem.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from starlette.responses import Response

from crossdock.entrypoints.api.guards import AUTHENTICATED
from crossdock.entrypoints.api.models.inventory import Kpis
from crossdock.entrypoints.api.problems import Problem
from crossdock.entrypoints.api.requests import hub_of, json_response
from crossdock.hub.kpis import KpiWindow, compute_kpis

router = APIRouter()


def _aware(value: datetime | None) -> datetime | None:
    """A time without an offset is taken as UTC, the store's clock."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def kpi_window(since: datetime | None, until: datetime | None) -> KpiWindow:
    """The window, or a 422 problem when it ends before it starts."""
    window = KpiWindow(_aware(since), _aware(until))
    if window.since and window.until and window.until <= window.since:
        raise Problem(422, "until must be later than since", since=str(since), until=str(until))
    return window


@router.get("/v1/kpis", response_model=Kpis, dependencies=[AUTHENTICATED])
async def get_kpis(
    request: Request, since: datetime | None = None, until: datetime | None = None
) -> Response:
    """PO delivery latency (the hub's part) and acknowledgment latency (the supplier's), ASN
    delivery and receipt latency, receipt posting time, inventory sync lag, shipment event
    completeness, POD update speed, invoice match cycle time, integration failure rate, replay
    volume, exceptions raised and partner onboarding duration (created → live), for start
    events received in [since, until)."""
    window = kpi_window(since, until)
    kpis = await hub_of(request).runner.read(lambda uow: compute_kpis(uow.kpis, window))
    return json_response(kpis)
