"""HTTP intake without a web framework: one canonical document, or an NDJSON batch.

This is the hub's hot path. It takes the request as plain values (document type, lower-case
headers, body) and returns a `Reply`, so the raw ASGI fast path (`fast_intake`) and the
documented FastAPI routes (`intake`) share every rule. Every refusal — wrong content type, too
large, unknown type, invalid document — is recorded in the message log before it is answered.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from crossdock.bootstrap import HubServices
from crossdock.entrypoints.api.problems import PROBLEM_JSON, problem_body
from crossdock.entrypoints.api.senders import onboarding_refusal
from crossdock.hub.intake import (
    IntakeOutcome,
    IntakeRequest,
    has_control_characters,
    prepare,
    reject,
)
from crossdock.hub.intake_pipeline import NOBODY, Sender
from crossdock.hub.limits import REFUSED_BODY_KEEP
from crossdock.hub.records import FieldError, InboundMessage

JSON_TYPES = ("application/json",)
NDJSON_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonl")


@dataclass(slots=True)
class IntakeCall:
    """One intake request. `body` is None when it was larger than the limit."""

    document_type: str
    path: str
    headers: Mapping[str, str]
    body: bytes | None
    #: Who the authentication middleware proved sent it (recorded on every message).
    sender: Sender = NOBODY


@dataclass(slots=True)
class Reply:
    status: int
    body: bytes
    media_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def single_limit(hub: HubServices) -> int:
    return hub.limits.document_bytes


def batch_limit(hub: HubServices) -> int:
    return hub.limits.batch_bytes


def busy_reply(path: str, exc: Exception) -> Reply:
    """503 with Retry-After: too many messages wait to be recorded (back-pressure)."""
    reply = _problem(503, f"the hub is busy ({exc}); retry in a second", path)
    reply.headers["Retry-After"] = "1"
    return reply


def _problem(status: int, detail: str, path: str, **extra: Any) -> Reply:
    return Reply(status, problem_body(status, detail, instance=path, **extra), PROBLEM_JSON)


#: For the flat-file route (`csv_intake`), which answers with the same problems.
problem_reply = _problem


def is_csv(headers: Mapping[str, str]) -> bool:
    """A ``text/csv`` body: a partner's flat file, read with its CSV map."""
    return headers.get("content-type", "").split(";", 1)[0].strip().lower() == "text/csv"


def intake_limit(hub: HubServices, headers: Mapping[str, str], batch: bool) -> int:
    """The body limit of a request: a flat file holds many documents, like a batch."""
    return batch_limit(hub) if batch or is_csv(headers) else single_limit(hub)


def _request(call: IntakeCall, raw: bytes, channel: str) -> IntakeRequest:
    headers = call.headers
    media = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return IntakeRequest(
        document_type=call.document_type,
        raw=raw,
        content_type=media or "application/octet-stream",
        # a partner's documents come from that partner: its name is the default source
        source=headers.get("x-crossdock-source", call.sender.partner or "api"),
        channel=channel,
        received_at=datetime.now(UTC),
        idempotency_key=headers.get("idempotency-key"),
        causation_id=headers.get("x-crossdock-causation-id"),
        sender=call.sender.subject,
        partner=call.sender.partner,
    )


async def _refuse(
    hub: HubServices, req: IntakeRequest, status: int, detail: str, path: str
) -> Reply:
    """Record a refused request as a rejected message, then answer with the problem."""
    req.content_type = req.content_type[:128]  # the log's column size; the header may be any
    message = reject(req, hub.lane_for(req.document_type), [FieldError("$", detail, "refused")])
    [outcome] = await hub.recorder.submit([message])
    # The path names the type: an unknown one gets a fixed label, or any client could grow
    # the metric's label set without bound.
    label = req.document_type if req.document_type in hub.document_types else "unknown"
    hub.metrics.intake_count(label, "rejected")
    return _problem(status, detail, path, message_id=outcome.message_id)


