"""The flow engine on a real SQLite file: state, duplicates, order, conflicts, emissions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from crossdock.hub.flows.engine import FlowEngine, flow_group
from crossdock.hub.flows.exceptions import ExceptionCategory, RaisedException
from crossdock.hub.flows.model import (
    ANY_STATE,
    HELD,
    FlowDefinition,
    FlowEvent,
    FlowState,
    MessageEvent,
    Reaction,
    SetTimer,
    TimerEvent,
    by_field,
    by_fields,
)
from crossdock.hub.flows.ports import FlowConflict, FlowStore
from crossdock.hub.records import ConsumerGroup, MessageFilter
from crossdock.hub.routing import Route, Router
from tests.conftest import SqlStore
from tests.unit.flows.helpers import (
    FLOW,
    GROUP,
    T0,
    Clock,
    drain,
    engine,
    example,
    lane_for,
    recorded,
)
from tests.unit.flows.p2p_documents import ship_notice
from tests.unit.flows.toy_flow import ACK_DUE, NAME

PO_NUMBER = example("purchase_order")["po_number"]


def test_the_flow_group_subscribes_to_the_types_its_flows_name() -> None:
    assert GROUP.name == "flow.critical"
    assert GROUP.subjects == (
        "doc.critical.purchase_order",
        "doc.critical.purchase_order_acknowledgment",
    )


def test_a_purchase_order_opens_the_flow_and_its_acknowledgment_advances_it(
    store: SqlStore,
) -> None:
    clock = Clock()
    flows = engine(clock)
    po = recorded(store, "purchase_order")

    first = drain(store, flows)

    assert first.total("advanced") == 1 and first.failed == []
    with store.uow.reader() as uow:
        state = uow.flows.get(NAME, PO_NUMBER)
        timers = uow.flows.timers(NAME, PO_NUMBER)
    assert state is not None
    assert (state.state, state.version, state.completed) == ("sent", 1, False)
    assert state.data == {"po_message": po.id, "lines": len(example("purchase_order")["lines"])}
    assert [(t.name, t.due_at, t.fired_at) for t in timers] == [("ack_due", T0 + ACK_DUE, None)]

    clock.now = T0 + timedelta(hours=3)
    ack = recorded(store, "purchase_order_acknowledgment")
    second = drain(store, flows)

    assert second.total("advanced") == 1 and second.total("emitted") == 1
    with store.uow.reader() as uow:
        state = uow.flows.get(NAME, PO_NUMBER)
        timers = uow.flows.timers(NAME, PO_NUMBER)
    assert state is not None
    assert (state.state, state.version) == ("acknowledged", 2)
    assert state.data["ack_message"] == ack.id and state.data["late"] is False
    assert state.created_at == T0 and state.updated_at == clock.now
    assert timers == []  # the acknowledgment cancelled "ack due"


def test_a_redelivered_message_is_harmless(store: SqlStore) -> None:
    flows = engine(Clock())
    recorded(store, "purchase_order")
    drain(store, flows)
    recorded(store, "purchase_order_acknowledgment")
    first = drain(store, flows, ack=False)  # handled and committed, but never acknowledged
    assert first.total("emitted") == 1

    with store.uow() as uow:  # the bus hands the same entry out again (e.g. after a crash)
        again = flows.handle_batch(uow, GROUP.name, first.entries)
        uow.commit()

    assert (again.duplicates, again.advanced, again.emitted, again.failed) == (1, 0, 0, [])
    with store.uow.reader() as uow:
        state = uow.flows.get(NAME, PO_NUMBER)
        emitted = uow.messages.find(MessageFilter(source=FLOW.source))
    assert state is not None and state.version == 2
    assert len(emitted) == 1


def test_an_acknowledgment_before_its_purchase_order_is_held_then_applied(
    store: SqlStore,
) -> None:
    flows = engine(Clock())
    ack = recorded(store, "purchase_order_acknowledgment")
    drain(store, flows)
    with store.uow.reader() as uow:
        early = uow.flows.get(NAME, PO_NUMBER)
    assert early is not None and early.state == "new"
    assert [h["message_id"] for h in early.data[HELD]] == [ack.id]

    po = recorded(store, "purchase_order")
    drain(store, flows)

    with store.uow.reader() as uow:
        state = uow.flows.get(NAME, PO_NUMBER)
        timers = uow.flows.timers(NAME, PO_NUMBER)
        emitted = uow.messages.find(MessageFilter(source=FLOW.source))
        forwarded = uow.messages.get(emitted[0].id)
    assert state is not None
    assert (state.state, state.data["po_message"], state.data["ack_message"]) == (
        "acknowledged",
        po.id,
        ack.id,
    )
    assert HELD not in state.data
    assert timers == []  # set by the PO, cancelled by the held acknowledgment
    assert forwarded is not None and forwarded.causation_id == ack.id


def test_an_event_with_no_transition_in_the_current_state_changes_nothing(
    store: SqlStore,
) -> None:
    flows = engine(Clock())
    po = example("purchase_order")
    recorded(store, "purchase_order")
    drain(store, flows)
    recorded(store, "purchase_order", po | {"purpose": "replace"}, key="po-v2")  # same PO
    again = drain(store, flows)

    assert again.total("advanced") == 0  # no ("sent", "purchase_order") transition
    with store.uow.reader() as uow:
        state = uow.flows.get(NAME, PO_NUMBER)
        assert uow.flows.find(flow=NAME) == [state]
    assert state is not None and state.version == 1


class _StaleReads:
    """A FlowStore whose reads return an instance as another worker saw it earlier."""

    def __init__(self, inner: FlowStore, stale: Any) -> None:
        self._inner = inner
        self._stale = stale

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def get(self, flow: str, key: str) -> Any:
        return self._stale


def test_a_concurrent_change_is_detected_and_the_message_retried(store: SqlStore) -> None:
    flows = engine(Clock())
    recorded(store, "purchase_order")
    drain(store, flows)
    with store.uow.reader() as uow:
        stale = uow.flows.get(NAME, PO_NUMBER)  # "sent", version 1
    recorded(store, "purchase_order_acknowledgment")
    drain(store, flows)  # another worker moves the instance to version 2

    recorded(store, "purchase_order_acknowledgment", key="ack-again")
    store.bus.ensure_group(GROUP)
    entries = store.bus.fetch(GROUP.name, 10)
    with store.uow() as uow:
        uow.flows = _StaleReads(uow.flows, stale)  # type: ignore[assignment]
        result = flows.handle_batch(uow, GROUP.name, entries)
        uow.commit()

    assert len(result.failed) == 1 and "FlowConflict" in result.failed[0][1]
    with store.uow.reader() as uow:
        state = uow.flows.get(NAME, PO_NUMBER)
        emitted = uow.messages.find(MessageFilter(source=FLOW.source))
    assert state is not None and state.version == 2  # nothing of the stale reaction stayed
    assert len(emitted) == 1
    with store.uow() as uow:  # the inbox claim rolled back too: the retry is processed
        retried = flows.handle_batch(uow, GROUP.name, entries)
        uow.commit()
    assert retried.failed == [] and retried.duplicates == 0


def test_the_store_refuses_a_save_from_an_outdated_version(store: SqlStore) -> None:
    flows = engine(Clock())
    recorded(store, "purchase_order")
    drain(store, flows)
    with store.uow.reader() as uow:
        seen = uow.flows.get(NAME, PO_NUMBER)
    assert seen is not None
    seen.version = 2
    with store.uow() as uow:
        uow.flows.save(seen, 1)
        uow.commit()
    with store.uow() as uow, pytest.raises(FlowConflict, match="no longer at version 1"):
        uow.flows.save(seen, 1)
    seen.version = 1
    with store.uow() as uow, pytest.raises(FlowConflict, match="created concurrently"):
        uow.flows.save(seen, 0)


def test_an_emitted_document_is_recorded_announced_and_routed(store: SqlStore) -> None:
    flows = engine(Clock())
    recorded(store, "purchase_order")
    ack = recorded(store, "purchase_order_acknowledgment")
    drained = drain(store, flows)

    with store.uow.reader() as uow:
        [summary] = uow.messages.find(MessageFilter(source=FLOW.source))
        emitted = uow.messages.get(summary.id)
    assert emitted is not None
    assert emitted.summary.document_type == "purchase_order_acknowledgment"
    assert emitted.summary.channel == "flow" and emitted.summary.status == "accepted"
    assert emitted.summary.correlation_key == PO_NUMBER
    assert emitted.causation_id == ack.id

    # The flow group got its own emission back and ignored it (no feedback loop).
    assert emitted.summary.id in [e.message_id for e in drained.entries]
    assert drained.total("advanced") == 2 and drained.total("emitted") == 1

    # A route for what the flow emits delivers it, like any intake.
    group = ConsumerGroup("route.critical", ("doc.critical.purchase_order_acknowledgment",))
    store.bus.ensure_group(group)
    route = Route("ack-to-erp", "purchase_order_acknowledgment", "erp", sources=(FLOW.source,))
    routed, created = [], 0
    while entries := store.bus.fetch(group.name, 10):  # one at a time: they share a key
        with store.uow() as uow:
            created += Router([route]).handle_batch(uow, group.name, entries).created
            uow.commit()
        store.bus.ack(group.name, entries)
        routed += [e.message_id for e in entries]
    with store.uow.reader() as uow:
        deliveries = uow.deliveries.for_message(emitted.summary.id)
    assert routed == [ack.id, emitted.summary.id]
    assert created == 1
    assert [d.route for d in deliveries] == ["ack-to-erp"]


def test_a_transition_on_a_document_type_without_keys_is_refused_at_declaration() -> None:
    with pytest.raises(ValueError, match=r"\('sent', 'invoice'\) reacts to a document type"):
        FlowDefinition(
            name="typo",
            keys={"purchase_order": by_field("po_number")},
            initial_state="new",
            transitions={("sent", "invoice"): lambda state, event: Reaction()},
        )


def test_an_asn_advances_every_order_it_names() -> None:
    asn = example("advance_ship_notice")
    keys = by_fields("orders", "po_number")(asn)
    assert keys and all(isinstance(k, str) for k in keys)
    flow = FlowDefinition(
        name="asn",
        keys={"advance_ship_notice": by_fields("orders", "po_number")},
        initial_state="new",
        transitions={},
    )
    assert flow.keys_for("advance_ship_notice", asn) == list(dict.fromkeys(keys))


def test_a_flow_is_a_pure_function_of_state_and_event() -> None:
    """Flows are tested without a store, and a reaction can only change what it returns."""

    def meddle(state: FlowState, event: FlowEvent) -> Reaction:
        state.data["meddled"] = True
        state.state = "meddled"
        return Reaction(state="sent", set_timers=[SetTimer("ack_due", event.at)])

    flow = FlowDefinition(
        name="pure",
        keys={"purchase_order": by_field("po_number")},
        initial_state="new",
        transitions={(ANY_STATE, "purchase_order"): meddle},
    )
    state = FlowState("pure", PO_NUMBER, "new", {"kept": 1}, 0, T0, T0)
    event = MessageEvent("M1", "purchase_order", "erp", example("purchase_order"), T0, T0)

    reaction = flow.react(state, event)

    assert (reaction.state, [t.name for t in reaction.set_timers]) == ("sent", ["ack_due"])
    assert (state.state, state.data) == ("new", {"kept": 1})
    assert flow.react(state, TimerEvent("nothing", T0, T0)).is_noop


def test_a_reaction_cannot_change_nested_data_in_place() -> None:
    """The copy a flow gets is deep: appending to a list in it leaves the instance as it was."""

    def meddle(state: FlowState, event: FlowEvent) -> Reaction:
        state.data["flagged"].append("meddled")
        state.data["book"]["lines"]["1"]["qty"] = "0"
        return Reaction()

    flow = FlowDefinition(
        name="pure",
        keys={"purchase_order": by_field("po_number")},
        initial_state="new",
        transitions={(ANY_STATE, "purchase_order"): meddle},
    )
    data: dict[str, Any] = {"flagged": ["a"], "book": {"lines": {"1": {"qty": "2"}}}}
    state = FlowState("pure", PO_NUMBER, "new", data, 1, T0, T0)
    event = MessageEvent("M1", "purchase_order", "erp", example("purchase_order"), T0, T0)

    assert flow.react(state, event).is_noop
    assert state.data == {"flagged": ["a"], "book": {"lines": {"1": {"qty": "2"}}}}


def _split_flow() -> FlowDefinition:
    """Advances every PO a ship notice names; the instance "PO-BAD" fails (a bug)."""

    def shipped(state: FlowState, event: FlowEvent) -> Reaction:
        if state.key == "PO-BAD":
            raise RuntimeError("the flow broke")
        return Reaction(
            state="shipped",
            data={"asn": event.canonical["asn_number"]} if isinstance(event, MessageEvent) else {},
            set_timers=[SetTimer("receipt_due", event.at + timedelta(days=1))],
            exceptions=[RaisedException(ExceptionCategory.SHORT_SHIPMENT, f"{state.key} short")],
        )

    return FlowDefinition(
        name="split",
        keys={"advance_ship_notice": by_fields("orders", "po_number")},
        initial_state="new",
        transitions={(ANY_STATE, "advance_ship_notice"): shipped},
    )


def test_a_failing_entry_rolls_back_alone_and_the_rest_of_its_batch_commits(
    store: SqlStore,
) -> None:
    split = _split_flow()
    flows = FlowEngine([split], lane_for=lane_for, clock=Clock())
    group = flow_group("critical", [split], lane_for)
    store.bus.ensure_group(group)
    bad = ship_notice("ASN-1", {1: 10}, po_number="PO-GOOD-1")  # advances PO-GOOD-1 first
    bad["orders"] += ship_notice("ASN-1", {1: 10}, po_number="PO-BAD")["orders"]
    recorded(store, "advance_ship_notice", bad, key="asn-1")
    recorded(store, "advance_ship_notice", ship_notice("ASN-2", {1: 10}, "PO-GOOD-2"), key="a2")
    recorded(store, "advance_ship_notice", ship_notice("ASN-3", {1: 10}, "PO-GOOD-3"), key="a3")
    entries = store.bus.fetch(group.name, 10)
    assert len(entries) == 3

    with store.uow() as uow:
        result = flows.handle_batch(uow, group.name, entries)
        uow.commit()

    assert (result.advanced, result.exceptions, result.duplicates) == (2, 2, 0)
    assert [(e.message_id, error) for e, error in result.failed] == [
        (entries[0].message_id, "RuntimeError: the flow broke")
    ]
    with store.uow.reader() as uow:  # nothing the failing entry did stayed, not even its
        assert uow.flows.get("split", "PO-GOOD-1") is None  # first instance's effects
        assert uow.flows.timers("split", "PO-GOOD-1") == []
        assert [s.key for s in uow.flows.find(flow="split")] == ["PO-GOOD-2", "PO-GOOD-3"]
        assert {e.correlation_key for e in uow.exceptions.find()} == {"PO-GOOD-2", "PO-GOOD-3"}
        assert len(uow.flows.timers("split", "PO-GOOD-2")) == 1
    with store.uow() as uow:  # its inbox claim rolled back too: a redelivery runs it again
        again = flows.handle_batch(uow, group.name, entries)
        uow.commit()
    assert (again.duplicates, len(again.failed), again.advanced) == (2, 1, 0)
