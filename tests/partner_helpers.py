"""What the partner registry's tests share: partners, a registry on a store, an audit trail."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from crossdock.adapters.sql.partner_store import SqlPartnerUnitOfWorkFactory
from crossdock.adapters.sql.uow import SqlUnitOfWorkFactory
from crossdock.hub.edi.partners import StaticPartnerDirectory, TradingPartner
from crossdock.hub.identity import ALL_SCOPES, Principal
from crossdock.hub.partners.audit import PartnerAuditEvent
from crossdock.hub.partners.directory import RegistryPartnerDirectory
from crossdock.hub.partners.model import PartnerFields
from crossdock.hub.partners.registry import PartnerRegistry

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ADMIN = Principal(subject="operator:ops", kind="operator", scopes=ALL_SCOPES, via="api-key")
#: The file's partner (crossdock.yaml) every registry test has beside the store's.
FILE_PARTNER = TradingPartner(name="acme", qualifier="ZZ", id="ACMEX12", gs_id="ACMEX12")


def fields(kind: str = "supplier", x12_id: str | None = None, **more: Any) -> PartnerFields:
    data: dict[str, Any] = {"kind": kind, **more}
    if x12_id is not None and "x12" not in more:
        data["x12"] = {"qualifier": "ZZ", "id": x12_id}
    return PartnerFields.model_validate(data)


class Clock:
    """Hands out times an hour apart, so durations are known."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        value = self.now
        self.now += timedelta(hours=1)
        return value


def registry_on(
    uow: SqlUnitOfWorkFactory,
    *,
    file: Sequence[TradingPartner] = (FILE_PARTNER,),
    file_names: Sequence[str] = ("acme", "folder-only"),
    audit: list[PartnerAuditEvent] | None = None,
    checklists: dict[str, Sequence[str]] | None = None,
    clock: Callable[[], datetime] | None = None,
    endpoints: Sequence[str] | None = None,
) -> PartnerRegistry:
    partner_uow = SqlPartnerUnitOfWorkFactory(uow)

    def load() -> list[Any]:
        with partner_uow.reader() as reader:
            return list(reader.partners.all())

    directory = RegistryPartnerDirectory(StaticPartnerDirectory(file), file_names, load)
    trail = audit if audit is not None else []
    return PartnerRegistry(
        partner_uow,
        directory,
        checklists,
        audit=lambda event, _within=None: trail.append(event),
        clock=clock or Clock(),
        endpoints=endpoints,
    )