async def _check(
    hub: HubServices,
    req: IntakeRequest,
    accepted: tuple[str, ...],
    path: str,
    *,
    batch: bool = False,
) -> Reply | None:
    partner = req.partner
    inactive = onboarding_refusal(hub, partner)
    if inactive is not None:
        # Recorded without the keys: once live, the partner's retry must not be its duplicate.
        req.source = partner or req.source
        req.idempotency_key = None
        req.causation_id = None
        return await _refuse(hub, req, 403, inactive, path)
    if partner is not None and req.source != partner:
        # Routes choose by source: a partner naming another source would pass its documents
        # off as that system's. Recorded under its own name, with why.
        detail = f"X-Crossdock-Source {req.source[:64]!r} is not yours: your documents come from {partner!r}"
        req.source = partner
        req.idempotency_key = None
        req.causation_id = None
        return await _refuse(hub, req, 403, detail, path)
    limits = hub.limits.header_limits()
    if batch:  # line n's key is <key>:<n>, and it must still fit the log's column
        limits["idempotency_key"] = hub.limits.batch_key_chars
    too_long = [name for name, limit in limits.items() if len(getattr(req, name) or "") > limit]
    if too_long:
        detail = "; ".join(
            f"{name.replace('_', '-')} is longer than {limits[name]} characters"
            for name in too_long
        )
        if batch and "idempotency_key" in too_long:
            detail += " (a batch line's key is <Idempotency-Key>:<line number>)"
        # Recorded without the offending values, so the refusal itself fits the log.
        req.idempotency_key = None
        req.causation_id = None
        req.source = req.source[: limits["source"]]
        return await _refuse(hub, req, 400, detail, path)
    with_controls = [name for name in limits if has_control_characters(getattr(req, name) or "")]
    if with_controls:
        detail = "; ".join(
            f"{name.replace('_', '-')} contains control characters" for name in with_controls
        )
        req.idempotency_key = None
        req.causation_id = None
        if "source" in with_controls:
            req.source = "api"
        return await _refuse(hub, req, 400, detail, path)
    if req.content_type not in accepted:
        detail = f"content type {req.content_type!r} is not accepted here; send {accepted[0]}"
        return await _refuse(hub, req, 415, detail, path)
    if req.document_type not in hub.document_types:
        known = ", ".join(sorted(hub.document_types))
        req.document_type = req.document_type[:64]  # the log's column size; the path may be any
        detail = f"unknown document type {req.document_type!r} (known: {known})"
        return await _refuse(hub, req, 404, detail, path)
    return None


async def handle_single(hub: HubServices, call: IntakeCall) -> Reply:
    """Accept one canonical document: 202 once it is durable; its id tracks it from then on."""
    started = time.perf_counter()
    if is_csv(call.headers):
        return await _handle_csv(hub, call)
    if call.body is None:
        req = _request(call, b"", "http")
        detail = f"body exceeds the limit of {single_limit(hub)} bytes"
        return await _refuse(hub, req, 413, detail, call.path)
    req = _request(call, call.body, "http")
    refused = await _check(hub, req, JSON_TYPES, call.path)
    if refused is not None:
        return refused
    [outcome] = await hub.recorder.submit([prepare(req, hub.lane_for)])
    took = time.perf_counter() - started
    hub.metrics.request_latency("http", took)
    if not (outcome.duplicate or outcome.conflict):
        hub.metrics.recorded_latency(call.document_type, took)
    return await _single_reply(hub, call, outcome)


#: For the flat-file route (`csv_intake`), which records its refusals the same way.
refuse = _refuse


async def _handle_csv(hub: HubServices, call: IntakeCall) -> Reply:
    from crossdock.entrypoints.api.csv_intake import CHANNEL, CSV_TYPES, handle_csv

    if call.body is None:
        req = _request(call, b"", CHANNEL)
        detail = f"body exceeds the limit of {batch_limit(hub)} bytes"
        return await _refuse(hub, req, 413, detail, call.path)
    req = _request(call, call.body[:REFUSED_BODY_KEEP], CHANNEL)
    refused = await _check(hub, req, CSV_TYPES, call.path)
    if refused is not None:
        return refused
    return await handle_csv(hub, call, req)


