"""Alerts: rules over what the store records, raised as alert events while their condition holds.

Five kinds of rule (`crossdock.config.alerts` reads them from the settings):

- ``kpi_sla``: a KPI (`crossdock.hub.kpis`) over the trailing window above its SLA target;
- ``backlog``: a consumer group (a lane's router, an endpoint's deliveries) with more pending
  entries than allowed;
- ``endpoint_down``: an endpoint whose circuit has been open longer than allowed;
- ``partner_silent``: a partner with no message received for longer than its expected interval;
- ``ack_overdue``: outbound X12 sets a partner has not acknowledged (997/999) within the window.

`AlertEvaluator.run_once` reads the signals the rules need (off the writer thread), turns them
into findings — one per (rule, subject) whose condition holds — and reconciles them with the
store in one write: a finding without an open alert opens one, a finding with one keeps it
(its summary refreshed; no new event: that is the deduplication), an open alert whose
condition no longer holds is cleared with the clear time. A rule whose signal could not be read
this round neither opens nor clears anything. Every open and clear is an event for the
webhook, kept in the store until delivered (`AlertStore.undelivered`), so a webhook down for a
while receives them in order once it is back.

The evaluator runs as a cluster-wide job (`crossdock.hub.cluster_jobs`): one process at a time.
"""

from __future__ import annotations

import asyncio
import fnmatch
import functools
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from crossdock.hub.kpis import KpiWindow

log = logging.getLogger(__name__)

KPI_SLA = "kpi_sla"
BACKLOG = "backlog"
ENDPOINT_DOWN = "endpoint_down"
PARTNER_SILENT = "partner_silent"
ACK_OVERDUE = "ack_overdue"
KINDS = (KPI_SLA, BACKLOG, ENDPOINT_DOWN, PARTNER_SILENT, ACK_OVERDUE)

OPENED = "alert.opened"
CLEARED = "alert.cleared"


@dataclass(frozen=True, slots=True)
class AlertRule:
    """One rule, in the evaluator's terms. `limit` is the threshold: a count (backlog), a
    KPI value (seconds or a ratio) or a duration in seconds (down, silent, overdue);
    `per_subject` overrides it per partner and, when not empty, limits the rule to them;
    `patterns` limits backlog and endpoint rules to the groups / endpoints they match."""

    name: str
    kind: str
    severity: str
    limit: float
    kpi: str | None = None
    statistic: str = "p95_s"
    window_seconds: float = 86_400.0
    patterns: tuple[str, ...] = ()
    per_subject: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown alert rule kind {self.kind!r}")

    def matches(self, subject: str) -> bool:
        return not self.patterns or any(fnmatch.fnmatchcase(subject, p) for p in self.patterns)


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule's condition holding for one subject, now."""

    rule: str
    kind: str
    severity: str
    subject: str
    summary: str
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Alert:
    """An alert as stored: open while `cleared_at` is None. Times are epoch seconds."""

    id: str
    rule: str
    kind: str
    severity: str
    subject: str
    summary: str
    details: dict[str, Any]
    opened_at: float
    cleared_at: float | None = None

    @property
    def is_open(self) -> bool:
        return self.cleared_at is None


@dataclass(frozen=True, slots=True)
class AlertEvent:
    """An open or a clear to send to the webhook (`type` is OPENED or CLEARED)."""

    type: str
    alert: Alert

    @property
    def id(self) -> str:
        """Stable across attempts, so a receiver drops repeats (``webhook-id``)."""
        return f"{self.alert.id}.{'open' if self.type == OPENED else 'clear'}"


@dataclass(frozen=True, slots=True)
class EndpointHealth:
    name: str
    circuit: str
    opened_at: float | None  # epoch seconds the circuit opened; None while closed


@dataclass(frozen=True, slots=True)
class Overdue:
    """A partner's outbound X12 sets still waiting for their acknowledgment."""

    count: int
    oldest_at: float


