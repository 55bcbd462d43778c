"""`POST /v1/edi`: a raw X12 interchange in, its messages recorded, the 997/999 back.

The body is spooled to a temporary file past a few MiB, so a large interchange costs disk,
not memory, and the reader streams it. The acknowledgment is returned and also queued to the
partner's acknowledgment endpoint (when configured). Input that is not X12 is still recorded,
as a rejected message, and answered with problem details naming it.
"""

from __future__ import annotations

import tempfile
from typing import Any

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from crossdock.bootstrap import HubServices
from crossdock.entrypoints.api.guards import WRITES_EDI
from crossdock.entrypoints.api.models import channels as models
from crossdock.entrypoints.api.openapi import problems
from crossdock.entrypoints.api.problems import Problem
from crossdock.entrypoints.api.refusals import media_type, refusal
from crossdock.entrypoints.api.requests import body_doc, hub_of
from crossdock.entrypoints.api.senders import principal_in
from crossdock.hub.edi.prepare import EDI_CONTENT_TYPE
from crossdock.hub.edi.record import InterchangeReceipt
from crossdock.hub.edi.service import EdiReceipt
from crossdock.hub.intake_pipeline import Sender, sender_of
from crossdock.hub.limits import REFUSED_BODY_KEEP
from crossdock.hub.visibility import confinement

router = APIRouter()

SPOOL_IN_MEMORY = 4 * 1_048_576
CHANNEL = "edi-http"
ACCEPTED_TYPES = (EDI_CONTENT_TYPE, "application/edi", "application/x12", "text/plain")


def receipt_dict(receipt: EdiReceipt) -> dict[str, Any]:
    return {"interchanges": [_interchange(i) for i in receipt.interchanges]}


def _interchange(i: InterchangeReceipt) -> dict[str, Any]:
    return {
        "sender": i.sender,
        "control_number": i.control_number,
        "source": i.source,
        "duplicate": i.duplicate,
        "errors": i.errors,
        "ack_kind": i.ack.kind if i.ack else None,
        "ack": i.ack.text if i.ack else None,
        "ack_message_id": i.ack_message_id,
        "outbound_settled": i.settled_outbound,
        "messages": [
            {
                "id": m.message_id,
                "status": m.status,
                "duplicate": m.duplicate,
                "correlation_key": m.correlation_key,
                "errors": [e.as_dict() for e in m.errors],
            }
            for m in i.messages
        ],
    }


class _Refused(Exception):
    """The body cannot be taken; what was read of it (bounded) is kept as evidence."""

    def __init__(self, status: int, detail: str, prefix: bytes = b"") -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.prefix = prefix


async def _spool(request: Request, limit: int) -> Any:
    declared = request.headers.get("content-length")
    too_large = f"the interchange is larger than the limit of {limit} bytes"
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _Refused(413, too_large)
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            spool.seek(0)
            prefix = spool.read(REFUSED_BODY_KEEP)
            spool.close()
            raise _Refused(413, too_large, prefix)
        spool.write(chunk)
    if size == 0:
        spool.close()
        raise _Refused(422, "the request body is empty: send an X12 interchange")
    spool.seek(0)
    return spool


async def _refuse(
    hub: HubServices, refused: _Refused, content_type: str, sender: Sender
) -> Problem:
    """Recorded like unreadable X12: document type x12_interchange, sender unknown."""
    return await refusal(
        hub,
        refused.status,
        refused.detail,
        document_type="x12_interchange",
        source="x12:unknown",
        channel=CHANNEL,
        content_type=content_type,
        raw=refused.prefix,
        sender=sender,
    )


@router.post(
    "/v1/edi",
    dependencies=[WRITES_EDI],
    status_code=202,
    response_model=models.EdiReceipt,
    responses={
        202: {
            "description": "the 997/999 (and TA1) as X12, or with `Accept: application/json` "
            "(or when there is no acknowledgment) the JSON receipt",
            "content": {EDI_CONTENT_TYPE: {"schema": {"type": "string"}}},
        },
        **problems(
            413,
            415,
            422,
            503,
            s422="the body is empty or is not X12 (recorded as a rejected x12_interchange)",
        ),
    },
    openapi_extra=body_doc({EDI_CONTENT_TYPE: "ISA*00*...~", "text/plain": "ISA*00*...~"}),
)
async def post_edi(request: Request) -> Response:
    """Accept X12 (``application/edi-x12``): one or more interchanges. Every transaction set
    becomes a message (accepted, or rejected with located errors); the reply is the 997/999
    (and TA1 where needed) as X12, or a JSON receipt with ``Accept: application/json``. A body
    refused as a whole (413, 415, empty) is recorded as a rejected ``x12_interchange``.
    A partner may only send its own sender ids (ISA05/06, GS02): an interchange naming
    another's is recorded rejected and answered 403 problem+json carrying the TA1 (or the
    997/999 rejecting the group) in ``ack``; operators may post for any partner."""
    hub = hub_of(request)
    media = media_type(request.headers.get("content-type"))
    try:
        if media not in ACCEPTED_TYPES:
            detail = f"expected Content-Type {EDI_CONTENT_TYPE}, got {media or 'none'!r}"
            raise _Refused(415, detail)
        spool = await _spool(request, hub.limits.edi_bytes)
    except _Refused as refused:
        sender = sender_of(principal_in(request.scope))
        raise await _refuse(hub, refused, media, sender) from None
    principal = principal_in(request.scope)
    try:
        receipt = await hub.edi.receive(
            spool, channel=CHANNEL, sender=sender_of(principal), confine=confinement(principal)
        )
    finally:
        spool.close()
    if receipt.refused:
        raise Problem(
            403,
            "the interchange names a sender that is not yours: " + "; ".join(receipt.refused[:5]),
            message_ids=[m.message_id for i in receipt.interchanges for m in i.messages],
            ack=receipt.ack_text() or None,
            errors=receipt.refused,
        )
    if receipt.unreadable:
        first = receipt.interchanges[0]
        raise Problem(
            422,
            "the body is not an X12 interchange: " + "; ".join(first.errors[:5]),
            message_ids=[m.message_id for m in first.messages],
            errors=first.errors,
        )
    wants_json = "json" in request.headers.get("accept", "")
    ack = receipt.ack_text()
    headers = {
        "X-Crossdock-Messages": str(receipt.message_count),
        "X-Crossdock-Duplicate": "true"
        if any(i.duplicate for i in receipt.interchanges)
        else "false",
    }
    if wants_json or not ack:
        return Response(
            orjson.dumps(receipt_dict(receipt)),
            202,
            headers=headers,
            media_type="application/json",
        )
    return Response(ack.encode("utf-8"), 202, headers=headers, media_type=EDI_CONTENT_TYPE)
