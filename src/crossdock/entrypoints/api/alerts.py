"""`GET /v1/alerts`: the alert events the rules raised (`crossdock.hub.alerts`), newest first.

Open ones by default, every one with ``status=all``; operators only (the `operations` scope):
an alert names partners and endpoints a partner's key must not see. Same data as
`crossdock alerts list`.
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import Field
from starlette.responses import Response

from crossdock.adapters.sql.alert_store import SqlAlertStore
from crossdock.entrypoints.api.guards import OPERATOR_ACTION
from crossdock.entrypoints.api.models.common import Model
from crossdock.entrypoints.api.requests import hub_of, json_response
from crossdock.hub.alerts import alert_view

router = APIRouter()


class AlertRecord(Model):
    """One alert: opened once per (rule, subject) while its condition holds, then cleared."""

    id: str
    rule: str = Field(description="the configured rule that raised it")
    kind: Literal["kpi_sla", "backlog", "endpoint_down", "partner_silent", "ack_overdue"]
    severity: str
    subject: str = Field(description="what it is about: a KPI, group, endpoint or partner")
    summary: str
    details: dict[str, Any]
    status: Literal["open", "cleared"]
    opened_at: str
    cleared_at: str | None


class AlertList(Model):
    alerts: list[AlertRecord]


@router.get("/v1/alerts", response_model=AlertList, dependencies=[OPERATOR_ACTION])
async def list_alerts(
    request: Request,
    status: Literal["open", "all"] = Query("open", description="open alerts, or every one"),
    limit: int = Query(100, ge=1, le=1000),
) -> Response:
    """Alerts newest first: open ones, or all (cleared ones carry their clear time)."""
    store = SqlAlertStore(hub_of(request).store.engine)
    found = await asyncio.to_thread(store.list, open_only=status == "open", limit=limit)
    return json_response({"alerts": [alert_view(a) for a in found]})
