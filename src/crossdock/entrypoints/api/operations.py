"""Tracking and operations: messages, replay, dead letters, endpoints, health, metrics."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import PlainTextResponse, Response

from crossdock.bootstrap import HubServices
from crossdock.entrypoints.api.guards import AUTHENTICATED, OPERATOR_ACTION, audited
from crossdock.entrypoints.api.models.messages import MessagePage, MessageView
from crossdock.entrypoints.api.models.operations import (
    DeadLetterList,
    EndpointList,
    Health,
    Ready,
    ReplayResult,
    RetryResult,
)
from crossdock.entrypoints.api.openapi import problems
from crossdock.entrypoints.api.problems import Problem
from crossdock.entrypoints.api.requests import (
    MAX_IDS,
    MAX_OFFSET,
    MAX_SEQ,
    hub_of,
    json_response,
)
from crossdock.entrypoints.api.senders import caller
from crossdock.hub import operations as ops
from crossdock.hub import visibility
from crossdock.hub.audit import DEAD_LETTER_RETRY, MESSAGE_REPLAY
from crossdock.hub.records import MessageFilter
from crossdock.hub.visibility import confinement

router = APIRouter()


@router.get("/healthz", response_model=Health)
async def healthz(request: Request) -> Response:
    hub = hub_of(request)
    counts = await hub.runner.read(lambda uow: uow.messages.counts_by_status())
    return json_response({"status": "ok", "messages": counts})


#: How long a readiness probe waits for the store before it says "not ready".
READY_TIMEOUT_SECONDS = 2.0


@router.get(
    "/readyz",
    response_model=Ready,
    responses=problems(503, s503="the store did not answer a read in time, or failed"),
)
async def readyz(request: Request) -> Response:
    """Readiness: 200 while the store answers one indexed read within two seconds, so a load
    balancer stops sending work to a process whose store is gone (``/healthz`` says the
    process is up). Public by default (`auth.public_paths`); says nothing about the data."""
    hub = hub_of(request)
    try:
        await asyncio.wait_for(
            hub.runner.read(lambda uow: uow.messages.get("readyz-probe")), READY_TIMEOUT_SECONDS
        )
    except Exception as exc:  # timeout or a store error: not ready, say which
        raise Problem(503, f"the store is not answering: {type(exc).__name__}") from None
    return json_response({"status": "ready"})


@router.get(
    "/metrics",
    response_class=PlainTextResponse,
    responses={200: {"description": "Prometheus text exposition format 0.0.4"}},
    dependencies=[AUTHENTICATED],
)
async def metrics(request: Request) -> Response:
    """Prometheus metrics: this process's counters and histograms (every process's, summed,
    when PROMETHEUS_MULTIPROC_DIR is set) and the store's state gauges for this scrape."""
    body = await hub_of(request).metrics_text()
    return Response(body, media_type="text/plain; version=0.0.4")


