"""Applying one event to one flow instance, inside the caller's unit of work.

Shared by the message consumer (`engine.FlowEngine`) and the timer job (`timers.TimerJob`):
load or create the instance, let the flow react, then write everything the reaction asked for
— state with an optimistic version check, timers, exceptions, emitted documents — in the
caller's transaction. Nothing here commits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

import orjson
from pydantic import ValidationError

from crossdock.canonical.registry import document_model
from crossdock.canonical.versions import upcast
from crossdock.hub.flows.exceptions import to_record
from crossdock.hub.flows.model import (
    HELD,
    DeliveredEvent,
    EmittedDocument,
    FlowDefinition,
    FlowEvent,
    FlowState,
    MessageEvent,
    TimerEvent,
    held_events,
)
from crossdock.hub.ids import new_id
from crossdock.hub.intake import fitted_key, record
from crossdock.hub.ports import UnitOfWork
from crossdock.hub.records import InboundMessage, MessageStatus

FLOW_CHANNEL = "flow"
MAX_RELEASE_ROUNDS = 10  # released events may release others; a flow cannot loop forever


class EmitError(ValueError):
    """A flow emitted a document its canonical model refuses: a bug in the flow."""


@dataclass(slots=True)
class Advanced:
    """What applying an event did: the instance after it (None when nothing happened)."""

    state: FlowState | None = None
    emitted: list[str] = field(default_factory=list)  # message ids
    exceptions: list[str] = field(default_factory=list)  # exception ids


def _cause(event: FlowEvent) -> tuple[str | None, str]:
    """(causation message id, a stable token for idempotency keys) of an event."""
    if isinstance(event, MessageEvent):
        token = event.message_id if not event.replay else f"{event.message_id}.r{event.replay}"
        return event.message_id, token
    if isinstance(event, DeliveredEvent):
        token = f"delivered:{event.delivery_id}"
        return event.message_id, token if not event.replay else f"{token}.r{event.replay}"
    return None, f"timer:{event.name}@{int(event.due_at.timestamp() * 1000)}"


def _emission_key(key: str, token: str, index: int) -> str:
    """Stable per (instance, cause, position): a second emission of the same command is
    recorded once, whatever happens upstream. Digested when it would not fit the column."""
    return fitted_key(f"{key}/{token}/{index}")


class Advancer:
    """Applies events to instances of the given flows."""

    def __init__(
        self,
        lane_for: Callable[[str], str],
        clock: Callable[[], datetime],
    ) -> None:
        self._lane_for = lane_for
        self._clock = clock

    def advance(
        self, uow: UnitOfWork, definition: FlowDefinition, key: str, event: FlowEvent
    ) -> Advanced:
        """React to `event` on instance (definition, key) and write the effects.

        Raises:
            FlowConflict: the instance changed under us (the caller retries the event later).
            EmitError: the flow emitted an invalid document.
        """
        now = self._clock()
        stored = uow.flows.get(definition.name, key)
        expected = stored.version if stored is not None else 0
        state = stored or FlowState(
            flow=definition.name,
            key=key,
            state=definition.initial_state,
            data={},
            version=0,
            created_at=now,
            updated_at=now,
        )
        outcome = Advanced()
        pending: list[FlowEvent] = [event]
        changed = False
        rounds = 0
        while pending:
            current = pending.pop(0)
            reaction = definition.react(state, current)
            if reaction.is_noop:
                continue
            changed = True
            state = replace(
                state,
                state=reaction.state or state.state,
                data={**state.data, **reaction.data},
                completed=state.completed or reaction.complete,
            )
            cause, token = _cause(current)
            for timer in reaction.set_timers:
                uow.flows.set_timer(definition.name, key, timer.name, timer.due_at)
            if reaction.cancel_timers:
                uow.flows.cancel_timers(definition.name, key, list(reaction.cancel_timers))
            for raised in reaction.exceptions:
                exception = to_record(
                    raised, id=new_id(), created_at=now, flow=definition.name, key=key, cause=cause
                )
                uow.exceptions.add(exception)
                outcome.exceptions.append(exception.id)
            outcome.emitted.extend(
                self._emit(uow, definition, key, list(reaction.emit), cause, token, now)
            )
            if reaction.release_held and rounds < MAX_RELEASE_ROUNDS:
                rounds += 1
                kept = state.data.get(HELD) or []
                state.data = {k: v for k, v in state.data.items() if k != HELD}
                pending.extend(held_events(kept, now))
        if not changed:
            return outcome
        if state.completed:
            uow.flows.cancel_timers(definition.name, key, None)
        state = replace(state, version=expected + 1, updated_at=now)
        uow.flows.save(state, expected)
        outcome.state = state
        return outcome

    def _emit(
        self,
        uow: UnitOfWork,
        definition: FlowDefinition,
        key: str,
        documents: list[EmittedDocument],
        cause: str | None,
        token: str,
        now: datetime,
    ) -> list[str]:
        """Validate, record and announce emitted documents (as intake does)."""
        messages = []
        for index, emitted in enumerate(documents):
            model = document_model(emitted.document_type)
            if model is None:
                raise EmitError(
                    f"flow {definition.name} emitted unknown type {emitted.document_type!r}"
                )
            try:
                document = model.model_validate(dict(emitted.canonical))
            except ValidationError as exc:
                raise EmitError(
                    f"flow {definition.name} emitted an invalid {emitted.document_type}: {exc}"
                ) from exc
            canonical = document.model_dump_json(exclude_none=True).encode()
            messages.append(
                InboundMessage(
                    id=new_id(),
                    document_type=emitted.document_type,
                    schema_version=model.schema_version,
                    source=definition.source,
                    channel=FLOW_CHANNEL,
                    received_at=now,
                    content_type="application/json",
                    raw=canonical,
                    body_sha256=hashlib.sha256(canonical).hexdigest(),
                    status=MessageStatus.ACCEPTED,
                    lane=self._lane_for(emitted.document_type),
                    correlation_key=emitted.correlation_key or document.correlation_key(),
                    causation_id=cause,
                    idempotency_key=_emission_key(key, token, index),
                    canonical=canonical,
                )
            )
        if not messages:
            return []
        outcomes = record(uow, messages)
        return [o.message_id for o in outcomes if not (o.duplicate or o.conflict)]


def message_event(
    message_id: str,
    document_type: str,
    source: str,
    canonical: bytes,
    received_at: datetime,
    at: datetime,
    correlation_key: str | None = None,
    replay: int = 0,
    schema_version: int = 0,
) -> MessageEvent:
    """A recorded message as the event flows see: in its type's current schema version (a
    document stored under an older one is read through its upcasters)."""
    return MessageEvent(
        message_id=message_id,
        document_type=document_type,
        source=source,
        canonical=upcast(document_type, orjson.loads(canonical), schema_version),
        received_at=received_at,
        at=at,
        correlation_key=correlation_key,
        replay=replay,
    )


def timer_event(name: str, due_at: datetime, at: datetime) -> TimerEvent:
    return TimerEvent(name=name, due_at=due_at, at=at)
