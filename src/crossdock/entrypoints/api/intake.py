"""The intake endpoints as FastAPI routes: they document the API (OpenAPI) and serve it when
the raw fast path (`fast_intake`) is not in front. Both run `intake_core`."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from crossdock.bootstrap import HubServices
from crossdock.entrypoints.api.guards import WRITES_MESSAGES
from crossdock.entrypoints.api.intake_core import (
    IntakeCall,
    Reply,
    batch_limit,
    busy_reply,
    handle_batch,
    handle_single,
    intake_limit,
)
from crossdock.entrypoints.api.models.messages import Accepted, BatchReceipt
from crossdock.entrypoints.api.openapi import problems
from crossdock.entrypoints.api.requests import body_doc, hub_of
from crossdock.entrypoints.api.senders import proven_sender
from crossdock.hub.group_commit import Overloaded

router = APIRouter()


async def _call(request: Request, document_type: str, limit: int) -> IntakeCall:
    declared = request.headers.get("content-length")
    body: bytes | None = None
    if not (declared is not None and declared.isdigit() and int(declared) > limit):
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                chunks = []
                break
            chunks.append(chunk)
        else:
            body = b"".join(chunks)
    headers = dict(request.headers)
    return IntakeCall(document_type, request.url.path, headers, body, proven_sender(request.scope))


async def _guarded(hub: HubServices, call: IntakeCall, batch: bool) -> Reply:
    try:
        return await (handle_batch(hub, call) if batch else handle_single(hub, call))
    except Overloaded as exc:
        return busy_reply(call.path, exc)


def _response(reply: Reply) -> Response:
    return Response(reply.body, reply.status, headers=reply.headers, media_type=reply.media_type)


@router.post(
    "/v1/messages/{document_type}",
    dependencies=[WRITES_MESSAGES],
    status_code=202,
    response_model=Accepted,
    responses=problems(
        400,
        404,
        409,
        413,
        415,
        422,
        503,
        s400="a header is too long or holds control characters (recorded as rejected)",
        s404="unknown document type (recorded as rejected)",
        s409="the Idempotency-Key was used with a different body",
        s415="wrong content type, or text/csv from a caller without a CSV map for the type",
        s422="the document is invalid; recorded as rejected, `errors` says where (text/csv: "
        "the documents accepted and rejected, each error's row and column)",
        s503="the hub is busy (`Retry-After`) or the store failed; nothing was recorded",
    ),
    openapi_extra=body_doc(
        {"application/json": "{}", "text/csv": "po_number,sku,qty\nPO-1,SKU-1,12\n"}
    ),
)
async def post_message(document_type: str, request: Request) -> Response:
    """Accept one canonical document (application/json). 202 once it is durable, with the
    message id; 422 with field paths when invalid (and recorded as rejected); 409 when the
    Idempotency-Key was used with another body; 413, 415, 404 as problem+json.

    A partner's flat file (text/csv) is read with its CSV map for the type: one message per
    document, 202 with a summary, or 422 naming each bad row and column (docs/csv.md)."""
    hub = hub_of(request)
    call = await _call(request, document_type, intake_limit(hub, request.headers, batch=False))
    return _response(await _guarded(hub, call, batch=False))


@router.post(
    "/v1/messages/{document_type}/batch",
    dependencies=[WRITES_MESSAGES],
    status_code=202,
    response_model=BatchReceipt,
    responses=problems(
        400,
        404,
        413,
        415,
        422,
        503,
        s413="the body or its number of lines passed the limit (recorded as rejected)",
        s422="the batch has no documents",
    ),
    openapi_extra=body_doc({"application/x-ndjson": "{}\n{}\n"}),
)
async def post_batch(document_type: str, request: Request) -> Response:
    """Accept NDJSON (application/x-ndjson), one document per line, each recorded on its own;
    line n's idempotency key is `<Idempotency-Key>:<n>`."""
    hub = hub_of(request)
    call = await _call(request, document_type, batch_limit(hub))
    return _response(await _guarded(hub, call, batch=True))