async def _single_reply(hub: HubServices, call: IntakeCall, outcome: IntakeOutcome) -> Reply:
    document_type = call.document_type
    headers = {"Location": f"/v1/messages/{outcome.message_id}"}
    if outcome.conflict:
        hub.metrics.intake_count(document_type, "conflict")
        detail = "this Idempotency-Key was already used with a different body; use a new key"
        return _problem(
            409, detail, call.path, message_id=outcome.message_id, recorded_as=outcome.recorded_as
        )
    if outcome.duplicate:
        hub.metrics.intake_count(document_type, "duplicate")
        headers["Idempotent-Replayed"] = "true"
    if outcome.status == "rejected":
        hub.metrics.intake_count(document_type, "rejected")
        errors: list[Any] | None = [e.as_dict() for e in outcome.errors] if outcome.errors else None
        if errors is None:  # a duplicate of a rejected message: read back why
            stored = await hub.runner.read(lambda uow: uow.messages.get(outcome.message_id))
            errors = stored.errors if stored else []
        reply = _problem(
            422,
            f"the {document_type} document is invalid; it was recorded as rejected",
            call.path,
            message_id=outcome.message_id,
            errors=errors,
            duplicate=outcome.duplicate,
        )
        reply.headers = headers
        return reply
    if not outcome.duplicate:
        hub.metrics.intake_count(document_type, "accepted")
    body: dict[str, object] = {
        "id": outcome.message_id,
        "status": outcome.status,
        "duplicate": outcome.duplicate,
    }
    if outcome.correlation_key:
        body["correlation_key"] = outcome.correlation_key
    return Reply(202, orjson.dumps(body), headers=headers)


async def handle_batch(hub: HubServices, call: IntakeCall) -> Reply:
    """Accept NDJSON, one document per line; each line is recorded on its own.

    A line's idempotency key is the request's ``Idempotency-Key`` plus ``:<line number>``, so
    a retried batch is a batch of duplicates.
    """
    started = time.perf_counter()
    if call.body is None:
        req = _request(call, b"", "http-batch")
        detail = f"batch exceeds the limit of {batch_limit(hub)} bytes"
        return await _refuse(hub, req, 413, detail, call.path)
    raw = call.body
    req = _request(call, raw[:REFUSED_BODY_KEEP], "http-batch")
    refused = await _check(hub, req, NDJSON_TYPES, call.path, batch=True)
    if refused is not None:
        return refused
    lines = [(n, line) for n, line in enumerate(raw.split(b"\n"), start=1) if line.strip()]
    max_docs = hub.limits.batch_documents
    if len(lines) > max_docs:
        detail = f"batch has {len(lines)} documents; the limit is {max_docs}"
        return await _refuse(hub, req, 413, detail, call.path)
    if not lines:
        return await _refuse(hub, req, 422, "the batch has no documents", call.path)
    prefix = req.idempotency_key
    requests = [
        IntakeRequest(
            document_type=call.document_type,
            raw=line,
            content_type="application/json",
            source=req.source,
            channel="http-batch",
            received_at=req.received_at,
            idempotency_key=f"{prefix}:{number}" if prefix else None,
            causation_id=req.causation_id,
            sender=req.sender,
            partner=req.partner,
        )
        for number, line in lines
    ]
    messages = await _prepare_lines(hub, requests)
    outcomes = await hub.recorder.submit(messages)
    new = sum(1 for o in outcomes if not (o.duplicate or o.conflict))
    hub.metrics.recorded_latency(call.document_type, time.perf_counter() - started, new)
    return _batch_reply(hub, call.document_type, lines, outcomes)


async def _prepare_lines(hub: HubServices, requests: list[IntakeRequest]) -> list[InboundMessage]:
    """Prepare every line; a line larger than one document may be is rejected on its own
    (with a bounded prefix kept), exactly as single intake would refuse it."""
    lane = hub.lane_for(requests[0].document_type)
    limit = hub.limits.document_bytes
    oversized = {i for i, r in enumerate(requests) if len(r.raw) > limit}
    if not oversized:
        return await hub.preparer.prepare(requests, lane)
    fitting = [r for i, r in enumerate(requests) if i not in oversized]
    prepared = iter(await hub.preparer.prepare(fitting, lane) if fitting else [])
    detail = f"the document is larger than the limit of {limit} bytes"
    messages = []
    for i, r in enumerate(requests):
        if i in oversized:
            r.raw = r.raw[:REFUSED_BODY_KEEP]
            messages.append(reject(r, lane, [FieldError("$", detail, "refused")]))
        else:
            messages.append(next(prepared))
    return messages


def _batch_reply(
    hub: HubServices,
    document_type: str,
    lines: list[tuple[int, bytes]],
    outcomes: list[IntakeOutcome],
) -> Reply:
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
            hub.metrics.intake_count(document_type, kind, n)
    body = {"documents": len(lines), **counts, "results": results}
    return Reply(202, orjson.dumps(body))
