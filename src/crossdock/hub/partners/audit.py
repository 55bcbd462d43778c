"""The one place partner administration is audited.

Every audited action (create, update, state change, go-live, forced go-live) calls
`audit_partner_action` once, refused attempts included; the sink is the audit log's
``record`` once the hub has one (bootstrap wires it), a log line until then.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from crossdock.hub.identity import Principal

log = logging.getLogger("crossdock.audit")

Outcome = Literal["ok", "refused"]


@dataclass(frozen=True, slots=True)
class PartnerAuditEvent:
    """Who did what to which partner, when, and how it ended."""

    actor: Principal
    action: str  # partner.create | partner.update | partner.state | partner.go_live
    target: str
    outcome: Outcome
    at: datetime
    detail: dict[str, Any] = field(default_factory=dict)
    source_ip: str | None = None  # where the request came from (None: the CLI)


AuditSink = Callable[[PartnerAuditEvent], None]


def log_sink(event: PartnerAuditEvent) -> None:
    log.info(
        "%s %s by %s: %s",
        event.action,
        event.target,
        event.actor.subject,
        event.outcome,
        extra={"audit": {"detail": event.detail, "via": event.actor.via, "from": event.source_ip}},
    )


@dataclass(frozen=True, slots=True)
class AuditTrail:
    """Who acts, when and from where: what every event of one action shares."""

    sink: AuditSink
    actor: Principal
    at: datetime
    source_ip: str | None = None  # None: the CLI


def audit_partner_action(
    trail: AuditTrail, action: str, target: str, outcome: Outcome, **detail: Any
) -> None:
    """Record one partner administration action (the single audited call site)."""
    trail.sink(
        PartnerAuditEvent(trail.actor, action, target, outcome, trail.at, detail, trail.source_ip)
    )
