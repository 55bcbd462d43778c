"""One line per partner, file or store, as `crossdock partners list` and
``GET /v1/admin/partners`` show them (the file's partners are always ``live``)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from crossdock.hub.edi.partners import StaticPartnerDirectory, sender_key
from crossdock.hub.partners.model import OnboardingState, Origin, Partner, PartnerKind


class PartnerListing(BaseModel):
    """One line of `crossdock partners list` / ``GET /v1/admin/partners``."""

    model_config = ConfigDict(frozen=True)

    name: str
    origin: Origin
    kind: PartnerKind | None
    state: OnboardingState
    display_name: str | None = None
    x12_sender: str | None = None
    channels: list[str] = []
    created_at: datetime | None = None
    live_at: datetime | None = None


def file_listing(file: StaticPartnerDirectory, name: str) -> PartnerListing:
    trading = file.get(name)
    return PartnerListing(
        name=name,
        origin="file",
        kind=None,
        state=OnboardingState.LIVE,
        x12_sender=trading.sender_key if trading is not None else None,
    )


def store_listing(partner: Partner) -> PartnerListing:
    return PartnerListing(
        name=partner.name,
        origin="store",
        kind=partner.kind,
        state=partner.state,
        display_name=partner.display_name,
        x12_sender=sender_key(partner.x12.qualifier, partner.x12.id) if partner.x12 else None,
        channels=list(partner.channels),
        created_at=partner.created_at,
        live_at=partner.live_at,
    )
