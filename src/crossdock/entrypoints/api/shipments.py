"""Shipment status, `/v1/shipments` and `/v2/shipments` side by side.

v2 breaks v1 on purpose: locations are structured objects ({city, region, country,
postal_code, geo}) instead of one display string, and milestone codes are objects naming
their label and their standard codes (GS1 EPCIS business step, X12 214 AT7 status) instead of
bare strings. v1 answers carry `Deprecation`, `Sunset` and a `Link` to
docs/migrations/shipments-v2.md. The facts come from `crossdock.hub.products.shipments`.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from crossdock.bootstrap.products import product_uow
from crossdock.entrypoints.api.conditional import (
    NOT_MODIFIED,
    conditional_json,
    deprecation_headers,
)
from crossdock.entrypoints.api.models.products import (
    ShipmentsV1,
    ShipmentsV2,
    ShipmentV1,
    ShipmentV2,
)
from crossdock.entrypoints.api.openapi import problems
from crossdock.entrypoints.api.problems import Problem
from crossdock.entrypoints.api.purchase_orders import known
from crossdock.entrypoints.api.requests import hub_of
from crossdock.entrypoints.api.security import require
from crossdock.hub.identity import SHIPMENTS_READ, Principal
from crossdock.hub.products import shipments as ship

router = APIRouter()

#: v1 of shipment status is deprecated since v2 shipped and ends at the sunset.
V1_DEPRECATED_AT = datetime(2026, 12, 7, tzinfo=UTC)
V1_SUNSET_AT = datetime(2027, 6, 30, tzinfo=UTC)
MIGRATION_NOTE = "docs/migrations/shipments-v2.md"
V1_HEADERS = deprecation_headers(V1_DEPRECATED_AT, V1_SUNSET_AT, MIGRATION_NOTE)

# Milestone code -> (label, EPCIS 2.0 bizStep, X12 214 AT7-01 status code).
CODES: dict[str, tuple[str, str | None, str | None]] = {
    "booked": ("Booked with the carrier", None, "XB"),
    "picked_up": ("Picked up", "departing", "AF"),
    "in_transit": ("In transit", "transporting", "X6"),
    "out_for_delivery": ("Out for delivery", "transporting", "OO"),
    "delivered": ("Delivered", "arriving", "D1"),
    "exception": ("Delivery exception", None, "A7"),
}


def _place_text(place: dict[str, Any] | None) -> str | None:
    if not place:
        return None
    parts = [place.get(k) for k in ("city", "region", "country")]
    return ", ".join(str(p) for p in parts if p) or place.get("name")


def _place(place: dict[str, Any] | None) -> dict[str, Any] | None:
    if not place:
        return None
    out = {k: place.get(k) for k in ("city", "region", "country", "postal_code")}
    return {**out, "geo": None}


def _code(code: str) -> dict[str, Any]:
    label, biz_step, at7 = CODES.get(code, (code, None, None))
    return {"code": code, "label": label, "standard": {"epcis_biz_step": biz_step, "x12_at7": at7}}


def _pod(facts: ship.ShipmentFacts) -> dict[str, Any] | None:
    pod = facts.pod
    if pod is None:
        return None
    keys = ("delivered_at", "signed_by", "packages_delivered", "document_url")
    return {k: pod.get(k) for k in keys}


def _status(facts: ship.ShipmentFacts) -> str | None:
    if facts.pod is not None:
        return "delivered"
    return str(facts.milestones[-1]["milestone"]) if facts.milestones else None


def v1(facts: ship.ShipmentFacts) -> dict[str, Any]:
    doc = facts.shipment or {}
    ship_to = doc.get("ship_to") or {}
    return ShipmentV1(
        shipment_id=facts.shipment_id,
        carrier=(facts.carrier or {}).get("name"),
        tracking_number=doc.get("tracking_number"),
        order_numbers=doc.get("order_numbers") or [],
        status=_status(facts),
        ship_to=_place_text(ship_to.get("address")) or ship_to.get("name"),
        milestones=[
            {
                "code": m["milestone"],
                "occurred_at": m["occurred_at"],
                "location": _place_text(m.get("location")),
                "description": m.get("description"),
            }
            for m in facts.milestones
        ],
        proof_of_delivery=_pod(facts),
    ).model_dump(mode="json")


def v2(facts: ship.ShipmentFacts) -> dict[str, Any]:
    doc = facts.shipment or {}
    status = _status(facts)
    return ShipmentV2(
        shipment_id=facts.shipment_id,
        carrier=facts.carrier,
        tracking_number=doc.get("tracking_number"),
        order_numbers=doc.get("order_numbers") or [],
        status=_code(status) if status else None,
        ship_to=_place((doc.get("ship_to") or {}).get("address")),
        milestones=[
            {
                "code": _code(m["milestone"]),
                "occurred_at": m["occurred_at"],
                "location": _place(m.get("location")),
                "description": m.get("description"),
            }
            for m in facts.milestones
        ],
        proof_of_delivery=_pod(facts),
    ).model_dump(mode="json")


async def _get(request: Request, principal: Principal, shipment_id: str) -> ship.ShipmentFacts:
    factory = product_uow(hub_of(request).store)
    identifiers = known(request)

    def read() -> ship.ShipmentFacts | None:
        with factory.reader() as uow:
            return ship.get(uow.products, principal, identifiers, shipment_id)

    found = await asyncio.to_thread(read)
    if found is None:
        raise Problem(404, f"no shipment {shipment_id} for this caller")
    return found


async def _find(
    request: Request, principal: Principal, order_number: str | None, tracking: str | None
) -> list[ship.ShipmentFacts]:
    if (order_number is None) == (tracking is None):
        raise Problem(
            422,
            "name exactly one of order_number and tracking_number",
            errors=[{"path": "order_number", "reason": "exactly one of the two"}],
        )
    factory = product_uow(hub_of(request).store)
    identifiers = known(request)

    def read() -> list[ship.ShipmentFacts]:
        with factory.reader() as uow:
            return ship.find(
                uow.products,
                principal,
                identifiers,
                order_number=order_number,
                tracking_number=tracking,
            )

    return await asyncio.to_thread(read)


_NOT_YOURS = problems(404, s404="no such shipment of the caller's")
_ONE_OF = problems(422, s422="name exactly one of order_number and tracking_number")
_ORDER = Query(None, min_length=1, max_length=128)
_TRACKING = Query(None, min_length=1, max_length=128)


@router.get(
    "/v1/shipments/{shipment_id}",
    deprecated=True,
    response_model=ShipmentV1,
    responses={**NOT_MODIFIED, **_NOT_YOURS},
)
async def get_shipment_v1(
    request: Request, shipment_id: str, principal: Principal = Depends(require(SHIPMENTS_READ))
) -> Response:
    """Shipment status v1 (deprecated: see /v2/shipments and the migration note)."""
    return conditional_json(request, v1(await _get(request, principal, shipment_id)), V1_HEADERS)


@router.get(
    "/v1/shipments",
    deprecated=True,
    response_model=ShipmentsV1,
    responses={**NOT_MODIFIED, **_ONE_OF},
)
async def find_shipments_v1(
    request: Request,
    order_number: str | None = _ORDER,
    tracking_number: str | None = _TRACKING,
    principal: Principal = Depends(require(SHIPMENTS_READ)),
) -> Response:
    found = await _find(request, principal, order_number, tracking_number)
    return conditional_json(request, {"items": [v1(f) for f in found]}, V1_HEADERS)


@router.get(
    "/v2/shipments/{shipment_id}",
    response_model=ShipmentV2,
    responses={**NOT_MODIFIED, **_NOT_YOURS},
)
async def get_shipment_v2(
    request: Request, shipment_id: str, principal: Principal = Depends(require(SHIPMENTS_READ))
) -> Response:
    """Shipment status: milestone timeline with structured locations and standard codes, POD."""
    return conditional_json(request, v2(await _get(request, principal, shipment_id)))


@router.get("/v2/shipments", response_model=ShipmentsV2, responses={**NOT_MODIFIED, **_ONE_OF})
async def find_shipments_v2(
    request: Request,
    order_number: str | None = _ORDER,
    tracking_number: str | None = _TRACKING,
    principal: Principal = Depends(require(SHIPMENTS_READ)),
) -> Response:
    found = await _find(request, principal, order_number, tracking_number)
    return conditional_json(request, {"items": [v2(f) for f in found]})
