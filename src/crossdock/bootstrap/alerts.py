"""Wires the alert rules (`crossdock.hub.alerts`) from the ``alerts`` settings: the evaluator
on the store, the webhook notifier, and the cluster-wide job that runs them.

Nothing is built without rules, so a hub without alerts runs exactly as before.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from crossdock.adapters.endpoints.alert_webhook import HttpAlertNotifier
from crossdock.adapters.sql.alert_store import SqlAlertSignals, SqlAlertStore
from crossdock.bootstrap.store import Store
from crossdock.config import Settings
from crossdock.config.alerts import (
    AckOverdueRule,
    AlertsConfig,
    BacklogRule,
    EndpointDownRule,
    KpiSlaRule,
    PartnerSilentRule,
)
from crossdock.hub.alerts import AlertEvaluator, AlertRule
from crossdock.hub.store_runner import StoreRunner

MINUTE = 60.0


@dataclass(slots=True)
class AlertWorker:
    """The evaluator, its periodic job and what to close at shutdown."""

    evaluator: AlertEvaluator
    interval: float
    job: Callable[[], Awaitable[None]]
    notifier: HttpAlertNotifier | None

    async def close(self) -> None:
        if self.notifier is not None:
            await self.notifier.close()


def alert_rules(config: AlertsConfig) -> list[AlertRule]:
    """The configured rules in the evaluator's terms (thresholds in seconds or counts)."""
    rules = []
    for r in config.rules:
        if isinstance(r, KpiSlaRule):
            rule = AlertRule(
                r.name,
                r.kind,
                r.severity,
                r.max,
                kpi=r.kpi,
                statistic=r.statistic,
                window_seconds=r.window_minutes * MINUTE,
            )
        elif isinstance(r, BacklogRule):
            rule = AlertRule(r.name, r.kind, r.severity, r.max, patterns=tuple(r.groups))
        elif isinstance(r, EndpointDownRule):
            rule = AlertRule(
                r.name, r.kind, r.severity, r.minutes * MINUTE, patterns=tuple(r.endpoints)
            )
        else:
            assert isinstance(r, PartnerSilentRule | AckOverdueRule)
            rule = AlertRule(
                r.name,
                r.kind,
                r.severity,
                r.minutes * MINUTE,
                per_subject={
                    p: (r.minutes if m is None else m) * MINUTE for p, m in r.partners.items()
                },
            )
        rules.append(rule)
    return rules


def notifier_for(config: AlertsConfig) -> HttpAlertNotifier | None:
    hook = config.webhook
    if hook is None:
        return None
    return HttpAlertNotifier(
        str(hook.url),
        secret=hook.secret.get_secret_value() if hook.secret else None,
        timeout=hook.timeout_seconds,
        max_attempts=hook.max_attempts,
    )


def build_alert_worker(settings: Settings, store: Store, runner: StoreRunner) -> AlertWorker | None:
    """The evaluator and its job; None when no rule is configured."""
    config = settings.alerts
    if not config.rules:
        return None
    notifier = notifier_for(config)

    async def write(fn: Callable[[], Any]) -> Any:
        return await runner.call(fn)  # the writer thread: SQLite has one writer

    evaluator = AlertEvaluator(
        alert_rules(config),
        SqlAlertSignals(store.engine, store.bus.backlog, list(settings.partners)),
        SqlAlertStore(store.engine),
        notifier,
        write=write,
    )

    async def evaluate_alerts() -> None:
        await evaluator.run_once()

    return AlertWorker(evaluator, config.interval_seconds, evaluate_alerts, notifier)
