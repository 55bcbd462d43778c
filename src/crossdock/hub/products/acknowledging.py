"""The acknowledgment use case: find the caller's PO, check the answer, record it, wake the
consumers. The route only translates HTTP; this owns its units of work."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from crossdock.hub.identity import Principal
from crossdock.hub.intake import IntakeOutcome
from crossdock.hub.ports import UnitOfWork
from crossdock.hub.products import acknowledge as ack
from crossdock.hub.products import purchase_orders as pos
from crossdock.hub.products.ownership import PartnerIdentifiers
from crossdock.hub.products.ports import ProductUnitOfWorkFactory
from crossdock.hub.records import FieldError
from crossdock.hub.store_runner import URGENT, StoreRunner

log = logging.getLogger(__name__)

#: The audit log's action for an operator acknowledging a PO on a supplier's behalf.
OPERATOR_ACKNOWLEDGMENT = "purchase_order.acknowledge"


class PurchaseOrderNotFound(LookupError):
    """No such PO for this caller (another supplier's PO is not found either)."""


class PurchaseOrderClosed(Exception):
    """The PO is matched or cancelled: there is nothing left to answer."""


class AnswerDoesNotFit(ValueError):
    """The answer contradicts the PO's lines (`errors` name the fields)."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("the acknowledgment does not fit the purchase order")
        self.errors = errors


@dataclass(slots=True)
class Acknowledged:
    po_number: str
    message_id: str
    status: str  # of the recorded message: accepted, or rejected (with errors)
    acknowledgment_status: str
    duplicate: bool = False
    conflict: bool = False  # the Idempotency-Key was used before with another answer
    errors: list[FieldError] = field(default_factory=list)


class AcknowledgePurchaseOrderHandler:
    def __init__(
        self,
        products: ProductUnitOfWorkFactory,
        runner: StoreRunner,
        lane_for: Callable[[str], str],
        on_commit: Callable[[], None],
    ) -> None:
        self._products = products
        self._runner = runner
        self._lane_for = lane_for
        self._on_commit = on_commit

    async def __call__(
        self,
        command: ack.AcknowledgePurchaseOrder,
        principal: Principal,
        known: PartnerIdentifiers,
        now: datetime,
        *,
        source_ip: str | None = None,
    ) -> Acknowledged:
        """Raises PurchaseOrderNotFound, PurchaseOrderClosed or AnswerDoesNotFit (nothing is
        recorded then: the answer never reached the flow)."""
        po = await asyncio.to_thread(self._read, principal, known, command.po_number)
        if po is None:
            raise PurchaseOrderNotFound(command.po_number)
        if po.completed:
            raise PurchaseOrderClosed(f"purchase order {po.po_number} is {po.status}")
        errors = ack.check(command, po)
        if errors:
            raise AnswerDoesNotFit(errors)
        source = ack.source_for(principal, po, known)
        message, document = ack.recorded_ack(command, po, source, now, self._lane_for)
        audited = (
            partial(audit_operator_acknowledgment, principal, po.po_number, source, source_ip)
            if principal.is_operator
            else None
        )
        outcome = await self._runner.write(
            partial(ack.write, message=message, audited=audited), priority=URGENT
        )
        self._on_commit()
        return Acknowledged(
            po_number=po.po_number,
            message_id=outcome.message_id,
            status=outcome.status,
            acknowledgment_status=document["status"],
            duplicate=outcome.duplicate,
            conflict=outcome.conflict,
            errors=outcome.errors,
        )

    def _read(
        self, principal: Principal, known: PartnerIdentifiers, po_number: str
    ) -> pos.PurchaseOrderView | None:
        with self._products.reader() as uow:
            return pos.get_one(uow.products, principal, known, po_number)


def audit_operator_acknowledgment(
    principal: Principal,
    po_number: str,
    supplier: str,
    source_ip: str | None,
    uow: UnitOfWork,
    outcome: IntakeOutcome,
) -> None:
    """The one call site for the audit log: an operator answering for a supplier is an
    operator action, recorded in the transaction that records the acknowledgment."""
    uow.audit.record(
        principal.subject,
        OPERATOR_ACKNOWLEDGMENT,
        f"purchase_order:{po_number}",
        "ok" if outcome.status != "rejected" else "rejected",
        source_ip,
        {
            "supplier": supplier,
            "message_id": outcome.message_id,
            "status": outcome.status,
            "duplicate": outcome.duplicate,
        },
    )
