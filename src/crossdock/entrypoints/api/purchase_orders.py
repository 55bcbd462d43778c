"""Purchase orders for supplier collaboration (`/v1/purchase-orders`): HTTP only; the use
cases are `crossdock.hub.products.purchase_orders` and `.acknowledge`."""

from __future__ import annotations

import asyncio
from collections import ChainMap
from datetime import UTC, datetime

import orjson
from fastapi import APIRouter, Depends, Header, Query, Request
from starlette.responses import Response

from crossdock.bootstrap.products import partner_identifiers, product_uow
from crossdock.entrypoints.api.conditional import NOT_MODIFIED, conditional_json
from crossdock.entrypoints.api.guards import source_ip
from crossdock.entrypoints.api.models.products import (
    AcknowledgmentIn,
    AcknowledgmentOut,
    PurchaseOrderOut,
    PurchaseOrderPageOut,
    PurchaseOrderSummary,
)
from crossdock.entrypoints.api.openapi import problems
from crossdock.entrypoints.api.problems import Problem
from crossdock.entrypoints.api.refusals import refusal
from crossdock.entrypoints.api.requests import hub_of, json_response
from crossdock.entrypoints.api.security import require
from crossdock.entrypoints.api.senders import onboarding_refusal
from crossdock.hub.identity import PURCHASE_ORDERS_ACKNOWLEDGE, PURCHASE_ORDERS_READ, Principal
from crossdock.hub.intake_pipeline import sender_of
from crossdock.hub.products import acknowledge as ack
from crossdock.hub.products import purchase_orders as pos
from crossdock.hub.products.acknowledging import (
    AcknowledgePurchaseOrderHandler,
    AnswerDoesNotFit,
    PurchaseOrderClosed,
    PurchaseOrderNotFound,
)
from crossdock.hub.products.ownership import PartnerIdentifiers

router = APIRouter()
_NOT_FOUND = "no purchase order {} for this caller"


def known(request: Request) -> PartnerIdentifiers:
    """The partners' identifiers: the file's (computed once per app), then the registered
    partners' from the partner directory's in-memory snapshot (GLN, D-U-N-S, X12 ids, own
    codes), so a partner created through the admin API owns its documents without a restart.
    The file wins for a name both know."""
    state = request.app.state
    if not hasattr(state, "partner_identifiers"):
        state.partner_identifiers = partner_identifiers(hub_of(request).settings)
    found: PartnerIdentifiers = state.partner_identifiers
    services = hub_of(request).partners
    if services is None:
        return found
    return ChainMap(found, services.directory.identifiers())  # type: ignore[arg-type]


def _summary(view: pos.PurchaseOrderView) -> PurchaseOrderSummary:
    doc = view.document
    return PurchaseOrderSummary(
        po_number=view.po_number,
        status=view.status,
        issued_at=doc["issued_at"],
        ship_to=doc.get("ship_to") or {},
        requested_delivery_date=doc.get("requested_delivery_date"),
        currency=doc.get("currency", ""),
        line_count=len(doc.get("lines") or []),
        acknowledged=bool(view.acknowledgment),
        updated_at=view.updated_at,
    )


@router.get(
    "/v1/purchase-orders",
    response_model=PurchaseOrderPageOut,
    responses={**NOT_MODIFIED, **problems(422, s422="a bad filter or a forged cursor")},
)
async def list_purchase_orders(
    request: Request,
    principal: Principal = Depends(require(PURCHASE_ORDERS_READ)),
    status: str | None = Query(None, min_length=1, max_length=64),
    since: datetime | None = Query(None, description="issued at or after (ISO 8601, with zone)"),
    until: datetime | None = Query(None, description="issued before"),
    ship_to: str | None = Query(None, alias="ship-to", min_length=1, max_length=256),
    item: str | None = Query(None, min_length=1, max_length=256),
    cursor: str | None = Query(None, min_length=1, max_length=1024),
    limit: int = Query(50, ge=1, le=500),
) -> Response:
    """The caller's open purchase orders in PO-number order; `next_cursor` pages on."""
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise Problem(422, f"{name} needs a time zone", errors=[{"path": name}])
    flt = pos.PurchaseOrderFilter(status, since, until, ship_to, item)
    factory = product_uow(hub_of(request).store)
    identifiers = known(request)

    def read() -> pos.PurchaseOrderPage:
        with factory.reader() as uow:
            return pos.list_open(
                uow.products, principal, identifiers, flt, cursor=cursor, limit=limit
            )

    try:
        page = await asyncio.to_thread(read)
    except pos.BadCursor as exc:
        raise Problem(422, str(exc), errors=[{"path": "cursor", "reason": str(exc)}]) from exc
    out = PurchaseOrderPageOut(
        items=[_summary(v) for v in page.items], next_cursor=page.next_cursor
    )
    return conditional_json(request, out.model_dump(mode="json"))


