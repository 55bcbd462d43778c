"""Prometheus metrics. One registry per hub (not the global one), so tests can build many hubs.

Two kinds of metric, kept apart on purpose:

* **Process metrics** (`HubMetrics`): counters and histograms a process updates as it works
  (intake, delivery attempts, latencies, dead-lettering). With several processes
  (`crossdock api` + `crossdock worker`), prometheus-client's multiprocess mode sums them:
  set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory shared by every process of a host
  before they start, and each one writes its values to memory-mapped files there, which the
  api's ``/metrics`` merges (`exposition`). Only counters and histograms live here, so the
  merge is a plain sum and a stopped process's counts are kept.
* **Store gauges** (`StoreGauges`): backlog, current dead letters, circuit states, flow
  instances and KPIs are *state*, read from the shared store when ``/metrics`` is scraped,
  once per scrape by the answering process, never kept per process (where every worker would
  report the same number and a sum would multiply it).

Per-message updates go through `HubMetrics.intake_count` / `recorded_latency`: the labelled
child is looked up in a plain dict after the first use, so the intake path pays one dict
lookup instead of prometheus-client's locked `labels()` call.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector

#: The environment variable prometheus-client reads (at import) to switch to multiprocess mode.
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

#: Document latencies span milliseconds (intake → recorded) to hours (a receiver down all night).
DOCUMENT_BUCKETS = (
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
    60.0, 300.0, 900.0, 3600.0, 14400.0, 86400.0,
)  # fmt: skip

#: A circuit breaker's state as a number (`crossdock_circuit_state`).
CIRCUIT_STATES: Mapping[str, int] = {"closed": 0, "half_open": 1, "open": 2}


def multiprocess_dir() -> str | None:
    """The multiprocess directory when the mode is on, else None."""
    return os.environ.get(MULTIPROC_ENV) or os.environ.get(MULTIPROC_ENV.lower()) or None


@dataclass(slots=True)
class HubMetrics:
    registry: CollectorRegistry
    intake: Counter
    intake_seconds: Histogram
    document_seconds: Histogram
    deliveries: Counter
    delivery_seconds: Histogram
    dead_letters: Counter
    routing: Counter
    throttled: Counter
    throttle_store_errors: Counter
    _intake_children: dict[tuple[str, str], Counter] = field(default_factory=dict)
    _request_children: dict[str, Histogram] = field(default_factory=dict)
    _recorded_children: dict[str, Histogram] = field(default_factory=dict)
    _delivered_children: dict[str, Histogram] = field(default_factory=dict)

    def intake_count(self, document_type: str, outcome: str, n: int = 1) -> None:
        """Count intake outcomes; O(1) after the first message of a (type, outcome)."""
        child = self._intake_children.get((document_type, outcome))
        if child is None:
            child = self._intake_children[(document_type, outcome)] = self.intake.labels(
                document_type, outcome
            )
        child.inc(n)

    def request_latency(self, channel: str, seconds: float) -> None:
        """One intake request's time to its durable record, per channel."""
        child = self._request_children.get(channel)
        if child is None:
            child = self._request_children[channel] = self.intake_seconds.labels(channel)
        child.observe(seconds)

    def recorded_latency(self, document_type: str, seconds: float, n: int = 1) -> None:
        """Intake → recorded (durable) for `n` documents of one type that took `seconds`."""
        child = self._recorded_children.get(document_type)
        if child is None:
            child = self._recorded_children[document_type] = self.document_seconds.labels(
                document_type, "recorded"
            )
        for _ in range(n):
            child.observe(seconds)

    def delivered_latency(self, document_type: str, seconds: float) -> None:
        """Recorded → delivered (the first successful attempt ended) for one delivery."""
        child = self._delivered_children.get(document_type)
        if child is None:
            child = self._delivered_children[document_type] = self.document_seconds.labels(
                document_type, "delivered"
            )
        child.observe(seconds)

    def local_exposition(self) -> bytes:
        """This process's own metrics only (a worker's probe port)."""
        return generate_latest(self.registry)

    def exposition(self, gauges: StoreGauges | None = None) -> bytes:
        """What ``/metrics`` answers: the process metrics (every process's, summed, in
        multiprocess mode) followed by the store gauges read for this scrape."""
        path = multiprocess_dir()
        if path is None:
            text = generate_latest(self.registry)
        else:
            merged = CollectorRegistry()
            MultiProcessCollector(merged, path=path)  # type: ignore[no-untyped-call]
            text = generate_latest(merged)
        if gauges is not None:
            extra = CollectorRegistry()
            extra.register(gauges)
            text += generate_latest(extra)
        return text


