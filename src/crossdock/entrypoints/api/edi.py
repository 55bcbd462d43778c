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

from crossdock.entrypoints.api.problems import Problem
from crossdock.entrypoints.api.requests import hub_of
from crossdock.hub.edi.prepare import EDI_CONTENT_TYPE
from crossdock.hub.edi.record import InterchangeReceipt
from crossdock.hub.edi.service import EdiReceipt

router = APIRouter()

SPOOL_IN_MEMORY = 4 * 1_048_576
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


async def _spool(request: Request, limit: int) -> Any:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise Problem(413, f"the interchange is larger than the limit of {limit} bytes")
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            spool.close()
            raise Problem(413, f"the interchange is larger than the limit of {limit} bytes")
        spool.write(chunk)
    if size == 0:
        spool.close()
        raise Problem(422, "the request body is empty: send an X12 interchange")
    spool.seek(0)
    return spool


@router.post("/v1/edi", status_code=202)
async def post_edi(request: Request) -> Response:
    """Accept X12 (``application/edi-x12``): one or more interchanges. Every transaction set
    becomes a message (accepted, or rejected with located errors); the reply is the 997/999
    (and TA1 where needed) as X12, or a JSON receipt with ``Accept: application/json``."""
    hub = hub_of(request)
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media not in ACCEPTED_TYPES:
        raise Problem(415, f"expected Content-Type {EDI_CONTENT_TYPE}, got {media or 'none'!r}")
    spool = await _spool(request, hub.settings.hub.max_edi_bytes)
    try:
        receipt = await hub.edi.receive(spool, channel="edi-http")
    finally:
        spool.close()
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
