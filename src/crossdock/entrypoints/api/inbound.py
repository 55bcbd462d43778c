"""``POST /v1/inbound/{source}``: a business system's own JSON event in, canonical messages out.

Only HTTP lives here (the mapping and recording are ``crossdock.hub.inbound_systems``): the body
(bounded by ``hub.max_body_bytes``; a larger one is recorded as a rejected
``system_event`` and answered 413), the headers (event type, idempotency key, signature) and
the answer. ``202`` lists the message ids; an event that could not be mapped is recorded as
rejected and answered ``422`` (RFC 9457) with the reasons and message ids, so the system's
resend finds the same outcome; the same idempotency key with another body is ``409``. A bad
signature is ``401`` and nothing is recorded; an unconfigured system is ``404``.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from crossdock.bootstrap import HubServices
from crossdock.entrypoints.api.guards import WRITES_MESSAGES_OR_SIGNED
from crossdock.entrypoints.api.models.channels import SystemReceipt
from crossdock.entrypoints.api.openapi import problems
from crossdock.entrypoints.api.problems import Problem, problem_response
from crossdock.entrypoints.api.refusals import document_body
from crossdock.entrypoints.api.requests import body_doc, hub_of
from crossdock.entrypoints.api.senders import proven_sender
from crossdock.entrypoints.api.signature_refusals import signature_refused
from crossdock.hub.inbound_systems import (
    CHANNEL,
    UNMAPPED_TYPE,
    BadSignature,
    DocumentOutcome,
    InboundReceipt,
    UnknownSystem,
)
from crossdock.hub.intake_pipeline import ForeignSender

router = APIRouter()


def _document(d: DocumentOutcome) -> dict[str, Any]:
    item: dict[str, Any] = {
        "document_type": d.document_type,
        "id": d.message_id,
        "status": d.status,
        "duplicate": d.duplicate,
    }
    if d.path:
        item["path"] = d.path
    if d.correlation_key:
        item["correlation_key"] = d.correlation_key
    if d.errors:
        item["errors"] = [x.as_dict() for x in d.errors]
    return item


def _count(hub: HubServices, receipt: InboundReceipt) -> None:
    for d in receipt.documents:
        outcome = "duplicate" if d.duplicate else d.status
        hub.metrics.intake_count(d.document_type, outcome)


@router.post(
    "/v1/inbound/{source}",
    dependencies=[WRITES_MESSAGES_OR_SIGNED],
    status_code=202,
    response_model=SystemReceipt,
    responses=problems(
        401,
        403,
        404,
        409,
        413,
        422,
        503,
        s401="the system's signature does not verify; nothing was recorded",
        s403="the caller may not post for this system (a channel without a secret takes only that system's own key, or an operator's); nothing was recorded",
        s404="no business system of that name is configured",
        s409="the idempotency key was already used with another body",
        s422="the event could not be mapped; recorded as rejected",
    ),
    openapi_extra=body_doc({"application/json": "{}"}),
)
async def post_inbound(request: Request, source: str) -> Response:
    """A business system's event in its own JSON, read with ``systems.<source>.format``. Each
    document the event maps to becomes a canonical message (source: the system's name, channel
    ``api``); the idempotency key is the request's ``Idempotency-Key`` or the document's number.
    A system configured with a signature authenticates by it: no bearer credential needed."""
    hub = hub_of(request)
    if hub.inbound is None:
        raise Problem(404, "no business systems are configured")
    if source not in hub.inbound.systems():
        known = ", ".join(hub.inbound.systems()) or "none"
        raise Problem(404, f"unknown system {source[:64]!r} (configured: {known})")
    body = await document_body(
        hub, request, document_type=UNMAPPED_TYPE, source=source, channel=CHANNEL
    )
    try:
        receipt = await hub.inbound.receive(
            source, request.headers, body, proven_sender(request.scope)
        )
    except UnknownSystem:
        known = ", ".join(hub.inbound.systems()) or "none"
        raise Problem(404, f"unknown system {source[:64]!r} (configured: {known})") from None
    except ForeignSender as exc:
        return problem_response(403, str(exc), instance=request.url.path)
    except BadSignature as exc:
        return await signature_refused(
            hub,
            request,
            exc,
            body,
            document_type=UNMAPPED_TYPE,
            source=source,
            channel=CHANNEL,
            realm="crossdock systems",
        )
    _count(hub, receipt)
    documents = [_document(d) for d in receipt.documents]
    ids = [d.message_id for d in receipt.documents]
    replayed = all(d.duplicate for d in receipt.documents)
    headers = {"Idempotent-Replayed": "true"} if replayed else {}
    if receipt.conflicts:
        return problem_response(
            409,
            "the idempotency key was already used with another body",
            instance=request.url.path,
            message_ids=ids,
            messages=documents,
        )
    if receipt.rejected:
        response = problem_response(
            422,
            f"event {receipt.event!r} could not be mapped to canonical documents; "
            "recorded as rejected",
            instance=request.url.path,
            event=receipt.event,
            message_ids=ids,
            errors=[x.as_dict() for d in receipt.rejected for x in d.errors],
            messages=documents,
        )
        response.headers.update(headers)
        return response
    reply = {"system": source, "event": receipt.event, "message_ids": ids, "messages": documents}
    return Response(orjson.dumps(reply), 202, headers=headers, media_type="application/json")
