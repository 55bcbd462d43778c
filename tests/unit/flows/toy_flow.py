"""A toy flow for the engine's tests: "order follow-up".

A purchase order opens it and starts an "ack due" timer; the acknowledgment moves it to
acknowledged, cancels the timer and forwards the acknowledgment (an emitted document); the
timer firing first raises a late_acknowledgment exception. An acknowledgment that arrives
before its PO is held until the PO opens the flow.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from crossdock.hub.flows import (
    EmittedDocument,
    ExceptionCategory,
    FlowDefinition,
    FlowEvent,
    FlowState,
    MessageEvent,
    RaisedException,
    Reaction,
    SetTimer,
    by_field,
    hold,
)

NAME = "order_follow_up"
ACK_DUE = timedelta(hours=24)


def opened(ack_due: timedelta) -> Callable[[FlowState, FlowEvent], Reaction]:
    def react(state: FlowState, event: FlowEvent) -> Reaction:
        assert isinstance(event, MessageEvent)
        return Reaction(
            state="sent",
            data={"po_message": event.message_id, "lines": len(event.canonical["lines"])},
            set_timers=[SetTimer("ack_due", event.at + ack_due)],
            release_held=True,
        )

    return react


def early_ack(state: FlowState, event: FlowEvent) -> Reaction:
    assert isinstance(event, MessageEvent)
    return Reaction(data=hold(state, event))


def acknowledged(state: FlowState, event: FlowEvent) -> Reaction:
    assert isinstance(event, MessageEvent)
    return Reaction(
        state="acknowledged",
        data={"ack_message": event.message_id, "late": state.state == "late"},
        cancel_timers=["ack_due"],
        emit=[EmittedDocument("purchase_order_acknowledgment", event.canonical)],
    )


def late(state: FlowState, event: FlowEvent) -> Reaction:
    return Reaction(
        state="late",
        exceptions=[
            RaisedException(
                ExceptionCategory.LATE_ACKNOWLEDGMENT,
                f"purchase order {state.key} not acknowledged in time",
                evidence=[state.data["po_message"]],
            )
        ],
    )


def definition(ack_due: timedelta = ACK_DUE) -> FlowDefinition:
    return FlowDefinition(
        name=NAME,
        keys={
            "purchase_order": by_field("po_number"),
            "purchase_order_acknowledgment": by_field("po_number"),
        },
        initial_state="new",
        transitions={
            ("new", "purchase_order"): opened(ack_due),
            ("new", "purchase_order_acknowledgment"): early_ack,
            ("sent", "purchase_order_acknowledgment"): acknowledged,
            ("late", "purchase_order_acknowledgment"): acknowledged,
            ("sent", "timer:ack_due"): late,
        },
    )
