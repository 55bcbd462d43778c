"""`POST /v1/certification/{document_type}` and `/v1/certification/edi`: a partner in
testing sends samples and gets the production verdict, with nothing routed onward.

Authenticated as the partner itself (its key's ``partner``; scope ``messages:write`` for JSON,
``edi:write`` for X12, what it will use in production). The samples are checked by the
intake's and the EDI channel's own preparation (`hub.partners.certification`); the results
are recorded in the registry (what the go-live checklist counts), never in the message log.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel
from starlette.responses import Response

from crossdock.entrypoints.api.openapi import problems
from crossdock.entrypoints.api.partners import partner_problem, services
from crossdock.entrypoints.api.problems import Problem
from crossdock.entrypoints.api.refusals import media_type
from crossdock.entrypoints.api.requests import body_doc, bounded_body, hub_of, json_response
from crossdock.entrypoints.api.security import require
from crossdock.hub.edi.prepare import EDI_CONTENT_TYPE
from crossdock.hub.identity import EDI_WRITE, MESSAGES_WRITE, Principal
from crossdock.hub.intake import UnknownDocumentType
from crossdock.hub.partners.certification import (
    MAX_X12_SAMPLE_BYTES,
    CertificationReport,
    certify_json,
    certify_x12,
)
from crossdock.hub.partners.model import Partner
from crossdock.hub.partners.ports import PartnerError
from crossdock.hub.records import InboundMessage

router = APIRouter()


class ReportOut(BaseModel):
    """The verdict per document (per transaction set of an X12 sample)."""

    partner: str
    passed: bool
    documents: list[dict[str, object]]
    interchange_errors: list[dict[str, str]]


async def _partner(request: Request, principal: Principal) -> Partner:
    if principal.partner is None:
        raise Problem(403, "certification is for partner credentials (the key names no partner)")
    registry = services(request).registry
    try:
        partner: Partner = await asyncio.to_thread(registry.get, principal.partner)
    except PartnerError as exc:
        raise Problem(
            409, f"partner {principal.partner!r} is not in onboarding (not a registered partner)"
        ) from exc
    return partner


async def _record(
    request: Request, report: CertificationReport, messages: list[InboundMessage]
) -> Response:
    samples = [(r, m.raw) for r, m in zip(report.results, messages, strict=True)]
    await hub_of(request).runner.call(services(request).registry.record_certifications, samples)
    return json_response(report.as_dict())


_403 = "the credential is not a partner's"
_409 = "the partner is not registered, or not in testing (`state`)"


@router.post(
    "/v1/certification/edi",
    response_model=ReportOut,
    responses=problems(403, 409, 413, s403=_403, s409=_409),
    openapi_extra=body_doc({EDI_CONTENT_TYPE: "ISA*00*...~", "text/plain": "ISA*00*...~"}),
)
async def certify_edi(
    request: Request, principal: Principal = Depends(require(EDI_WRITE))
) -> Response:
    """An X12 interchange (or several) from the partner's own sender id: a verdict per
    transaction set, with the located X12 and mapping errors."""
    partner = await _partner(request, principal)
    hub = hub_of(request)
    raw = await bounded_body(request, min(hub.limits.edi_bytes, MAX_X12_SAMPLE_BYTES))
    preparer = services(request).preparer
    try:
        report, messages = await asyncio.to_thread(
            certify_x12, partner, raw, preparer, datetime.now(UTC)
        )
    except PartnerError as exc:
        raise partner_problem(exc) from None
    return await _record(request, report, messages)


@router.post(
    "/v1/certification/{document_type}",
    response_model=ReportOut,
    responses=problems(403, 404, 409, 413, 415, s403=_403, s409=_409),
    openapi_extra=body_doc({"application/json": "{}"}),
)
async def certify_document(
    document_type: str, request: Request, principal: Principal = Depends(require(MESSAGES_WRITE))
) -> Response:
    """One canonical JSON document of `document_type`: its verdict, with every validation
    error located by path."""
    partner = await _partner(request, principal)
    hub = hub_of(request)
    media = media_type(request.headers.get("content-type"))
    if media != "application/json":
        raise Problem(415, f"expected Content-Type application/json, got {media or 'none'!r}")
    raw = await bounded_body(request, hub.limits.document_bytes)
    try:
        report, messages = await asyncio.to_thread(
            certify_json, partner, document_type, raw, media, datetime.now(UTC), hub.lane_for
        )
    except UnknownDocumentType:
        raise Problem(404, f"unknown document type {document_type!r}") from None
    except PartnerError as exc:
        raise partner_problem(exc) from None
    return await _record(request, report, messages)
