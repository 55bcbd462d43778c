"""``POST /v1/webhooks/carriers/{carrier}``: a carrier's tracking webhook in, milestones recorded.

Only HTTP lives here: the body (bounded by ``hub.max_body_bytes``; a larger one is recorded as
a rejected milestone and answered 413), the headers for the
signature, and the answer. ``202`` lists one message per tracking event; a payload or event
that could not be mapped is recorded as rejected and answered ``422`` (RFC 9457) with every
message id, so the carrier's retry finds the same outcome. A bad signature is ``401`` and
nothing is recorded; an unconfigured carrier is ``404``. The Content-Type is not checked:
carriers label JSON inconsistently, and the configured format decides how the body is read.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from crossdock.bootstrap import HubServices
from crossdock.entrypoints.api.guards import WRITES_MESSAGES_OR_SIGNED
from crossdock.entrypoints.api.models.channels import CarrierReceipt
from crossdock.entrypoints.api.openapi import problems
from crossdock.entrypoints.api.problems import Problem, problem_response
from crossdock.entrypoints.api.refusals import document_body
from crossdock.entrypoints.api.requests import body_doc, hub_of
from crossdock.entrypoints.api.senders import proven_sender
from crossdock.entrypoints.api.signature_refusals import signature_refused
from crossdock.hub.intake_pipeline import ForeignSender
from crossdock.hub.webhooks import (
    CHANNEL,
    DOCUMENT_TYPE,
    BadSignature,
    EventOutcome,
    UnknownCarrier,
    WebhookReceipt,
)

router = APIRouter()


def _event(e: EventOutcome) -> dict[str, Any]:
    item: dict[str, Any] = {
        "event": e.path,
        "id": e.message_id,
        "status": e.status,
        "duplicate": e.duplicate,
    }
    if e.correlation_key:
        item["correlation_key"] = e.correlation_key
    if e.errors:
        item["errors"] = [x.as_dict() for x in e.errors]
    return item


def _count(hub: HubServices, receipt: WebhookReceipt) -> dict[str, int]:
    counts = {"accepted": 0, "rejected": 0, "duplicate": 0}
    for e in receipt.events:
        counts[
            "duplicate" if e.duplicate else "rejected" if e.status == "rejected" else "accepted"
        ] += 1
    for outcome, n in counts.items():
        if n:
            hub.metrics.intake_count(DOCUMENT_TYPE, outcome, n)
    return counts


@router.post(
    "/v1/webhooks/carriers/{carrier}",
    dependencies=[WRITES_MESSAGES_OR_SIGNED],
    status_code=202,
    response_model=CarrierReceipt,
    responses=problems(
        401,
        403,
        404,
        413,
        422,
        503,
        s401="the carrier's signature does not verify; nothing was recorded",
        s403="the caller may not post for this carrier (a channel without a secret takes only that carrier's own key, or an operator's); nothing was recorded",
        s404="no carrier of that name is configured",
        s422="the payload or some events could not be mapped; recorded as rejected "
        "(`messages` lists every event)",
    ),
    openapi_extra=body_doc({"application/json": "{}"}),
)
async def post_carrier_webhook(request: Request, carrier: str) -> Response:
    """A carrier tracking webhook, read with the carrier's configured format
    (``carriers.<name>.format``). Each tracking event becomes a ``shipment_milestone`` message
    (source: the carrier name, channel ``webhook``), keyed so redelivery is a duplicate.
    A carrier configured with a signature authenticates by it: no bearer credential needed."""
    hub = hub_of(request)
    if carrier not in hub.webhooks.carriers():
        known = ", ".join(hub.webhooks.carriers()) or "none"
        raise Problem(404, f"unknown carrier {carrier[:64]!r} (configured: {known})")
    body = await document_body(
        hub, request, document_type=DOCUMENT_TYPE, source=carrier, channel=CHANNEL
    )
    try:
        receipt = await hub.webhooks.receive(
            carrier, request.headers, body, proven_sender(request.scope)
        )
    except UnknownCarrier:
        known = ", ".join(hub.webhooks.carriers()) or "none"
        raise Problem(404, f"unknown carrier {carrier[:64]!r} (configured: {known})") from None
    except ForeignSender as exc:
        return problem_response(403, str(exc), instance=request.url.path)
    except BadSignature as exc:
        hub.metrics.intake_count(DOCUMENT_TYPE, "unauthorized")
        return await signature_refused(
            hub,
            request,
            exc,
            body,
            document_type=DOCUMENT_TYPE,
            source=carrier,
            channel=CHANNEL,
            realm="crossdock carrier webhooks",
        )
    counts = _count(hub, receipt)
    events = [_event(e) for e in receipt.events]
    replayed = all(e.duplicate for e in receipt.events)
    headers = {"Idempotent-Replayed": "true"} if replayed else {}
    if receipt.rejected:
        what = "the payload" if receipt.unreadable else f"{len(receipt.rejected)} event(s)"
        response = problem_response(
            422,
            f"{what} could not be mapped to shipment milestones; recorded as rejected",
            instance=request.url.path,
            message_ids=[e.message_id for e in receipt.events],
            errors=[x.as_dict() for e in receipt.rejected for x in e.errors],
            messages=events,
            accepted=counts["accepted"],
            rejected=counts["rejected"],
            duplicate=counts["duplicate"],
        )
        response.headers.update(headers)
        return response
    reply = {"carrier": carrier, "events": len(events), **counts, "messages": events}
    return Response(orjson.dumps(reply), 202, headers=headers, media_type="application/json")
