"""Inventory availability (`/v1/inventory/availability`): available-to-promise per item and
site, one and in bulk. The hot read of the API products: one index seek per item on a pooled
read-only connection; the plain single read is answered ahead of the router by
`availability_fast.FastAvailability`, with the same `answer` as the route below."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import orjson
from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from crossdock.bootstrap.products import product_uow
from crossdock.entrypoints.api.conditional import NOT_MODIFIED, conditional_json
from crossdock.entrypoints.api.models.products import AvailabilityOut, LookupIn, LookupOut
from crossdock.entrypoints.api.openapi import problems
from crossdock.entrypoints.api.problems import Problem
from crossdock.entrypoints.api.requests import json_response
from crossdock.entrypoints.api.security import require
from crossdock.hub.identity import INVENTORY_READ, Principal
from crossdock.hub.products.availability import Availability, availability
from crossdock.hub.products.ports import ProductReads, ProductUnitOfWorkFactory

router = APIRouter()
PATH = "/v1/inventory/availability"


def factory_of(app: Any) -> ProductUnitOfWorkFactory:
    """The products' units of work on the app's hub store, built once per app."""
    state = app.state
    if not hasattr(state, "product_uow"):
        state.product_uow = product_uow(state.hub.store)
    factory: ProductUnitOfWorkFactory = state.product_uow
    return factory


def render(a: Availability) -> dict[str, Any]:
    """The JSON answer for one item (the `AvailabilityOut` shape, without empty fields)."""
    return AvailabilityOut(
        site=a.site,
        item=a.item,
        found=a.found,
        available_to_promise=a.available_to_promise,
        on_hand=a.on_hand,
        allocated=a.allocated,
        unit=a.unit,
        as_of=a.as_of,
        staleness_seconds=a.staleness_seconds,
        source=a.source,
    ).model_dump(mode="json", exclude_none=True)


def answer(reads: ProductReads, site: str, item: str) -> dict[str, Any] | None:
    """One item's answer, None when the hub has no position for it."""
    (found,) = availability(reads, [(site, item)], datetime.now(UTC))
    return render(found) if found.found else None


def validator(payload: dict[str, Any]) -> bytes:
    """What the ETag is computed over: the answer without its age, which changes every
    second while the position it describes does not."""
    return orjson.dumps({k: v for k, v in payload.items() if k != "staleness_seconds"})


@router.get(
    PATH,
    response_model=AvailabilityOut,
    responses={**NOT_MODIFIED, **problems(404, s404="no position for this item at this site")},
)
async def get_availability(
    request: Request,
    item: str = Query(min_length=1, max_length=256),
    site: str = Query(min_length=1, max_length=128),
    _principal: Principal = Depends(require(INVENTORY_READ)),
) -> Response:
    """Available-to-promise of one item at one site, as of the latest position, with its age
    (`staleness_seconds`); 404 when the hub has no position for it. Conditional GET: `ETag`
    and `If-None-Match`."""
    with factory_of(request.app).reads() as reads:  # one index seek: not worth a thread hop
        found = answer(reads, site, item)
    if found is None:
        raise Problem(404, f"no inventory position for item {item!r} at site {site!r}")
    return conditional_json(request, found, validator=validator(found))


@router.post(f"{PATH}/lookup", response_model=LookupOut)
async def lookup_availability(
    request: Request,
    body: LookupIn,
    _principal: Principal = Depends(require(INVENTORY_READ)),
) -> Response:
    """Available-to-promise for up to 100 (site, item) pairs at once; unknown ones answer
    ``found: false`` in their place."""
    factory = factory_of(request.app)
    now = datetime.now(UTC)
    pairs = [(i.site, i.item) for i in body.items]

    def read() -> list[Availability]:
        with factory.reads() as reads:
            return availability(reads, pairs, now)

    found = await asyncio.to_thread(read)
    return json_response({"items": [render(a) for a in found]})
