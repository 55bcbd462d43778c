"""Purchase orders for supplier collaboration: a supplier lists and reads its open POs.

"Open" is the procure-to-pay flow's word: an instance not completed (not matched, not
cancelled). The flow keeps the PO's lines, its supplier party, the acknowledgment and the
schedule; the PO document itself is the latest ``purchase_order`` message the flow booked.
So the reads need no table of their own: open instances come by primary key range (the
cursor is the last PO number seen), each page's documents by id. Without the procure-to-pay
flow (``flows.procure_to_pay.enabled``) there are no open POs to show.

Isolation: a supplier sees a PO only when it is the PO's supplier party (`ownership`); any
other PO is "not found", exactly like one that does not exist.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from crossdock.canonical.versions import upcast
from crossdock.hub.flows.model import FlowState
from crossdock.hub.identity import Principal
from crossdock.hub.products.ownership import PartnerIdentifiers, is_party, party_identifiers
from crossdock.hub.products.ports import ProductReads, StoredDocument

FLOW = "procure_to_pay"
PURCHASE_ORDER = "purchase_order"
#: Instances read per batch while filling a page, and at most per request: a page may come
#: back short (with a cursor) rather than one request scanning every open PO.
BATCH = 200
SCAN_LIMIT = 5_000


class BadCursor(ValueError):
    """The cursor was not one this API handed out."""


@dataclass(slots=True, frozen=True)
class PurchaseOrderFilter:
    status: str | None = None
    since: datetime | None = None  # issued at or after
    until: datetime | None = None  # issued before
    ship_to: str | None = None  # any identifier of the ship-to party
    item: str | None = None  # any identifier of an ordered item


@dataclass(slots=True)
class PurchaseOrderView:
    """One PO as the API shows it: the document, where its flow stands, the answer per line."""

    po_number: str
    status: str
    version: int
    updated_at: datetime
    document: dict[str, Any]
    completed: bool = False
    #: The supplier's partner name as the flow resolved it (None: not a configured partner).
    partner: str | None = None
    #: The flow's book of lines: which are cancelled (a replacing PO), what each ordered.
    book: dict[str, Any] = field(default_factory=dict)
    acknowledgment: dict[str, Any] = field(default_factory=dict)
    schedule: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class PurchaseOrderPage:
    items: list[PurchaseOrderView]
    next_cursor: str | None


def encode_cursor(key: str) -> str:
    return base64.urlsafe_b64encode(orjson.dumps({"after": key})).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    try:
        data = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        after = data["after"]
    except (binascii.Error, ValueError, TypeError, KeyError) as exc:
        raise BadCursor("the cursor is not one this API returned") from exc
    if not isinstance(after, str):
        raise BadCursor("the cursor is not one this API returned")
    return after


def _order_message(state: FlowState) -> str | None:
    orders = state.data.get("orders") or []
    return str(orders[-1]) if orders else None


def _view(state: FlowState, stored: StoredDocument) -> PurchaseOrderView:
    return PurchaseOrderView(
        po_number=state.key,
        status=state.state,
        version=state.version,
        updated_at=state.updated_at,
        document=upcast(PURCHASE_ORDER, stored.document, stored.schema_version),
        completed=state.completed,
        partner=state.data.get("partner"),
        book=dict(state.data.get("lines") or {}),
        acknowledgment=dict(state.data.get("ack") or {}),
        schedule=dict(state.data.get("schedule") or {}),
    )


def _matches(view: PurchaseOrderView, flt: PurchaseOrderFilter) -> bool:
    doc = view.document
    if flt.since is not None or flt.until is not None:
        issued = datetime.fromisoformat(doc["issued_at"])
        if flt.since is not None and issued < flt.since:
            return False
        if flt.until is not None and issued >= flt.until:
            return False
    if flt.ship_to is not None and flt.ship_to.casefold() not in party_identifiers(
        doc.get("ship_to")
    ):
        return False
    if flt.item is not None:
        wanted = flt.item.casefold()
        items = [line.get("item") or {} for line in doc.get("lines") or []]
        if not any(wanted in {str(v).casefold() for v in i.values() if v} for i in items):
            return False
    return True


def list_open(
    reads: ProductReads,
    principal: Principal,
    known: PartnerIdentifiers,
    flt: PurchaseOrderFilter,
    *,
    cursor: str | None = None,
    limit: int = 50,
) -> PurchaseOrderPage:
    """The caller's open POs in PO-number order, `limit` at most, and the cursor for more."""
    after = decode_cursor(cursor) if cursor else None
    items: list[PurchaseOrderView] = []
    scanned = 0
    while len(items) < limit and scanned < SCAN_LIMIT:
        batch = reads.open_flows(FLOW, after=after, state=flt.status, limit=BATCH)
        if not batch:
            return PurchaseOrderPage(items, None)
        scanned += len(batch)
        mine = {s.key for s in batch if is_party(principal, s.data.get("supplier"), known)}
        docs = reads.documents([m for s in batch if s.key in mine and (m := _order_message(s))])
        for state in batch:
            after = state.key
            stored = docs.get(_order_message(state) or "")
            if state.key in mine and stored is not None:
                view = _view(state, stored)
                if _matches(view, flt):
                    items.append(view)
                    if len(items) == limit:
                        return PurchaseOrderPage(items, encode_cursor(after))
        if len(batch) < BATCH:
            return PurchaseOrderPage(items, None)
    return PurchaseOrderPage(items, encode_cursor(after) if after is not None else None)


def get_one(
    reads: ProductReads, principal: Principal, known: PartnerIdentifiers, po_number: str
) -> PurchaseOrderView | None:
    """The PO (open or completed) if it is the caller's; None otherwise, so another supplier's
    PO reads exactly like one that does not exist."""
    state = reads.flow(FLOW, po_number)
    if state is None or not is_party(principal, state.data.get("supplier"), known):
        return None
    message = _order_message(state)
    stored = reads.documents([message]).get(message) if message else None
    return None if stored is None else _view(state, stored)
