"""Delivered notices: "this document reached its receiver", announced on the bus for flows.

An SLA that measures a partner (a supplier's acknowledgment) must start when the document
reached that partner, not when the hub received it: the hub's own backlog between the two is
the hub's, not the partner's. The delivery dispatcher knows that moment — the endpoint
answered 2xx (for X12, the interchange was handed over; the partner's 997 later is evidence)
— so, for the routes a flow watches, it publishes a small notice in the same transaction that
marks the delivery delivered. Flows consume it like a document (`delivered.<lane>.<type>`,
keyed like the document, so it never overtakes the document itself in the flow's group).

Only watched routes announce (bootstrap computes them from the flows' ``delivered:<type>``
transitions): a hub without such flows writes nothing more per delivery.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson

from crossdock.hub.ports import UnitOfWork
from crossdock.hub.records import Delivery

DELIVERED_SUBJECT = "delivered.{lane}.{document_type}"


def delivered_subject(lane: str, document_type: str) -> str:
    return DELIVERED_SUBJECT.format(lane=lane, document_type=document_type)


@dataclass(slots=True, frozen=True)
class DeliveredNotice:
    """One successful delivery of a message to one endpoint through one route."""

    delivery_id: str
    message_id: str
    route: str
    endpoint: str
    delivered_at: datetime

    def encode(self) -> bytes:
        return orjson.dumps(
            {
                "delivery": self.delivery_id,
                "route": self.route,
                "endpoint": self.endpoint,
                "at": self.delivered_at.timestamp(),
            }
        )

    @classmethod
    def decode(cls, message_id: str, payload: bytes) -> DeliveredNotice:
        """Raises ValueError for a payload that is not a notice (a bug, never partner input)."""
        try:
            fields = orjson.loads(payload)
            return cls(
                delivery_id=str(fields["delivery"]),
                message_id=message_id,
                route=str(fields["route"]),
                endpoint=str(fields["endpoint"]),
                delivered_at=datetime.fromtimestamp(float(fields["at"]), UTC),
            )
        except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"not a delivered notice: {payload[:80]!r}") from exc


def announce(
    uow: UnitOfWork,
    subjects: Mapping[str, str],
    delivered: Sequence[tuple[Delivery, datetime]],
) -> None:
    """Publish a notice for each delivery whose route is watched (`subjects`: route name ->
    subject), in the caller's transaction."""
    for delivery, at in delivered:
        subject = subjects.get(delivery.route)
        if subject is None:
            continue
        notice = DeliveredNotice(delivery.id, delivery.message_id, delivery.route,
                                 delivery.endpoint, at)  # fmt: skip
        uow.outbox.publish(subject, delivery.correlation_key, delivery.message_id, notice.encode())