class AlertSignals(Protocol):
    """What the rules read (each call its own read transaction; called off the writer)."""

    def kpis(self, window: KpiWindow) -> dict[str, Any]:
        """`compute_kpis` over the window."""
        ...

    def backlog(self) -> dict[str, int]:
        """Pending entries per consumer group."""
        ...

    def endpoints(self) -> list[EndpointHealth]:
        """The persisted circuit state of every endpoint."""
        ...

    def last_received(self, partners: Sequence[str] | None) -> dict[str, float]:
        """When the latest message of each partner was received (these partners, or every
        partner known to the hub); a partner never heard from is left out."""
        ...

    def unacknowledged(self, sent_before: float) -> dict[str, Overdue]:
        """Per partner: the outbound X12 sets sent before this time still unacknowledged."""
        ...


class AlertStore(Protocol):
    """The alerts and their undelivered events (SQL: `adapters/sql/alert_store.py`)."""

    def reconcile(
        self,
        findings: Sequence[Finding],
        evaluated: frozenset[str],
        configured: frozenset[str],
        now: float,
        *,
        notify: bool,
    ) -> list[AlertEvent]:
        """In one transaction: open an alert per finding without an open one, refresh the
        summary of those with one, clear every open alert of an `evaluated` rule without a
        finding, and of a rule no longer `configured`. Returns the opens and clears; they wait
        for the webhook (`undelivered`) when `notify`."""
        ...

    def undelivered(self, limit: int) -> list[AlertEvent]:
        """Events not yet delivered to the webhook, oldest first."""
        ...

    def mark_delivered(self, event: AlertEvent) -> None: ...

    def list(self, *, open_only: bool, limit: int) -> list[Alert]:
        """Alerts, newest first."""
        ...


class AlertNotifier(Protocol):
    async def send(self, event: AlertEvent) -> bool:
        """Deliver one event (retrying as configured); False when it could not."""
        ...


# (a blocking call) -> its result, run where store work runs (tests: inline).
Runner = Callable[[Callable[[], Any]], Awaitable[Any]]


async def in_thread(fn: Callable[[], Any]) -> Any:
    return await asyncio.to_thread(fn)


#: Events delivered per round at most: a long outage drains over a few rounds.
DELIVERY_BATCH = 100


