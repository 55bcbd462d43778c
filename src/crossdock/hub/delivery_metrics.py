"""What one delivery round adds to the metrics: attempts per endpoint, and per document type the
time from the message's receipt to the end of its successful attempt.

Counted only after the round's unit of work committed (a retried job never counts an attempt
twice), from values read inside it (the unit of work closes with its commit).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from crossdock.hub.ports import UnitOfWork
from crossdock.hub.records import DeliveryAttempt
from crossdock.observability.metrics import HubMetrics


def delivered_latencies(
    uow: UnitOfWork, ended: Sequence[tuple[str, datetime]]
) -> list[tuple[str, float]]:
    """(document type, seconds from receipt to the end of the successful attempt) for each
    (message id, attempt end) of the round: one primary-key read of the messages."""
    if not ended:
        return []
    found = uow.messages.summaries([message_id for message_id, _ in ended])
    latencies = []
    for message_id, ended_at in ended:
        message = found.get(message_id)
        if message is not None:
            seconds = (ended_at - message.received_at).total_seconds()
            latencies.append((message.document_type, max(0.0, seconds)))
    return latencies


def count_round(
    metrics: HubMetrics,
    endpoint: str,
    attempts: Sequence[DeliveryAttempt],
    latencies: Sequence[tuple[str, float]],
) -> None:
    """The committed round's attempts and delivered latencies."""
    for attempt in attempts:
        metrics.deliveries.labels(endpoint, attempt.outcome).inc()
        metrics.delivery_seconds.labels(endpoint).observe(attempt.duration_ms / 1000)
    for document_type, seconds in latencies:
        metrics.delivered_latency(document_type, seconds)
