"""The partner registry's use cases: create, update, move through onboarding, go live.

Synchronous, each in its own unit of work, so the admin API runs them on the store's writer
(`StoreRunner.call`) and `crossdock partners` runs them directly against the store. Every
change drops the directory's snapshot, so the channels see it on the next lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from crossdock.hub.edi.partners import sender_key
from crossdock.hub.identity import Principal
from crossdock.hub.partners.audit import AuditSink, AuditTrail, audit_partner_action, log_sink
from crossdock.hub.partners.checklist import Checklist, checklist
from crossdock.hub.partners.directory import RegistryPartnerDirectory
from crossdock.hub.partners.listing import PartnerListing, file_listing, store_listing
from crossdock.hub.partners.model import (
    TRANSITIONS,
    CertificationResult,
    OnboardingState,
    Partner,
    PartnerFields,
    check_name,
)
from crossdock.hub.partners.ports import (
    ChecklistIncomplete,
    InvalidTransition,
    PartnerConflict,
    PartnerError,
    PartnerNotFound,
    PartnerUnitOfWorkFactory,
)

#: Fields an update may not touch (the name is the identity; state has its own steps).
FIXED = frozenset({"name", "state", "created_at", "updated_at", "state_changed_at", "live_at"})


def _now() -> datetime:
    return datetime.now(UTC)


def _known(name: str) -> str:
    """A name no partner can have is simply not found (and never reaches the store: a NUL
    in a lookup is an error on PostgreSQL, not a miss)."""
    try:
        return check_name(name)
    except ValueError:
        raise PartnerNotFound(name) from None


class PartnerRegistry:
    def __init__(
        self,
        uow: PartnerUnitOfWorkFactory,
        directory: RegistryPartnerDirectory,
        checklists: Mapping[str, Sequence[str]] | None = None,
        *,
        audit: AuditSink = log_sink,
        clock: Callable[[], datetime] = _now,
        endpoints: Collection[str] | None = None,
    ) -> None:
        self._uow = uow
        self._endpoints = None if endpoints is None else frozenset(endpoints)
        self.directory = directory
        self._checklists = dict(checklists or {})
        self._audit = audit
        self._clock = clock

    # -- reads -----------------------------------------------------------------------------
    def listing(self) -> list[PartnerListing]:
        with self._uow.reader() as uow:
            stored = {p.name: p for p in uow.partners.all()}
        rows = [file_listing(self.directory.file, name) for name in self.directory.file_names]
        rows += [
            store_listing(p) for name, p in stored.items() if name not in self.directory.file_names
        ]
        return sorted(rows, key=lambda r: r.name)

    def get(self, name: str) -> Partner:
        """A registered partner; `PartnerNotFound` otherwise (file partners: `listing`)."""
        with self._uow.reader() as uow:
            found = uow.partners.get(_known(name))
        if found is None or name in self.directory.file_names:
            raise PartnerNotFound(name)
        return found

    def find(self, name: str) -> PartnerListing:
        """Any partner, file or store, as a listing line."""
        if name in self.directory.file_names:
            return file_listing(self.directory.file, name)
        return store_listing(self.get(name))

    def checklist(self, name: str) -> Checklist:
        with self._uow.reader() as uow:
            partner = uow.partners.get(_known(name))
            if partner is None:
                raise PartnerNotFound(name)
            results = uow.partners.certifications(name)
        return checklist(partner, results, self._checklists)

    def certifications(self, name: str, limit: int = 100) -> list[CertificationResult]:
        with self._uow.reader() as uow:
            if uow.partners.get(_known(name)) is None:
                raise PartnerNotFound(name)
            return uow.partners.certifications(name, limit=limit)

    # -- changes ---------------------------------------------------------------------------
    def create(
        self, name: str, fields: PartnerFields, actor: Principal, *, source_ip: str | None = None
    ) -> Partner:
        at = self._clock()
        trail = AuditTrail(self._audit, actor, at, source_ip)
        try:
            check_name(name)
            self._refuse_file_clash(name, fields)
            partner = Partner(
                name=name,
                created_at=at,
                updated_at=at,
                state_changed_at=at,
                **fields.model_dump(),
            )
            with self._uow() as uow:
                uow.partners.add(partner)
                audit_partner_action(
                    trail, "partner.create", name, "ok", within=uow.audit, kind=fields.kind
                )
                uow.commit()
        except (PartnerError, ValueError) as exc:
            audit_partner_action(trail, "partner.create", name, "refused", reason=str(exc))
            raise
        self.directory.invalidate()
        return partner

    def update(
        self,
        name: str,
        changes: Mapping[str, Any],
        actor: Principal,
        *,
        source_ip: str | None = None,
    ) -> Partner:
        """Apply `changes` (top-level fields, each replaced whole) to a registered partner."""
        at = self._clock()
        trail = AuditTrail(self._audit, actor, at, source_ip)
        try:
            fixed = sorted(FIXED & set(changes))
            if fixed:
                raise PartnerConflict(f"{', '.join(fixed)} cannot be changed here", field=fixed[0])
            self._refuse_file_partner(name)
            with self._uow() as uow:
                current = uow.partners.get(_known(name))
                if current is None:
                    raise PartnerNotFound(name)
                merged = {**current.fields().model_dump(), **changes}
                fields = PartnerFields.model_validate(merged)
                self._refuse_file_clash(name, fields)
                partner = current.model_copy(update={**dict(fields), "updated_at": at})
                uow.partners.save(partner)
                audit_partner_action(
                    trail, "partner.update", name, "ok", within=uow.audit, fields=sorted(changes)
                )
                uow.commit()
        except (PartnerError, ValueError) as exc:
            audit_partner_action(trail, "partner.update", name, "refused", reason=str(exc))
            raise
        self.directory.invalidate()
        return partner

    def set_state(
        self,
        name: str,
        target: OnboardingState,
        actor: Principal,
        reason: str | None = None,
        *,
        source_ip: str | None = None,
    ) -> Partner:
        """draft → testing, live → suspended, suspended → live; testing → live is `go_live`."""
        if target is OnboardingState.LIVE:
            with self._uow.reader() as uow:
                current = uow.partners.get(_known(name))
            if current is not None and current.state is OnboardingState.TESTING:
                return self.go_live(name, actor, reason=reason, source_ip=source_ip)
        return self._move(name, target, actor, "partner.state", reason=reason, source_ip=source_ip)

    def go_live(
        self,
        name: str,
        actor: Principal,
        *,
        force: bool = False,
        reason: str | None = None,
        source_ip: str | None = None,
    ) -> Partner:
        """testing → live once the checklist is complete; `force` (with a reason) skips it."""
        action = "partner.go_live.forced" if force else "partner.go_live"
        if force and not (reason and reason.strip()):
            trail = AuditTrail(self._audit, actor, self._clock(), source_ip)
            audit_partner_action(
                trail, action, name, "refused", reason="a forced go-live needs a reason"
            )
            raise PartnerConflict("a forced go-live needs a reason", field="reason")
        return self._move(
            name,
            OnboardingState.LIVE,
            actor,
            action,
            reason=reason,
            gate=not force,
            source_ip=source_ip,
        )

    def _move(
        self,
        name: str,
        target: OnboardingState,
        actor: Principal,
        action: str,
        *,
        reason: str | None,
        gate: bool = False,
        source_ip: str | None = None,
    ) -> Partner:
        at = self._clock()
        trail = AuditTrail(self._audit, actor, at, source_ip)
        detail: dict[str, Any] = {"to": target.value, "reason": reason}
        try:
            self._refuse_file_partner(name)
            with self._uow() as uow:
                current = uow.partners.get(_known(name))
                if current is None:
                    raise PartnerNotFound(name)
                detail["from"] = current.state.value
                allowed = TRANSITIONS[current.state]
                if target not in allowed:
                    raise InvalidTransition(
                        name, current.state, target, sorted(s.value for s in allowed)
                    )
                if gate and current.state is OnboardingState.TESTING:
                    status = checklist(current, uow.partners.certifications(name), self._checklists)
                    detail["checklist"] = status.as_dict()
                    if not status.complete:
                        raise ChecklistIncomplete(name, status.missing)
                update: dict[str, Any] = {"state": target, "state_changed_at": at}
                update["updated_at"] = at
                if target is OnboardingState.LIVE and current.live_at is None:
                    update["live_at"] = at
                partner = current.model_copy(update=update)
                uow.partners.save(partner)
                audit_partner_action(trail, action, name, "ok", within=uow.audit, **detail)
                uow.commit()
        except PartnerError as exc:
            audit_partner_action(trail, action, name, "refused", error=str(exc), **detail)
            raise
        self.directory.invalidate()
        return partner

    def record_certifications(self, samples: Sequence[tuple[CertificationResult, bytes]]) -> None:
        with self._uow() as uow:
            uow.partners.add_certifications(samples)
            uow.commit()

    # -- the file's partners ---------------------------------------------------------------
    def _refuse_file_partner(self, name: str) -> None:
        if name in self.directory.file_names:
            raise PartnerConflict(
                f"partner {name!r} is defined in crossdock.yaml, which is authoritative for "
                "it: change it there",
                field="name",
                owner="file",
            )

    def _refuse_file_clash(self, name: str, fields: PartnerFields) -> None:
        self._refuse_file_partner(name)
        if fields.x12 is None:
            return
        ack = fields.x12.ack_endpoint
        if ack is not None and self._endpoints is not None and ack not in self._endpoints:
            known = ", ".join(sorted(self._endpoints)) or "none"
            raise ValueError(f"x12.ack_endpoint: unknown endpoint {ack!r} (known: {known})")
        owner = self.directory.file.by_sender(fields.x12.qualifier, fields.x12.id)
        if owner is not None:
            key = sender_key(fields.x12.qualifier, fields.x12.id)
            raise PartnerConflict(
                f"X12 sender {key} belongs to partner {owner.name!r} (crossdock.yaml)",
                field="x12.id",
                owner=owner.name,
            )
