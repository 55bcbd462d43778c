"""Rows for retention tests, written straight into the tables: messages of a chosen age with
deliveries and attempts, flow instances, exceptions, bus log entries and consumer groups."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select

from crossdock.adapters.sql.flow_tables import exceptions, flow_instances, flow_timers
from crossdock.adapters.sql.tables import (
    bus_groups,
    bus_log,
    bus_pending,
    deliveries,
    delivery_attempts,
    inbox,
    messages,
    x12_outbound,
)

NOW = 1_800_000_000.0
DAY = 86_400.0


def message(
    conn: Connection,
    id: str,
    *,
    document_type: str = "purchase_order",
    age_days: float = 100,
    status: str = "delivered",
    key: str | None = None,
    n: int = 0,
) -> dict[str, Any]:
    row = {
        "id": id,
        "document_type": document_type,
        "schema_version": 1,
        "source": "erp",
        "channel": "http",
        "correlation_key": key if key is not None else f"K-{id}",
        "causation_id": None,
        "idempotency_key": f"idem-{id}",
        "body_sha256": "ab" * 32,
        "received_at": NOW - age_days * DAY - n * 0.001,
        "content_type": "application/json",
        "raw": bytes(range(256)) + id.encode() + b"\x00",
        "canonical": json.dumps({"id": id, "note": "Grüße ✓"}).encode(),
        "status": status,
        "errors": None,
        "lane": "critical",
        "duplicates": 0,
        "sender": "erp-client",
        "partner": None,
    }
    conn.execute(messages.insert().values(**row))
    return row


def delivery(
    conn: Connection, message_id: str, *, status: str = "delivered", attempts: int = 1
) -> str:
    delivery_id = f"D-{message_id}"
    conn.execute(
        deliveries.insert().values(
            id=delivery_id,
            message_id=message_id,
            route="po-to-erp",
            endpoint="erp",
            lane="critical",
            idempotency_key=f"dk-{message_id}",
            correlation_key=f"K-{message_id}",
            content_type="application/json",
            status=status,
            attempts=attempts,
            last_error=None if status == "delivered" else "HTTP 503",
        )
    )
    for attempt in range(1, attempts + 1):
        conn.execute(
            delivery_attempts.insert().values(
                delivery_id=delivery_id,
                attempt=attempt,
                started_at=NOW - 99 * DAY + attempt,
                duration_ms=12.5 * attempt,
                outcome="ok" if attempt == attempts and status == "delivered" else "retry",
                status_code=200 if attempt == attempts else 503,
                error=None,
            )
        )
    return delivery_id


def bus_entry(conn: Connection, message_id: str, seq: int) -> None:
    conn.execute(
        bus_log.insert().values(
            seq=seq,
            subject="route.critical.purchase_order",
            key=f"K-{message_id}",
            message_id=message_id,
            payload=b"{}",
            published_at=NOW - 100 * DAY,
        )
    )
    conn.execute(inbox.insert().values(consumer="router", message_id=message_id, replay=0))


def group(conn: Connection, name: str, cursor: int) -> None:
    conn.execute(
        bus_groups.insert().values(
            name=name, subjects="[]", lane="critical", max_deliver=5, ack_wait=30, cursor=cursor
        )
    )


def pending(conn: Connection, seq: int, state: str = "dead") -> None:
    conn.execute(
        bus_pending.insert().values(
            group_name="g", seq=seq, key="k", state=state, deliveries=5, available_at=0
        )
    )


def flow(
    conn: Connection, key: str, *, completed: bool, age_days: float, name: str = "procure_to_pay"
) -> None:
    conn.execute(
        flow_instances.insert().values(
            flow=name,
            key=key,
            state="matched" if completed else "awaiting_ack",
            data=json.dumps({"po": key}),
            version=3,
            created_at=NOW - age_days * DAY - 10,
            updated_at=NOW - age_days * DAY,
            completed=completed,
        )
    )
    conn.execute(
        flow_timers.insert().values(
            flow=name, key=key, name="ack_due", due_at=NOW - age_days * DAY, lease_until=0.0
        )
    )


def exception(
    conn: Connection,
    id: str,
    *,
    key: str | None,
    evidence: list[str],
    status: str = "open",
    created_at: float = NOW - 50 * DAY,
) -> None:
    conn.execute(
        exceptions.insert().values(
            id=id,
            category="missing_ack",
            owner_role="buyer",
            flow="procure_to_pay",
            correlation_key=key,
            evidence=json.dumps(evidence),
            detail="no 855",
            data="{}",
            status=status,
            created_at=created_at,
            resolved_at=None if status == "open" else created_at + DAY,
            resolution=None,
            actions="[]",
        )
    )


def outbound(conn: Connection, message_id: str, status: str, control: int) -> None:
    conn.execute(
        x12_outbound.insert().values(
            partner="acme",
            group_control=1,
            transaction_control=control,
            interchange_control=1,
            transaction_code="850",
            functional_id="PO",
            message_id=message_id,
            delivery_id=f"D-{message_id}",
            created_at=NOW - 100 * DAY,
            status=status,
        )
    )


def message_ids(conn: Connection) -> set[str]:
    return {str(i) for i in conn.execute(select(messages.c.id)).scalars()}
