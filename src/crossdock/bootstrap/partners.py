"""The partner registry from settings and the store: the directory every channel sees (file
partners + registered ones), the registry's use cases, and the certification preparer.

`build_hub` wires one `PartnerServices` and hands its `directory` to the X12 channels;
`crossdock partners` builds one on a bare store (no hub running).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from crossdock.adapters.sql.audit_log import SqlAuditLog
from crossdock.adapters.sql.partner_store import SqlPartnerUnitOfWorkFactory
from crossdock.bootstrap.channels import build_partners, mapper_factory
from crossdock.bootstrap.store import Store
from crossdock.config import Settings
from crossdock.hub.audit import AuditRecorder
from crossdock.hub.edi.prepare import EdiPreparer
from crossdock.hub.partners.audit import AuditSink, PartnerAuditEvent
from crossdock.hub.partners.directory import RegistryPartnerDirectory
from crossdock.hub.partners.model import Partner
from crossdock.hub.partners.registry import PartnerRegistry


@dataclass(slots=True)
class PartnerServices:
    registry: PartnerRegistry
    directory: RegistryPartnerDirectory
    #: The same preparer class and limits as the EDI channel, for certification samples.
    preparer: EdiPreparer
    lane_for: Callable[[str], str]


def partner_uow(store: Store) -> SqlPartnerUnitOfWorkFactory:
    return SqlPartnerUnitOfWorkFactory(store.uow)


def build_directory(settings: Settings, store: Store) -> RegistryPartnerDirectory:
    """The file's partners plus the store's, re-read at most every
    ``onboarding.directory_refresh_seconds``."""
    uow = partner_uow(store)

    def load() -> list[Partner]:
        with uow.reader() as reader:
            return reader.partners.all()

    return RegistryPartnerDirectory(
        build_partners(settings),
        settings.partners.keys(),
        load,
        max_age=settings.onboarding.directory_refresh_seconds,
    )


def audit_log_sink(store: Store) -> AuditSink:
    """Partner administration into the hub's audit log: in the change's own transaction, or
    (a refused attempt, which changes nothing) in one of its own."""
    log = SqlAuditLog(store.engine)

    def record(event: PartnerAuditEvent, within: AuditRecorder | None = None, /) -> None:
        detail = {**event.detail, "via": event.actor.via}
        (within or log).record(
            event.actor.subject,
            event.action,
            f"partner:{event.target}",
            event.outcome,
            event.source_ip,
            detail,
        )

    return record


def build_partner_services(
    settings: Settings,
    store: Store,
    directory: RegistryPartnerDirectory | None = None,
    *,
    audit: AuditSink | None = None,
) -> PartnerServices:
    directory = directory or build_directory(settings, store)
    audit = audit or audit_log_sink(store)
    checklists: dict[str, list[str]] = {
        str(k): v for k, v in settings.onboarding.checklists.items()
    }
    registry = PartnerRegistry(
        partner_uow(store), directory, checklists, audit=audit, endpoints=settings.endpoints
    )
    preparer = EdiPreparer(
        directory,
        settings.lane_for,
        mapper_factory(directory),
        max_findings_per_set=settings.hub.max_edi_findings_per_set,
        max_findings_per_interchange=settings.hub.max_edi_findings_per_interchange,
        max_set_segments=settings.hub.max_edi_segments_per_set,
    )
    return PartnerServices(registry, directory, preparer, settings.lane_for)
