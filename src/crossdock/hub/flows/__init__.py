"""Flows: process managers that follow one business transaction across systems.

Declare a flow with the names exported here (`crossdock.hub.flows.model` explains how);
`engine.FlowEngine` advances instances from recorded messages, `timers.TimerJob` fires their
SLA timers, `actions` holds the operator queries and actions. Only pure modules are imported
here, so declaring a flow pulls in no ports.
"""

from crossdock.hub.flows.exceptions import (
    ExceptionCategory,
    ExceptionStatus,
    RaisedException,
)
from crossdock.hub.flows.model import (
    ANY_STATE,
    EmittedDocument,
    FlowDefinition,
    FlowEvent,
    FlowState,
    MessageEvent,
    Reaction,
    SetTimer,
    TimerEvent,
    by_field,
    by_fields,
    held,
    hold,
)

__all__ = [
    "ANY_STATE",
    "EmittedDocument",
    "ExceptionCategory",
    "ExceptionStatus",
    "FlowDefinition",
    "FlowEvent",
    "FlowState",
    "MessageEvent",
    "RaisedException",
    "Reaction",
    "SetTimer",
    "TimerEvent",
    "by_field",
    "by_fields",
    "held",
    "hold",
]