def multiprocess_problem() -> str | None:
    """Why multiprocess mode cannot work here (its directory is missing), else None: checked
    by the commands before they start, so the answer is one line, not a traceback."""
    path = multiprocess_dir()
    if path is not None and not os.path.isdir(path):
        return f"{MULTIPROC_ENV}={path} is not a directory; create it (empty) first"
    return None


def build_metrics() -> HubMetrics:
    """The hub's process metrics.

    Raises:
        ValueError: multiprocess mode is on but its directory does not exist.
    """
    problem = multiprocess_problem()
    if problem is not None:
        raise ValueError(problem)
    registry = CollectorRegistry()
    return HubMetrics(
        registry=registry,
        intake=Counter(
            "crossdock_intake_messages",
            "Inbound messages by document type and outcome (accepted, rejected, duplicate, conflict).",
            ["document_type", "outcome"],
            registry=registry,
        ),
        intake_seconds=Histogram(
            "crossdock_intake_request_seconds",
            "Time from request to durable record.",
            ["channel"],
            registry=registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
        ),
        document_seconds=Histogram(
            "crossdock_document_seconds",
            "Document latency per type: stage=recorded is intake → durable record (HTTP "
            "intake), stage=delivered is received → each successful delivery.",
            ["document_type", "stage"],
            registry=registry,
            buckets=DOCUMENT_BUCKETS,
        ),
        deliveries=Counter(
            "crossdock_delivery_attempts",
            "Delivery attempts by endpoint and outcome (ok, retry, rejected).",
            ["endpoint", "outcome"],
            registry=registry,
        ),
        delivery_seconds=Histogram(
            "crossdock_delivery_seconds",
            "Time one delivery attempt took.",
            ["endpoint"],
            registry=registry,
        ),
        dead_letters=Counter(
            "crossdock_dead_letters",
            "Entries the hub dead-lettered, per consumer group (a delivery given up, a "
            "message routing could not transform).",
            ["group"],
            registry=registry,
        ),
        routing=Counter(
            "crossdock_routing_problems",
            "Messages routing could not send anywhere: unrouted (no consumer) or "
            "untransformable (a route's transform failed; dead-lettered).",
            ["outcome"],
            registry=registry,
        ),
        throttled=Counter(
            "crossdock_throttled_requests",
            "Requests refused with 429 by throttling, per API product.",
            ["product"],
            registry=registry,
        ),
        throttle_store_errors=Counter(
            "crossdock_throttle_store_errors",
            "Token leases the store could not serve (the process then limits on its own).",
            registry=registry,
        ),
    )


@dataclass(slots=True, frozen=True)
class GroupBacklog:
    """One consumer group's entries: not yet acknowledged (ready) and dead."""

    group: str
    lane: str
    pending: int
    dead: int