@router.get("/v1/messages", response_model=MessagePage, dependencies=[AUTHENTICATED])
async def list_messages(
    request: Request,
    document_type: str | None = None,
    source: str | None = None,
    correlation_key: str | None = None,
    status: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    partner: str | None = Query(None, max_length=64, description="only this partner's"),
    limit: int = Query(50, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> Response:
    """Messages, newest first. A partner sees only its own (``partner`` is then its own)."""
    flt = MessageFilter(document_type, source, correlation_key, status, since, until)
    flt.partner = partner
    confine = confinement(caller(request))
    rows = await hub_of(request).runner.read(
        lambda uow: visibility.list_messages(uow, flt, limit, offset, confine)
    )
    return json_response({"items": rows, "limit": limit, "offset": offset})


@router.get(
    "/v1/messages/{message_id}",
    response_model=MessageView,
    responses=problems(404),
    dependencies=[AUTHENTICATED],
)
async def get_message(request: Request, message_id: str, raw: bool = False) -> Response:
    """One message (``raw=true``: with its bytes); another partner's is 404, as if absent."""
    confine = confinement(caller(request))
    view = await hub_of(request).runner.read(
        lambda uow: visibility.message_view(uow, message_id, include_raw=raw, confine=confine)
    )
    if view is None:
        raise Problem(404, f"no message with id {message_id!r}")
    return json_response(view)


class ReplayRequest(BaseModel):
    """Which messages to replay and to which consumer group (default: their routing lane)."""

    model_config = ConfigDict(extra="forbid")

    message_ids: list[Annotated[str, Field(max_length=64)]] | None = Field(None, max_length=MAX_IDS)
    document_type: str | None = None
    source: str | None = None
    correlation_key: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    group: str | None = Field(None, description="consumer group, e.g. route.critical")
    from_seq: int | None = Field(
        None,
        ge=1,
        le=MAX_SEQ,
        description="with group: every log entry from this sequence number",
    )


async def _replay(hub: HubServices, flt: MessageFilter, group: str | None) -> Response:
    def run() -> dict[str, Any]:
        # Read the matching ids in a read-only unit of work: the bus writes in its own
        # transaction, and holding a write transaction here would make the two wait on each other.
        with hub.store.uow.reader() as uow:
            return ops.replay(uow, hub.bus, flt, group)

    try:
        result = await hub.runner.call(run)
    except ops.ReplayError as exc:
        raise Problem(404 if "no message" in str(exc) else 422, str(exc)) from exc
    hub.wake("route.")
    hub.wake("deliver.")
    return json_response(result, 202)


@router.post(
    "/v1/messages/{message_id}/replay",
    status_code=202,
    response_model=ReplayResult,
    responses=problems(404, s404="no such message, or no such consumer group"),
    dependencies=[OPERATOR_ACTION],
)
async def replay_message(request: Request, message_id: str, group: str | None = None) -> Response:
    answer = await _replay(hub_of(request), MessageFilter(ids=[message_id], status=None), group)
    await audited(request, MESSAGE_REPLAY, f"message:{message_id}", detail={"group": group})
    return answer


@router.post(
    "/v1/replay",
    status_code=202,
    response_model=ReplayResult,
    responses=problems(404, s404="no message matches, or no such consumer group"),
    dependencies=[OPERATOR_ACTION],
)
async def replay_filter(request: Request, body: ReplayRequest) -> Response:
    hub = hub_of(request)
    if body.from_seq is not None:
        if not body.group:
            raise Problem(422, "from_seq needs group (the consumer group to replay to)")
        group, seq = body.group, body.from_seq
        try:
            count = await hub.runner.call(lambda: hub.bus.replay_from(group, seq=seq))
        except KeyError as exc:
            raise Problem(404, str(exc.args[0])) from exc
        hub.wake("route.")
        hub.wake("deliver.")
        await audited(
            request, MESSAGE_REPLAY, f"group:{group}", detail={"from_seq": seq, "count": count}
        )
        return json_response({"replayed": {group: count}}, 202)
    if not any(
        [body.message_ids, body.document_type, body.source, body.correlation_key, body.since]
    ):
        raise Problem(
            422,
            "name messages to replay: message_ids, or a filter (document_type, source, correlation_key, since/until)",
        )
    flt = MessageFilter(
        document_type=body.document_type,
        source=body.source,
        correlation_key=body.correlation_key,
        since=body.since,
        until=body.until,
        ids=body.message_ids,
    )
    answer = await _replay(hub_of(request), flt, body.group)
    await audited(
        request, MESSAGE_REPLAY, "messages", detail=body.model_dump(mode="json", exclude_none=True)
    )
    return answer


@router.get("/v1/dlq", response_model=DeadLetterList, dependencies=[AUTHENTICATED])
async def list_dead_letters(
    request: Request, group: str | None = None, limit: int = Query(100, ge=1, le=10000)
) -> Response:
    """Dead letters; a partner sees only those of its own messages."""
    hub = hub_of(request)
    confine = confinement(caller(request))
    wanted = limit if confine is None else visibility.MAX_SCANNED
    rows = await hub.runner.call(hub.bus.dead_letters, group, wanted)
    items = await hub.runner.read(lambda uow: visibility.dead_letters(uow, rows, limit, confine))
    return json_response({"items": items})


class RetryRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[Annotated[int, Field(ge=1, le=MAX_SEQ)]] | None = Field(None, max_length=MAX_IDS)
    group: str | None = None


@router.post(
    "/v1/dlq/retry", status_code=202, response_model=RetryResult, dependencies=[OPERATOR_ACTION]
)
async def retry_dead_letters(request: Request, body: RetryRequest) -> Response:
    hub = hub_of(request)
    count = await hub.runner.call(ops.retry_dead_letters, hub.bus, body.group, body.ids)
    hub.wake("deliver.")
    hub.wake("route.")
    target = f"group:{body.group}" if body.group else "dead letters"
    await audited(request, DEAD_LETTER_RETRY, target, detail={"ids": body.ids, "retried": count})
    return json_response({"retried": count}, 202)


@router.get("/v1/endpoints", response_model=EndpointList, dependencies=[AUTHENTICATED])
async def endpoints(request: Request) -> Response:
    hub = hub_of(request)
    configured = list(hub.settings.endpoints)
    rows = await hub.runner.read(lambda uow: ops.endpoints_view(uow, hub.bus, configured))
    live = hub.endpoint_states()
    for row in rows:
        if row["name"] in live:
            row.update(live[row["name"]])
    return json_response({"items": rows})
