"""The acknowledgment's checks against the PO and the canonical document it becomes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

from crossdock.canonical.acknowledgment import PurchaseOrderAcknowledgment
from crossdock.hub.products import acknowledge as ack
from crossdock.hub.products.purchase_orders import PurchaseOrderView
from tests.conftest import EXAMPLES

PO = json.loads((EXAMPLES / "purchase_order.json").read_text())
NOW = datetime(2026, 12, 7, tzinfo=UTC)


def view(**book: dict[str, object]) -> PurchaseOrderView:
    return PurchaseOrderView(PO["po_number"], "awaiting_acknowledgment", 1, NOW, PO, book=book)


def command(*lines: ack.LineAnswer) -> ack.AcknowledgePurchaseOrder:
    return ack.AcknowledgePurchaseOrder(PO["po_number"], list(lines))


def test_accept_takes_the_line_as_ordered_even_at_a_zero_price() -> None:
    answer = command(
        ack.LineAnswer(1, "accept", unit_price=Decimal(0)),
        ack.LineAnswer(2, "accept"),
        ack.LineAnswer(3, "accept"),
    )
    [error] = ack.check(answer, view())
    assert error.path == "lines.0" and "use change" in error.reason


def test_a_line_cancelled_by_a_replacing_po_needs_no_answer_and_takes_none() -> None:
    answer = command(ack.LineAnswer(1, "accept"), ack.LineAnswer(2, "reject"))
    assert ack.check(answer, view(**{"3": {"cancelled": True}})) == []
    late = command(*answer.lines, ack.LineAnswer(3, "accept"))
    [error] = ack.check(late, view(**{"3": {"cancelled": True}}))
    assert error.path == "lines.2.line_number"


def test_the_document_built_is_a_valid_canonical_acknowledgment() -> None:
    answer = command(
        ack.LineAnswer(1, "accept"),
        ack.LineAnswer(2, "change", quantity=Decimal(60), unit_price=Decimal("23.10")),
        ack.LineAnswer(3, "backorder", promised_date=date(2027, 1, 10)),
    )
    document = ack.canonical_ack(answer, view(), NOW)
    model = PurchaseOrderAcknowledgment.model_validate(document)
    assert model.status.value == "accepted_with_changes"
    assert [line.status.value for line in model.lines] == ["accepted", "changed", "backordered"]
    assert model.lines[1].promised_quantity is not None
    assert model.lines[1].promised_quantity.value == 60
    assert model.supplier.name == PO["supplier"]["name"]
    rejected = ack.canonical_ack(command(*(ack.LineAnswer(n, "reject") for n in (1, 2, 3))),
                                 view(), NOW)  # fmt: skip
    assert PurchaseOrderAcknowledgment.model_validate(rejected).status.value == "rejected"
