"""Exceptions and flow instances over HTTP: list, show, resolve, retry, replay.

The same operations as `crossdock exceptions ...` and `crossdock flows ...`
(`crossdock.hub.flows.actions`); every error is RFC 9457 problem details.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from crossdock.entrypoints.api.guards import AUTHENTICATED, OPERATOR_ACTION, audited
from crossdock.entrypoints.api.models.flows import (
    ExceptionPage,
    ExceptionRecord,
    ExceptionReplay,
    ExceptionRetry,
    ExceptionView,
    FlowPage,
    FlowView,
)
from crossdock.entrypoints.api.openapi import problems
from crossdock.entrypoints.api.problems import Problem
from crossdock.entrypoints.api.requests import MAX_OFFSET, hub_of, json_response
from crossdock.entrypoints.api.senders import caller
from crossdock.hub import visibility
from crossdock.hub.audit import EXCEPTION_ACTION
from crossdock.hub.flows import actions
from crossdock.hub.flows.exceptions import ExceptionCategory, ExceptionStatus
from crossdock.hub.visibility import confinement

router = APIRouter()


@router.get("/v1/exceptions", response_model=ExceptionPage, dependencies=[AUTHENTICATED])
async def list_exceptions(
    request: Request,
    category: ExceptionCategory | None = None,
    status: ExceptionStatus | None = None,
    correlation_key: str | None = None,
    flow: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> Response:
    confine = confinement(caller(request))
    rows = await hub_of(request).runner.read(
        lambda uow: visibility.list_exceptions(
            uow,
            category=category,
            status=status,
            correlation_key=correlation_key,
            flow=flow,
            limit=limit,
            offset=offset,
            confine=confine,
        )
    )
    return json_response({"items": rows, "limit": limit, "offset": offset})


@router.get(
    "/v1/exceptions/{exception_id}",
    response_model=ExceptionView,
    responses=problems(404),
    dependencies=[AUTHENTICATED],
)
async def get_exception(request: Request, exception_id: str) -> Response:
    confine = confinement(caller(request))
    view = await hub_of(request).runner.read(
        lambda uow: visibility.exception_view(uow, exception_id, confine)
    )
    if view is None:
        raise Problem(404, f"no exception with id {exception_id!r}")
    return json_response(view)


class ResolveRequest(BaseModel):
    """Why the exception is resolved; kept with it for whoever looks next."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(..., min_length=1, description="the resolution, in words")


def _problem(exc: Exception) -> Problem:
    if isinstance(exc, actions.ExceptionNotFound):
        return Problem(404, str(exc))
    return Problem(409, str(exc))


@router.post(
    "/v1/exceptions/{exception_id}/resolve",
    response_model=ExceptionRecord,
    responses=problems(404, 409, s409="the exception is already resolved"),
    dependencies=[OPERATOR_ACTION],
)
async def resolve_exception(request: Request, exception_id: str, body: ResolveRequest) -> Response:
    hub = hub_of(request)

    def run() -> dict[str, Any]:
        with hub.store.uow() as uow:
            view = actions.resolve_exception(uow, exception_id, body.reason)
            uow.commit()
        return view

    try:
        view = await hub.runner.call(run)
    except actions.ExceptionNotFound as exc:
        raise _problem(exc) from exc
    except actions.ExceptionActionError as exc:
        raise _problem(exc) from exc
    await audited(
        request,
        EXCEPTION_ACTION + "resolve",
        f"exception:{exception_id}",
        detail={"reason": body.reason},
    )
    return json_response(view)


@router.post(
    "/v1/exceptions/{exception_id}/retry",
    status_code=202,
    response_model=ExceptionRetry,
    responses=problems(404, 409, s409="the evidence has no dead letters to retry"),
    dependencies=[OPERATOR_ACTION],
)
async def retry_exception(request: Request, exception_id: str) -> Response:
    """Re-deliver the dead letters of the evidence messages; 409 when there are none."""
    hub = hub_of(request)
    uow = hub.store.uow
    try:
        result = await hub.runner.call(
            actions.retry_exception, uow.reader, uow, hub.bus, exception_id
        )
    except (actions.ExceptionNotFound, actions.ExceptionActionError) as exc:
        raise _problem(exc) from exc
    hub.wake("deliver.")
    hub.wake("route.")
    hub.wake("flow.")
    await audited(request, EXCEPTION_ACTION + "retry", f"exception:{exception_id}")
    return json_response(result, 202)


class ExceptionReplayRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    group: str | None = Field(None, description="consumer group (default: the routing lane)")


@router.post(
    "/v1/exceptions/{exception_id}/replay",
    status_code=202,
    response_model=ExceptionReplay,
    responses=problems(404),
    dependencies=[OPERATOR_ACTION],
)
async def replay_exception(
    request: Request, exception_id: str, body: ExceptionReplayRequest | None = None
) -> Response:
    """Replay the evidence messages through the bus (to `group`, default their routing lane)."""
    hub = hub_of(request)
    uow = hub.store.uow
    group = body.group if body else None
    try:
        result = await hub.runner.call(
            actions.replay_exception, uow.reader, uow, hub.bus, exception_id, group
        )
    except actions.ExceptionNotFound as exc:
        raise _problem(exc) from exc
    except actions.ExceptionActionError as exc:
        raise Problem(422, str(exc)) from exc
    hub.wake("route.")
    hub.wake("flow.")
    hub.wake("deliver.")
    await audited(
        request, EXCEPTION_ACTION + "replay", f"exception:{exception_id}", detail={"group": group}
    )
    return json_response(result, 202)


@router.get("/v1/flows", response_model=FlowPage, dependencies=[AUTHENTICATED])
async def list_flows(
    request: Request,
    flow: str | None = None,
    state: str | None = None,
    completed: bool | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> Response:
    confine = confinement(caller(request))
    rows = await hub_of(request).runner.read(
        lambda uow: visibility.list_flows(
            uow,
            flow=flow,
            state=state,
            completed=completed,
            limit=limit,
            offset=offset,
            confine=confine,
        )
    )
    return json_response({"items": rows, "limit": limit, "offset": offset})


@router.get(
    "/v1/flows/{flow}/{key:path}",
    response_model=FlowView,
    responses=problems(404),
    dependencies=[AUTHENTICATED],
)
async def get_flow(request: Request, flow: str, key: str) -> Response:
    """One instance: state, data, timers, exceptions (keys may contain '/': site/item)."""
    confine = confinement(caller(request))
    view = await hub_of(request).runner.read(
        lambda uow: visibility.flow_view(uow, flow, key, confine)
    )
    if view is None:
        raise Problem(404, f"no {flow} flow instance with key {key!r}")
    return json_response(view)
