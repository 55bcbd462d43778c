"""Operator queries and actions on exceptions and flow instances, shared by API and CLI.

The bus writes in transactions of its own, so the actions that touch it (retry, replay) read
the exception in a read-only unit of work, act on the bus, then note the action on the
exception in a short write — never holding a write transaction while the bus waits for one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from crossdock.hub import operations as ops
from crossdock.hub.flows.exceptions import (
    ExceptionAction,
    ExceptionCategory,
    ExceptionRecord,
    ExceptionStatus,
)
from crossdock.hub.flows.model import HELD, FlowState, FlowTimer
from crossdock.hub.ports import Bus, UnitOfWork, UnitOfWorkFactory
from crossdock.hub.records import MessageFilter

MAX_DEAD_LETTER_SCAN = 1_000_000


class ExceptionNotFound(LookupError):
    pass


class ExceptionActionError(ValueError):
    """The action does not apply (already resolved, nothing to retry or replay)."""


def exception_dict(r: ExceptionRecord) -> dict[str, Any]:
    return {
        "id": r.id,
        "category": r.category.value,
        "status": r.status.value,
        "owner_role": r.owner_role,
        "flow": r.flow,
        "correlation_key": r.correlation_key,
        "detail": r.detail,
        "evidence": list(r.evidence),
        "data": r.data,
        "created_at": r.created_at.isoformat(),
        "resolved_at": r.resolved_at.isoformat() if r.resolved_at else None,
        "resolution": r.resolution,
        "actions": [a.as_dict() for a in r.actions],
    }


def list_exceptions(
    uow: UnitOfWork,
    *,
    category: ExceptionCategory | None = None,
    status: ExceptionStatus | None = None,
    correlation_key: str | None = None,
    flow: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    rows = uow.exceptions.find(
        category=category,
        status=status,
        correlation_key=correlation_key,
        flow=flow,
        limit=limit,
        offset=offset,
    )
    return [exception_dict(r) for r in rows]


def exception_view(uow: UnitOfWork, exception_id: str) -> dict[str, Any] | None:
    """An exception with a summary of each evidence message (what an operator opens next)."""
    record = uow.exceptions.get(exception_id)
    if record is None:
        return None
    found = uow.messages.get_many(record.evidence, with_raw=False) if record.evidence else {}
    view = exception_dict(record)
    view["evidence_messages"] = [
        ops.summary_dict(found[m].summary) if m in found else {"id": m, "missing": True}
        for m in record.evidence
    ]
    return view


def _require(uow: UnitOfWork, exception_id: str) -> ExceptionRecord:
    record = uow.exceptions.get(exception_id)
    if record is None:
        raise ExceptionNotFound(f"no exception with id {exception_id!r}")
    return record


def resolve_exception(
    uow: UnitOfWork, exception_id: str, reason: str, now: datetime | None = None
) -> dict[str, Any]:
    """Close an open exception with the operator's reason. Caller commits."""
    reason = reason.strip()
    if not reason:
        raise ExceptionActionError("a resolution needs a reason")
    record = _require(uow, exception_id)
    if record.status is ExceptionStatus.RESOLVED:
        raise ExceptionActionError(
            f"exception {exception_id} is already resolved ({record.resolution})"
        )
    if not uow.exceptions.resolve(exception_id, reason, now or datetime.now(UTC)):
        raise ExceptionActionError(f"exception {exception_id} was resolved meanwhile")
    resolved = _require(uow, exception_id)
    return exception_dict(resolved)


def _note(writer: UnitOfWorkFactory, exception_id: str, action: ExceptionAction) -> None:
    with writer() as uow:
        uow.exceptions.note_action(exception_id, action)
        uow.commit()


def retry_exception(
    reader: UnitOfWorkFactory, writer: UnitOfWorkFactory, bus: Bus, exception_id: str
) -> dict[str, Any]:
    """Re-deliver the dead letters of the exception's evidence messages (in any group)."""
    with reader() as uow:
        record = _require(uow, exception_id)
    evidence = set(record.evidence)
    dead = [d for d in bus.dead_letters(None, MAX_DEAD_LETTER_SCAN) if d.message_id in evidence]
    if not dead:
        raise ExceptionActionError(
            f"no dead letters for the evidence of {exception_id} "
            f"({', '.join(record.evidence) or 'no evidence'}): nothing to retry"
        )
    count = bus.retry_dead_letters(None, [d.pending_id for d in dead])
    groups = sorted({d.group for d in dead})
    _note(
        writer,
        exception_id,
        ExceptionAction(
            "retry", datetime.now(UTC), f"{count} dead letter(s) in {', '.join(groups)}"
        ),
    )
    return {"exception": exception_id, "retried": count, "groups": groups}


def replay_exception(
    reader: UnitOfWorkFactory,
    writer: UnitOfWorkFactory,
    bus: Bus,
    exception_id: str,
    group: str | None = None,
) -> dict[str, Any]:
    """Replay the evidence messages to a consumer group (default: their routing lane)."""
    with reader() as uow:
        record = _require(uow, exception_id)
        if not record.evidence:
            raise ExceptionActionError(f"exception {exception_id} has no evidence to replay")
        try:
            result = ops.replay(uow, bus, MessageFilter(ids=list(record.evidence)), group)
        except ops.ReplayError as exc:
            raise ExceptionActionError(str(exc)) from exc
    summary = ", ".join(f"{n} to {g}" for g, n in result["replayed"].items())
    _note(writer, exception_id, ExceptionAction("replay", datetime.now(UTC), summary))
    return {"exception": exception_id, **result}


# -- flow instances -------------------------------------------------------------------------


def flow_dict(s: FlowState) -> dict[str, Any]:
    return {
        "flow": s.flow,
        "key": s.key,
        "state": s.state,
        "completed": s.completed,
        "version": s.version,
        "created_at": s.created_at.isoformat(),
        "updated_at": s.updated_at.isoformat(),
        "held_events": len(s.data.get(HELD) or []),
    }


def timer_dict(t: FlowTimer) -> dict[str, Any]:
    return {
        "name": t.name,
        "due_at": t.due_at.isoformat(),
        "fired_at": t.fired_at.isoformat() if t.fired_at else None,
        "leased": t.lease_until > datetime.now(UTC).timestamp() and t.fired_at is None,
    }


def list_flows(
    uow: UnitOfWork,
    *,
    flow: str | None = None,
    state: str | None = None,
    completed: bool | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    rows = uow.flows.find(flow=flow, state=state, completed=completed, limit=limit, offset=offset)
    return [flow_dict(s) for s in rows]


def flow_view(uow: UnitOfWork, flow: str, key: str) -> dict[str, Any] | None:
    """One instance: state, data, timers and its exceptions."""
    state = uow.flows.get(flow, key)
    if state is None:
        return None
    exceptions = uow.exceptions.find(flow=flow, correlation_key=key, limit=1000)
    return flow_dict(state) | {
        "data": state.data,
        "timers": [timer_dict(t) for t in uow.flows.timers(flow, key)],
        "exceptions": [exception_dict(e) for e in exceptions],
    }


def flow_counts(uow: UnitOfWork, flow: str | None = None) -> list[dict[str, Any]]:
    return [
        {"flow": c.flow, "state": c.state, "completed": c.completed, "count": c.count}
        for c in uow.flows.counts(flow)
    ]
