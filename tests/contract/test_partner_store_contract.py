"""Contract of the partner registry's store (`uow.partners`) and its use cases, on every
backend (`backends`): partners round-trip, a name or an X12 sender is registered once (also
across engines racing), the file's partners are never shadowed, onboarding moves only along
its transitions, go-live waits for the checklist, and the onboarding KPI reads the times."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from crossdock.adapters.sql.audit_log import SqlAuditLog
from crossdock.adapters.sql.partner_store import SqlPartnerUnitOfWorkFactory
from crossdock.bootstrap.partners import audit_log_sink
from crossdock.hub.kpis import KpiWindow
from crossdock.hub.partners.audit import PartnerAuditEvent
from crossdock.hub.partners.model import CertificationResult, OnboardingState
from crossdock.hub.partners.ports import (
    ChecklistIncomplete,
    InvalidTransition,
    PartnerConflict,
    PartnerNotFound,
)
from tests.contract.backends import ContractStore, concurrently
from tests.partner_helpers import ADMIN, T0, fields, registry_on


def _result(partner: str, document_type: str, passed: bool, n: int = 0) -> CertificationResult:
    return CertificationResult(
        id=f"01CERT{n:020d}",
        partner=partner,
        document_type=document_type,
        format="json",
        passed=passed,
        errors=[] if passed else [{"path": "lines", "reason": "missing", "type": "missing"}],
        received_at=T0 + timedelta(minutes=n),
        body_sha256="0" * 64,
    )


def test_a_partner_round_trips_with_every_setting(store: ContractStore) -> None:
    registry = registry_on(store.uow)
    settings = fields(
        "supplier",
        "BOLTX12",
        display_name="Bolt & Nut Co.",
        identifiers={"gln": "0614141000005", "duns": "123456789", "codes": {"erp": "V-1001"}},
        channels=["edi", "http", "edi"],
        sla={"acknowledgment_hours": 24, "ship_notice_hours": 48},
        contacts=[{"name": "Ann Lee", "email": "ann@bolt.example", "role": "edi"}],
        checklist=["purchase_order_acknowledgment"],
    )
    created = registry.create("bolt", settings, ADMIN)

    again = registry_on(store.open_again().uow).get("bolt")
    assert again == created
    assert again.channels == ["edi", "http"]
    assert again.x12 is not None and again.x12.mapping == {}
    assert again.state is OnboardingState.DRAFT


def test_a_name_or_an_x12_sender_is_registered_once(store: ContractStore) -> None:
    registry = registry_on(store.uow)
    registry.create("bolt", fields(x12_id="BOLTX12"), ADMIN)

    with pytest.raises(PartnerConflict) as same_name:
        registry.create("bolt", fields(), ADMIN)
    assert same_name.value.field == "name"
    with pytest.raises(PartnerConflict) as same_sender:
        registry.create("nut", fields(x12_id="boltx12"), ADMIN)  # the case differs only
    assert (same_sender.value.field, same_sender.value.owner) == ("x12.id", "bolt")
    registry.create("nut", fields(x12_id="NUTX12"), ADMIN)
    with pytest.raises(PartnerConflict, match="belongs to registered partner 'bolt'"):
        registry.update("nut", {"x12": {"id": "BOLTX12"}}, ADMIN)
    nut = registry.get("nut").x12
    assert nut is not None and nut.id == "NUTX12"


def test_engines_racing_for_one_sender_get_one_partner(store: ContractStore) -> None:
    stores = [store, store.open_again(), store.open_again()]

    def create(i: int, s: ContractStore) -> str:
        try:
            registry_on(s.uow).create(f"racer-{i}", fields(x12_id="SAMEID"), ADMIN)
        except PartnerConflict as exc:
            return exc.field
        return "created"

    outcomes = concurrently(stores, create)
    assert sorted(outcomes) == ["created", "x12.id", "x12.id"]


def test_the_files_partners_are_authoritative(store: ContractStore) -> None:
    audit: list[PartnerAuditEvent] = []
    registry = registry_on(store.uow, audit=audit)

    with pytest.raises(PartnerConflict, match=r"defined in crossdock\.yaml"):
        registry.create("acme", fields(), ADMIN)
    with pytest.raises(PartnerConflict, match=r"defined in crossdock\.yaml"):
        registry.create("folder-only", fields(), ADMIN)  # a file partner without X12
    with pytest.raises(PartnerConflict, match=r"ZZ/ACMEX12 belongs to partner 'acme'"):
        registry.create("copycat", fields(x12_id="acmex12"), ADMIN)
    with pytest.raises(PartnerConflict, match=r"defined in crossdock\.yaml"):
        registry.set_state("acme", OnboardingState.SUSPENDED, ADMIN)

    listing = {row.name: (row.origin, row.state) for row in registry.listing()}
    assert listing == {"acme": ("file", "live"), "folder-only": ("file", "live")}
    assert [(e.action, e.target, e.outcome) for e in audit] == [
        ("partner.create", "acme", "refused"),
        ("partner.create", "folder-only", "refused"),
        ("partner.create", "copycat", "refused"),
        ("partner.state", "acme", "refused"),
    ]


def test_onboarding_moves_only_along_its_transitions(store: ContractStore) -> None:
    audit: list[PartnerAuditEvent] = []
    registry = registry_on(store.uow, audit=audit, checklists={"carrier": []})
    registry.create("swift", fields("carrier"), ADMIN)

    for target in (OnboardingState.LIVE, OnboardingState.SUSPENDED, OnboardingState.DRAFT):
        with pytest.raises(InvalidTransition) as refused:
            registry.set_state("swift", target, ADMIN)
        assert refused.value.allowed == ["testing"]
    assert registry.set_state("swift", OnboardingState.TESTING, ADMIN).state == "testing"
    live = registry.set_state("swift", OnboardingState.LIVE, ADMIN)  # the go-live step
    assert live.state == "live" and live.live_at is not None
    suspended = registry.set_state("swift", OnboardingState.SUSPENDED, ADMIN, "unpaid")
    back = registry.set_state("swift", OnboardingState.LIVE, ADMIN)
    assert (suspended.state, back.state) == ("suspended", "live")
    assert back.live_at == live.live_at  # going live again keeps the first go-live time
    with pytest.raises(PartnerNotFound):
        registry.set_state("ghost", OnboardingState.TESTING, ADMIN)
    assert [(e.action, e.outcome) for e in audit][-4:] == [
        ("partner.go_live", "ok"),
        ("partner.state", "ok"),
        ("partner.state", "ok"),
        ("partner.state", "refused"),
    ]
    assert audit[-3].detail["reason"] == "unpaid"


def test_go_live_waits_for_every_checklist_type_to_pass(store: ContractStore) -> None:
    audit: list[PartnerAuditEvent] = []
    registry = registry_on(store.uow, audit=audit)
    registry.create("bolt", fields("supplier"), ADMIN)
    registry.set_state("bolt", OnboardingState.TESTING, ADMIN)
    samples = [
        (_result("bolt", "purchase_order_acknowledgment", True, 1), b"{}"),
        (_result("bolt", "advance_ship_notice", False, 2), b"{}"),
    ]
    registry.record_certifications(samples)

    with pytest.raises(ChecklistIncomplete) as refused:
        registry.go_live("bolt", ADMIN)
    assert refused.value.missing == ["advance_ship_notice", "invoice"]
    status = registry.checklist("bolt")
    assert status.passed == ("purchase_order_acknowledgment",) and not status.complete

    registry.record_certifications(
        [
            (_result("bolt", "advance_ship_notice", True, 3), b"{}"),
            (_result("bolt", "invoice", True, 4), b"{}"),
        ]
    )
    assert registry.go_live("bolt", ADMIN).state == "live"
    assert [r.document_type for r in registry.certifications("bolt")][:2] == [
        "invoice",
        "advance_ship_notice",
    ]
    gone_live = audit[-1]
    assert (gone_live.action, gone_live.outcome) == ("partner.go_live", "ok")
    assert gone_live.detail["checklist"]["complete"] is True
    assert audit[-2].detail["checklist"]["missing"] == ["advance_ship_notice", "invoice"]


def test_a_forced_go_live_needs_a_reason_and_is_audited_as_forced(store: ContractStore) -> None:
    audit: list[PartnerAuditEvent] = []
    registry = registry_on(store.uow, audit=audit)
    registry.create("bolt", fields("supplier"), ADMIN)
    registry.set_state("bolt", OnboardingState.TESTING, ADMIN)

    with pytest.raises(PartnerConflict, match="needs a reason"):
        registry.go_live("bolt", ADMIN, force=True)
    assert registry.go_live("bolt", ADMIN, force=True, reason="pilot").state == "live"
    assert [(e.action, e.outcome) for e in audit[-2:]] == [
        ("partner.go_live.forced", "refused"),
        ("partner.go_live.forced", "ok"),
    ]
    assert audit[-1].detail["reason"] == "pilot" and audit[-1].actor is ADMIN


def test_an_update_is_validated_and_keeps_name_and_state(store: ContractStore) -> None:
    registry = registry_on(store.uow)
    registry.create("bolt", fields("supplier"), ADMIN)

    updated = registry.update("bolt", {"display_name": "Bolt Inc.", "channels": ["http"]}, ADMIN)
    assert (updated.display_name, updated.channels, updated.kind) == (
        "Bolt Inc.",
        ["http"],
        "supplier",
    )
    assert updated.updated_at > updated.created_at
    with pytest.raises(PartnerConflict, match="state cannot be changed here"):
        registry.update("bolt", {"state": "live"}, ADMIN)
    with pytest.raises(ValueError, match="not an email address"):
        registry.update("bolt", {"contacts": [{"name": "X", "email": "x@"}]}, ADMIN)
    assert registry.get("bolt") == updated


def test_the_onboarding_kpi_measures_created_to_live(store: ContractStore) -> None:
    registry = registry_on(store.uow, checklists={"internal": []})  # an hour per step
    registry.create("erp2", fields("internal"), ADMIN)  # T0
    registry.set_state("erp2", OnboardingState.TESTING, ADMIN)  # T0 + 1h
    registry.go_live("erp2", ADMIN)  # T0 + 2h
    registry.create("waiting", fields("internal"), ADMIN)

    with store.uow.reader() as uow:
        went_live, onboarding = uow.kpis.onboarding(KpiWindow())
        later = uow.kpis.onboarding(KpiWindow(since=T0 + timedelta(minutes=1)))
    assert (went_live, onboarding) == ([7200.0], 1)
    assert later == ([], 1)


def test_an_x12_partner_registered_elsewhere_is_found_once_the_snapshot_is_renewed(
    store: ContractStore,
) -> None:
    """The directory of another process (another engine) sees a new partner once its
    snapshot is older than the bound; the process that registered it sees it at once."""
    here = registry_on(store.uow)
    there = registry_on(store.open_again().uow)
    assert there.directory.by_sender("ZZ", "NEWX12") is None  # snapshot taken now

    here.create("newbie", fields(x12_id="NEWX12"), ADMIN)
    assert here.directory.by_sender("zz", "newx12") is not None
    assert there.directory.by_sender("ZZ", "NEWX12") is None  # within the bound: not yet
    there.directory.invalidate()  # what the bound's expiry does (tests/unit: with a clock)
    found = there.directory.by_sender("ZZ", "NEWX12")
    assert found is not None and found.name == "newbie"


def test_certifications_are_kept_with_their_sample(store: ContractStore) -> None:
    factory = SqlPartnerUnitOfWorkFactory(store.uow)
    with factory() as uow:
        uow.partners.add_certifications([(_result("bolt", "invoice", False, 1), b"\x00raw")])
        uow.commit()
    with factory.reader() as uow:
        (kept,) = uow.partners.certifications("bolt")
    assert kept.errors == [{"path": "lines", "reason": "missing", "type": "missing"}]
    assert not kept.passed


@pytest.mark.parametrize("name", ["a\x00b", "UPPER", "x" * 300, ""])
def test_a_name_no_partner_can_have_is_not_found(store: ContractStore, name: str) -> None:
    """Not a driver error: PostgreSQL refuses a NUL in a query parameter."""
    registry = registry_on(store.uow)
    with pytest.raises(PartnerNotFound):
        registry.get(name)
    with pytest.raises(PartnerNotFound):
        registry.set_state(name, OnboardingState.TESTING, ADMIN)
    with pytest.raises(PartnerNotFound):
        registry.update(name, {"display_name": "x"}, ADMIN)


def test_map_overrides_and_the_ack_endpoint_are_checked_at_registration(
    store: ContractStore,
) -> None:
    """As `config check` does for the file's partners: a typo is refused now, not when the
    partner's first interchange arrives."""
    registry = registry_on(store.uow, endpoints=["erp"])
    with pytest.raises(ValueError, match=r"overrides\['855'\]: unknown key 'nonsense'"):
        registry.create(
            "bolt", fields(x12_id="B", x12={"id": "B", "mapping": {"855": {"nonsense": 1}}}), ADMIN
        )
    with pytest.raises(ValueError, match="unknown endpoint 'nowhere'"):
        registry.create("bolt", fields(x12={"id": "B", "ack_endpoint": "nowhere"}), ADMIN)
    overrides = {"855": {"options": {"timezone": "-06:00"}}}
    created = registry.create(
        "bolt", fields(x12={"id": "B", "mapping": overrides, "ack_endpoint": "erp"}), ADMIN
    )
    assert created.x12 is not None and created.x12.mapping == overrides