@dataclass(slots=True, eq=False)  # hashed by identity: a registry keys its collectors
class StoreGauges:
    """The state gauges of one scrape, read from the store by the caller (plain data: this
    module knows no store). A prometheus-client collector: register it to expose them."""

    groups: Iterable[GroupBacklog] = ()
    circuits: Mapping[str, str] = field(default_factory=dict)  # endpoint -> circuit state
    flows: Mapping[tuple[str, str], int] = field(default_factory=dict)  # (flow, state) -> n
    kpis: Mapping[str, Any] = field(default_factory=dict)  # `compute_kpis`'s answer
    sla_targets: Mapping[str, float] = field(default_factory=dict)  # kpi -> seconds

    def describe(self) -> list[Metric]:
        return []  # collected per scrape; nothing to check for name clashes up front

    def collect(self) -> Iterator[Metric]:
        groups = list(self.groups)
        backlog = GaugeMetricFamily(
            "crossdock_consumer_backlog",
            "Entries not yet acknowledged, per consumer group (from the store).",
            labels=["group", "lane"],
        )
        lanes = GaugeMetricFamily(
            "crossdock_lane_backlog",
            "Entries not yet acknowledged, per lane (every group of the lane).",
            labels=["lane"],
        )
        pending = GaugeMetricFamily(
            "crossdock_pending_deliveries",
            "Deliveries waiting to be sent or retried, per endpoint and lane.",
            labels=["endpoint", "lane"],
        )
        dead = GaugeMetricFamily(
            "crossdock_dead_letters_current",
            "Dead letters now held (not retried or discarded), per consumer group.",
            labels=["group"],
        )
        per_lane: dict[str, int] = {}
        for g in sorted(groups, key=lambda g: g.group):
            backlog.add_metric([g.group, g.lane], g.pending)
            per_lane[g.lane] = per_lane.get(g.lane, 0) + g.pending
            parts = g.group.split(".", 2)
            if len(parts) == 3 and parts[0] == "deliver":
                pending.add_metric([parts[2], parts[1]], g.pending)
            dead.add_metric([g.group], g.dead)
        for lane, n in sorted(per_lane.items()):
            lanes.add_metric([lane], n)
        yield from (backlog, lanes, pending, dead)
        state = GaugeMetricFamily(
            "crossdock_circuit_state",
            "Circuit breaker per endpoint: 0 closed, 1 half-open, 2 open.",
            labels=["endpoint"],
        )
        is_open = GaugeMetricFamily(
            "crossdock_circuit_open",
            "1 when the endpoint's circuit breaker is open or half-open.",
            labels=["endpoint"],
        )
        for name, circuit in sorted(self.circuits.items()):
            value = CIRCUIT_STATES.get(circuit, 2)
            state.add_metric([name], value)
            is_open.add_metric([name], 1 if value else 0)
        yield from (state, is_open)
        flows = GaugeMetricFamily(
            "crossdock_flow_instances",
            "Flow instances per flow and state (from the store).",
            labels=["flow", "state"],
        )
        for (flow, flow_state), n in sorted(self.flows.items()):
            flows.add_metric([flow, flow_state], n)
        yield flows
        yield from _kpi_families(self.kpis, self.sla_targets)


def _kpi_families(kpis: Mapping[str, Any], targets: Mapping[str, float]) -> Iterator[Metric]:
    """`compute_kpis`'s numbers as gauges: every numeric field of every KPI (n, median_s,
    p95_s, max_s, rate...) becomes one `stat`; a KPI without data ("n/a (...)") has none."""
    values = GaugeMetricFamily(
        "crossdock_kpi",
        "The KPIs of GET /v1/kpis over the trailing window, one series per numeric field.",
        labels=["kpi", "stat"],
    )
    for name, value in sorted(kpis.items()):
        if not isinstance(value, Mapping):
            continue
        for stat, number in sorted(value.items()):
            if isinstance(number, int | float) and not isinstance(number, bool):
                values.add_metric([name, stat], float(number))
    target = GaugeMetricFamily(
        "crossdock_kpi_sla_target_seconds",
        "The SLA target a duration KPI is held to (compare with crossdock_kpi).",
        labels=["kpi"],
    )
    for name, seconds in sorted(targets.items()):
        target.add_metric([name], seconds)
    yield from (values, target)
