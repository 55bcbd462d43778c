"""HTTP intake: one canonical document per request, or NDJSON batches.

This is the hub's hot path, so handlers read the raw body themselves (no FastAPI body model)
and answer with pre-serialized JSON. Every refusal — wrong content type, too large, unknown
type, invalid document — is recorded in the message log before the error goes back.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response
from starlette.routing import Route

from crossdock.bootstrap import HubServices
from crossdock.entrypoints.api.problems import Problem, problem_response
from crossdock.hub.intake import IntakeOutcome, IntakeRequest, prepare, reject
from crossdock.hub.records import FieldError, InboundMessage

router = APIRouter()

JSON_TYPES = ("application/json",)
NDJSON_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonl")
BATCH_BYTES_FACTOR = 64


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def _hub(request: Request) -> HubServices:
    hub: HubServices = request.app.state.hub
    return hub


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The body, or None when it is larger than `limit` (checked before and while reading)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _request(request: Request, document_type: str, raw: bytes, channel: str) -> IntakeRequest:
    return IntakeRequest(
        document_type=document_type,
        raw=raw,
        content_type=_media_type(request) or "application/octet-stream",
        source=request.headers.get("x-crossdock-source", "api"),
        channel=channel,
        received_at=datetime.now(UTC),
        idempotency_key=request.headers.get("idempotency-key"),
        causation_id=request.headers.get("x-crossdock-causation-id"),
    )


async def _refuse(
    hub: HubServices, req: IntakeRequest, status: int, detail: str, path: str
) -> Response:
    """Record a refused request as a rejected message, then answer with the problem."""
    message = reject(req, hub.lane_for(req.document_type), [FieldError("$", detail, "refused")])
    [outcome] = await hub.recorder.submit([message])
    hub.metrics.intake.labels(req.document_type, "rejected").inc()
    return problem_response(status, detail, instance=path, message_id=outcome.message_id)


def _outcome_body(outcome: IntakeOutcome) -> dict[str, object]:
    body: dict[str, object] = {
        "id": outcome.message_id,
        "status": outcome.status,
        "duplicate": outcome.duplicate,
    }
    if outcome.correlation_key:
        body["correlation_key"] = outcome.correlation_key
    return body


@router.post("/v1/messages/{document_type}", status_code=202)
async def post_message(document_type: str, request: Request) -> Response:
    """Accept one canonical document. 202 once it is durable; its id tracks it from then on."""
    hub = _hub(request)
    started = time.perf_counter()
    path = request.url.path
    limit = hub.settings.hub.max_body_bytes
    raw = await _read_body(request, limit)
    if raw is None:
        req = _request(request, document_type, b"", "http")
        return await _refuse(hub, req, 413, f"body exceeds the limit of {limit} bytes", path)
    req = _request(request, document_type, raw, "http")
    if req.content_type not in JSON_TYPES:
        detail = f"content type {req.content_type!r} is not accepted here; send application/json"
        return await _refuse(hub, req, 415, detail, path)
    if document_type not in hub.document_types:
        known = ", ".join(sorted(hub.document_types))
        return await _refuse(
            hub, req, 404, f"unknown document type {document_type!r} (known: {known})", path
        )
    message = prepare(req, hub.lane_for)
    [outcome] = await hub.recorder.submit([message])
    hub.metrics.intake_seconds.labels("http").observe(time.perf_counter() - started)
    location = {"Location": f"/v1/messages/{outcome.message_id}"}
    if outcome.conflict:
        hub.metrics.intake.labels(document_type, "conflict").inc()
        raise Problem(
            409,
            "this Idempotency-Key was already used with a different body; use a new key",
            message_id=outcome.message_id,
        )
    if outcome.duplicate:
        hub.metrics.intake.labels(document_type, "duplicate").inc()
        location["Idempotent-Replayed"] = "true"
    if outcome.status == "rejected":
        hub.metrics.intake.labels(document_type, "rejected").inc()
        errors = [e.as_dict() for e in outcome.errors] if outcome.errors else None
        if errors is None:  # a duplicate of a rejected message: read back why
            stored = await hub.runner.read(lambda uow: uow.messages.get(outcome.message_id))
            errors = stored.errors if stored else []
        response = problem_response(
            422,
            f"the {document_type} document is invalid; it was recorded as rejected",
            instance=path,
            message_id=outcome.message_id,
            errors=errors,
            duplicate=outcome.duplicate,
        )
        response.headers.update(location)
        return response
    if not outcome.duplicate:
        hub.metrics.intake.labels(document_type, "accepted").inc()
    return Response(
        orjson.dumps(_outcome_body(outcome)),
        status_code=202,
        media_type="application/json",
        headers=location,
    )


@router.post("/v1/messages/{document_type}/batch", status_code=202)
async def post_batch(document_type: str, request: Request) -> Response:
    """Accept NDJSON, one document per line; each line is recorded on its own.

    A line's idempotency key is the request's ``Idempotency-Key`` plus ``:<line number>``, so
    a retried batch is a batch of duplicates.
    """
    hub = _hub(request)
    path = request.url.path
    limit = hub.settings.hub.max_body_bytes * BATCH_BYTES_FACTOR
    raw = await _read_body(request, limit)
    if raw is None:
        req = _request(request, document_type, b"", "http-batch")
        return await _refuse(hub, req, 413, f"batch exceeds the limit of {limit} bytes", path)
    req = _request(request, document_type, b"", "http-batch")
    if req.content_type not in NDJSON_TYPES:
        req.raw = raw[:65536]
        detail = (
            f"content type {req.content_type!r} is not accepted here; send application/x-ndjson"
        )
        return await _refuse(hub, req, 415, detail, path)
    if document_type not in hub.document_types:
        known = ", ".join(sorted(hub.document_types))
        return await _refuse(
            hub, req, 404, f"unknown document type {document_type!r} (known: {known})", path
        )
    lines = [(n, line) for n, line in enumerate(raw.split(b"\n"), start=1) if line.strip()]
    max_docs = hub.settings.hub.max_batch_documents
    if len(lines) > max_docs:
        req.raw = raw[:65536]
        return await _refuse(
            hub, req, 413, f"batch has {len(lines)} documents; the limit is {max_docs}", path
        )
    prefix = req.idempotency_key
    messages: list[InboundMessage] = []
    for number, line in lines:
        line_req = IntakeRequest(
            document_type=document_type,
            raw=line,
            content_type="application/json",
            source=req.source,
            channel="http-batch",
            received_at=req.received_at,
            idempotency_key=f"{prefix}:{number}" if prefix else None,
            causation_id=req.causation_id,
        )
        messages.append(prepare(line_req, hub.lane_for))
    outcomes = await hub.recorder.submit(messages)
    counts = {"accepted": 0, "rejected": 0, "duplicate": 0, "conflict": 0}
    results = []
    for (number, _), outcome in zip(lines, outcomes, strict=True):
        kind = (
            "conflict" if outcome.conflict else "duplicate" if outcome.duplicate else outcome.status
        )
        counts[kind if kind in counts else "accepted"] += 1
        item: dict[str, object] = {
            "line": number,
            "id": outcome.message_id,
            "status": outcome.status,
        }
        if outcome.duplicate or outcome.conflict:
            item["duplicate" if outcome.duplicate else "conflict"] = True
        if outcome.errors:
            item["errors"] = [e.as_dict() for e in outcome.errors]
        results.append(item)
    for kind, n in counts.items():
        if n:
            hub.metrics.intake.labels(document_type, kind).inc(n)
    body = {"documents": len(lines), **counts, "results": results}
    return Response(orjson.dumps(body), status_code=202, media_type="application/json")


async def _fast_single(request: Request) -> Response:
    try:
        return await post_message(request.path_params["document_type"], request)
    except Problem as exc:
        return problem_response(
            exc.status, exc.detail, instance=request.url.path, type_=exc.type, **exc.extra
        )


async def _fast_batch(request: Request) -> Response:
    try:
        return await post_batch(request.path_params["document_type"], request)
    except Problem as exc:
        return problem_response(
            exc.status, exc.detail, instance=request.url.path, type_=exc.type, **exc.extra
        )


def fast_routes() -> list[Route]:
    """The intake endpoints as plain Starlette routes (see `create_app`)."""
    return [
        Route("/v1/messages/{document_type}", _fast_single, methods=["POST"]),
        Route("/v1/messages/{document_type}/batch", _fast_batch, methods=["POST"]),
    ]
