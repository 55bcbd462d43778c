"""Property: remittance_advice -> 820 and price_catalog -> 832 -> canonical are lossless for
the mapped fields, through real X12 text (written, enveloped and read back)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossdock.canonical.base import CanonicalDocument
from crossdock.canonical.catalog import PriceCatalog
from crossdock.canonical.remittance import RemittanceAdvice
from crossdock.mapping.x12 import X12Mapper
from tests.unit.mapping.x12_strategies import (
    amounts,
    code,
    currencies,
    days,
    drop_none,
    item,
    optional,
    party,
    quantity,
    text,
)
from tests.unit.mapping.x12_support import interchange, only

MAPPER = X12Mapper()


def _money(currency: str, values: st.SearchStrategy[Decimal] = amounts) -> Any:
    return values.map(lambda amount: {"amount": amount, "currency": currency})


def remittances() -> st.SearchStrategy[dict[str, Any]]:
    def build(currency: str) -> st.SearchStrategy[dict[str, Any]]:
        adjustment = st.fixed_dictionaries(
            {
                "amount": _money(currency, amounts.filter(bool).map(lambda a: -a)),
                "reason_code": st.sampled_from(["01", "04", "CS"]),
            }
        )
        open_item = st.fixed_dictionaries(
            {
                "kind": st.sampled_from(["invoice", "credit_memo", "debit_memo", "R7"]),
                "invoice_number": code,
                "po_number": optional(code),
                "invoice_date": optional(days),
                "paid_amount": _money(currency),
                "invoice_amount": optional(_money(currency)),
                "discount_amount": optional(_money(currency)),
                "adjustments": st.lists(adjustment, max_size=2),
            }
        ).map(drop_none)
        document = st.fixed_dictionaries(
            {
                "trace_number": code,
                # BPR01 is mandatory: a document without handling is written as C (this one)
                "handling": st.sampled_from(["payment_and_remittance", "remittance_only"]),
                "direction": st.sampled_from(["credit", "debit"]),
                "payment_method": st.sampled_from(["ach", "check", "wire", "none", "DXC"]),
                "payment_date": optional(days),
                "currency": st.just(currency),
                "payer": party("payer", with_contact=True),
                "payee": party("payee"),
                "invoices": st.lists(open_item, max_size=4),
            }
        ).map(drop_none)

        def paid(data: dict[str, Any]) -> dict[str, Any]:
            total = sum((i["paid_amount"]["amount"] for i in data["invoices"]), Decimal(0))
            return {**data, "payment_amount": {"amount": total, "currency": currency}}

        return document.map(paid)

    return currencies.flatmap(build)


def _ordered(entry: dict[str, Any]) -> bool:
    start, end = entry.get("effective_date"), entry.get("expiry_date")
    return start is None or end is None or start <= end


def catalogs() -> st.SearchStrategy[dict[str, Any]]:
    def build(currency: str) -> st.SearchStrategy[dict[str, Any]]:
        price = (
            st.fixed_dictionaries(
                {
                    "price_type": st.sampled_from(["wholesale", "resale", "msrp", "ZZZ"]),
                    "class_of_trade": optional(st.sampled_from(["WS", "RS"])),
                    "unit_price": _money(currency),
                    "quantity": optional(quantity()),
                    "effective_date": optional(days),
                    "expiry_date": optional(days),
                }
            )
            .map(drop_none)
            .filter(_ordered)
        )
        entry = st.fixed_dictionaries(
            {
                "line_id": optional(code),
                "item": item(),
                "prices": st.lists(price, max_size=3),
            }
        ).map(drop_none)
        return (
            st.fixed_dictionaries(
                {
                    "catalog_id": code.filter(lambda c: len(c) <= 15),
                    "catalog_purpose": st.sampled_from(["PC", "SC", "CP"]),
                    "version": optional(code.filter(lambda c: len(c) <= 15)),
                    "description": optional(text),
                    "currency": st.just(currency),
                    "supplier": party("supplier", with_contact=True),
                    "buyer": optional(party("buyer")),
                    "effective_date": optional(days),
                    "expiry_date": optional(days),
                    "items": st.lists(entry, min_size=1, max_size=3),
                }
            )
            .map(drop_none)
            .filter(_ordered)
        )

    return currencies.flatmap(build)


CASES: list[tuple[type[CanonicalDocument], st.SearchStrategy[dict[str, Any]]]] = [
    (RemittanceAdvice, remittances()),
    (PriceCatalog, catalogs()),
]


@pytest.mark.parametrize(("model", "strategy"), CASES, ids=[m.__name__ for m, _ in CASES])
def test_canonical_x12_canonical_is_lossless(
    model: type[CanonicalDocument], strategy: st.SearchStrategy[dict[str, Any]]
) -> None:
    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(strategy)
    def check(data: dict[str, Any]) -> None:
        document = model.model_validate(data)
        text = interchange(MAPPER.from_canonical(document))
        result = MAPPER.to_canonical(only(text))
        assert result.errors == (), "\n".join(map(str, result.errors)) + "\n" + text
        assert result.document is not None
        assert result.document.model_dump() == document.model_dump()

    check()
