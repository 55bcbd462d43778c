"""How a flow is declared: data plus small pure functions.

A flow (process manager) follows one business transaction — a purchase order from creation to
matched invoice — across systems. It is declared as a `FlowDefinition`:

- `keys`: for each document type it cares about, which instances a document advances (an
  acknowledgment advances its PO; a ship notice advances every PO it names);
- `initial_state` for a new instance;
- `transitions`: `(state or "*", event kind) -> react(state, event) -> Reaction`, where the
  event kind is the document type of a message, ``timer:<name>`` for a fired timer, or
  ``delivered:<document type>`` when the hub delivered one of the instance's documents to
  its receiver (where an SLA that measures that receiver starts).

`react` is pure: it reads the instance (`FlowState`, its `data` a JSON object the flow owns)
and the event, and returns what should happen. The engine does the rest in one transaction:
new state and data, emitted documents recorded and announced (so routes deliver them),
timers set or cancelled, exceptions raised.

Example — acknowledgments due 24 h after the PO::

    def opened(state: FlowState, event: FlowEvent) -> Reaction:
        return Reaction(state="sent", set_timers=[SetTimer("ack_due", event.at + DAY)])

    def acknowledged(state: FlowState, event: FlowEvent) -> Reaction:
        return Reaction(state="acknowledged", cancel_timers=["ack_due"])

    def late(state: FlowState, event: FlowEvent) -> Reaction:
        return Reaction(exceptions=[RaisedException(
            ExceptionCategory.LATE_ACKNOWLEDGMENT, f"PO {state.key} not acknowledged")])

    FlowDefinition(
        name="po_follow_up",
        keys={"purchase_order": by_field("po_number"),
              "purchase_order_acknowledgment": by_field("po_number")},
        initial_state="new",
        transitions={("new", "purchase_order"): opened,
                     ("sent", "purchase_order_acknowledgment"): acknowledged,
                     ("sent", "timer:ack_due"): late},
    )

Events that come early (an acknowledgment before its PO) can be kept with `hold(state,
event)` and handed back with `Reaction(release_held=True)` once the flow is ready for them.
A completed instance (``Reaction(complete=True)``, which also drops its pending timers) still
receives events — a milestone after the proof of delivery — and its transitions decide.
Timers configurable per partner: `bootstrap.build_flows(settings)` builds the definitions, so
a transition can close over the settings and pick the partner's SLA from the document.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from crossdock.hub.flows.exceptions import RaisedException

ANY_STATE = "*"
TIMER_PREFIX = "timer:"
DELIVERED_PREFIX = "delivered:"
HELD = "_held"  # the key in `data` under which `hold` keeps early events


@dataclass(slots=True, frozen=True)
class MessageEvent:
    """A recorded message that names this instance. `at` is when the engine handles it (use
    it, not the wall clock, to set timers: react stays pure and testable)."""

    message_id: str
    document_type: str
    source: str
    canonical: Mapping[str, Any]
    received_at: datetime
    at: datetime
    correlation_key: str | None = None
    replay: int = 0

    @property
    def kind(self) -> str:
        return self.document_type


@dataclass(slots=True, frozen=True)
class TimerEvent:
    """A timer that came due. `at` is when it fired (at or after `due_at`)."""

    name: str
    due_at: datetime
    at: datetime

    @property
    def kind(self) -> str:
        return TIMER_PREFIX + self.name


@dataclass(slots=True, frozen=True)
class DeliveredEvent:
    """A document of this instance reached its receiver (`hub/delivered.py`): the endpoint
    behind `route` accepted it at `delivered_at`. Its kind is ``delivered:<document type>``;
    a partner's SLA clock starts here, so the hub's backlog before it is never the partner's.
    `at` is when the engine handles it."""

    message_id: str
    document_type: str
    canonical: Mapping[str, Any]
    delivery_id: str
    route: str
    endpoint: str
    delivered_at: datetime
    at: datetime
    replay: int = 0

    @property
    def kind(self) -> str:
        return DELIVERED_PREFIX + self.document_type


FlowEvent = MessageEvent | TimerEvent | DeliveredEvent


@dataclass(slots=True)
class FlowState:
    """One flow instance as stored. `version` counts saves (optimistic concurrency)."""

    flow: str
    key: str
    state: str
    data: dict[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime
    completed: bool = False


@dataclass(slots=True)
class FlowTimer:
    """A stored timer; `fired_at` is set once it has fired (and it never fires again unless a
    reaction sets it anew)."""

    flow: str
    key: str
    name: str
    due_at: datetime
    lease_until: float = 0.0
    lease_owner: str | None = None
    fired_at: datetime | None = None


@dataclass(slots=True, frozen=True)
class EmittedDocument:
    """A canonical document the flow issues (a command to a system). It is validated, recorded
    as a message (source ``crossdock.flow.<flow>``, causation id = the event's message id) and
    announced like any intake, so routes deliver it. `correlation_key` defaults to the
    document's own."""

    document_type: str
    canonical: Mapping[str, Any]
    correlation_key: str | None = None


@dataclass(slots=True, frozen=True)
class SetTimer:
    """Set (or move) the instance's timer `name`; a timer of the same name is replaced."""

    name: str
    due_at: datetime


@dataclass(slots=True)
class Reaction:
    """What one event does to one instance. The default is "nothing happens"."""

    state: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)  # shallow update of FlowState.data
    emit: Sequence[EmittedDocument] = ()
    set_timers: Sequence[SetTimer] = ()
    cancel_timers: Sequence[str] = ()
    exceptions: Sequence[RaisedException] = ()
    complete: bool = False
    release_held: bool = False  # hand events kept with `hold` back to react, oldest first

    @property
    def is_noop(self) -> bool:
        return not (
            self.state
            or self.data
            or self.emit
            or self.set_timers
            or self.cancel_timers
            or self.exceptions
            or self.complete
            or self.release_held
        )