async def _one(request: Request, principal: Principal, po_number: str) -> pos.PurchaseOrderView:
    factory = product_uow(hub_of(request).store)
    identifiers = known(request)

    def read() -> pos.PurchaseOrderView | None:
        with factory.reader() as uow:
            return pos.get_one(uow.products, principal, identifiers, po_number)

    view = await asyncio.to_thread(read)
    if view is None:
        raise Problem(404, _NOT_FOUND.format(po_number))
    return view


@router.get(
    "/v1/purchase-orders/{po_number}",
    response_model=PurchaseOrderOut,
    responses={**NOT_MODIFIED, **problems(404, s404="no such PO addressed to the caller")},
)
async def get_purchase_order(
    request: Request,
    po_number: str,
    principal: Principal = Depends(require(PURCHASE_ORDERS_READ)),
) -> Response:
    """One purchase order of the caller's, with where it stands and the answer per line."""
    view = await _one(request, principal, po_number)
    out = PurchaseOrderOut(
        po_number=view.po_number,
        status=view.status,
        completed=view.completed,
        updated_at=view.updated_at,
        document=view.document,
        acknowledgment=view.acknowledgment,
        schedule=view.schedule,
    )
    return conditional_json(request, out.model_dump(mode="json"))


@router.post(
    "/v1/purchase-orders/{po_number}/acknowledgment",
    status_code=202,
    response_model=AcknowledgmentOut,
    responses=problems(
        403,
        404,
        409,
        422,
        s403="the partner is registered but not live (draft, testing, suspended); recorded",
        s404="no such PO addressed to the caller",
        s409="the PO is closed, or the Idempotency-Key was used with another answer",
        s422="the answer does not fit the PO's lines (`errors` names each field)",
    ),
)
async def acknowledge_purchase_order(
    request: Request,
    po_number: str,
    body: AcknowledgmentIn,
    principal: Principal = Depends(require(PURCHASE_ORDERS_ACKNOWLEDGE)),
    idempotency_key: str | None = Header(None, min_length=1, max_length=200),
) -> Response:
    """Answer the PO line by line (accept / change / reject / backorder). Recorded as the
    supplier's acknowledgment: the procure-to-pay flow advances as for an 855. Every open
    line is answered once; 422 names the fields that contradict the PO."""
    hub = hub_of(request)
    inactive = onboarding_refusal(hub, principal.partner)
    if inactive is not None:
        raise await refusal(
            hub,
            403,
            inactive,
            document_type="purchase_order_acknowledgment",
            source=principal.partner or "api",
            channel="api",
            content_type="application/json",
            raw=orjson.dumps({"po_number": po_number, **body.model_dump(mode="json")}),
            sender=sender_of(principal),
        )
    answer = body.model_dump(mode="json")
    command = ack.AcknowledgePurchaseOrder(
        po_number=po_number,
        lines=[ack.LineAnswer(**line.model_dump()) for line in body.lines],
        acknowledgment_number=body.acknowledgment_number,
        sales_order_number=body.sales_order_number,
        notes=body.notes,
        idempotency_key=idempotency_key,
        raw=orjson.dumps({"po_number": po_number, **answer}),
    )

    def woken() -> None:
        hub.wake("route.")
        hub.wake("flow.")

    handler = AcknowledgePurchaseOrderHandler(
        product_uow(hub.store), hub.runner, hub.lane_for, woken
    )
    try:
        done = await handler(
            command, principal, known(request), datetime.now(UTC), source_ip=source_ip(request)
        )
    except PurchaseOrderNotFound as exc:
        raise Problem(404, _NOT_FOUND.format(po_number)) from exc
    except PurchaseOrderClosed as exc:
        raise Problem(409, f"{exc}: nothing to answer") from exc
    except AnswerDoesNotFit as exc:
        errors = [e.as_dict() for e in exc.errors]
        raise Problem(422, str(exc), errors=errors) from exc
    if done.conflict:
        detail = "this Idempotency-Key was already used with a different answer; use a new key"
        raise Problem(409, detail, message_id=done.message_id)
    if done.status == "rejected":
        raise Problem(
            422,
            "the acknowledgment is not a valid document (recorded as rejected)",
            message_id=done.message_id,
            errors=[e.as_dict() for e in done.errors],
        )
    out = AcknowledgmentOut(
        po_number=po_number,
        message_id=done.message_id,
        status=done.status,
        acknowledgment_status=done.acknowledgment_status,
        duplicate=done.duplicate,
    ).model_dump(mode="json")
    headers = {"Idempotent-Replayed": "true"} if done.duplicate else None
    return json_response(out, status=202, headers=headers)
