"""The one place partner administration is audited.

Every audited action (create, update, state change, go-live, forced go-live) calls
`audit_partner_action` once, refused attempts included; the hub's sink is the audit log
(`bootstrap.partners.audit_log_sink`), a log line without one (`log_sink`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from crossdock.hub.audit import AuditRecorder
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


class AuditSink(Protocol):
    """Where events go. `within` is the unit of work's audit recorder when the action commits
    a change: the sink writes the entry there, so it is committed with the change (None: a
    refusal, which changes nothing, or a sink without a store)."""

    def __call__(
        self, event: PartnerAuditEvent, within: AuditRecorder | None = None, /
    ) -> None: ...


def log_sink(event: PartnerAuditEvent, within: AuditRecorder | None = None, /) -> None:
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
    trail: AuditTrail,
    action: str,
    target: str,
    outcome: Outcome,
    *,
    within: AuditRecorder | None = None,
    **detail: Any,
) -> None:
    """Record one partner administration action (the single audited call site); `within`:
    the transaction of the change it records."""
    trail.sink(
        PartnerAuditEvent(trail.actor, action, target, outcome, trail.at, detail, trail.source_ip),
        within,
    )
