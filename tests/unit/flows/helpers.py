"""Shared helpers for the flow tests: a settable clock, recording examples, draining groups."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from crossdock.hub.flows.engine import FlowEngine, FlowResult, flow_group
from crossdock.hub.intake import record
from crossdock.hub.records import BusEntry, InboundMessage
from tests.conftest import EXAMPLES, SqlStore, inbound
from tests.unit.flows.toy_flow import definition

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def lane_for(_document_type: str) -> str:
    return "critical"


FLOW = definition()
GROUP = flow_group("critical", [FLOW], lane_for)


@dataclass
class Clock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now


def example(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_bytes())
    return loaded


def recorded(
    store: SqlStore,
    document_type: str,
    document: dict[str, Any] | None = None,
    *,
    source: str = "erp",
    key: str | None = None,
) -> InboundMessage:
    raw = json.dumps(document if document is not None else example(document_type)).encode()
    message = inbound(raw, source=source, key=key, document_type=document_type)
    assert message.errors == [], message.errors
    with store.uow() as uow:
        record(uow, [message])
        uow.commit()
    return message


def engine(clock: Clock) -> FlowEngine:
    return FlowEngine([FLOW], lane_for=lane_for, clock=clock)


@dataclass
class Drained:
    results: list[FlowResult] = field(default_factory=list)
    entries: list[BusEntry] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(getattr(r, name) for r in self.results)

    @property
    def failed(self) -> list[tuple[BusEntry, str]]:
        return [f for r in self.results for f in r.failed]


def drain(store: SqlStore, flows: FlowEngine, *, ack: bool = True) -> Drained:
    """Fetch and handle the flow group's entries until none is left (one key at a time, the
    bus hands entries with the same key out in order)."""
    store.bus.ensure_group(GROUP)
    out = Drained()
    for _ in range(50):
        entries = store.bus.fetch(GROUP.name, 100)
        if not entries:
            break
        with store.uow() as uow:
            result = flows.handle_batch(uow, GROUP.name, entries)
            uow.commit()
        out.results.append(result)
        out.entries.extend(entries)
        if not ack:
            break
        failed = {id(e) for e, _ in result.failed}
        store.bus.settle(
            GROUP.name,
            ack=[e for e in entries if id(e) not in failed],
            dead=[(e, err) for e, err in result.failed],
        )
    return out
