"""``/v1/webhooks/subscriptions``: partners manage the URLs their events are delivered to.

Only HTTP lives here (models, status codes, problem+json); who may do what is
`crossdock.hub.webhook_subscriptions`. A partner sees and changes its own subscriptions only
(another partner's answers 404); an operator all of them. The secret is in the answer to the
creation and to a rotation, and never again.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field, HttpUrl
from starlette.responses import Response

from crossdock.bootstrap import HubServices
from crossdock.bootstrap.outbound_webhooks import OutboundWebhooks
from crossdock.entrypoints.api.guards import source_ip
from crossdock.entrypoints.api.openapi import problems
from crossdock.entrypoints.api.problems import Problem
from crossdock.entrypoints.api.requests import hub_of
from crossdock.entrypoints.api.security import require
from crossdock.hub import webhook_subscriptions as subs
from crossdock.hub.identity import WEBHOOKS_MANAGE, Principal
from crossdock.hub.webhook_events import EventType
from crossdock.hub.webhook_fanout import webhook_id
from crossdock.hub.webhook_records import Subscription

router = APIRouter(prefix="/v1/webhooks/subscriptions", tags=["webhooks"])
Caller = Annotated[Principal, Depends(require(WEBHOOKS_MANAGE))]
Id = Annotated[str, Path(max_length=64)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SubscriptionCreate(_Model):
    url: HttpUrl = Field(description="where events are POSTed (http or https)")
    event_types: Annotated[list[EventType], Field(min_length=1, max_length=5)]
    partner: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")] | None = Field(
        None,
        description="operators only: the partner whose events it gets (none: every partner's)",
    )
    description: Annotated[str, Field(max_length=500)] | None = None


class SubscriptionView(_Model):
    id: str
    partner: str | None
    url: str
    event_types: list[str]
    status: str = Field(description="active, or disabled (see disabled_reason)")
    description: str | None
    created_at: datetime
    created_by: str
    disabled_at: datetime | None
    disabled_reason: str | None
    previous_secret_valid_until: datetime | None = Field(
        description="after a rotation: until when deliveries also carry the old signature"
    )


class SubscriptionCreated(SubscriptionView):
    secret: str = Field(description="the whsec_ signing secret: shown once, store it now")


class SubscriptionList(_Model):
    items: list[SubscriptionView]


class SecretRotated(_Model):
    id: str
    secret: str = Field(description="the new whsec_ signing secret: shown once")
    previous_secret_valid_until: datetime | None


class AttemptView(_Model):
    attempt: int
    started_at: datetime
    outcome: str = Field(description="ok, retry, rejected or message_failure")
    status_code: int | None
    latency_ms: float
    error: str | None


class DeliveryView(_Model):
    id: str
    event_type: str
    message_id: str
    webhook_id: str
    created_at: datetime
    status: str = Field(description="pending, delivered or dead_lettered")
    last_error: str | None
    attempts: list[AttemptView]


class DeliveryLog(_Model):
    items: list[DeliveryView]


class ReplayAccepted(_Model):
    delivery_id: str
    result: str


def _outbound(hub: HubServices) -> OutboundWebhooks:
    if hub.webhooks_out is None:
        raise Problem(404, "outbound webhooks are not enabled on this hub (webhooks.enabled)")
    return hub.webhooks_out


def _view(s: Subscription) -> SubscriptionView:
    return SubscriptionView(
        id=s.id,
        partner=s.partner,
        url=s.url,
        event_types=list(s.event_types),
        status=s.status,
        description=s.description,
        created_at=s.created_at,
        created_by=s.created_by,
        disabled_at=s.disabled_at,
        disabled_reason=s.disabled_reason,
        previous_secret_valid_until=s.previous_until if s.previous_secret else None,
    )


def _problem(exc: Exception) -> Problem:
    if isinstance(exc, subs.SubscriptionNotFound):
        return Problem(404, str(exc))
    if isinstance(exc, subs.SubscriptionRefused):
        return Problem(403, str(exc))
    if isinstance(exc, subs.SubscriptionConflict):
        return Problem(409, str(exc))
    return Problem(422, str(exc))


_ERRORS = (subs.SubscriptionNotFound, subs.SubscriptionRefused, subs.InvalidSubscription)


@router.post(
    "",
    status_code=201,
    response_model=SubscriptionCreated,
    responses=problems(404, 409, 422, s404="outbound webhooks are off (webhooks.enabled)"),
)
async def create_subscription(
    request: Request, body: SubscriptionCreate, caller: Caller
) -> SubscriptionCreated:
    """Subscribe a URL to event types; the answer holds the signing secret, once."""
    hub = hub_of(request)
    out = _outbound(hub)
    new = subs.NewSubscription(str(body.url), body.event_types, body.partner, body.description)
    ip = source_ip(request)
    try:
        sub, secret = await hub.runner.write(
            lambda uow: subs.create(
                uow, caller, new, out.clock(), private_urls=out.private_urls, source_ip=ip
            )
        )
    except _ERRORS as exc:
        raise _problem(exc) from None
    return SubscriptionCreated(**_view(sub).model_dump(), secret=secret)


@router.get(
    "",
    response_model=SubscriptionList,
    responses=problems(404, s404="outbound webhooks are off (webhooks.enabled)"),
)
async def list_subscriptions(request: Request, caller: Caller) -> SubscriptionList:
    hub = hub_of(request)
    _outbound(hub)
    found = await hub.runner.read(lambda uow: subs.list_for(uow, caller))
    return SubscriptionList(items=[_view(s) for s in found])


@router.get(
    "/{subscription_id}",
    response_model=SubscriptionView,
    responses=problems(
        404, s404="outbound webhooks are off (webhooks.enabled), or no such subscription of yours"
    ),
)
async def get_subscription(
    request: Request, subscription_id: Id, caller: Caller
) -> SubscriptionView:
    hub = hub_of(request)
    _outbound(hub)
    try:
        sub = await hub.runner.read(lambda uow: subs.visible(uow, caller, subscription_id))
    except _ERRORS as exc:
        raise _problem(exc) from None
    return _view(sub)


@router.delete(
    "/{subscription_id}",
    status_code=204,
    response_class=Response,
    responses=problems(
        404, s404="outbound webhooks are off (webhooks.enabled), or no such subscription of yours"
    ),
)
async def delete_subscription(request: Request, subscription_id: Id, caller: Caller) -> Response:
    hub = hub_of(request)
    _outbound(hub)
    try:
        ip = source_ip(request)
        await hub.runner.write(lambda uow: subs.delete(uow, caller, subscription_id, source_ip=ip))
    except _ERRORS as exc:
        raise _problem(exc) from None
    return Response(status_code=204)


@router.post(
    "/{subscription_id}/rotate",
    response_model=SecretRotated,
    responses=problems(
        404,
        409,
        s404="outbound webhooks are off (webhooks.enabled), or no such subscription of yours",
    ),
)
async def rotate_secret(request: Request, subscription_id: Id, caller: Caller) -> SecretRotated:
    """A new secret; the old one keeps signing next to it for `webhooks.rotation_overlap_seconds`."""
    hub = hub_of(request)
    out = _outbound(hub)
    ip = source_ip(request)
    try:
        sub, secret = await hub.runner.write(
            lambda uow: subs.rotate(
                uow, caller, subscription_id, out.clock(), out.rotation_overlap, source_ip=ip
            )
        )
    except _ERRORS as exc:
        raise _problem(exc) from None
    until = sub.previous_until if sub.previous_secret else None
    return SecretRotated(id=sub.id, secret=secret, previous_secret_valid_until=until)


@router.get(
    "/{subscription_id}/deliveries",
    response_model=DeliveryLog,
    responses=problems(
        404, s404="outbound webhooks are off (webhooks.enabled), or no such subscription of yours"
    ),
)
async def list_deliveries(
    request: Request,
    subscription_id: Id,
    caller: Caller,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> DeliveryLog:
    """The subscription's deliveries, newest first, with every attempt (status, latency)."""
    hub = hub_of(request)
    _outbound(hub)
    try:
        log = await hub.runner.read(
            lambda uow: subs.delivery_log(uow, caller, subscription_id, limit)
        )
    except _ERRORS as exc:
        raise _problem(exc) from None
    items = []
    for entry in log:
        d = entry.delivery
        items.append(
            DeliveryView(
                id=entry.ref.delivery_id,
                event_type=entry.ref.event_type,
                message_id=entry.ref.message_id,
                webhook_id=webhook_id(entry.ref.message_id, entry.ref.subscription_id),
                created_at=entry.ref.created_at,
                status=d.status.value if d is not None else "unknown",
                last_error=d.last_error if d is not None else None,
                attempts=[
                    AttemptView(
                        attempt=a.attempt,
                        started_at=a.started_at,
                        outcome=a.outcome,
                        status_code=a.status_code,
                        latency_ms=round(a.duration_ms, 3),
                        error=a.error,
                    )
                    for a in sorted(entry.attempts, key=lambda a: a.attempt)
                ],
            )
        )
    return DeliveryLog(items=items)


@router.post(
    "/{subscription_id}/deliveries/{delivery_id}/replay",
    status_code=202,
    response_model=ReplayAccepted,
    responses=problems(404, 409, s404="no such subscription or delivery of yours"),
)
async def replay_delivery(
    request: Request, subscription_id: Id, delivery_id: Id, caller: Caller
) -> ReplayAccepted:
    """Send one delivery again: a dead letter is retried, a delivered one queued anew (same
    `webhook-id`, so the receiver may drop it)."""
    hub = hub_of(request)
    out = _outbound(hub)
    try:
        result = await hub.runner.call(
            partial(subs.replay_delivery, source_ip=source_ip(request)),
            hub.store.uow,
            hub.bus,
            caller,
            subscription_id,
            delivery_id,
            out.aliases(),
            out.clock,
        )
    except _ERRORS as exc:
        raise _problem(exc) from None
    hub.wake("deliver.")
    return ReplayAccepted(delivery_id=delivery_id, result=result)
