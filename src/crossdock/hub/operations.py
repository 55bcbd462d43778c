"""Operator queries and actions, shared by the HTTP API and the CLI.

They take the ports, never a session, so the same call answers `GET /v1/messages/{id}` and
`crossdock messages show ID`, whether the hub is running or not.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import orjson

from crossdock.hub.ports import Bus, UnitOfWork
from crossdock.hub.records import DeadLetter, MessageFilter, MessageSummary
from crossdock.observability.tracing import trace_id_of

ROUTE_GROUP_PREFIX = "route."
REPLAY_CHUNK = 500


def summary_dict(s: MessageSummary) -> dict[str, Any]:
    return {
        "id": s.id,
        "document_type": s.document_type,
        "source": s.source,
        "channel": s.channel,
        "correlation_key": s.correlation_key,
        "status": s.status,
        "received_at": s.received_at.isoformat(),
        "duplicates": s.duplicates,
        "sender": s.sender,
        "partner": s.partner,
    }


def message_view(
    uow: UnitOfWork, message_id: str, *, include_raw: bool = False
) -> dict[str, Any] | None:
    """A message with its canonical payload, errors, warnings, deliveries and every attempt."""
    message = uow.messages.get(message_id)
    if message is None:
        return None
    deliveries = uow.deliveries.for_message(message_id)
    attempts = uow.deliveries.attempts([d.id for d in deliveries]) if deliveries else []
    by_delivery: dict[str, list[dict[str, Any]]] = {}
    for a in attempts:
        by_delivery.setdefault(a.delivery_id, []).append(
            {
                "attempt": a.attempt,
                "started_at": a.started_at.isoformat(),
                "duration_ms": round(a.duration_ms, 3),
                "outcome": a.outcome,
                "status_code": a.status_code,
                "error": a.error,
            }
        )
    view = summary_dict(message.summary) | {
        "schema_version": message.schema_version,
        "causation_id": message.causation_id,
        "idempotency_key": message.idempotency_key,
        "content_type": message.content_type,
        "lane": message.lane,
        "body_sha256": message.body_sha256,
        "errors": message.errors,
        "warnings": message.warnings,
        "trace_id": trace_id_of(message.trace_context),
        "canonical": orjson.loads(message.canonical) if message.canonical else None,
        "deliveries": [
            {
                "id": d.id,
                "route": d.route,
                "endpoint": d.endpoint,
                "lane": d.lane,
                "idempotency_key": d.idempotency_key,
                "status": d.status.value,
                "attempts": by_delivery.get(d.id, []),
                "last_error": d.last_error,
            }
            for d in deliveries
        ],
    }
    if include_raw:
        view["raw"] = message.raw.decode("utf-8", errors="replace")
    return view


def list_messages(
    uow: UnitOfWork, flt: MessageFilter, limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    return [summary_dict(s) for s in uow.messages.find(flt, limit=limit, offset=offset)]


class ReplayError(ValueError):
    """The replay request names no message or no known consumer group."""


def replay(
    uow: UnitOfWork,
    bus: Bus,
    flt: MessageFilter,
    group: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Hand matching accepted messages to a consumer group again (default: their routing lane).

    Routing a replay creates fresh deliveries whose idempotency keys carry the replay number, so
    receivers see a deliberate resend rather than a duplicate to drop.
    """
    found = uow.messages.ids(flt)
    if not found:
        raise ReplayError("no message matches the replay filter")
    known = {g.name for g in bus.groups()}
    by_group: dict[str, list[str]] = {}
    for message_id, _key, lane in found:
        target = group or f"{ROUTE_GROUP_PREFIX}{lane}"
        if target not in known:
            raise ReplayError(
                f"unknown consumer group {target!r} (known: {', '.join(sorted(known))})"
            )
        by_group.setdefault(target, []).append(message_id)
    replayed: dict[str, int] = {}
    done = 0
    for name, ids in by_group.items():
        for start in range(0, len(ids), REPLAY_CHUNK):
            chunk = ids[start : start + REPLAY_CHUNK]
            replayed[name] = replayed.get(name, 0) + bus.replay(name, chunk)
            done += len(chunk)
            if progress is not None:
                progress(done, len(found))
    if not any(replayed.values()):
        raise ReplayError(
            f"{len(found)} message(s) matched but none was replayed: rejected messages have no "
            "canonical form to route, and a routing group only takes document types some route "
            "names (check the routes in the configuration)"
        )
    return {"matched": len(found), "replayed": replayed}


def dead_letter_dict(d: DeadLetter) -> dict[str, Any]:
    return {
        "id": d.pending_id,
        "group": d.group,
        "message_id": d.message_id,
        "subject": d.subject,
        "key": d.key,
        "deliveries": d.deliveries,
        "last_error": d.last_error,
        "dead_at": d.dead_at.isoformat() if d.dead_at else None,
    }


def retry_dead_letters(bus: Bus, group: str | None, ids: Sequence[int] | None) -> int:
    return bus.retry_dead_letters(group, ids)


def endpoints_view(uow: UnitOfWork, bus: Bus, configured: Sequence[str]) -> list[dict[str, Any]]:
    """Circuit state, backlog and dead letters per endpoint (configured or seen in the store)."""
    states = {s.name: s for s in uow.endpoints.all()}
    backlog = bus.backlog()
    dead = bus.dead_letters(limit=1_000_000)
    names = sorted(set(configured) | set(states))
    rows = []
    for name in names:
        state = states.get(name)
        rows.append(
            {
                "name": name,
                "configured": name in configured,
                "circuit": state.circuit if state else "closed",
                "consecutive_failures": state.consecutive_failures if state else 0,
                "opened_at": state.opened_at.isoformat() if state and state.opened_at else None,
                "backlog": sum(
                    n
                    for g, n in backlog.items()
                    if g.endswith(f".{name}") and g.startswith("deliver.")
                ),
                "dead_letters": sum(
                    1
                    for d in dead
                    if d.group.endswith(f".{name}") and d.group.startswith("deliver.")
                ),
            }
        )
    return rows
