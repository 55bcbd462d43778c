"""Alerts on every backend (`backends`): the store's reconcile (open once per rule and subject,
dedup while the condition holds, clear with the clear time), its webhook outbox, and each rule
kind raising and clearing over real rows — messages, persisted circuit states, the bus's
pending entries, the outbound X12 ledger — with time from an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from crossdock.adapters.sql.alert_store import SqlAlertSignals, SqlAlertStore
from crossdock.adapters.sql.alert_tables import alerts
from crossdock.hub.alerts import (
    ACK_OVERDUE,
    BACKLOG,
    CLEARED,
    ENDPOINT_DOWN,
    KPI_SLA,
    OPENED,
    PARTNER_SILENT,
    AlertEvaluator,
    AlertRule,
    Finding,
)
from crossdock.hub.edi_records import OutboundDocument, OutboundStatus
from crossdock.hub.records import ConsumerGroup, EndpointState, InboundMessage, MessageStatus
from tests.contract.backends import ContractStore

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
E0 = T0.timestamp()
MIN = 60.0


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def finding(rule: str, subject: str, summary: str = "s") -> Finding:
    return Finding(rule, BACKLOG, "warning", subject, summary, {"n": 1})


def test_reconcile_opens_once_dedups_and_clears_with_the_clear_time(store: ContractStore) -> None:
    alerts_store = SqlAlertStore(store.engine)
    rules = frozenset({"r"})
    opened = alerts_store.reconcile([finding("r", "a")], rules, rules, E0, notify=True)
    assert [(e.type, e.alert.subject, e.alert.opened_at) for e in opened] == [(OPENED, "a", E0)]
    # Still holding: no new event, the summary refreshed, still one alert.
    again = alerts_store.reconcile([finding("r", "a", "now 7")], rules, rules, E0 + 60, notify=True)
    assert again == []
    [alert] = alerts_store.list(open_only=True, limit=10)
    assert (alert.id, alert.summary, alert.opened_at) == (opened[0].alert.id, "now 7", E0)
    # A rule not evaluated this round (its signal failed) clears nothing.
    assert alerts_store.reconcile([], frozenset(), rules, E0 + 90, notify=True) == []
    cleared = alerts_store.reconcile([], rules, rules, E0 + 120, notify=True)
    assert [(e.type, e.alert.id, e.alert.cleared_at) for e in cleared] == [
        (CLEARED, alert.id, E0 + 120)
    ]
    assert alerts_store.list(open_only=True, limit=10) == []
    [done] = alerts_store.list(open_only=False, limit=10)
    assert (done.cleared_at, done.is_open) == (E0 + 120, False)
    # The condition back: a new alert, not the old one reopened.
    [reopened] = alerts_store.reconcile([finding("r", "a")], rules, rules, E0 + 180, notify=True)
    assert reopened.type == OPENED and reopened.alert.id != alert.id
    assert [a.opened_at for a in alerts_store.list(open_only=False, limit=10)] == [
        E0 + 180,
        E0,
    ]


def test_alerts_of_a_rule_no_longer_configured_are_cleared(store: ContractStore) -> None:
    alerts_store = SqlAlertStore(store.engine)
    both = frozenset({"r", "gone"})
    alerts_store.reconcile([finding("r", "a"), finding("gone", "b")], both, both, E0, notify=False)
    r = frozenset({"r"})
    events = alerts_store.reconcile([finding("r", "a")], r, r, E0 + 1, notify=False)
    assert [(e.type, e.alert.rule) for e in events] == [(CLEARED, "gone")]


def test_one_open_alert_per_rule_and_subject_is_enforced_by_the_table(
    store: ContractStore,
) -> None:
    row = {
        "rule": "r",
        "kind": BACKLOG,
        "severity": "warning",
        "subject": "a",
        "summary": "s",
        "details": "{}",
        "opened_at": E0,
        "open_key": "r|a",
        "open_sent": True,
        "clear_sent": True,
    }
    with store.engine.begin() as conn:
        conn.execute(insert(alerts).values(id="A1", **row))
    with pytest.raises(IntegrityError), store.engine.begin() as conn:
        conn.execute(insert(alerts).values(id="A2", **row))
    with store.engine.begin() as conn:  # cleared ones (NULL key) do not count
        conn.execute(insert(alerts).values(id="A3", **{**row, "open_key": None}))
        conn.execute(insert(alerts).values(id="A4", **{**row, "open_key": None}))


def test_undelivered_events_wait_in_order_until_marked(store: ContractStore) -> None:
    alerts_store = SqlAlertStore(store.engine)
    rules = frozenset({"r"})
    alerts_store.reconcile([finding("r", "a")], rules, rules, E0, notify=True)
    alerts_store.reconcile([finding("r", "b")], rules, rules, E0 + 10, notify=True)  # a clears
    pending = alerts_store.undelivered(10)
    assert [(e.type, e.alert.subject) for e in pending] == [
        (OPENED, "a"),
        (OPENED, "b"),
        (CLEARED, "a"),
    ]
    assert pending[2].alert.cleared_at == E0 + 10
    alerts_store.mark_delivered(pending[0])
    alerts_store.mark_delivered(pending[1])
    assert [(e.type, e.alert.subject) for e in alerts_store.undelivered(10)] == [(CLEARED, "a")]
    alerts_store.mark_delivered(pending[2])
    assert alerts_store.undelivered(10) == []
    # Without a webhook nothing waits.
    alerts_store.reconcile([], rules, rules, E0 + 30, notify=False)
    assert alerts_store.undelivered(10) == []


# --- each rule kind over real rows -------------------------------------------------------


def evaluator(store: ContractStore, rule: AlertRule, clock: Clock) -> AlertEvaluator:
    signals = SqlAlertSignals(store.engine, store.bus.backlog, known_partners=["acme", "globex"])
    return AlertEvaluator([rule], signals, SqlAlertStore(store.engine), clock=clock)


def message(
    n: int, minutes: float, *, partner: str | None = None, rejected: bool = False
) -> InboundMessage:
    return InboundMessage(
        id=f"01K{n:023d}",
        document_type="purchase_order",
        schema_version=1,
        source="erp",
        channel="http",
        received_at=T0 + timedelta(minutes=minutes),
        content_type="application/json",
        raw=b"RAW",
        body_sha256="0" * 64,
        status=MessageStatus.REJECTED if rejected else MessageStatus.ROUTED,
        lane="critical",
        correlation_key=f"PO-{n}",
        partner=partner,
    )


def add(store: ContractStore, *messages: InboundMessage) -> None:
    with store.uow() as uow:
        uow.messages.add_many(list(messages))
        uow.commit()


async def states(ev: AlertEvaluator) -> list[tuple[str, str]]:
    return [(e.type, e.alert.subject) for e in await ev.run_once()]


async def test_kpi_over_its_sla_raises_and_clears(store: ContractStore) -> None:
    rule = AlertRule(
        "failures", KPI_SLA, "critical", 0.25, kpi="integration_failure_rate",
        statistic="ratio", window_seconds=60 * MIN,
    )  # fmt: skip
    clock = Clock(E0 + 10 * MIN)
    ev = evaluator(store, rule, clock)
    add(store, message(1, 0), message(2, 1), message(3, 2), message(4, 3))
    assert await states(ev) == []  # 0 % failed
    add(store, message(5, 5, rejected=True), message(6, 6, rejected=True))
    assert await states(ev) == [(OPENED, "integration_failure_rate")]  # 2/6 over 25 %
    [open_alert] = SqlAlertStore(store.engine).list(open_only=True, limit=5)
    assert open_alert.details["value"] == pytest.approx(0.3333)
    assert open_alert.severity == "critical"
    clock.now += MIN
    assert await states(ev) == []  # still over: deduplicated
    clock.now = E0 + 70 * MIN  # the window now starts after those messages: n/a
    assert await states(ev) == [(CLEARED, "integration_failure_rate")]


async def test_backlog_over_its_limit_raises_and_clears(store: ContractStore) -> None:
    rule = AlertRule("backlog", BACKLOG, "warning", 2, patterns=("deliver.*",))
    ev = evaluator(store, rule, Clock(E0))
    store.bus.ensure_group(ConsumerGroup("deliver.erp", ("doc.>",)))
    store.bus.ensure_group(ConsumerGroup("other", ("doc.>",)))  # not matched by the rule
    with store.uow() as uow:
        for n in range(3):
            uow.outbox.publish("doc.x", f"k{n}", f"m{n}")
        uow.commit()
    assert await states(ev) == [(OPENED, "deliver.erp")]
    [alert] = SqlAlertStore(store.engine).list(open_only=True, limit=5)
    assert alert.details == {"backlog": 3}
    store.bus.ack("deliver.erp", store.bus.fetch("deliver.erp", 2))
    assert await states(ev) == [(CLEARED, "deliver.erp")]  # 1 left: within the limit


async def test_endpoint_down_longer_than_allowed_raises_and_clears(store: ContractStore) -> None:
    rule = AlertRule("down", ENDPOINT_DOWN, "critical", 5 * MIN)
    clock = Clock(E0 + 3 * MIN)
    ev = evaluator(store, rule, clock)

    def save(circuit: str, opened: datetime | None) -> None:
        with store.uow() as uow:
            uow.endpoints.save(EndpointState("erp", circuit, 5, opened))
            uow.commit()

    save("open", T0)
    assert await states(ev) == []  # open for 3 minutes only
    clock.now = E0 + 6 * MIN
    assert await states(ev) == [(OPENED, "erp")]
    save("half_open", T0)  # probing, still failing since T0
    clock.now += MIN
    assert await states(ev) == []
    save("closed", None)
    assert await states(ev) == [(CLEARED, "erp")]


async def test_silent_partner_raises_and_clears_when_it_sends_again(store: ContractStore) -> None:
    rule = AlertRule("silent", PARTNER_SILENT, "warning", 60 * MIN, per_subject={})
    clock = Clock(E0 + 30 * MIN)
    ev = evaluator(store, rule, clock)
    add(store, message(1, 0, partner="acme"), message(2, 20, partner="globex"))
    assert await states(ev) == []
    clock.now = E0 + 70 * MIN  # acme silent 70 min, globex 50 min
    assert await states(ev) == [(OPENED, "acme")]
    clock.now = E0 + 85 * MIN  # globex 65 min now too
    assert await states(ev) == [(OPENED, "globex")]
    add(store, message(3, 84, partner="acme"))
    assert await states(ev) == [(CLEARED, "acme")]


async def test_a_partners_own_interval_overrides_and_limits_the_rule(
    store: ContractStore,
) -> None:
    rule = AlertRule("silent", PARTNER_SILENT, "warning", 600 * MIN, per_subject={"acme": 10 * MIN})
    ev = evaluator(store, rule, Clock(E0 + 30 * MIN))
    add(store, message(1, 0, partner="acme"), message(2, 0, partner="globex"))
    assert await states(ev) == [(OPENED, "acme")]  # globex is not watched by this rule


async def test_997_overdue_raises_and_clears_when_acknowledged(store: ContractStore) -> None:
    rule = AlertRule("997", ACK_OVERDUE, "warning", 30 * MIN)
    clock = Clock(E0 + 10 * MIN)
    ev = evaluator(store, rule, clock)

    def sent(n: int, minutes: float) -> OutboundDocument:
        return OutboundDocument(
            "acme", 100 + n, 7, 1000 + n, "855", "PR", f"M{n}", f"D{n}",
            T0 + timedelta(minutes=minutes),
        )  # fmt: skip

    with store.uow() as uow:
        uow.edi.add_outbound([sent(1, 0), sent(2, 5)])
        uow.commit()
    assert await states(ev) == []
    clock.now = E0 + 40 * MIN
    assert await states(ev) == [(OPENED, "acme")]
    [alert] = SqlAlertStore(store.engine).list(open_only=True, limit=5)
    assert alert.details["unacknowledged"] == 2
    with store.uow() as uow:  # the partner's 997 settles the first group
        uow.edi.settle_outbound("acme", 7, None, OutboundStatus.ACCEPTED, None, "ACK1")
        uow.commit()
    assert await states(ev) == [(CLEARED, "acme")]


class Failing(SqlAlertSignals):
    """The real signals, except the backlog, which cannot be read while `down`."""

    down = False

    def backlog(self) -> dict[str, int]:
        if self.down:
            raise RuntimeError("the database went away")
        return super().backlog()


async def test_a_rule_that_cannot_be_read_keeps_its_alerts_until_it_can(
    store: ContractStore,
) -> None:
    rule = AlertRule("backlog", BACKLOG, "warning", 0)
    signals = Failing(store.engine, store.bus.backlog)
    ev = AlertEvaluator([rule], signals, SqlAlertStore(store.engine), clock=Clock(E0))
    store.bus.ensure_group(ConsumerGroup("deliver.erp", ("doc.>",)))
    with store.uow() as uow:
        uow.outbox.publish("doc.x", "k", "m")
        uow.commit()
    assert await states(ev) == [(OPENED, "deliver.erp")]
    store.bus.ack("deliver.erp", store.bus.fetch("deliver.erp", 5))
    signals.down = True
    assert await states(ev) == []  # unknown: neither cleared nor reopened
    assert len(SqlAlertStore(store.engine).list(open_only=True, limit=5)) == 1
    signals.down = False
    assert await states(ev) == [(CLEARED, "deliver.erp")]