class AlertEvaluator:
    """Evaluates the rules and sends their events; `run_once` is the periodic job's body."""

    def __init__(
        self,
        rules: Sequence[AlertRule],
        signals: AlertSignals,
        store: AlertStore,
        notifier: AlertNotifier | None = None,
        *,
        write: Runner = in_thread,
        read: Runner = in_thread,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.rules = list(rules)
        self._signals = signals
        self._store = store
        self._notifier = notifier
        self._write = write
        self._read = read
        self._clock = clock
        self._kpis: dict[float, dict[str, Any]] = {}

    async def run_once(self) -> list[AlertEvent]:
        """One round: evaluate, reconcile, deliver what is undelivered. Returns the round's
        opens and clears."""
        now = self._clock()
        self._kpis.clear()  # computed once per window per round, however many rules read it
        findings: list[Finding] = []
        evaluated: set[str] = set()
        for rule in self.rules:
            try:
                found = await self._read(functools.partial(self.evaluate, rule, now))
            except Exception:
                log.exception(
                    "alert rule %s could not be evaluated; its alerts stay as they are", rule.name
                )
                continue
            findings.extend(found)
            evaluated.add(rule.name)
        configured = frozenset(r.name for r in self.rules)
        events: list[AlertEvent] = await self._write(
            lambda: self._store.reconcile(
                findings, frozenset(evaluated), configured, now, notify=self._notifier is not None
            )
        )
        for event in events:
            log.warning(
                "%s %s [%s] %s: %s",
                event.type,
                event.alert.rule,
                event.alert.severity,
                event.alert.subject,
                event.alert.summary,
            )
        await self.deliver()
        return events

    async def deliver(self) -> int:
        """Send the undelivered events in order; stop at the first that fails (the next
        round retries it, so the receiver never sees a clear before its open)."""
        if self._notifier is None:
            return 0
        pending: list[AlertEvent] = await self._read(
            lambda: self._store.undelivered(DELIVERY_BATCH)
        )
        sent = 0
        for event in pending:
            if not await self._notifier.send(event):
                log.warning("alert webhook: %s not delivered; retried next round", event.id)
                break
            await self._write(functools.partial(self._store.mark_delivered, event))
            sent += 1
        return sent

    def evaluate(self, rule: AlertRule, now: float) -> list[Finding]:
        """The findings of one rule at `now` (blocking: reads the signals)."""
        if rule.kind == KPI_SLA:
            return self._kpi(rule, now)
        if rule.kind == BACKLOG:
            return [
                _finding(rule, group, f"backlog {count} > {rule.limit:g}", backlog=count)
                for group, count in sorted(self._signals.backlog().items())
                if rule.matches(group) and count > rule.limit
            ]
        if rule.kind == ENDPOINT_DOWN:
            return [
                _finding(
                    rule,
                    e.name,
                    f"circuit {e.circuit} for {_minutes(now - e.opened_at)}",
                    circuit=e.circuit,
                    down_since=e.opened_at,
                )
                for e in self._signals.endpoints()
                if rule.matches(e.name)
                and e.circuit != "closed"
                and e.opened_at is not None
                and now - e.opened_at > rule.limit
            ]
        if rule.kind == PARTNER_SILENT:
            listed = sorted(rule.per_subject) or None
            return [
                _finding(
                    rule,
                    partner,
                    f"nothing received for {_minutes(now - at)}",
                    last_received_at=at,
                    expected_seconds=rule.per_subject.get(partner, rule.limit),
                )
                for partner, at in sorted(self._signals.last_received(listed).items())
                if now - at > rule.per_subject.get(partner, rule.limit)
            ]
        return self._overdue(rule, now)

    def _kpi(self, rule: AlertRule, now: float) -> list[Finding]:
        assert rule.kpi is not None
        kpis = self._kpis.get(rule.window_seconds)
        if kpis is None:
            kpis = self._signals.kpis(KpiWindow(since=_utc(now - rule.window_seconds)))
            self._kpis[rule.window_seconds] = kpis
        value = kpis.get(rule.kpi)
        measured = value.get(rule.statistic) if isinstance(value, dict) else None
        if not isinstance(measured, int | float) or measured <= rule.limit:
            return []
        return [
            _finding(
                rule,
                rule.kpi,
                f"{rule.statistic} {measured:g} over the SLA {rule.limit:g}",
                value=measured,
                statistic=rule.statistic,
                target=rule.limit,
            )
        ]

    def _overdue(self, rule: AlertRule, now: float) -> list[Finding]:
        shortest = min([rule.limit, *rule.per_subject.values()])
        found = []
        for partner, overdue in sorted(self._signals.unacknowledged(now - shortest).items()):
            if rule.per_subject and partner not in rule.per_subject:
                continue
            window = rule.per_subject.get(partner, rule.limit)
            if now - overdue.oldest_at <= window:
                continue
            found.append(
                _finding(
                    rule,
                    partner,
                    f"{overdue.count} X12 set(s) unacknowledged, oldest for "
                    f"{_minutes(now - overdue.oldest_at)}",
                    unacknowledged=overdue.count,
                    oldest_sent_at=overdue.oldest_at,
                    window_seconds=window,
                )
            )
        return found


def _finding(rule: AlertRule, subject: str, summary: str, **details: Any) -> Finding:
    return Finding(rule.name, rule.kind, rule.severity, subject, summary, details)


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min"


def _utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def alert_view(alert: Alert) -> dict[str, Any]:
    """An alert as the API and the CLI show it (ISO times)."""

    def iso(t: float | None) -> str | None:
        return None if t is None else datetime.fromtimestamp(t, UTC).isoformat()

    return {
        "id": alert.id,
        "rule": alert.rule,
        "kind": alert.kind,
        "severity": alert.severity,
        "subject": alert.subject,
        "summary": alert.summary,
        "details": alert.details,
        "status": "open" if alert.is_open else "cleared",
        "opened_at": iso(alert.opened_at),
        "cleared_at": iso(alert.cleared_at),
    }