def test_a_change_and_its_audit_entry_are_committed_together(store: ContractStore) -> None:
    registry = registry_on(store.uow)
    registry._audit = audit_log_sink(store)  # type: ignore[arg-type]  # the hub's sink
    registry.create("cascade", fields(), ADMIN, source_ip="192.0.2.1")
    with pytest.raises(PartnerConflict):
        registry.create("cascade", fields(), ADMIN)
    entries = SqlAuditLog(store.engine).query(action="partner.create")
    assert [(e.actor, e.target, e.outcome, e.source_ip) for e in reversed(entries)] == [
        (ADMIN.subject, "partner:cascade", "ok", "192.0.2.1"),
        (ADMIN.subject, "partner:cascade", "refused", None),
    ]

    with store.engine.begin() as conn:  # the audit log cannot be written any more
        conn.execute(text("ALTER TABLE audit_log RENAME TO audit_log_gone"))
    try:
        with pytest.raises(DBAPIError):
            registry.create("northwind", fields(x12_id="NORTHWIND"), ADMIN)
        with pytest.raises(PartnerNotFound):  # no change without its entry
            registry.get("northwind")
    finally:  # PostgreSQL stores share one schema per session: give the table back
        with store.engine.begin() as conn:
            conn.execute(text("ALTER TABLE audit_log_gone RENAME TO audit_log"))
