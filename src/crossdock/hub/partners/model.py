"""A registered partner as plain validated data, and the onboarding state machine.

The same pydantic models validate what the admin API receives, what `crossdock partners`
reads from its options and what the store hands back, so a partner is checked in one place.
"""

from __future__ import annotations

import enum
import re
from datetime import datetime
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from crossdock.hub.identity import PartnerRole
from crossdock.x12.envelope import envelope_id_problem

#: What a partner is to the distributor; a partner's credentials carry it as `partner_role`.
PartnerKind = PartnerRole
Channel = Literal["http", "edi", "folder", "webhook"]
Origin = Literal["file", "store"]

_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
# A practical address check (no library): one @, a dotted domain, no spaces or controls.
_EMAIL = re.compile(r"[^@\s\x00-\x1f]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
_GLN = re.compile(r"\d{13}")
_DUNS = re.compile(r"\d{9}(\d{4})?")


class OnboardingState(enum.StrEnum):
    DRAFT = "draft"
    TESTING = "testing"
    LIVE = "live"
    SUSPENDED = "suspended"


#: Allowed moves. testing → live is the go-live step (checklist), never a plain transition.
TRANSITIONS: Final[dict[OnboardingState, frozenset[OnboardingState]]] = {
    OnboardingState.DRAFT: frozenset({OnboardingState.TESTING}),
    OnboardingState.TESTING: frozenset({OnboardingState.LIVE}),
    OnboardingState.LIVE: frozenset({OnboardingState.SUSPENDED}),
    OnboardingState.SUSPENDED: frozenset({OnboardingState.LIVE}),
}


def check_name(value: str) -> str:
    """Partner names appear in URLs, message sources and file paths: keep them plain."""
    if not _NAME.fullmatch(value):
        raise ValueError(f"{value!r}: use 1-64 lowercase letters, digits, '-' and '_'")
    return value


def _x12_id(value: str, width: int) -> str:
    problem = envelope_id_problem(value, width)
    if problem is not None:
        raise ValueError(problem)
    return value


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Contact(_Data):
    name: str = Field(min_length=1, max_length=200)
    email: str = Field(max_length=254)
    role: str = Field("business", min_length=1, max_length=64, description="e.g. edi, business")

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if not _EMAIL.fullmatch(value):
            raise ValueError(f"{value!r} is not an email address")
        return value


class Identifiers(_Data):
    """Who the partner is outside the hub: GS1 GLN, D-U-N-S and codes of its own."""

    gln: str | None = None
    duns: str | None = None
    codes: dict[str, str] = Field(
        default_factory=dict, description="own codes by system, e.g. {erp: V1001}"
    )

    @field_validator("gln")
    @classmethod
    def _gln(cls, value: str | None) -> str | None:
        if value is not None and not _GLN.fullmatch(value):
            raise ValueError("a GLN is 13 digits")
        return value

    @field_validator("duns")
    @classmethod
    def _duns(cls, value: str | None) -> str | None:
        if value is not None and not _DUNS.fullmatch(value):
            raise ValueError("a D-U-N-S number is 9 digits (13 with the +4 suffix)")
        return value


class X12Settings(_Data):
    """The partner's envelope ids and mapping choices, as ``partners.<name>.x12`` has them."""

    qualifier: str = "ZZ"
    id: str
    gs_id: str | None = Field(None, description="GS02/GS03 code; default: the ISA ID")
    version: Literal["00401", "00501"] = "00401"
    usage: Literal["P", "T"] = "P"
    ack: Literal["auto", "997", "999", "none"] = "auto"
    ack_requested: bool = True
    ack_endpoint: str | None = None
    strict: bool = False
    unknown_sets: Literal["accept", "reject"] = "accept"
    mapping: dict[str, Any] = Field(
        default_factory=dict, description="per transaction set overrides of the X12 maps"
    )

    @field_validator("qualifier")
    @classmethod
    def _qualifier(cls, value: str) -> str:
        return _x12_id(value, 2)

    @field_validator("id", "gs_id")
    @classmethod
    def _id(cls, value: str | None) -> str | None:
        return None if value is None else _x12_id(value, 15)

    @field_validator("mapping")
    @classmethod
    def _compiles(cls, value: dict[str, Any]) -> dict[str, Any]:
        """Compile the overrides now (as `config check` does for the file's partners), so a
        typo is refused at registration, not when the partner's first interchange arrives."""
        if value:
            from crossdock.mapping.x12 import MappingConfigError, X12Mapper

            try:
                X12Mapper(value)
            except MappingConfigError as exc:
                raise ValueError(str(exc)) from None
        return value


class SlaSettings(_Data):
    """What the partner promised; the flows' timers can read them (hours, None: not agreed)."""

    acknowledgment_hours: float | None = Field(None, gt=0, le=24 * 90)
    ship_notice_hours: float | None = Field(None, gt=0, le=24 * 90)
    invoice_days: float | None = Field(None, gt=0, le=365)


class PartnerFields(_Data):
    """What an administrator sets on a partner (everything but its name, state and times)."""

    kind: PartnerKind
    display_name: str | None = Field(None, max_length=200)
    identifiers: Identifiers = Field(default_factory=Identifiers)
    channels: list[Channel] = Field(default_factory=list)
    x12: X12Settings | None = None
    sla: SlaSettings = Field(default_factory=SlaSettings)
    contacts: list[Contact] = Field(default_factory=list, max_length=50)
    checklist: list[str] | None = Field(
        None, description="document types that must pass certification; default: the kind's"
    )

    @field_validator("channels")
    @classmethod
    def _unique(cls, value: list[Channel]) -> list[Channel]:
        return sorted(set(value))


class Partner(PartnerFields):
    """A registered partner as the store keeps it."""

    name: str
    state: OnboardingState = OnboardingState.DRAFT
    created_at: datetime
    updated_at: datetime
    state_changed_at: datetime
    live_at: datetime | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_name(value)

    def fields(self) -> PartnerFields:
        return PartnerFields.model_validate(
            self.model_dump(include=set(PartnerFields.model_fields))
        )


class CertificationResult(_Data):
    """One certification sample (one transaction set of an X12 sample) and its verdict."""

    id: str
    partner: str
    document_type: str
    format: Literal["json", "x12"]
    passed: bool
    errors: list[dict[str, str]] = Field(default_factory=list)
    received_at: datetime
    body_sha256: str
    reference: str | None = Field(None, description="for X12: ISA13/GS06/ST02 of the set")
