"""`/v1/admin/partners`: the partner registry for administrators (scope ``admin``).

Routes only translate HTTP: the use cases are `hub.partners.registry.PartnerRegistry`'s,
run on the store's writer (changes) or a worker thread (reads). Refusals are problems:
404 for an unknown partner, 409 for a name or X12 sender taken (by ``crossdock.yaml`` or
another registered partner), a transition the onboarding does not allow, or a go-live with
certification missing. There is no DELETE: a partner that must stop is suspended, so its
history (messages, certifications, audit) keeps naming a partner that exists.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.responses import Response

from crossdock.bootstrap.partners import PartnerServices
from crossdock.entrypoints.api.openapi import problems
from crossdock.entrypoints.api.problems import Problem
from crossdock.entrypoints.api.requests import hub_of
from crossdock.entrypoints.api.security import require
from crossdock.hub.identity import ADMIN, Principal
from crossdock.hub.intake import validation_errors
from crossdock.hub.partners.listing import PartnerListing
from crossdock.hub.partners.model import (
    Channel,
    Contact,
    Identifiers,
    OnboardingState,
    Partner,
    PartnerFields,
    PartnerKind,
    SlaSettings,
    X12Settings,
)
from crossdock.hub.partners.ports import (
    ChecklistIncomplete,
    InvalidTransition,
    NotInTesting,
    PartnerConflict,
    PartnerError,
    PartnerNotFound,
)

router = APIRouter()
PREFIX = "/v1/admin/partners"


class PartnerCreate(PartnerFields):
    """A partner to register; it starts in ``draft``."""

    name: str = Field(description="logical name: lowercase letters, digits, '-' and '_'")


class PartnerPatch(BaseModel):
    """Fields to change; each given field is replaced whole."""

    model_config = ConfigDict(extra="forbid")

    kind: PartnerKind | None = None
    display_name: str | None = None
    identifiers: Identifiers | None = None
    channels: list[Channel] | None = None
    x12: X12Settings | None = None
    sla: SlaSettings | None = None
    contacts: list[Contact] | None = None
    checklist: list[str] | None = None


class StateChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: OnboardingState
    reason: str | None = Field(None, max_length=500)


class GoLive(BaseModel):
    model_config = ConfigDict(extra="forbid")

    force: bool = Field(False, description="skip the checklist (a reason is required)")
    reason: str | None = Field(None, max_length=500)


class ChecklistOut(BaseModel):
    required: list[str]
    passed: list[str]
    missing: list[str]
    complete: bool


class PartnerOut(Partner):
    """A registered partner with its origin and certification checklist."""

    origin: str = "store"
    checklist_status: ChecklistOut


class PartnerList(BaseModel):
    partners: list[PartnerListing]


class CertificationOut(BaseModel):
    id: str
    document_type: str
    format: str
    passed: bool
    errors: list[dict[str, str]]
    received_at: datetime
    reference: str | None


class CertificationList(BaseModel):
    certifications: list[CertificationOut]


def _ip(request: Request) -> str | None:
    """Where the request came from, for the audit log."""
    return request.client.host if request.client else None


def services(request: Request) -> PartnerServices:
    found = hub_of(request).partners
    if found is None:
        raise Problem(503, "the partner registry is not available in this process")
    return found


def partner_problem(exc: PartnerError) -> Problem:
    """The registry's refusal as an RFC 9457 problem."""
    if isinstance(exc, PartnerNotFound):
        return Problem(404, str(exc), partner=exc.name)
    if isinstance(exc, ChecklistIncomplete):
        return Problem(409, str(exc), missing=exc.missing)
    if isinstance(exc, InvalidTransition):
        return Problem(409, str(exc), current=exc.current, target=exc.target, allowed=exc.allowed)
    if isinstance(exc, PartnerConflict):
        return Problem(409, str(exc), field=exc.field, owner=exc.owner)
    if isinstance(exc, NotInTesting):
        return Problem(409, str(exc), state=exc.state)
    return Problem(409, str(exc))


async def _run(request: Request, fn: Any, *args: Any, write: bool = False, **kwargs: Any) -> Any:
    try:
        if write:
            return await hub_of(request).runner.call(fn, *args, **kwargs)
        return await asyncio.to_thread(fn, *args, **kwargs)
    except PartnerError as exc:
        raise partner_problem(exc) from None
    except ValidationError as exc:  # an update whose result is not a valid partner
        errors = [e.as_dict() for e in validation_errors(exc)]
        raise Problem(422, "the partner would be invalid", errors=errors) from None
    except ValueError as exc:
        raise Problem(422, str(exc)) from None