React = Callable[[FlowState, FlowEvent], Reaction]
KeyFunction = Callable[[Mapping[str, Any]], list[str]]


@dataclass(slots=True, frozen=True)
class FlowDefinition:
    """A flow declared as data: see the module docstring.

    Attributes:
        name: stable identifier (stored with every instance; also the source of what it emits).
        keys: document type -> the instance keys a document of that type advances.
        initial_state: the state of an instance created by its first event.
        transitions: (state or "*", event kind) -> react. An exact state wins over "*";
            an event with no transition is ignored (an instance is only created when some
            reaction does something).
        lane: the lane whose flow consumer runs it (``flow.<lane>``).
    """

    name: str
    keys: Mapping[str, KeyFunction]
    initial_state: str
    transitions: Mapping[tuple[str, str], React]
    lane: str = "critical"

    def __post_init__(self) -> None:
        """Catch declaration mistakes when the hub starts, not when the first event comes."""
        if not self.name or len(self.name) > 64:
            raise ValueError(f"flow name must be 1-64 characters: {self.name!r}")
        if not self.initial_state:
            raise ValueError(f"flow {self.name}: initial_state is empty")
        for state, kind in self.transitions:
            if kind.startswith(TIMER_PREFIX):
                continue
            if kind.removeprefix(DELIVERED_PREFIX) not in self.keys:
                raise ValueError(
                    f"flow {self.name}: transition ({state!r}, {kind!r}) reacts to a document "
                    f"type it has no key function for (known: {', '.join(sorted(self.keys))})"
                )

    @property
    def source(self) -> str:
        return f"crossdock.flow.{self.name}"

    @property
    def document_types(self) -> list[str]:
        return sorted(self.keys)

    @property
    def delivered_types(self) -> list[str]:
        """Document types whose deliveries this flow reacts to (``delivered:<type>``)."""
        kinds = {kind for _state, kind in self.transitions}
        return sorted(k.removeprefix(DELIVERED_PREFIX) for k in kinds
                      if k.startswith(DELIVERED_PREFIX))  # fmt: skip

    def keys_for(self, document_type: str, document: Mapping[str, Any]) -> list[str]:
        """The instances a document advances, without duplicates or blanks, in order."""
        extract = self.keys.get(document_type)
        if extract is None:
            return []
        return list(dict.fromkeys(k for k in extract(document) if k))

    def react(self, state: FlowState, event: FlowEvent) -> Reaction:
        """Dispatch to the transition for (state, kind), else ("*", kind), else nothing.

        The flow gets a copy of the instance: a reaction can only change it by what it returns.
        """
        handler = self.transitions.get((state.state, event.kind)) or self.transitions.get(
            (ANY_STATE, event.kind)
        )
        if handler is None:
            return Reaction()
        snapshot = copy.copy(state)
        snapshot.data = _copy_data(state.data)
        return handler(snapshot, event)


_ATOMS = frozenset({str, int, float, bool, type(None)})


def _copy_data(value: Any) -> Any:
    """A deep copy of instance data, as `copy.deepcopy` makes it but several times faster.

    Flows do change the copy they get (`p2p_checks.flag` appends to ``data["flagged"]``), so
    it must be deep. The data is JSON (plain dicts, lists and scalars) apart from what a
    reaction put there since it was loaded: other objects are left to `copy.deepcopy`.
    """
    kind = type(value)
    if kind is dict:
        return {k: v if type(v) in _ATOMS else _copy_data(v) for k, v in value.items()}
    if kind is list:
        return [v if type(v) in _ATOMS else _copy_data(v) for v in value]
    if kind in _ATOMS:
        return value
    return copy.deepcopy(value)


def by_field(name: str) -> KeyFunction:
    """Key function: the document's top-level field `name` (e.g. ``po_number``)."""

    def keys(document: Mapping[str, Any]) -> list[str]:
        value = document.get(name)
        return [str(value)] if value else []

    return keys


def by_fields(path: str, name: str) -> KeyFunction:
    """Key function: field `name` of every item of the list `path` (an ASN's ``orders``)."""

    def keys(document: Mapping[str, Any]) -> list[str]:
        items = document.get(path) or []
        return [str(item[name]) for item in items if isinstance(item, Mapping) and item.get(name)]

    return keys


# -- early events ---------------------------------------------------------------------------


def hold(state: FlowState, event: MessageEvent) -> dict[str, Any]:
    """A `Reaction.data` update that keeps `event` for later (it came before the flow was
    ready for it). Release with ``Reaction(release_held=True)``."""
    kept = {
        "message_id": event.message_id,
        "document_type": event.document_type,
        "source": event.source,
        "canonical": dict(event.canonical),
        "received_at": event.received_at.isoformat(),
        "correlation_key": event.correlation_key,
        "replay": event.replay,
    }
    return {HELD: [*held(state), kept]}


def held(state: FlowState) -> list[dict[str, Any]]:
    """Events kept with `hold`, oldest first."""
    return list(state.data.get(HELD) or [])


def held_events(kept: Sequence[Mapping[str, Any]], at: datetime) -> list[MessageEvent]:
    """Kept events as message events again, handled `at`."""
    return [
        MessageEvent(
            message_id=k["message_id"],
            document_type=k["document_type"],
            source=k["source"],
            canonical=k["canonical"],
            received_at=datetime.fromisoformat(k["received_at"]),
            at=at,
            correlation_key=k.get("correlation_key"),
            replay=int(k.get("replay") or 0),
        )
        for k in kept
    ]
