"""Inventory synchronization and KPIs: `/v1/inventory/...`, `/v1/kpis`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from crossdock.entrypoints.api.models.common import Model


class DriftRow(Model):
    """An item whose ERP and WMS quantities differ (quantities are decimal strings)."""

    id: str
    site: str
    item: str
    unit: str | None
    erp_on_hand: str | None
    wms_on_hand: str | None
    erp_available: str | None
    wms_available: str | None
    difference: str
    since: datetime
    drifting_seconds: float
    last_checked_at: datetime
    resolved_at: datetime | None
    runs: int
    exception_id: str | None
    evidence: list[str]


class DriftList(Model):
    items: list[DriftRow]
    count: int


class LagStats(Model):
    """Nearest-rank statistics of a lag, in seconds (null without data)."""

    n: int
    median: float | None
    p95: float | None
    max: float | None


class SyncLag(Model):
    window_hours: float
    movements: int
    lag_seconds: LagStats = Field(description="movement occurred → delivered to the ERP")
    hub_lag_seconds: LagStats = Field(description="received by the hub → delivered")
    undelivered: int
    oldest_undelivered_received_at: datetime | None
    oldest_undelivered_age_seconds: float | None


class ReconciliationRun(Model):
    id: str
    started_at: datetime
    finished_at: datetime
    status: str = Field(description="ok, or failed (a system could not be read)")
    items_compared: int
    drifting: int
    new_drift: int
    resolved: int
    exceptions_raised: int
    in_flight: int
    erp_positions: int
    wms_positions: int
    problems: list[dict[str, Any]]
    error: str | None


class SyncStatus(Model):
    enabled: bool
    movement_source: str
    sync_lag: SyncLag
    last_run: ReconciliationRun | None
    next_run_due_at: datetime | None
    drifting_now: int
    drifting_with_exception: int


#: A KPI: its figures (durations ``n``/``median_s``/``p95_s``/``max_s``, ratios with their
#: numerator and denominator), or ``"n/a (<reason>)"`` without data.
Kpi = dict[str, Any] | str


class KpiWindow(Model):
    since: datetime | None
    until: datetime | None


class Kpis(Model):
    """Business KPIs for start events received in [since, until)."""

    window: KpiWindow
    po_delivery_latency: Kpi
    po_acknowledgment_latency: Kpi
    asn_delivery_latency: Kpi
    asn_receipt_latency: Kpi
    receipt_posting_time: Kpi
    inventory_sync_lag: Kpi
    shipment_event_completeness: Kpi
    pod_update_speed: Kpi
    invoice_match_cycle_time: Kpi
    integration_failure_rate: Kpi
    unrouted_messages: Kpi
    replay_volume: Kpi
    exceptions_raised: Kpi
    onboarding_duration: Kpi