async def _out(request: Request, partner: Partner) -> PartnerOut:
    registry = services(request).registry
    status = await _run(request, registry.checklist, partner.name)
    return PartnerOut(**dict(partner), checklist_status=ChecklistOut(**status.as_dict()))


_409 = "the name or the X12 sender is taken (by crossdock.yaml or another partner)"
_STEP = "the onboarding does not allow this step, or certification is incomplete (`missing`)"


@router.post(PREFIX, status_code=201, response_model=PartnerOut, responses=problems(409, s409=_409))
async def create_partner(
    body: PartnerCreate, request: Request, response: Response,
    principal: Principal = Depends(require(ADMIN)),
) -> PartnerOut:  # fmt: skip
    """Register a partner (state ``draft``). 409 when the name or its X12 sender is taken."""
    fields = PartnerFields.model_validate(body.model_dump(exclude={"name"}))
    registry = services(request).registry
    partner = await _run(
        request, registry.create, body.name, fields, principal, source_ip=_ip(request), write=True
    )
    response.headers["Location"] = f"{PREFIX}/{partner.name}"
    return await _out(request, partner)


@router.get(PREFIX, response_model=PartnerList)
async def list_partners(
    request: Request, _principal: Principal = Depends(require(ADMIN))
) -> PartnerList:
    """Every partner, from ``crossdock.yaml`` (origin ``file``) and registered (``store``)."""
    rows = await _run(request, services(request).registry.listing)
    return PartnerList(partners=rows)


@router.get(PREFIX + "/{name}", response_model=PartnerOut | PartnerListing, responses=problems(404))
async def get_partner(
    name: str, request: Request, _principal: Principal = Depends(require(ADMIN))
) -> PartnerOut | PartnerListing:
    """A registered partner with its checklist; a file partner as its listing line."""
    registry = services(request).registry
    if name in registry.directory.file_names:
        listing: PartnerListing = registry.find(name)
        return listing
    return await _out(request, await _run(request, registry.get, name))


@router.patch(
    PREFIX + "/{name}",
    response_model=PartnerOut,
    responses=problems(404, 409, s409=_409 + ", or the partner is crossdock.yaml's"),
)
async def update_partner(
    name: str, body: PartnerPatch, request: Request,
    principal: Principal = Depends(require(ADMIN)),
) -> PartnerOut:  # fmt: skip
    """Change a registered partner's settings (not its name or state)."""
    changes = body.model_dump(exclude_unset=True)
    registry = services(request).registry
    partner = await _run(
        request, registry.update, name, changes, principal, source_ip=_ip(request), write=True
    )
    return await _out(request, partner)


@router.post(
    PREFIX + "/{name}/state", response_model=PartnerOut, responses=problems(404, 409, s409=_STEP)
)
async def change_state(
    name: str, body: StateChange, request: Request,
    principal: Principal = Depends(require(ADMIN)),
) -> PartnerOut:  # fmt: skip
    """draft → testing, live → suspended, suspended → live (testing → live is go-live)."""
    registry = services(request).registry
    partner = await _run(
        request,
        registry.set_state,
        name,
        body.state,
        principal,
        body.reason,
        source_ip=_ip(request),
        write=True,
    )
    return await _out(request, partner)


@router.post(
    PREFIX + "/{name}/go-live",
    response_model=PartnerOut,
    responses=problems(404, 409, s409=_STEP),
)
async def go_live(
    name: str, body: GoLive, request: Request,
    principal: Principal = Depends(require(ADMIN)),
) -> PartnerOut:  # fmt: skip
    """testing → live once every checklist document type passed certification (409 with
    ``missing`` otherwise); ``force`` with a ``reason`` skips the checklist, audited."""
    registry = services(request).registry
    partner = await _run(
        request, registry.go_live, name, principal, force=body.force, reason=body.reason,
        source_ip=_ip(request), write=True,
    )  # fmt: skip
    return await _out(request, partner)


@router.get(
    PREFIX + "/{name}/certifications", response_model=CertificationList, responses=problems(404)
)
async def certifications(
    name: str, request: Request, _principal: Principal = Depends(require(ADMIN))
) -> CertificationList:
    """The partner's certification results, newest first (the last 100)."""
    results = await _run(request, services(request).registry.certifications, name)
    return CertificationList(
        certifications=[
            CertificationOut(**r.model_dump(exclude={"partner", "body_sha256"})) for r in results
        ]
    )
