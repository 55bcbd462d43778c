"""Tracking and operations: messages, replay, dead letters, endpoints, health, metrics."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from crossdock.bootstrap import HubServices
from crossdock.entrypoints.api.guards import AUTHENTICATED, OPERATOR_ACTION, audited
from crossdock.entrypoints.api.problems import Problem
from crossdock.entrypoints.api.requests import (
    MAX_IDS,
    MAX_OFFSET,
    MAX_SEQ,
    hub_of,
    json_response,
)
from crossdock.hub import operations as ops
from crossdock.hub.audit import DEAD_LETTER_RETRY, MESSAGE_REPLAY
from crossdock.hub.records import MessageFilter

router = APIRouter()


@router.get("/healthz")
async def healthz(request: Request) -> Response:
    hub = hub_of(request)
    counts = await hub.runner.read(lambda uow: uow.messages.counts_by_status())
    return json_response({"status": "ok", "messages": counts})


@router.get("/metrics", dependencies=[AUTHENTICATED])
async def metrics(request: Request) -> Response:
    hub = hub_of(request)
    return Response(hub.metrics.exposition(), media_type="text/plain; version=0.0.4")


@router.get("/v1/messages", dependencies=[AUTHENTICATED])
async def list_messages(
    request: Request,
    document_type: str | None = None,
    source: str | None = None,
    correlation_key: str | None = None,
    status: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = Query(50, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> Response:
    flt = MessageFilter(document_type, source, correlation_key, status, since, until)
    rows = await hub_of(request).runner.read(lambda uow: ops.list_messages(uow, flt, limit, offset))
    return json_response({"items": rows, "limit": limit, "offset": offset})


@router.get("/v1/messages/{message_id}", dependencies=[AUTHENTICATED])
async def get_message(request: Request, message_id: str, raw: bool = False) -> Response:
    view = await hub_of(request).runner.read(
        lambda uow: ops.message_view(uow, message_id, include_raw=raw)
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


@router.post("/v1/messages/{message_id}/replay", dependencies=[OPERATOR_ACTION])
async def replay_message(request: Request, message_id: str, group: str | None = None) -> Response:
    answer = await _replay(hub_of(request), MessageFilter(ids=[message_id], status=None), group)
    await audited(request, MESSAGE_REPLAY, f"message:{message_id}", detail={"group": group})
    return answer


@router.post("/v1/replay", dependencies=[OPERATOR_ACTION])
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


@router.get("/v1/dlq", dependencies=[AUTHENTICATED])
async def list_dead_letters(
    request: Request, group: str | None = None, limit: int = Query(100, ge=1, le=10000)
) -> Response:
    hub = hub_of(request)
    rows = await hub.runner.call(hub.bus.dead_letters, group, limit)
    return json_response({"items": [ops.dead_letter_dict(d) for d in rows]})


class RetryRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[Annotated[int, Field(ge=1, le=MAX_SEQ)]] | None = Field(None, max_length=MAX_IDS)
    group: str | None = None


@router.post("/v1/dlq/retry", dependencies=[OPERATOR_ACTION])
async def retry_dead_letters(request: Request, body: RetryRequest) -> Response:
    hub = hub_of(request)
    count = await hub.runner.call(ops.retry_dead_letters, hub.bus, body.group, body.ids)
    hub.wake("deliver.")
    hub.wake("route.")
    target = f"group:{body.group}" if body.group else "dead letters"
    await audited(request, DEAD_LETTER_RETRY, target, detail={"ids": body.ids, "retried": count})
    return json_response({"retried": count}, 202)


@router.get("/v1/endpoints", dependencies=[AUTHENTICATED])
async def endpoints(request: Request) -> Response:
    hub = hub_of(request)
    configured = list(hub.settings.endpoints)
    rows = await hub.runner.read(lambda uow: ops.endpoints_view(uow, hub.bus, configured))
    live = hub.endpoint_states()
    for row in rows:
        if row["name"] in live:
            row.update(live[row["name"]])
    return json_response({"items": rows})
