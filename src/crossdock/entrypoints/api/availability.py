"""Inventory availability (`/v1/inventory/availability`): available-to-promise per item and
site, one and in bulk. The hot read of the API products: one index seek per item, answered
on the event loop's thread pool, no per-request setup beyond the principal check."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from crossdock.bootstrap.products import product_uow
from crossdock.entrypoints.api.conditional import conditional_json
from crossdock.entrypoints.api.problems import Problem
from crossdock.entrypoints.api.product_models import AvailabilityOut, LookupIn, LookupOut
from crossdock.entrypoints.api.requests import hub_of, json_response
from crossdock.entrypoints.api.security import require
from crossdock.hub.identity import INVENTORY_READ, Principal
from crossdock.hub.products.availability import Availability, availability
from crossdock.hub.products.ports import ProductUnitOfWorkFactory

router = APIRouter()


def _factory(request: Request) -> ProductUnitOfWorkFactory:
    state = request.app.state
    if not hasattr(state, "product_uow"):
        state.product_uow = product_uow(hub_of(request).store)
    factory: ProductUnitOfWorkFactory = state.product_uow
    return factory


def _out(a: Availability) -> dict[str, object]:
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


async def _lookup(request: Request, pairs: list[tuple[str, str]]) -> list[Availability]:
    factory = _factory(request)
    now = datetime.now(UTC)

    def read() -> list[Availability]:
        with factory.reader() as uow:
            return availability(uow.products, pairs, now)

    return await asyncio.to_thread(read)


@router.get("/v1/inventory/availability", responses={200: {"model": AvailabilityOut}})
async def get_availability(
    request: Request,
    item: str = Query(min_length=1, max_length=256),
    site: str = Query(min_length=1, max_length=128),
    _principal: Principal = Depends(require(INVENTORY_READ)),
) -> Response:
    """Available-to-promise of one item at one site, as of the latest position (404 when the
    hub has no position for it)."""
    (found,) = await _lookup(request, [(site, item)])
    if not found.found:
        raise Problem(404, f"no inventory position for item {item!r} at site {site!r}")
    return conditional_json(request, _out(found))


@router.post("/v1/inventory/availability/lookup", responses={200: {"model": LookupOut}})
async def lookup_availability(
    request: Request,
    body: LookupIn,
    _principal: Principal = Depends(require(INVENTORY_READ)),
) -> Response:
    """Available-to-promise for up to 100 (site, item) pairs at once; unknown ones answer
    ``found: false`` in their place."""
    found = await _lookup(request, [(i.site, i.item) for i in body.items])
    return json_response({"items": [_out(a) for a in found]})
