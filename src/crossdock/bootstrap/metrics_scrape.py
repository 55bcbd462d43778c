"""What ``/metrics`` answers: the process metrics plus the state gauges read from the store.

The state (backlog, dead letters, circuits, flow instances, KPIs) is read when the scraper
asks, on the store's reader thread, by the process answering the scrape: it is the store's
state, the same whichever process reads it, so it is computed once per scrape rather than
kept as a gauge in every process. The KPIs are the dearest read (`compute_kpis` over a
trailing window), so they are cached for `KPI_CACHE_SECONDS`; the rest are grouped counts on
indexes (`adapters/sql/metric_queries.py`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from crossdock.adapters.sql import metric_queries as q
from crossdock.adapters.sql.bus import SqlBus
from crossdock.config import Settings
from crossdock.hub.kpis import KpiWindow, compute_kpis
from crossdock.hub.store_runner import StoreRunner
from crossdock.observability.metrics import GroupBacklog, HubMetrics, StoreGauges

log = logging.getLogger(__name__)

#: The KPI gauges cover received documents of this trailing window.
KPI_WINDOW = timedelta(hours=24)
#: Scrapes within this many seconds share one KPI computation.
KPI_CACHE_SECONDS = 60.0


def sla_targets(settings: Settings) -> dict[str, float]:
    """The SLA each duration KPI is held to, in seconds, from the enabled flows' settings:
    the supplier's acknowledgment due time and the POD due time."""
    targets: dict[str, float] = {}
    p2p, o2d = settings.flows.procure_to_pay, settings.flows.order_to_delivery
    if p2p.enabled:
        targets["po_acknowledgment_latency"] = p2p.ack_due_hours * 3600
    if o2d.enabled:
        targets["pod_update_speed"] = o2d.pod_due_hours * 3600
    return targets


@dataclass(slots=True)
class MetricsScraper:
    """Renders ``/metrics`` for one hub (`HubServices.metrics_text`)."""

    metrics: HubMetrics
    runner: StoreRunner
    bus: SqlBus
    endpoints: list[str]
    targets: dict[str, float]
    live_circuits: Callable[[], dict[str, str]]
    clock: Callable[[], float] = time.monotonic
    _kpis: dict[str, Any] = field(default_factory=dict)
    _kpis_at: float | None = None

    async def render(self) -> bytes:
        """The exposition text: process metrics, then this scrape's store gauges."""
        now = self.clock()
        fresh_kpis = self._kpis_at is None or now - self._kpis_at >= KPI_CACHE_SECONDS
        gauges, kpis = await self.runner.read(lambda uow: self._read(uow, fresh_kpis))
        if kpis is not None:
            self._kpis, self._kpis_at = kpis, now
        gauges.kpis = self._kpis
        return self.metrics.exposition(gauges)

    def _read(self, uow: Any, with_kpis: bool) -> tuple[StoreGauges, dict[str, Any] | None]:
        """On the reader thread, in one read-only unit of work."""
        conn = uow.connection
        backlog = self.bus.backlog()
        dead = q.dead_letter_counts(conn)
        lanes = q.group_lanes(conn)
        groups = [
            GroupBacklog(name, lanes.get(name, "?"), backlog.get(name, 0), dead.get(name, 0))
            for name in sorted(set(lanes) | set(backlog) | set(dead))
        ]
        circuits = dict.fromkeys(self.endpoints, "closed")
        circuits.update(q.circuit_states(conn))
        circuits.update(self.live_circuits())
        kpis = None
        if with_kpis:
            since = datetime.now(UTC) - KPI_WINDOW
            try:
                kpis = compute_kpis(uow.kpis, KpiWindow(since=since))
            except Exception:  # the other gauges still answer; the last KPIs stay shown
                log.exception("KPI gauges could not be computed; keeping the previous ones")
        gauges = StoreGauges(
            groups=groups, circuits=circuits, flows=q.flow_counts(conn), sla_targets=self.targets
        )
        return gauges, kpis
