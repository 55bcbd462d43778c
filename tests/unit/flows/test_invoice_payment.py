"""Invoice payment: remittance advices booked per invoice number, on the real engine and a
SQLite store (and the `flows.invoice_payment` setting that turns it on)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from crossdock.bootstrap import build_flows
from crossdock.config import Settings
from crossdock.hub import visibility
from crossdock.hub.flows import invoice_payment
from crossdock.hub.flows.invoice_payment import NAME
from crossdock.hub.intake import record
from tests.conftest import SqlStore, inbound
from tests.unit.flows.flow_driver import Driver
from tests.unit.flows.helpers import example

PAID = "CP-INV-2024-0661840"  # 7017.83 paid + 140.67 discount = 7158.50
SHORT = "CP-INV-2024-0662105"  # 2855.80 paid of 2904.40: 48.60 deducted (ADX, reason 01)


@pytest.fixture
def flow(store: SqlStore) -> Driver:
    return Driver(store, [invoice_payment.definition()])


def remittance(trace: str = "HP-EFT-20241202-0042") -> dict[str, Any]:
    doc = copy.deepcopy(example("remittance_advice"))
    doc["trace_number"] = trace
    return doc


def test_the_setting_turns_the_flow_on() -> None:
    assert [f.name for f in build_flows(Settings())] == []
    enabled = Settings(flows={"invoice_payment": {"enabled": True}})
    [definition] = build_flows(enabled)
    assert definition.name == NAME
    assert definition.keys_for("remittance_advice", remittance()) == [PAID, SHORT]


def test_each_invoice_gets_its_remittance_booked(flow: Driver) -> None:
    message = flow.send("remittance_advice", remittance(), source="bank")

    paid = flow.state(NAME, PAID)
    assert paid.state == "paid"
    booked = paid.data["remittances"]["HP-EFT-20241202-0042"]
    assert booked == {
        "message": message.id,
        "payment_date": "2024-12-02",
        "payment_method": "ach",
        "kind": "invoice",
        "paid": "7017.83",
        "discount": "140.67",
        "adjustments": [],
        "invoice_amount": "7158.50",
        "po_number": "HP-PO-2024-018734",
    }
    short = flow.state(NAME, SHORT)
    assert short.state == "short_paid"
    assert (short.data["paid"], short.data["adjusted"]) == ("2855.80", "-48.60")


def test_a_remittance_sent_again_is_booked_once(flow: Driver) -> None:
    flow.send("remittance_advice", remittance())
    before = flow.state(NAME, PAID)

    flow.send("remittance_advice", remittance())  # same trace number, another message

    after = flow.state(NAME, PAID)
    assert (after.version, after.data) == (before.version, before.data)


def test_instalments_add_up_to_paid(flow: Driver) -> None:
    first = remittance("CHK-1")
    first["invoices"] = [first["invoices"][0]]
    first["invoices"][0]["paid_amount"]["amount"] = "5000.00"
    first["invoices"][0].pop("discount_amount")
    first["payment_amount"]["amount"] = "5000.00"
    flow.send("remittance_advice", first)
    assert flow.state(NAME, PAID).state == "partially_paid"

    rest = copy.deepcopy(first)
    rest["trace_number"] = "CHK-2"
    rest["invoices"][0]["paid_amount"]["amount"] = "2158.50"
    rest["payment_amount"]["amount"] = "2158.50"
    flow.send("remittance_advice", rest)

    done = flow.state(NAME, PAID)
    assert done.state == "paid" and sorted(done.data["remittances"]) == ["CHK-1", "CHK-2"]
    assert done.data["paid"] == "7158.50"


def test_without_an_invoice_amount_the_payment_is_only_recorded(flow: Driver) -> None:
    doc = remittance()
    for item in doc["invoices"]:
        item.pop("invoice_amount")
    flow.send("remittance_advice", doc)

    assert flow.state(NAME, SHORT).state == "remitted"


def test_the_invoices_partner_sees_its_payments(flow: Driver, store: SqlStore) -> None:
    """The instance key is the invoice's own correlation key: the supplier whose invoice it
    is reads the payment booked against it; another partner does not learn it exists."""
    invoice = inbound(json.dumps(example("invoice")).encode(), document_type="invoice")
    invoice.partner = "cascade"
    with store.uow() as uow:
        record(uow, [invoice])
        uow.commit()
    flow.send("remittance_advice", remittance(), source="bank")

    with store.uow.reader() as uow:
        seen = visibility.flow_view(uow, NAME, PAID, "cascade")
        hidden = visibility.flow_view(uow, NAME, PAID, "someone-else")
    assert seen is not None and seen["state"] == "paid"
    assert hidden is None
