"""Prometheus metrics. One registry per hub (not the global one), so tests can build many hubs."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


@dataclass(slots=True)
class HubMetrics:
    registry: CollectorRegistry
    intake: Counter
    intake_seconds: Histogram
    deliveries: Counter
    delivery_seconds: Histogram
    backlog: Gauge
    circuit_open: Gauge
    routing: Counter
    throttled: Counter
    throttle_store_errors: Counter

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def build_metrics() -> HubMetrics:
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
        backlog=Gauge(
            "crossdock_consumer_backlog",
            "Entries not yet acknowledged, per consumer group.",
            ["group"],
            registry=registry,
        ),
        circuit_open=Gauge(
            "crossdock_circuit_open",
            "1 when the endpoint's circuit breaker is open or half-open.",
            ["endpoint"],
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
